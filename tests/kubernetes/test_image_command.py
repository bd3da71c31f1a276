"""`oic image`: the Dockerfiles, Job, RBAC and build script it writes for a pipeline, checked for what a
cluster will demand of them (Docker cannot run here): every image the runner will ask for is built
and loaded under that name, the Job's arguments are flags the binary takes, the Roles are the
documented least-privilege ones. tests/kubernetes/test_in_cluster.py runs the Job's arguments
against the fake cluster."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime.kubernetes.manifests import image_for
from runtime.model import Service
from runtime.program import _kubernetes_options, env_name, parse_command_line
from tests.binary.sample_pipeline import PROGRAM
from tests.kubernetes.test_deploy_files import instructions, only
from tests.kubernetes.test_rbac import documented_role

REPOSITORY = Path(__file__).resolve().parents[2]
PIPELINE = """pipeline "Hello World" {}
param who: string = "you"
param token: secret = env("HELLO_TOKEN")
service shell = catalog "exec"
service web = catalog "http"
on engine.started {
  task "hello" = shell.command(Args: ["echo", "hello ${who}"])
  task "get" = web.call(Verb: "GET", URL: "http://example.invalid/${token}")
}
"""


def oic_image(directory: Path, *arguments: str, source: str = PIPELINE) -> subprocess.CompletedProcess[str]:
    """``oic image hello.oi ARGUMENTS`` in ``directory``, with ``source`` written to hello.oi first."""
    (directory / "hello.oi").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "oic", "image", "hello.oi", *arguments],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def built_images(script: str) -> dict[str, tuple[str, str]]:
    """``docker build -f FILE -t IMAGE CONTEXT`` lines of ``script``: image -> (file, context)."""
    built = {}
    for line in script.splitlines():
        if line.startswith("docker build "):
            words = shlex.split(line)
            built[words[words.index("-t") + 1]] = (words[words.index("-f") + 1], words[-1])
    return built


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `oic image` wrote for PIPELINE."""
    directory = tmp_path_factory.mktemp("image")
    result = oic_image(directory, "-o", "image", "-n", "pipelines", "--timeout", "10m")
    assert result.returncode == 0, result.stderr
    return directory / "image"


def test_the_files_name_the_images_the_runner_asks_for(out: Path) -> None:
    assert sorted(path.name for path in out.iterdir()) == [
        "Dockerfile.exec-0.1.0",
        "Dockerfile.http-0.1.0",
        "Dockerfile.pipeline",
        "build.sh",
        "job.yaml",
        "rbac.yaml",
    ]
    (job,) = yaml.safe_load_all((out / "job.yaml").read_text())
    (container,) = job["spec"]["template"]["spec"]["containers"]
    invocation = parse_command_line(PROGRAM, container["args"])
    assert invocation.kubernetes.in_cluster
    built = built_images((out / "build.sh").read_text())
    # The pipeline's image, and each catalog service's as the runner names it from the Job's flags.
    assert container["image"] in built
    options = _kubernetes_options(invocation.kubernetes).kubernetes_options()
    for name in ("exec", "http"):
        image = image_for(Service(alias=name, name=name, version="0.1.0"), options)
        assert built[image] == (f"$here/Dockerfile.{name}-0.1.0", "$source")
        found = instructions(out / f"Dockerfile.{name}-0.1.0")
        assert json.loads(only(found, "ENTRYPOINT")) == ["python", "-m", "runtime.catalog", name]
        for keyword, arguments in found:
            if keyword == "COPY":  # from oi's source tree, the build context build.sh gives
                for source in shlex.split(arguments)[:-1]:
                    assert (REPOSITORY / source).exists(), source
    assert len(built) == 3
    # Every image built is loaded into the cluster, by kind or by minikube.
    script = (out / "build.sh").read_text()
    for image in built:
        assert f"kind load docker-image {image} " in script and f"minikube image load {image}" in script
    # The binary `oic build` writes is the one the pipeline's image copies.
    pipeline_file = instructions(out / "Dockerfile.pipeline")
    assert only(pipeline_file, "COPY").split()[0] == "dist/Hello-World"
    assert re.search(r'oic build \S+hello\.oi -o "\$here/dist"', script)
    assert json.loads(only(pipeline_file, "ENTRYPOINT")) == ["/usr/local/bin/pipeline"]


def test_every_dockerfile_runs_as_a_numeric_non_root_user(out: Path) -> None:
    for dockerfile in out.glob("Dockerfile.*"):
        user, _, group = only(instructions(dockerfile), "USER").partition(":")
        assert user.isdigit() and int(user) != 0 and group.isdigit() and int(group) != 0, dockerfile.name


def test_the_job_runs_as_the_account_bound_to_the_runner_role_with_recommended_labels(out: Path) -> None:
    (job,) = yaml.safe_load_all((out / "job.yaml").read_text())
    rbac = list(yaml.safe_load_all((out / "rbac.yaml").read_text()))
    roles = {
        document["metadata"]["name"]: document["rules"] for document in rbac if document["kind"] == "Role"
    }
    assert roles == {"oi-runner": documented_role("oi-runner"), "oi-cleanup": documented_role("oi-cleanup")}
    for rule in roles["oi-runner"]:
        if "secrets" in rule["resources"]:
            assert not {"get", "list", "watch"} & set(rule["verbs"])
    (binding,) = [document for document in rbac if document["kind"] == "RoleBinding"]
    assert binding["roleRef"]["name"] == "oi-runner"
    pod = job["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == binding["subjects"][0]["name"]
    assert {document["metadata"]["namespace"] for document in [job, *rbac]} == {"pipelines"}
    labels = job["metadata"]["labels"]
    assert labels["app.kubernetes.io/managed-by"] == "oi"
    assert labels["app.kubernetes.io/part-of"] == "Hello-World"  # as the run's objects carry it
    assert set(labels) >= {"app.kubernetes.io/name", "app.kubernetes.io/component"}
    (container,) = pod["containers"]
    invocation = parse_command_line(PROGRAM, container["args"])
    assert invocation.timeout == 600 < job["spec"]["activeDeadlineSeconds"]
    environment = {item["name"]: item["valueFrom"] for item in container["env"]}
    assert environment["OI_POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    # The secret param comes from a Secret, never from the manifest.
    assert environment[env_name("token")]["secretKeyRef"]["key"] == "token"
    assert "--param" not in container["args"]


def test_a_path_service_without_an_image_is_named(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "main.py").write_text("print('a service')\n")
    source = 'pipeline "p" {}\nservice mine = path "./svc/main.py"\n'
    result = oic_image(tmp_path, "-o", "image", source=source)
    assert "service 'mine' is a path service without an image" in result.stderr, result.stderr


def test_bad_arguments_are_one_line(tmp_path: Path) -> None:
    for arguments, fragment in (
        (["--timeout", "soon"], "--timeout expects a positive duration"),
        (["-n", "Not_A_Namespace"], "is not a namespace name"),
        (["--registry", "my registry"], "is not a registry"),
        (["--registry", ""], "is not a registry"),
    ):
        result = oic_image(tmp_path, *arguments)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and fragment in result.stderr


def test_the_jobs_timeout_is_the_pipelines_own_unless_given(tmp_path: Path) -> None:
    source = PIPELINE.replace('pipeline "Hello World" {}', 'pipeline "Hello World" { timeout = 2h }')
    result = oic_image(tmp_path, "-o", "image", source=source)
    assert result.returncode == 0, result.stderr
    (job,) = yaml.safe_load_all((tmp_path / "image" / "job.yaml").read_text())
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert (
        parse_command_line(PROGRAM, container["args"]).timeout == 7200 < job["spec"]["activeDeadlineSeconds"]
    )


@pytest.mark.parametrize(
    ("loader", "load"), [("kind", "kind load docker-image"), ("minikube", "minikube image load")]
)
def test_build_sh_builds_then_loads_every_image(out: Path, tmp_path: Path, loader: str, load: str) -> None:
    # Docker, kind and minikube cannot run here: each is a script that records its command line, so
    # that the order of the steps and the words given to each tool are what is checked.
    tools = tmp_path / "tools"
    tools.mkdir()
    record = tmp_path / "calls"
    for tool in ("oic", "docker", "kind", "minikube"):
        (tools / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{record}"\n')
        (tools / tool).chmod(0o755)
    assert subprocess.run(["sh", "-n", str(out / "build.sh")], check=False).returncode == 0
    environment = {"PATH": f"{tools}{os.pathsep}{os.defpath}", "HOME": str(tmp_path), "LOADER": loader}
    result = subprocess.run(
        [str(out / "build.sh")], env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    calls = record.read_text().splitlines()
    built = built_images((out / "build.sh").read_text())
    assert calls[0].startswith("oic build ") and calls[0].endswith(f" -o {out}/dist")
    assert [call.split(" -t ")[1].split()[0] for call in calls[1:4]] == list(built)
    assert calls[4:] == [f"{load} {image}" + (" --name kind" if loader == "kind" else "") for image in built]
