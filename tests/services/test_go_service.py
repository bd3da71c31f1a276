"""Interop with a service written in Go with grpc-go (``go_greeter/main.go``), built by the test from
Debian's packages, offline, in GOPATH mode, with stubs generated from oi's own service.proto.

Its init answer types ``greet`` under the original catalog's ``endpoints/...`` keys, next to a
``types/...`` key that is no endpoint schema; ``shout`` is served but left out. A pipeline that calls
both checks with one warning (W0110, for ``shout``), runs with `oic run`, and gets both outputs; the
typed endpoint's arguments are validated at run time, the untyped one's are not.

Without Go and those packages the tests skip, saying what to install (``.ci/run`` installs them
where ``apt-get`` is available).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime.proto import regenerate

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("go"), pytest.mark.timeout(900)]

HERE = Path(__file__).resolve().parent
GO_SOURCE = HERE / "go_greeter" / "main.go"
SYSTEM_GOPATH = Path("/usr/share/gocode")
PACKAGES = "golang-go golang-google-grpc-dev golang-goprotobuf-dev protobuf-compiler"


def missing_tools() -> list[str]:
    missing = [tool for tool in ("go", "protoc", "protoc-gen-go") if shutil.which(tool) is None]
    for package in ("google.golang.org/grpc", "github.com/golang/protobuf/proto"):
        if not (SYSTEM_GOPATH / "src" / package).is_dir():
            missing.append(package)
    return missing


@pytest.fixture(scope="module")
def go_greeter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go service, built into a temporary directory."""
    return build_go_greeter(tmp_path_factory.mktemp("go"))


def build_go_greeter(work: Path) -> Path:
    """Build the Go service in ``work``; skip the calling test without Go and grpc-go."""
    missing = missing_tools()
    if missing:
        pytest.skip(f"needs Go and grpc-go ({', '.join(missing)} missing): apt-get install {PACKAGES}")
    gopath = work / "gopath"
    (gopath / "src" / "oi-go-greeter").mkdir(parents=True)
    shutil.copy(GO_SOURCE, gopath / "src" / "oi-go-greeter" / "main.go")
    # The stubs land where the proto's go_package puts them: the original's own import path.
    subprocess.run(
        [
            "protoc",
            f"-I{regenerate.PROTO_DIR}",
            f"--go_out=plugins=grpc:{gopath / 'src'}",
            str(regenerate.PROTO_DIR / "service.proto"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(work)),
        "GO111MODULE": "off",
        "GOPATH": f"{gopath}{os.pathsep}{SYSTEM_GOPATH}",
        "GOPROXY": "off",
        "CGO_ENABLED": "0",
    }
    if "HOME" not in os.environ:
        environment["GOCACHE"] = str(work / "cache")
    binary = work / "greeter"
    built = subprocess.run(
        ["go", "build", "-o", str(binary), "oi-go-greeter"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert built.returncode == 0, built.stderr
    return binary


PIPELINE = """pipeline "go-interop" {}
service greeter = path "./bin/greeter"
on engine.started {
  task "typed" = greeter.greet(NAME_FIELD: "Ada")
  task "untyped" = greeter.shout(text: "hi", extra: [1, 2])
  task "invalid" = greeter.greet(name: parse_json("5"))
}
on task("invalid").finished(failed) {
  task "noted" = greeter.greet(name: tasks["invalid"].error)
}
"""


@pytest.fixture
def project(go_greeter: Path, tmp_path: Path) -> Path:
    (tmp_path / "bin").mkdir()
    shutil.copy(go_greeter, tmp_path / "bin" / "greeter")
    (tmp_path / "pipeline.oi").write_text(PIPELINE.replace("NAME_FIELD", "name"), encoding="utf-8")
    return tmp_path


def oic(arguments: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, XDG_CACHE_HOME=str(project / "cache"))
    return subprocess.run(
        [sys.executable, "-m", "oic", *arguments],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_go_service_checks_with_one_warning_for_its_untyped_endpoint(project: Path) -> None:
    checked = oic(["check", "--format", "json", "pipeline.oi"], project)
    found = [(d["line"], d["code"]) for d in json.loads(checked.stdout)["diagnostics"]]
    # Untyped: `shout`; typed: `greet`, whose arguments check clean.
    assert found == [(5, "W0110")], checked.stdout + checked.stderr
    assert checked.returncode == 0

    (project / "pipeline.oi").write_text(PIPELINE.replace("NAME_FIELD", "nmae"), encoding="utf-8")
    misspelt = oic(["check", "--format", "json", "pipeline.oi"], project)
    codes = sorted(d["code"] for d in json.loads(misspelt.stdout)["diagnostics"])
    assert codes == ["E0302", "W0110"], misspelt.stdout  # greet is typed by the init answer


def test_the_go_service_runs_both_endpoints(project: Path) -> None:
    run = oic(["run", "pipeline.oi", "--", "--logs-dir", "out"], project)
    assert run.returncode == 0, run.stderr
    logs = project / "out" / "logs"
    state = yaml.safe_load((logs / "state.yaml").read_text(encoding="utf-8"))
    runs = {task["task"]: task for task in state["tasks"].values()}
    assert json.loads(runs["typed"]["output"]) == {"greeting": "hello, Ada"}
    assert json.loads(runs["untyped"]["output"]) == {"shouted": "HI", "length": 2}
    # The typed endpoint is validated at run time, against the schemas the checker used.
    assert runs["invalid"]["status"] == "failed" and "$.name" in runs["invalid"]["error"]
    assert json.loads(runs["noted"]["output"])["greeting"] == f"hello, {runs['invalid']['error']}"
    typed_log = next((logs / "tasks").glob("typed-*.log")).read_text(encoding="utf-8")
    assert typed_log == "greeting Ada\n"  # written by the Go service to the protocol's fd
    warnings = [line for line in (logs / "log").read_text(encoding="utf-8").splitlines() if " warn " in line]
    assert len(warnings) == 1 and "endpoint 'shout' of service 'greeter' has no schema" in warnings[0]
