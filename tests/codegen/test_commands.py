"""`oic emit` and `oic run`, as a user runs them: real processes, the real engine and built-in services."""

from __future__ import annotations

import ast
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello" / "pipeline.oi"


def oic(*arguments: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oic", *arguments],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_emit_prints_the_module() -> None:
    result = oic("emit", str(HELLO))
    assert result.returncode == 0, result.stderr
    tree = ast.parse(result.stdout)
    assert any(isinstance(node, ast.ImportFrom) and node.module == "runtime.exported" for node in tree.body)
    assert "PROGRAM = ProgramSpec(" in result.stdout


def test_emit_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "hello.py"
    result = oic("emit", str(HELLO), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "main(PROGRAM)" in target.read_text(encoding="utf-8")


def test_emit_with_errors_prints_diagnostics_and_no_code(tmp_path: Path) -> None:
    source = tmp_path / "broken.oi"
    source.write_text(
        'pipeline "b" {}\non engine.started {\n  task "t" = nothing.call()\n}\n', encoding="utf-8"
    )
    result = oic("emit", str(source), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "broken.oi:3:" in result.stderr and "error[" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_hello_end_to_end(tmp_path: Path) -> None:
    result = oic("run", str(HELLO), "--", "--logs-dir", str(tmp_path), "--param", "who=tester", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    state = yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text(encoding="utf-8"))
    assert state["metadata"]["state"] == "finished"
    statuses = {task["task"]: task["status"] for task in state["tasks"].values()}
    assert statuses == {"greet": "Success", "done": "Success"}
    greet_logs = list((tmp_path / "logs" / "tasks").glob("greet-*.log"))
    assert greet_logs and "hello, tester" in greet_logs[0].read_text(encoding="utf-8")
    # The run's files are its user's alone (the exec service and the runner made some of them).
    written = sorted((tmp_path / "logs").rglob("*"))
    assert any(path.parent.name == "services" for path in written)
    modes = {str(path): stat.S_IMODE(path.stat().st_mode) for path in [tmp_path / "logs", *written]}
    expected = {name: 0o700 if os.path.isdir(name) else 0o600 for name in modes}
    assert modes == expected


def test_runs_kept_apart_and_pruned(tmp_path: Path) -> None:
    def run_hello() -> None:
        result = oic(
            "run", str(HELLO), "--", "--logs-dir", str(tmp_path), "--keep-runs", "1", "--quiet", cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr

    run_hello()
    first = sorted(os.listdir(tmp_path / "runs"))
    run_hello()
    second = sorted(os.listdir(tmp_path / "runs"))
    assert len(first) == len(second) == 2 and "latest" in second  # one run directory, and the link
    (newest,) = set(second) - {"latest"}
    assert newest not in first and os.readlink(tmp_path / "runs" / "latest") == newest
    state = yaml.safe_load((tmp_path / "runs" / "latest" / "state.yaml").read_text(encoding="utf-8"))
    assert state["metadata"]["outcome"] == "succeeded" and newest.endswith(state["metadata"]["run-id"])
    assert not (tmp_path / "logs").exists()


def test_run_passes_the_binary_flags_through() -> None:
    result = oic("run", str(HELLO), "--", "--help")
    assert result.returncode == 0, result.stderr
    assert "who" in result.stdout


def test_run_usage_errors_name_oic_run_for_help(tmp_path: Path) -> None:
    source = tmp_path / "my pipeline.oi"
    source.write_text(
        'pipeline "hello" {}\nparam who: string\nparam where: string\nservice shell = catalog "exec"\n'
        'on engine.started {\n  task "greet" = shell.command(Args: ["echo", who, where])\n}\n',
        encoding="utf-8",
    )
    result = oic("run", source.name, "--", "--logs-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    # Both missing params at once, and help from a command that exists (no binary named `hello`).
    assert result.stderr.splitlines() == [
        "hello: error: missing params 'who', 'where': pass --param who=VALUE --param where=VALUE, "
        "or set OI_PARAM_WHO, OI_PARAM_WHERE (see oic run 'my pipeline.oi' -- --help)"
    ]
    assert not (tmp_path / "logs").exists()


def test_run_exits_with_the_pipeline_exit_code(tmp_path: Path) -> None:
    source = tmp_path / "fails.oi"
    source.write_text(
        'pipeline "fails" {}\nservice shell = catalog "exec"\n'
        'on engine.started {\n  task "bad" = shell.command(Command: "exit 3")\n}\n',
        encoding="utf-8",
    )
    result = oic("run", str(source), "--", "--logs-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_command_shows_its_output_with_escapes_made_visible(tmp_path: Path) -> None:
    source = tmp_path / "hostile.oi"
    # The command writes an escape sequence that would retitle and clear the terminal, then fails.
    source.write_text(
        'pipeline "hostile" {}\nservice shell = catalog "exec"\n'
        "on engine.started {\n"
        '  task "bad" = shell.command(Command: '
        "\"printf '\\\\033]0;pwned\\\\007\\\\033[2Jafter\\\\n'; exit 3\")\n"
        "}\n",
        encoding="utf-8",
    )
    result = oic("run", str(source), "--", "--logs-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    lines = [re.sub(r"\b\d+\.\d\ds\b", "D", line) for line in result.stderr.splitlines()]
    # The task's line (after its timestamp) shows the output's last line; the summary all of it.
    assert any(
        line.endswith(
            "] failed    bad D: command exited with code 3; last line: \\x1b]0;pwned\\x07\\x1b[2Jafter"
        )
        for line in lines
    )
    assert "hostile: failed: 1 task(s) failed" in lines
    assert "  failed    bad D: command exited with code 3; last lines of its output:" in lines
    assert "        | \\x1b]0;pwned\\x07\\x1b[2Jafter" in lines
    # The task's own log keeps what the command wrote, byte for byte.
    log = next((tmp_path / "logs" / "tasks").glob("bad-*.log")).read_bytes()
    assert log == b"\x1b]0;pwned\x07\x1b[2Jafter\n"


def test_an_expression_error_at_run_time_names_the_oi_position(tmp_path: Path) -> None:
    source = tmp_path / "oops.oi"
    source.write_text(
        'pipeline "oops" {}\nservice shell = catalog "exec"\n'
        'on engine.started {\n  task "first" = shell.command(Command: "echo {}")\n}\n'
        'on task("first").finished(success) {\n'
        '  let data = parse_json(tasks["first"].output.Stdout)\n'
        '  task "second" = shell.command(Command: "echo ${data.missing}")\n'
        "}\n",
        encoding="utf-8",
    )
    result = oic("run", str(source), "--", "--logs-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    everything = result.stderr + (tmp_path / "logs" / "log").read_text(encoding="utf-8")
    assert "oops.oi:8:55: no field 'missing' in the object (it has no fields)" in everything
    assert "Traceback" not in result.stderr


def test_sigterm_is_forwarded_and_stops_the_run(tmp_path: Path) -> None:
    fifo = tmp_path / "started.fifo"
    os.mkfifo(fifo)
    source = tmp_path / "slow.oi"
    source.write_text(
        'pipeline "slow" {}\nservice shell = catalog "exec"\n'
        "on engine.started {\n"
        f'  task "wait" = shell.command(Command: "echo started > {fifo}; exec sleep 317")\n'
        "}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "oic", "run", str(source), "--", "--logs-dir", str(tmp_path)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.append(fifo.read_text()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    try:
        assert seen == ["started\n"], "the task never started"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode in (130, 143), stderr
    assert "Traceback" not in stderr
    leftovers = []
    for entry in Path("/proc").iterdir():
        try:
            command_line = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command_line[:2] == [b"sleep", b"317"]:
            leftovers.append(entry.name)
    for pid in leftovers:  # this test's own command: do not leave it behind even when the check fails
        os.kill(int(pid), signal.SIGKILL)
    assert leftovers == [], "the task's command outlived the run (the exec service must stop its commands)"
