"""Binaries that carry their own path services, for real: built with `oic build` on the session's
frozen base, copied elsewhere, and run where neither oi nor the services' directories exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime import bundles, launcher
from tests.binary.conftest import REPOSITORY, FrozenBase
from tests.services.test_go_service import PIPELINE as GO_PIPELINE
from tests.services.test_go_service import build_go_greeter

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("freeze")]

PIPELINE = """\
pipeline "greet" {}

service greeter = path "./greeter/service.py" schemas "./greeter/schemas"

on engine.started {
  task "greet" = greeter.greet(Name: "Ada")
}
"""

OTHER_SERVICE = """\
from runtime.sdk import Service

service = Service("other")


@service.endpoint("greet")
def greet(arguments, context):
    return {"Greeting": "good day, " + arguments["Name"]}


if __name__ == "__main__":
    service.serve()
"""


def _clean_run(binary: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``binary`` as on a machine without oi: only PATH and HOME set, no Python of ours on PATH
    (a ``python3`` that would give itself away comes first), nothing else from this environment."""
    fake_bin = cwd / "fake-bin"
    fake_bin.mkdir(exist_ok=True)
    for name in ("python3", "python"):
        _executable(fake_bin / name, '#!/bin/sh\necho "$0 was run" >&2\nexit 97\n')
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(binary), *args],
        cwd=cwd,
        env={"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o755)
    return path


def _outputs(logs: Path) -> dict[str, object]:
    state = yaml.safe_load((logs / "logs" / "state.yaml").read_text(encoding="utf-8"))
    return {
        entry["task"]: (entry["status"], entry["output"], entry["error"]) for entry in state["tasks"].values()
    }


@pytest.fixture(scope="module")
def greet_project(frozen_base: FrozenBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pipeline with a scaffolded SDK service (`oic new service`), built into project/dist/greet."""
    project = tmp_path_factory.mktemp("project")
    created = frozen_base.oic(["new", "service", "greeter"], cwd=project)
    assert created.returncode == 0, created.stderr
    (project / "pipeline.oi").write_text(PIPELINE, encoding="utf-8")
    built = frozen_base.oic(["build", "pipeline.oi", "-o", "dist"], cwd=project)
    assert built.returncode == 0, built.stderr
    assert "service 'greeter': embedded greeter/ (" in built.stderr
    assert "served by the binary's own Python from service.py" in built.stderr
    return project


@pytest.fixture
def elsewhere(greet_project: Path, tmp_path: Path):
    """The binary copied to another directory, with the service's own directory renamed away."""
    target = tmp_path / "elsewhere"
    target.mkdir()
    binary = Path(shutil.copy2(greet_project / "dist" / "greet", target / "greet"))
    original = greet_project / "greeter"
    away = greet_project / "greeter-renamed-away"
    original.rename(away)
    try:
        yield binary
    finally:
        away.rename(original)


def test_an_sdk_service_runs_where_oi_is_not_installed(elsewhere: Path):
    ran = _clean_run(elsewhere, ["--logs-dir", "run"], elsewhere.parent)
    assert ran.returncode == 0, ran.stderr
    assert "was run" not in ran.stderr  # no python3 of the machine was asked
    assert _outputs(elsewhere.parent / "run") == {"greet": ("Success", '{"Greeting": "hello, Ada"}', "")}
    task_logs = list((elsewhere.parent / "run" / "logs" / "tasks").iterdir())
    assert [log.read_text(encoding="utf-8") for log in task_logs] == ["greeting Ada\n"]


def test_service_path_still_runs_another_service_instead(elsewhere: Path):
    other = _executable(elsewhere.parent / "other.py", OTHER_SERVICE)
    ran = _clean_run(elsewhere, ["--logs-dir", "run", "--service-path", f"greeter={other}"], elsewhere.parent)
    assert ran.returncode == 0, ran.stderr
    assert _outputs(elsewhere.parent / "run")["greet"] == ("Success", '{"Greeting": "good day, Ada"}', "")


def test_the_payload_carries_the_services_archive(greet_project: Path):
    binary = greet_project / "dist" / "greet"
    payload = launcher.read_payload(binary)
    assert payload is not None and payload.services_size > 0
    assert bundles.aliases(launcher.read_services(binary)) == ["greeter"]


def test_a_service_kept_out_runs_from_its_path_and_fails_clearly_without_it(
    frozen_base: FrozenBase, greet_project: Path, tmp_path: Path
):
    built = frozen_base.oic(
        ["build", "pipeline.oi", "-o", str(tmp_path / "out"), "--no-embed", "greeter"], cwd=greet_project
    )
    assert built.returncode == 0, built.stderr
    assert "service 'greeter': not embedded (--no-embed)" in built.stderr
    binary = tmp_path / "out" / "greet"
    assert launcher.read_payload(binary).services_size == 0  # type: ignore[union-attr]
    original = greet_project / "greeter"
    away = greet_project / "greeter-renamed-away"
    original.rename(away)
    try:
        ran = _clean_run(binary, ["--logs-dir", "run"], tmp_path)
    finally:
        away.rename(original)
    assert ran.returncode == 3
    assert f"{original / 'service.py'} does not exist" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_non_python_service_runs_from_its_unpacked_directory(frozen_base: FrozenBase, tmp_path: Path):
    """An executable (here a shell script) travels with the files beside it and runs from where the
    binary unpacks them: the original directory is gone when it runs."""
    project = tmp_path / "project"
    service_dir = project / "where"
    service_dir.mkdir(parents=True)
    (service_dir / "impl.py").write_text(
        "from pathlib import Path\n"
        "from runtime.sdk import Service\n"
        'service = Service("where")\n'
        '@service.endpoint("where")\n'
        "def where(arguments, context):\n"
        '    return {"Directory": str(Path(__file__).resolve().parent)}\n'
        'if __name__ == "__main__":\n'
        "    service.serve()\n",
        encoding="utf-8",
    )
    _executable(
        service_dir / "run",
        f"#!/bin/sh\nPYTHONPATH={REPOSITORY}\nexport PYTHONPATH\n"
        f'exec {sys.executable} "$(dirname "$0")/impl.py"\n',
    )
    (project / "pipeline.oi").write_text(
        'pipeline "where" {}\nservice where = path "./where/run"\n'
        'on engine.started {\n  task "where" = where.where()\n}\n',
        encoding="utf-8",
    )
    built = frozen_base.oic(["build", "pipeline.oi", "-o", "dist"], cwd=project)
    assert built.returncode == 0, built.stderr
    assert "service 'where': embedded where/ (2 files, " in built.stderr
    assert "run as run from where the binary unpacks it" in built.stderr
    service_dir.rename(project / "gone")
    ran = subprocess.run(
        [str(project / "dist" / "where"), "--logs-dir", "run"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    status, output, _ = _outputs(project / "run")["where"]  # type: ignore[misc]
    assert status == "Success"
    directory = yaml.safe_load(output)["Directory"]
    assert directory.endswith("/oi-services/0") and not directory.startswith(str(project))
    assert not Path(directory).exists()  # unpacked for the run, removed with it


def test_an_import_the_binary_cannot_satisfy_fails_the_build(frozen_base: FrozenBase, tmp_path: Path):
    project = tmp_path / "project"
    (project / "svc").mkdir(parents=True)
    # What mail, XML and SQLite services import is carried; the error names the first thing that is not.
    (project / "svc" / "service.py").write_text(
        "import json\nimport sqlite3\nimport smtplib\nfrom email.mime.text import MIMEText\n"
        "import xml.etree.ElementTree as ET\nimport helper\n",
        encoding="utf-8",
    )
    (project / "svc" / "helper.py").write_text("import no_such_module_anywhere.sub\n", encoding="utf-8")
    (project / "pipeline.oi").write_text(
        'pipeline "p" {}\nservice s = path "./svc/service.py"\n'
        'on engine.started {\n  task "a" = s.run()\n}\n',
        encoding="utf-8",
    )
    built = frozen_base.oic(["build", "pipeline.oi"], cwd=project)
    assert built.returncode == 2, built.stderr
    last = built.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "oic build: error: service 's': svc/helper.py:1 imports no_such_module_anywhere.sub"
    )
    assert "pip install --target svc no_such_module_anywhere" in last and "--no-embed s" in last
    assert not (project / "dist").exists()


def test_a_go_service_with_a_typed_and_an_untyped_endpoint_runs_from_the_binary(
    frozen_base: FrozenBase, tmp_path: Path
):
    """The interop pipeline of tests/services/test_go_service.py, built: the Go program is embedded,
    and the binary, copied elsewhere, runs both endpoints with the original directory gone. (Skips,
    saying what to install, without Go and grpc-go.)"""
    go_greeter = build_go_greeter(tmp_path / "go")
    project = tmp_path / "project"
    (project / "bin").mkdir(parents=True)
    shutil.copy(go_greeter, project / "bin" / "greeter")
    (project / "pipeline.oi").write_text(GO_PIPELINE.replace("NAME_FIELD", "name"), encoding="utf-8")
    built = frozen_base.oic(["build", "pipeline.oi", "-o", "dist"], cwd=project)
    assert built.returncode == 0, built.stderr
    assert "warning[W0110]" in built.stdout  # shout is untyped
    assert "service 'greeter': embedded bin/ (1 file, " in built.stderr
    assert "run as greeter from where the binary unpacks it" in built.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    binary = Path(shutil.copy2(project / "dist" / "go-interop", elsewhere / "go-interop"))
    (project / "bin").rename(project / "gone")

    ran = _clean_run(binary, ["--logs-dir", "run"], elsewhere)
    assert ran.returncode == 0, ran.stderr
    runs = _outputs(elsewhere / "run")
    assert runs["typed"] == ("Success", '{"greeting": "hello, Ada"}', "")
    assert yaml.safe_load(str(runs["untyped"][1])) == {"shouted": "HI", "length": 2}
    status, _, error = runs["invalid"]  # type: ignore[misc]
    assert status == "failed" and "$.name" in str(error)  # the typed endpoint is validated
    assert runs["noted"][0] == "Success"
    log = (elsewhere / "run" / "logs" / "log").read_text(encoding="utf-8")
    assert "endpoint 'shout' of service 'greeter' has no schema" in log
