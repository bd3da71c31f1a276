"""`oic catalog` and `oic new`, run as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
import yaml

from oic.cli import main as oic
from runtime.model import Service
from runtime.services.client import GrpcConnection
from runtime.services.local import free_port


def test_catalog_lists_services_versions_and_endpoints(capsys: pytest.CaptureFixture[str]) -> None:
    assert oic(["catalog"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["SERVICE", "VERSION", "ENDPOINTS"]
    assert "trello              0.1.0    addcard, archivecards, getcards" in lines


def test_catalog_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert oic(["catalog", "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert {"name": "jira", "version": "0.1.0", "endpoints": ["list"]} in listing


def test_catalog_show_prints_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert oic(["catalog", "show", "trello.archivecards"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("trello.archivecards  (trello 0.1.0)\n")
    fields = {
        line.split()[0]: line.split(None, 2)[1:] for line in out.splitlines() if line.startswith("    ")
    }
    assert fields["Auth.Token"] == ["string", "required, secret  Trello token; a secret"]
    assert fields["CardIDs"][0] == "list[string]"
    assert fields["Board"][1].startswith("optional")


def test_catalog_show_unknown_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert oic(["catalog", "show", "slack.mesage"]) == 2
    assert "no endpoint of slack 'mesage' (did you mean 'message'?)" in capsys.readouterr().err


def test_catalog_serve_runs_one_service(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oic", "catalog", "serve", "exec", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "OI_SERVICE_TOKEN"},
    )
    connection = GrpcConnection(Service(alias="exec", name="exec"), f"127.0.0.1:{port}")
    try:
        grpc.channel_ready_future(connection.channel).result(timeout=60)
        assert connection.call("command", {"Command": "echo served"}, "", 30)["Stdout"] == "served\n"
    finally:
        connection.close()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0 and b"exec 0.1.0 listening" in stderr


def test_new_pipeline_checks_and_runs(tmp_path: Path) -> None:
    assert oic(["new", "pipeline", str(tmp_path / "nightly-report")]) == 0
    pipeline = tmp_path / "nightly-report" / "pipeline.oi"
    assert (tmp_path / "nightly-report" / "README.md").is_file()
    assert oic(["check", str(pipeline)]) == 0
    run = subprocess.run(
        [sys.executable, "-m", "oic", "run", str(pipeline), "--", "--param", "greeting=hi there"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    report_logs = list((tmp_path / "logs" / "tasks").glob("report-*.log"))
    assert len(report_logs) == 1 and "hi there" in report_logs[0].read_text()


def test_the_new_pipeline_prints_a_hostile_greeting_and_runs_nothing(tmp_path: Path) -> None:
    """The scaffold once ran `echo ${json(greeting)}` through the shell: `$(id -un)` ran `id`."""
    assert oic(["new", "pipeline", str(tmp_path / "greeter")]) == 0
    pipeline = tmp_path / "greeter" / "pipeline.oi"
    assert oic(["check", "--werror", str(pipeline)]) == 0  # no W0111 in what oic new writes
    markers = [tmp_path / f"ran-{n}" for n in range(4)]
    greeting = (
        f"$(touch {markers[0]}) `touch {markers[1]}`; touch {markers[2]}\ntouch {markers[3]} "
        "'\" $(id -un) ${HOME} *"
    )
    run = subprocess.run(
        [sys.executable, "-m", "oic", "run", str(pipeline), "--", "--param", f"greeting={greeting}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    state = yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text())
    (report,) = [entry for entry in state["tasks"].values() if entry["task"] == "report"]
    assert json.loads(report["output"])["Stdout"] == greeting + "\n"
    assert not any(marker.exists() for marker in markers)


def test_new_service_passes_its_own_test_and_runs_in_a_pipeline(tmp_path: Path) -> None:
    assert oic(["new", "service", str(tmp_path / "greeter")]) == 0
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "greeter/test_service.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout + tests.stderr
    (tmp_path / "pipeline.oi").write_text(
        'pipeline "uses-greeter" {}\n'
        'service greeter = path "./greeter/service.py" schemas "./greeter/schemas"\n'
        'on engine.started {\n  task "greet" = greeter.greet(Name: "Ada")\n}\n'
        'on task("greet").finished(success) if tasks["greet"].output.Greeting == "hello, Ada" {\n'
        '  task "check" = greeter.greet(Name: "checked")\n}\n'
    )
    assert oic(["check", str(tmp_path / "pipeline.oi")]) == 0
    run = subprocess.run(
        [sys.executable, "-m", "oic", "run", "pipeline.oi"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    assert list((tmp_path / "logs" / "tasks").glob("check-*.log"))


def test_new_refuses_to_overwrite_and_bad_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").mkdir()
    assert oic(["new", "pipeline", str(tmp_path / "taken")]) == 2
    assert oic(["new", "service", str(tmp_path / "Not_Valid")]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "'Not_Valid' is not a valid name" in err


def test_catalog_show_says_which_of_several_fields_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    assert oic(["catalog", "show", "exec.command"]) == 0
    out = capsys.readouterr().out
    assert "    (give exactly one of: Command or Args)\n" in out
