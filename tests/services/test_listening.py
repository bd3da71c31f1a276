"""Which addresses a local service listens on (Linux's /proc), and the warning for a service that
listens beyond loopback. No socket here listens on anything but loopback: the tables of the other
case are written out, and the runner's warning is tested by counting loopback as exposed."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.services import local
from runtime.services.base import RunContext
from runtime.services.listening import beyond_loopback, listening_addresses, parse_listeners
from runtime.services.local import LocalRunner
from tests.services.support import GREETER, SERVICE_ENV, path_service

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/net/tcp is Linux's")


def kernel_hex(address: str) -> str:
    """The address as /proc/net/tcp* print it: 32-bit words in this machine's byte order."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    packed = socket.inet_pton(family, address)
    return "".join(f"{word:08X}" for (word,) in struct.iter_unpack("=I", packed))


def table(*rows: tuple[str, int, str, int]) -> str:
    header = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    )
    lines = [header]
    for number, (address, port, state, inode) in enumerate(rows):
        remote = kernel_hex("::" if ":" in address else "0.0.0.0")
        lines.append(
            f"   {number}: {kernel_hex(address)}:{port:04X} {remote}:0000 {state} 00000000:00000000 "
            f"00:00000000 00000000  1000        0 {inode} 1 0000000000000000 100 0 0 10 0"
        )
    return "\n".join(lines) + "\n"


def test_listen_lines_are_read_with_their_addresses_and_inodes() -> None:
    text = table(
        ("0.0.0.0", 8080, "0A", 11),
        ("127.0.0.1", 4242, "0A", 12),
        ("10.1.2.3", 22, "01", 13),  # an established connection, not a listener
    )
    assert parse_listeners(text) == [("0.0.0.0", 8080, 11), ("127.0.0.1", 4242, 12)]
    # An IPv4 address on a dual-stack socket is shown as IPv4.
    text6 = table(("::", 9000, "0A", 21), ("::1", 9001, "0A", 22), ("::ffff:127.0.0.1", 9002, "0A", 23))
    assert parse_listeners(text6) == [("::", 9000, 21), ("::1", 9001, 22), ("127.0.0.1", 9002, 23)]


def test_only_addresses_beyond_loopback_are_named() -> None:
    addresses = [
        ("0.0.0.0", 8080),
        ("127.0.0.1", 1),
        ("127.0.0.2", 2),
        ("192.168.1.5", 3),
        ("::", 9000),
        ("::1", 4),
        ("::ffff:127.0.0.1", 5),
    ]
    assert beyond_loopback(addresses) == ["0.0.0.0:8080", "192.168.1.5:3", "[::]:9000"]


LISTENER = (
    "import socket, sys\n"
    "s = socket.socket()\n"
    "s.bind(('127.0.0.1', 0))\n"
    "s.listen()\n"
    "print(s.getsockname()[1], flush=True)\n"
    "sys.stdin.read()\n"
)


@linux_only
@pytest.mark.parametrize("wrapped", [False, True], ids=["direct", "child-of-a-shell"])
def test_the_listeners_of_a_process_group_are_found(wrapped: bool) -> None:
    command = [sys.executable, "-c", LISTENER]
    if wrapped:  # the listener is the shell's child, in the shell's group
        command = ["/bin/sh", "-c", '"$0" -c "$1"; true', *command[:1], LISTENER]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        assert listening_addresses([process.pid]) == {process.pid: [("127.0.0.1", port)]}
    finally:
        process.kill()
        process.communicate()


@linux_only
def test_the_runner_warns_in_the_run_and_service_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Loopback counted as exposed, so that the greeter (which listens on 127.0.0.1) is warned about.
    monkeypatch.setattr(local, "beyond_loopback", lambda found: [f"{host}:{port}" for host, port in found])
    warnings: list[str] = []
    runner = LocalRunner(extra_env=SERVICE_ENV)
    try:
        runner.start([path_service("g", GREETER)], RunContext("r-listen", str(tmp_path), "", warnings.append))
    finally:
        runner.stop()
    assert len(warnings) == 1
    assert warnings[0].startswith("service 'g' listens on 127.0.0.1:")
    assert "not only on loopback" in warnings[0] and "127.0.0.1:$PORT" in warnings[0]
    assert warnings[0] in caplog.text  # the run's output
    service_log = (tmp_path / "services" / "g-r-listen.log").read_text(encoding="utf-8")
    assert f"oi: warning: {warnings[0]}" in service_log


@linux_only
def test_a_service_on_loopback_gets_no_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    runner = LocalRunner(extra_env=SERVICE_ENV)
    try:
        runner.start([path_service("g", GREETER)], RunContext("r-quiet", str(tmp_path), "", warnings.append))
    finally:
        runner.stop()
    assert warnings == []
