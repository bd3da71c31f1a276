"""The engine with real processes: SDK services over gRPC, signals, kill -9."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime.conditions import engine_started, task_event_reported, task_finished_with_status
from runtime.model import EventReaction, Pipeline, PipelineMetadata, PipelineSpec, Service
from tests.runtime.helpers import load_history, on, run, task, tasks_by_name

ROOT = Path(__file__).resolve().parents[2]
SERVICE = str(Path(__file__).with_name("sdk_service.py"))
DEADLINE = 60.0


def sdk_pipeline(*reactions: EventReaction) -> Pipeline:
    return Pipeline(
        PipelineMetadata("sdk"), PipelineSpec(services=(Service("svc", path=SERVICE),), reactions=reactions)
    )


def test_real_service_chain_reports_and_secret_fields(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def after_report(event: Any, state: Any) -> list[Any]:
        seen["data"] = event.payload["data"]
        return [task("after", "echo", user="u", password="pa55word-x")]

    pipe = sdk_pipeline(
        on(engine_started, task("r", "report", percent=70)),
        EventReaction(task_event_reported("r", "progress"), after_report),
        on(task_finished_with_status("after", "success"), task("nope", "fail", why="late")),
    )
    result = run(pipe, None, tmp_path)
    assert (result.status, result.failed_tasks) == ("failed", ("nope",))
    assert seen["data"] == {"percent": 70}
    names = tasks_by_name(tmp_path)
    assert names["r"][0]["status"] == "Success" and names["after"][0]["status"] == "Success"
    assert names["nope"][0]["error"] == "refused: late"
    reported = [e for e in load_history(tmp_path) if e["metadata"]["name"] == "task.reported"]
    assert reported[0]["payload"]["event"] == "progress" and reported[0]["payload"]["task"] == "r"
    # The schema marks "password" secret: masked in the state, and scrubbed from the task log.
    assert '"password": "***"' in names["after"][0]["arguments"]
    task_log = Path(names["after"][0]["logger"]).read_text()
    assert "echo for u with ***" in task_log
    for path in (tmp_path / "logs").rglob("*"):
        if path.is_file():
            assert "pa55word-x" not in path.read_text(errors="replace"), path


def wait_for_line(fifo: str, process: subprocess.Popen[bytes]) -> str:
    """The first line written to ``fifo``, waiting at most DEADLINE; fails at once if ``process`` exits
    first (its stderr reaches end of file)."""
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    # Our own writer keeps the fifo open, so select waits for data instead of reporting end of file.
    keep_open = os.open(fifo, os.O_WRONLY)
    assert process.stderr is not None
    stderr = process.stderr.fileno()
    errors = b""
    try:
        data = b""
        while not data.endswith(b"\n"):
            ready, _, _ = select.select([descriptor, stderr], [], [], DEADLINE)
            assert ready, f"nothing written to the fifo in {DEADLINE}s"
            if stderr in ready:
                chunk = os.read(stderr, 4096)
                assert chunk, f"the engine exited with {process.wait()} before signalling: {errors.decode()}"
                errors += chunk
            if descriptor in ready:
                data += os.read(descriptor, 1024)
        return data.decode().strip()
    finally:
        os.close(keep_open)
        os.close(descriptor)


def start_child(mode: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    fifo = str(tmp_path / "signal.fifo")
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.runtime.engine_child", mode, str(tmp_path), fifo],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return process, fifo


def process_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return status in ("Z", "X")


@pytest.mark.slow
def test_sigterm_cancels_and_leaves_no_process(tmp_path: Path) -> None:
    process, fifo = start_child("block", tmp_path)
    try:
        service_pid = int(wait_for_line(fifo, process))
        assert not process_gone(service_pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=DEADLINE)
        assert process.stderr is not None
        stderr = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 143, stderr.decode()
    assert b"Traceback" not in stderr
    assert process_gone(service_pid)
    state = yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text())
    assert state["metadata"]["state"] == "finished"
    wait = next(entry for entry in state["tasks"].values() if entry["task"] == "wait")
    assert (wait["status"], wait["error"]) == ("failed", "the run was cancelled before this task finished")
    assert "interrupted by SIGTERM" in (tmp_path / "logs" / "log").read_text()


@pytest.mark.slow
def test_state_files_parse_after_kill_9_during_a_heavy_run(tmp_path: Path) -> None:
    process, fifo = start_child("heavy", tmp_path)
    try:
        assert wait_for_line(fifo, process) == "500"
        process.kill()
        process.wait(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    state = yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text())
    assert state["metadata"]["state"] == "in-progress"
    assert len(state["tasks"]) >= 2
    history = load_history(tmp_path)
    assert history[0]["metadata"]["name"] == "engine.started"
    assert any(entry["metadata"]["name"] == "task.finished" for entry in history)
    leftovers = [name for name in os.listdir(tmp_path / "logs") if name.startswith(".tmp-")]
    assert len(leftovers) <= 1  # at most the temporary file of the write the kill interrupted
