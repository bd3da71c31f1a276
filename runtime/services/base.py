"""What the engine needs from a place that runs services (local processes, Kubernetes pods).

A ``ServiceRunner`` starts all of a pipeline's services and hands back one ``ServiceConnection`` per
alias; the engine only ever calls ``connection.call``. Runners never sleep for a fixed time: they
wait for readiness with a deadline and fail at once when a service dies before it is ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only named in annotations: a service process (runtime.sdk) never loads the model
    from runtime.model import Service

# The gRPC metadata key carrying the run's service token on every call, init and report.
TOKEN_METADATA_KEY = "oi-service-token"
# The environment variable naming the descriptor on which a local service started with it writes one
# line once it listens (the SDK's ``serve`` does), so that the runner connects at once.
READY_FD_ENV = "OI_READY_FD"
# The exit status of a service that could not listen on the port it was given because something else
# listens there (EX_TEMPFAIL: try again). The runner hands out a free port, but another process may
# take it before the service binds it; the local runner then starts the service again on another.
PORT_TAKEN_EXIT = 75


class ServiceError(Exception):
    """Base of the errors of the service layer; the message is for the user, one line."""


class ServiceStartError(ServiceError):
    """A service could not be started (missing binary, exited early, not ready by the deadline).
    The message names the service and ends with the last lines of its output where there are any."""


class CallFailed(ServiceError):
    """A call did not produce a valid payload: the service answered Status=Error, the arguments or the
    payload broke the endpoint's schema (the message names the JSON path), the connection was lost, or
    the deadline passed. ``retryable`` is True for transport failures and deadlines."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class RunContext:
    """What a runner needs to know about the run: its ``run_id`` (labels, names), the ``logs_dir``
    (service output goes to ``logs_dir/services/<alias>-<id>.log``), and ``service_token``: the per-run
    secret every service is given and every call carries (empty = no authentication). ``warn``, when
    given, receives the warnings of the services' connections (the engine passes its log).
    ``deadline``: when the whole run must be over (``time.monotonic()`` seconds; None: no bound); a
    runner gives up starting by then, whatever its own start timeout. ``pipeline_name``: the
    pipeline's name, for runners that label what they create with it ("" = unknown)."""

    run_id: str
    logs_dir: str
    service_token: str
    warn: Callable[[str], None] | None = field(default=None, compare=False)
    deadline: float | None = None
    pipeline_name: str = ""


class ServiceConnection(Protocol):
    """A started service. ``call`` is thread-safe and may be called concurrently."""

    alias: str

    def call(self, endpoint: str, arguments: Mapping[str, Any], fd: str, timeout: float | None) -> Any:
        """Validate ``arguments``, call ``endpoint``, validate and return the decoded payload.

        ``fd`` is the path of the task's log file, passed to the service. Raises ``CallFailed``."""
        ...

    def has_schemas(self) -> bool:
        """Whether the service's endpoints are typed (it answered init with schemas, or they were given)."""
        ...


class ServiceRunner(Protocol):
    """Starts and stops one run's services."""

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        """Start every service concurrently; return the connections by alias. On any failure, stop
        those already started and raise ``ServiceStartError``."""
        ...

    def stop(self) -> None:
        """Stop everything started: gracefully, then by force after a grace period. Idempotent, and
        safe to call from a signal handler's follow-up path."""
        ...
