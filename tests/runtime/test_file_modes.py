"""Everything a run writes is its user's alone: ``logs/`` and its directories 0700, every file in
them 0600, whatever the umask, whoever created the file, and when an earlier run left them open."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from runtime.conditions import engine_started
from runtime.model import Service
from runtime.sdk import CallContext
from runtime.sdk import Service as SdkService
from runtime.services.base import RunContext, ServiceConnection
from tests.runtime.fakes import Call, FakeRunner
from tests.runtime.helpers import ok, on, pipeline, run, task


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask, under which a plain ``open`` makes a file 0644 and a directory 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class LoggingRunner(FakeRunner):
    """Writes a service log as the local runner does, with whatever mode a plain ``open`` gives."""

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        with open(os.path.join(context.logs_dir, "services", f"svc-{context.run_id}.log"), "a") as log:
            log.write("svc listening\n")
        return super().start(services, context)


def writes_its_log(call: Call) -> object:
    with open(call.fd, "a") as log:  # as a service in another language might: the umask decides
        log.write("working\n")
    return ok(call)


@pytest.mark.usefixtures("open_umask")
def test_a_run_leaves_its_directories_0700_and_its_files_0600(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    # An earlier run, under the old modes.
    (logs / "tasks").mkdir(parents=True, mode=0o755)
    for name in ("log", "history.yaml"):
        (logs / name).write_text("old\n")
        (logs / name).chmod(0o644)
    fake = LoggingRunner({"svc": {"write": writes_its_log, "ok": ok}})
    result = run(pipeline(on(engine_started, task("w", "write"), task("quiet"))), fake, tmp_path)
    assert result.succeeded, result.message
    directories = [logs, logs / "tasks", logs / "services"]
    assert {str(path): mode(path) for path in directories} == {str(path): 0o700 for path in directories}
    files = sorted(path for path in logs.rglob("*") if path.is_file())
    names = {path.relative_to(logs).as_posix().split("-")[0] for path in files}
    assert names == {"log", "history.yaml", "state.yaml", "tasks/w", "services/svc"}
    assert {str(path): mode(path) for path in files} == {str(path): 0o600 for path in files}


@pytest.mark.usefixtures("open_umask")
def test_the_sdk_creates_a_task_log_0600(tmp_path: Path) -> None:
    path = tmp_path / "task.log"
    CallContext(SdkService("s"), "e", str(path), None).log("a line")
    assert path.read_text() == "a line\n"
    assert mode(path) == 0o600
