from __future__ import annotations

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import SERVICE_TOKEN, RunningBuiltin

shell = builtin_fixture("exec")


def test_command_returns_stdout_and_logs_all_output(shell: RunningBuiltin) -> None:
    result = shell.call("command", {"Command": "echo out; echo err >&2"})
    assert result == {"ExitCode": 0, "Stdout": "out\n"}
    task_logs = sorted((shell.logs / "tasks").glob("command-*.log"))
    assert "out\nerr\n" in task_logs[-1].read_text() or "err\nout\n" in task_logs[-1].read_text()


def test_nonzero_exit_fails_with_the_last_lines(shell: RunningBuiltin) -> None:
    with pytest.raises(CallFailed) as failure:
        shell.call(
            "command", {"Command": "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done; exit 3"}
        )
    message = str(failure.value)
    assert message.startswith("command exited with code 3; last lines of its output:")
    assert "line 12" in message and "line 3\n" in message and "line 2\n" not in message


def test_timeout_kills_the_command(shell: RunningBuiltin, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "survived"
    with pytest.raises(CallFailed, match="timed out after 0.5s"):
        shell.call("command", {"Command": f"echo started; sleep 30; touch {marker}", "Timeout": 0.5})
    assert not marker.exists()


def test_command_does_not_see_the_service_token(shell: RunningBuiltin) -> None:
    result = shell.call("command", {"Command": "env"})
    names = {line.split("=", 1)[0] for line in result["Stdout"].splitlines()}
    assert "PATH" in names
    assert not names & {"PORT", "OI_SERVICE_TOKEN"}
    assert SERVICE_TOKEN not in result["Stdout"]


def test_working_directory(shell: RunningBuiltin, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert shell.call("command", {"Command": "pwd", "Directory": str(tmp_path)})["Stdout"].strip() == str(
        tmp_path
    )
