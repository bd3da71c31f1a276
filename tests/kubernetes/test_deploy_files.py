"""The files of deploy/kubernetes/ (Dockerfiles, RBAC, Job), checked for what a cluster will demand
of them (Docker cannot run here), and the Job's in-cluster run played against the fake API server
under the Role they grant."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime.catalog import BUILTIN
from runtime.kubernetes import KubernetesOptions
from runtime.kubernetes.cluster import connect
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.program import parse_command_line, parse_duration
from runtime.services.base import RunContext
from tests.binary.sample_pipeline import PROGRAM
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.test_rbac import documented_role

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "kubernetes"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """``(KEYWORD, arguments)`` of each instruction, comments dropped, continuations joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def only(found: list[tuple[str, str]], keyword: str) -> str:
    (value,) = [arguments for name, arguments in found if name == keyword]
    return value


def documents(name: str) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all((DEPLOY / name).read_text()) if document]


def role(name: str) -> list[dict[str, Any]]:
    (found,) = [d for d in documents("rbac.yaml") if d["kind"] == "Role" and d["metadata"]["name"] == name]
    return list(found["rules"])


@pytest.mark.parametrize("dockerfile", ["Dockerfile.catalog", "Dockerfile.pipeline"])
def test_dockerfiles_run_as_a_numeric_non_root_user_with_an_exec_form_entrypoint(dockerfile: str) -> None:
    found = instructions(DEPLOY / dockerfile)
    assert found[0][0] == "FROM"
    user, _, group = only(found, "USER").partition(":")
    assert user.isdigit() and int(user) != 0 and group.isdigit() and int(group) != 0
    entrypoint = json.loads(only(found, "ENTRYPOINT"))
    assert isinstance(entrypoint, list) and all(isinstance(part, str) for part in entrypoint)


def test_the_catalog_dockerfile_copies_what_exists_and_serves_a_catalog_service() -> None:
    found = instructions(DEPLOY / "Dockerfile.catalog")
    for name, arguments in found:
        if name == "COPY":
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (ROOT / source).exists(), source
    service = only(found, "ARG").partition("=")[2]
    assert service in BUILTIN
    assert "runtime.catalog" in only(found, "ENTRYPOINT")
    assert only(found, "EXPOSE") == str(KubernetesOptions().service_port)


def test_the_pipeline_dockerfile_runs_the_binary_in_the_cluster() -> None:
    found = instructions(DEPLOY / "Dockerfile.pipeline")
    assert json.loads(only(found, "ENTRYPOINT")) == ["/usr/local/bin/pipeline"]
    arguments = json.loads(only(found, "CMD"))
    assert parse_command_line(PROGRAM, arguments).kubernetes.in_cluster


@pytest.mark.parametrize("name", ["oi-runner", "oi-cleanup"])
def test_the_roles_of_rbac_yaml_are_those_of_the_docs(name: str) -> None:
    assert role(name) == documented_role(name)


def test_the_job_runs_as_the_account_rbac_yaml_binds_and_ends_its_run_before_its_deadline() -> None:
    (job,) = documents("job.yaml")
    binding = next(d for d in documents("rbac.yaml") if d["kind"] == "RoleBinding")
    account = next(d for d in documents("rbac.yaml") if d["kind"] == "ServiceAccount")
    pod_spec = job["spec"]["template"]["spec"]
    assert pod_spec["serviceAccountName"] == account["metadata"]["name"] == binding["subjects"][0]["name"]
    assert binding["roleRef"]["name"] == "oi-runner"
    assert pod_spec["securityContext"]["runAsNonRoot"] is True
    (container,) = pod_spec["containers"]
    environment = {item["name"]: item for item in container["env"]}
    assert environment["OI_POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    invocation = parse_command_line(PROGRAM, container["args"])  # flags the binary knows, valid values
    assert invocation.kubernetes.in_cluster
    assert invocation.timeout is not None and invocation.timeout < job["spec"]["activeDeadlineSeconds"]
    assert parse_duration("25m", "--timeout") == invocation.timeout


def test_the_jobs_run_works_under_the_runner_role_and_goes_with_the_jobs_pod(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (job,) = documents("job.yaml")
    template = job["spec"]["template"]
    # What the Job controller would create: a pod from the template, named after the Job.
    job_pod = cluster.store.create(
        "pods",
        "pipelines",
        {"metadata": {"name": "hello-x7k2p", "labels": {"job-name": "hello"}}, "spec": template["spec"]},
    )
    monkeypatch.setenv("OI_POD_NAME", "hello-x7k2p")  # the downward API of the Job's env
    cluster.enforce_rules(role("oi-runner"))
    options = KubernetesOptions(in_cluster=True, connect="port-forward", start_timeout=60)
    runner = KubernetesRunner(options, cluster=connect(KubernetesOptions(kubeconfig=str(kubeconfig))))
    warnings: list[str] = []
    try:
        connection = runner.start(
            [Service(alias="echo", image=ECHO_IMAGE)],
            RunContext("job-run", str(tmp_path), "t", warnings.append),
        )["echo"]
        assert connection.call("echo", {"message": "in cluster"}, "", 10)["token_given"] is True
        assert warnings == []
        run_pods = [name for name in cluster.store.names("pods") if name != "hello-x7k2p"]
        pod = cluster.store.get("pods", "pipelines", run_pods[0])
        assert pod["metadata"]["ownerReferences"][0]["uid"] == job_pod["metadata"]["uid"]
        cluster.store.delete("pods", "pipelines", "hello-x7k2p")  # the Job is killed
        assert cluster.store.count() == 0
    finally:
        runner.stop()
