"""No run outlives the process the user started: `oic run` and the engine killed with SIGKILL mid-run,
with the exec service running commands that started children of their own (real processes, looked
up in /proc by a marker every process of the run carries on its PATH)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from runtime import extraction
from runtime.services.base import RunContext
from runtime.services.local import LocalRunner
from tests.leftovers import kill_marked, marked_processes, survivors, wait_for_marked
from tests.services.support import GREETER, SERVICE_ENV, path_service

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="parent-death signals are Linux's"
)

REPOSITORY = Path(__file__).resolve().parents[2]
DEADLINE = 60.0
# `sh -c` runs `sleep` as a child of its own (a command follows it), and Args runs it directly.
PIPELINE = """pipeline "lifetime" {}
service shell = catalog "exec"
on engine.started {
  task "shell" = shell.command(Command: "sleep 3001; echo never")
  task "direct" = shell.command(Args: ["sleep", "3002"])
}
"""


def start_oic_run(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`python -m oic run` of PIPELINE, both sleeps running; the process, the marker, its TMPDIR."""
    marker = str(tmp_path / "marker-bin")
    os.mkdir(marker)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    (tmp_path / "lifetime.oi").write_text(PIPELINE, encoding="utf-8")
    environment = {
        **os.environ,
        "PATH": marker + os.pathsep + os.environ.get("PATH", os.defpath),
        "TMPDIR": str(temporary),
        "PYTHONPATH": str(REPOSITORY),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "oic", "run", "lifetime.oi", "--", "--logs-dir", str(tmp_path), "--quiet"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for command in ("sleep 3001", "sleep 3002"):
        if not wait_for_marked(marker, command, DEADLINE):
            process.kill()
            _, errors = process.communicate()
            kill_marked(marker)
            pytest.fail(f"{command!r} never ran: {errors.decode(errors='replace')}")
    return process, marker, temporary


def test_a_sigkill_of_oic_run_leaves_no_process_and_no_directory(tmp_path: Path) -> None:
    process, marker, temporary = start_oic_run(tmp_path)
    try:
        process.kill()
        process.wait()
        left = survivors(marker, DEADLINE)
        assert left == {}, f"processes of the run outlived `oic run`: {left}"
        # The child removes the temporary directory `oic run` could not; it does so as it exits,
        # and it has exited (no marked process is left).
        assert [entry.name for entry in temporary.iterdir()] == []
    finally:
        kill_marked(marker)
        process.wait()


def test_a_sigkill_of_the_engine_leaves_no_command(tmp_path: Path) -> None:
    process, marker, _ = start_oic_run(tmp_path)
    try:
        engines = [
            pid
            for pid, command in wait_for_marked(marker, "oic_run_child", DEADLINE).items()
            if "oic_run_child" in command
        ]
        assert len(engines) == 1
        os.kill(engines[0], signal.SIGKILL)
        # `oic run` reports its child's death and exits; nothing of the run is left.
        assert process.wait(DEADLINE) == 128 + signal.SIGKILL
        left = survivors(marker, DEADLINE)
        assert left == {}, f"processes of the run outlived the engine: {left}"
    finally:
        kill_marked(marker)
        process.kill()
        process.wait()


def test_a_directory_left_by_oic_run_killed_with_its_child_is_removed_by_the_next_run(tmp_path: Path) -> None:
    # `oic run` and its child killed at once: neither can remove the directory; the next `oic run`
    # does, and leaves alone a directory whose owner still runs and one another program made.
    process, marker, temporary = start_oic_run(tmp_path)
    try:
        (child,) = [
            pid
            for pid, command in wait_for_marked(marker, "oic_run_child", DEADLINE).items()
            if "oic_run_child" in command
        ]
        # At once: both stopped first, so that neither can react to the other's death (the child
        # removes the directory when `oic run` dies first, `oic run` when the child does).
        for pid in (child, process.pid):
            os.kill(pid, signal.SIGSTOP)
        for pid in (child, process.pid):
            while (extraction._stat_fields(pid) or ["gone"])[0] not in ("T", "gone"):
                os.sched_yield()
        os.kill(process.pid, signal.SIGKILL)
        os.kill(child, signal.SIGKILL)
        process.wait()
        assert survivors(marker, DEADLINE) == {}
        (left_behind,) = temporary.iterdir()
        assert left_behind.name.startswith("oic-run-")
        live = temporary / "oic-run-live"
        live.mkdir()
        extraction.claim(str(live), [os.getpid()])
        foreign = temporary / "oic-run-foreign"
        foreign.mkdir()
        again = subprocess.run(
            [sys.executable, "-m", "oic", "run", "lifetime.oi", "--", "--help"],
            cwd=tmp_path,
            env={**os.environ, "TMPDIR": str(temporary), "PYTHONPATH": str(REPOSITORY)},
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert again.returncode == 0, again.stderr.decode(errors="replace")
        assert sorted(entry.name for entry in temporary.iterdir()) == ["oic-run-foreign", "oic-run-live"]
    finally:
        kill_marked(marker)
        process.wait()


def test_a_clean_stop_ends_the_child_of_a_wrapper_that_does_not_exec(tmp_path: Path) -> None:
    # The shell stays the service's first process and runs the service as its child: the stop
    # signals the whole group, so the child ends with it, and the run's stop leaves nothing.
    marker = f"oi-clean-stop-{tmp_path.name}"
    wrapper = tmp_path / "wrapper.sh"
    wrapper.write_text(f'#!/bin/sh\n"{sys.executable}" "{GREETER}" {marker}\necho "the service ended"\n')
    wrapper.chmod(0o755)
    runner = LocalRunner(extra_env=SERVICE_ENV)
    try:
        runner.start([path_service("g", wrapper)], RunContext("r-wrapped", str(tmp_path), ""))
        assert any(str(GREETER) in command for command in marked_processes(marker).values())
    finally:
        runner.stop()
    try:
        assert survivors(marker, DEADLINE) == {}
    finally:
        kill_marked(marker)
