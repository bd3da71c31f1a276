"""The v1 service protocol (``service.proto``) and the engine's report channel (``engine.proto``), with
their committed stubs (regenerate them with ``make proto``).

gRPC's fork handlers are meant for programs that fork without exec. oi forks only to exec services,
and with the handlers on, a child forked while calls are in flight can be aborted by gRPC before it
reaches exec (its restarted poller finds its descriptors closed). gRPC reads the switch once, when it
is first imported, so it is turned off here (unless the environment chose) before any stub imports
gRPC. ``GRPC_FORK_HANDLERS_OFF`` tells the local runner whether that worked: when the host program
imported gRPC first, the runner forks without running Python code in the child.
"""

from __future__ import annotations

import os
import sys

_SWITCH = "GRPC_ENABLE_FORK_SUPPORT"
_chosen_by_environment = _SWITCH in os.environ
_grpc_imported_first = "grpc" in sys.modules
os.environ.setdefault(_SWITCH, "0")

GRPC_FORK_HANDLERS_OFF = (_chosen_by_environment or not _grpc_imported_first) and os.environ[
    _SWITCH
].strip().lower() not in ("1", "true", "yes", "on")
