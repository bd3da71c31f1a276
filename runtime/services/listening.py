"""Which addresses a local service listens on, where the platform tells (Linux's ``/proc``).

A service is told to listen on ``127.0.0.1:$PORT``, but nothing makes it: one written for another
engine may bind every interface (``0.0.0.0`` or ``::``), and then any machine that reaches this one
can call it, with the run's token or, if it ignores the token, without. The runner cannot stop
that, but it can say so.

The kernel lists every TCP socket of the network namespace in ``/proc/net/tcp`` and
``/proc/net/tcp6`` with its state and inode; a process's descriptors (``/proc/<pid>/fd``) name the
inodes of its sockets. The listening sockets of a service are those of the processes of its process
group (a wrapper's child included) found in LISTEN state. Elsewhere, or when ``/proc`` cannot be
read, nothing is found and nothing is said.
"""

from __future__ import annotations

import ipaddress
import os
import struct
from collections.abc import Iterable
from pathlib import Path

_LISTEN = "0A"
_TABLES = ("net/tcp", "net/tcp6")


def listening_addresses(
    process_groups: Iterable[int], proc: Path = Path("/proc")
) -> dict[int, list[tuple[str, int]]]:
    """(address, port) of every TCP socket in LISTEN state held by a process of each of
    ``process_groups`` (one pass over ``/proc`` for all of them)."""
    groups = set(process_groups)
    members = _group_members(groups, proc)
    inodes = {group: _socket_inodes(pids, proc) for group, pids in members.items()}
    found: dict[int, list[tuple[str, int]]] = {group: [] for group in groups}
    if not any(inodes.values()):
        return found
    owner = {inode: group for group, held in inodes.items() for inode in held}
    for table in _TABLES:
        try:
            text = (proc / table).read_text()
        except OSError:
            continue
        for address, port, inode in parse_listeners(text):
            if inode in owner:
                found[owner[inode]].append((address, port))
    return found


def beyond_loopback(addresses: Iterable[tuple[str, int]]) -> list[str]:
    """The addresses (``host:port``, IPv6 in brackets) of ``addresses`` other machines may reach."""
    shown = []
    for address, port in addresses:
        parsed = ipaddress.ip_address(address)
        mapped = getattr(parsed, "ipv4_mapped", None)
        if parsed.is_loopback or (mapped is not None and mapped.is_loopback):
            continue
        shown.append(f"[{address}]:{port}" if parsed.version == 6 else f"{address}:{port}")
    return shown


def parse_listeners(table: str) -> list[tuple[str, int, int]]:
    """(address, port, inode) of the LISTEN lines of a ``/proc/net/tcp`` or ``tcp6`` table."""
    found = []
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != _LISTEN:
            continue
        host, _, port = fields[1].partition(":")
        try:
            found.append((_address(host), int(port, 16), int(fields[9])))
        except ValueError:
            continue
    return found


def _address(text: str) -> str:
    """The address the kernel prints as hex: 32-bit words, each in the machine's byte order."""
    words = [int(text[index : index + 8], 16) for index in range(0, len(text), 8)]
    parsed = ipaddress.ip_address(b"".join(struct.pack("=I", word) for word in words))
    # An IPv4 address on a dual-stack socket (``::ffff:127.0.0.1``) is shown as the IPv4 address.
    mapped = getattr(parsed, "ipv4_mapped", None)
    return str(mapped if mapped is not None else parsed)


def _group_members(process_groups: set[int], proc: Path) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {group: [] for group in process_groups}
    try:
        entries = list(proc.iterdir())
    except OSError:
        return members
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            # The fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            group = int(fields[2])
        except (OSError, IndexError, ValueError):
            continue
        if group in members:
            members[group].append(int(entry.name))
    return members


def _socket_inodes(pids: Iterable[int], proc: Path) -> set[int]:
    inodes = set()
    for pid in pids:
        directory = proc / str(pid) / "fd"
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            try:
                target = os.readlink(directory / name)
            except OSError:
                continue
            if target.startswith("socket:[") and target.endswith("]"):
                inodes.add(int(target[len("socket:[") : -1]))
    return inodes
