from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

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


# -- Args: a program and its arguments, no shell --------------------------------------------------

HOSTILE = [
    "$(id -un)",
    "`id -un`",
    "; id -un",
    "a && id -un",
    "line one\nid -un",
    "'\"; id -un #",
    "${HOME}",
    "*",
    " spaced  out ",
    "",
    "snow \u2603 \\ back\\slash",
]


def test_args_pass_every_word_through_byte_for_byte(shell: RunningBuiltin) -> None:
    dump = "import json, sys; sys.stdout.write(json.dumps(sys.argv[1:]))"
    result = shell.call("command", {"Args": [sys.executable, "-c", dump, *HOSTILE]})
    assert json.loads(result["Stdout"]) == HOSTILE


def test_args_run_nothing_a_shell_would(shell: RunningBuiltin, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    words = [f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}", f"\ntouch {marker}"]
    result = shell.call("command", {"Args": ["echo", *words]})
    assert result["Stdout"] == " ".join(words) + "\n"
    assert not marker.exists()


def test_args_find_the_program_on_path_and_keep_the_directory(shell: RunningBuiltin, tmp_path: Path) -> None:
    assert shell.call("command", {"Args": ["pwd"], "Directory": str(tmp_path)})["Stdout"] == f"{tmp_path}\n"


def test_args_failures_read_like_command_failures(shell: RunningBuiltin) -> None:
    with pytest.raises(CallFailed, match=r"^command exited with code 2"):
        shell.call("command", {"Args": ["ls", "/no/such/directory/anywhere"]})
    with pytest.raises(CallFailed, match=r"cannot run no-such-program-anywhere in .*No such file"):
        shell.call("command", {"Args": ["no-such-program-anywhere"]})


@pytest.mark.parametrize(
    "arguments",
    [
        {"Command": "echo a", "Args": ["echo", "b"]},
        {"Directory": "/tmp"},
        {"Args": []},
        {"Args": ["echo", 3]},
    ],
)
def test_exactly_one_of_command_and_args_is_required(
    shell: RunningBuiltin, arguments: dict[str, Any]
) -> None:
    with pytest.raises(CallFailed, match="arguments"):
        shell.call("command", arguments)
