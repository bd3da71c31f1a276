"""Shared test code: where the test services are, and how to describe them to a runner."""

from __future__ import annotations

import os
import select
from pathlib import Path

from runtime.model import Service

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
GREETER = HERE / "greeter_service.py"
EXITS_AT_ONCE = HERE / "exits_at_once.py"
NEVER_READY = HERE / "never_ready.py"
FOREIGN_SERVER = HERE / "foreign_server.py"
FOREIGN_CLIENT = HERE / "foreign_client.py"
# Test services import runtime from this checkout.
SERVICE_ENV = {"PYTHONPATH": str(REPO_ROOT)}


def path_service(alias: str, path: Path) -> Service:
    return Service(alias=alias, path=str(path))


def group_alive(process_group: int) -> bool:
    """Whether any process of the group is left (signal 0 checks without sending anything)."""
    try:
        os.killpg(process_group, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait (on a pidfd, no polling) until process ``pid`` exits; False if it still runs at ``timeout``."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([descriptor], [], [], timeout)
        return bool(readable)
    finally:
        os.close(descriptor)
