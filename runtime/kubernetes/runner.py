"""Run a pipeline's services as pods: ``KubernetesRunner`` is the engine's ``ServiceRunner`` for clusters.

For each service, concurrently: create a Pod and a Service (see ``manifests``), wait until the pod is
Running and Ready (``readiness``), then connect: through the Service's DNS name when the engine runs
in the cluster, else through a port-forward to a local port (``portforward``); finally ask the service
for its schemas, which proves the whole path works. The run's token lives in one Secret.

Everything created is recorded before it is created, so ``stop`` (at the end, after a failed start,
or after SIGINT/SIGTERM) deletes all of it; what a crashed engine leaves behind, ``cleanup`` finds by
label. Before deleting a pod, ``stop`` copies its log to ``logs/services/<alias>-<run id>.log``:
services write task output to their standard output in this mode, so that log holds it.

Every API request carries a deadline (``_request_timeout``), never later than the run's own, so an API
server that accepts connections and never answers cannot hold the run: the start gives up at its
deadline (the start timeout, or the run's timeout if that comes first) even when a request is stuck,
and ``stop`` spends at most ``STOP_BOUND`` seconds deleting before it leaves the rest to ``--cleanup``
(``SILENT_STOP_BOUND`` once a request of the run has gone unanswered: that server is not expected to
answer the stop's requests either).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from runtime.kubernetes import manifests, ownership
from runtime.kubernetes.cluster import Cluster, KubernetesError, connect, describe_api_error, is_timeout
from runtime.kubernetes.options import KubernetesOptions
from runtime.kubernetes.portforward import PortForward
from runtime.kubernetes.readiness import PodGone, wait_until_ready
from runtime.model import Service
from runtime.services.base import CallFailed, RunContext, ServiceConnection, ServiceStartError
from runtime.services.client import GrpcConnection

logger = logging.getLogger("oi.kubernetes")
# The longest any one API request may take while starting (less when the start deadline is nearer).
API_TIMEOUT = 30.0
# The shortest deadline a request is given, so that one sent just before the start deadline can
# still be answered by a healthy server.
MIN_REQUEST_TIMEOUT = 1.0
# After the start deadline, how long the start waits for the threads to report why they failed (a
# readiness watch ends at the deadline, then reads the pod's events) before it reports for them.
START_GRACE = 5.0
# Each request of ``stop`` (reading a log, deleting an object), and how long ``stop`` waits in all:
# the objects are deleted concurrently, so this bounds a stop against an API server that hangs.
STOP_REQUEST_TIMEOUT = 5.0
STOP_BOUND = 2 * STOP_REQUEST_TIMEOUT + 1.0
# The same, once the API server has let a request of this run go unanswered.
SILENT_STOP_REQUEST_TIMEOUT = 1.0
SILENT_STOP_BOUND = 2 * SILENT_STOP_REQUEST_TIMEOUT + 1.0
# How much longer than the run's timeout a service pod may live (``activeDeadlineSeconds``): the
# engine stops its pods itself; this bound is for the pods of an engine killed outright.
ACTIVE_DEADLINE_MARGIN = 60


# A request's deadline goes this far past the start's: a request cut short by the deadline then
# fails after it, never a moment before, and the engine reads the failure as the run's timeout.
DEADLINE_MARGIN = 0.25


def request_timeout(deadline: float) -> float:
    """The ``_request_timeout`` of a request sent now by a start that must end by ``deadline``."""
    return max(MIN_REQUEST_TIMEOUT, min(API_TIMEOUT, deadline - time.monotonic() + DEADLINE_MARGIN))


class PodConnection:
    """The engine's connection to a service in a pod: a ``GrpcConnection`` whose calls pass
    ``task_log_path`` as ``fd`` (the engine's task log path does not exist inside the pod)."""

    def __init__(self, inner: GrpcConnection, task_log_path: str) -> None:
        self.alias = inner.alias
        self.inner = inner
        self._task_log_path = task_log_path

    def call(self, endpoint: str, arguments: Mapping[str, Any], fd: str, timeout: float | None) -> Any:
        return self.inner.call(endpoint, arguments, self._task_log_path, timeout)

    def has_schemas(self) -> bool:
        return self.inner.has_schemas()

    def close(self) -> None:
        self.inner.close()


@dataclass
class _Started:
    """What exists in the cluster and locally for one service."""

    service: Service
    pod_name: str
    created_pod: bool = False
    created_service: bool = False
    forward: PortForward | None = None
    connection: PodConnection | None = None
    errors: list[str] = field(default_factory=list)


class KubernetesRunner:
    """Starts a run's services as pods (a ``ServiceRunner``). ``cluster`` is for tests and tools that
    already hold a configured client; by default ``options`` say how to connect."""

    def __init__(self, options: KubernetesOptions, cluster: Cluster | None = None) -> None:
        self.options = options
        self._cluster = cluster
        self._context: RunContext | None = None
        self._started: list[_Started] = []
        self._secret_created = False
        self._lock = threading.Lock()
        self._stopped = False
        self._owner: dict[str, Any] | None = None
        # Set once a request of the run went unanswered: the stop then waits less for each of its own.
        self._api_silent = threading.Event()
        self._active_deadline: int | None = None
        self._undeleted = 0  # objects the stop could not delete

    @property
    def cluster(self) -> Cluster:
        if self._cluster is None:
            try:
                self._cluster = connect(self.options)
            except KubernetesError as error:
                raise ServiceStartError(str(error)) from None
        return self._cluster

    # -- start ---------------------------------------------------------------------------------------

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        self._context = context
        self._stopped = False
        cluster = self.cluster
        api: Any = cluster.api  # its create methods take the API's JSON shape as plain dicts
        # Images are checked before anything is created: a path service without an image fails here.
        for service in services:
            manifests.image_for(service, self.options)
        deadline = time.monotonic() + self.options.start_timeout
        if context.deadline is not None:  # the whole run's timeout covers the start too
            deadline = min(deadline, context.deadline)
        if self.options.in_cluster and services:
            self._owner = ownership.engine_owner(
                cluster, request_timeout(deadline), context.warn or logger.warning
            )
        if context.deadline is not None:
            remaining = context.deadline - time.monotonic()
            self._active_deadline = math.ceil(max(0.0, remaining)) + ACTIVE_DEADLINE_MARGIN
        if context.service_token and services:
            self._secret_created = True  # recorded first: a create that times out may still happen
            secret = manifests.token_secret(
                self.options, context.run_id, context.service_token, context.pipeline_name, self._owner
            )
            self._create(
                "token secret",
                lambda: api.create_namespaced_secret(
                    cluster.namespace, secret, _request_timeout=request_timeout(deadline)
                ),
            )
        results: queue.Queue[tuple[_Started, BaseException | None]] = queue.Queue()
        for service in services:
            entry = _Started(service, manifests.object_name(service.alias, context.run_id))
            with self._lock:
                self._started.append(entry)
            threading.Thread(
                target=self._start_one,
                args=(entry, context, deadline, results),
                name=f"oi start {service.alias}",
                daemon=True,
            ).start()
        connections: dict[str, ServiceConnection] = {}
        failure: BaseException | None = None
        for _ in services:
            try:
                entry, error = results.get(timeout=max(0.0, deadline - time.monotonic()) + START_GRACE)
            except queue.Empty:
                # A request is stuck (an API server that accepts connections and never answers):
                # the start ends anyway, and says which services were still starting.
                self._api_silent.set()
                with self._lock:
                    waiting = [item.service.alias for item in self._started if item.connection is None]
                host = cluster.api.api_client.configuration.host
                failure = ServiceStartError(
                    "kubernetes: the services were not started in time (still starting: "
                    f"{', '.join(repr(alias) for alias in waiting)}); "
                    f"the API server at {host} did not answer in time"
                )
                break
            if error is not None:
                failure = error
                break
            assert entry.connection is not None
            connections[entry.service.alias] = entry.connection
        if failure is not None:
            # Deleting the pods also ends the other services' readiness watches (they see DELETED).
            self.stop()
            if isinstance(failure, ServiceStartError):
                raise failure
            raise ServiceStartError(f"kubernetes: starting the services failed: {failure}") from None
        return connections

    def _create(self, what: str, create: Any) -> Any:
        try:
            return create()
        except (ApiException, HTTPError, OSError) as error:  # refused, or the API is unreachable
            self._note(error)
            self.stop()
            raise ServiceStartError(
                f"kubernetes: cannot create the {what}: {describe_api_error(error)}"
            ) from None

    def _note(self, error: BaseException) -> None:
        if is_timeout(error):
            self._api_silent.set()

    def _start_one(
        self,
        entry: _Started,
        context: RunContext,
        deadline: float,
        results: queue.Queue[tuple[_Started, BaseException | None]],
    ) -> None:
        try:
            self._bring_up(entry, context, deadline)
            results.put((entry, None))
        except PodGone as error:
            results.put((entry, error))
        except ServiceStartError as error:
            results.put((entry, error))
        except Exception as error:  # noqa: BLE001 - reported to the engine as a start failure
            results.put(
                (entry, ServiceStartError(f"service {entry.service.alias!r}: {describe_api_error(error)}"))
            )

    def _bring_up(self, entry: _Started, context: RunContext, deadline: float) -> None:
        cluster = self.cluster
        api: Any = cluster.api
        alias = entry.service.alias
        pod_body = manifests.pod(
            entry.service,
            self.options,
            context.run_id,
            bool(context.service_token),
            pipeline=context.pipeline_name,
            owner=self._owner,
            active_deadline_seconds=self._active_deadline,
        )
        service_body = manifests.service(
            entry.service, self.options, context.run_id, pipeline=context.pipeline_name, owner=self._owner
        )
        try:
            entry.created_pod = True  # recorded first: a stop racing the create must still delete it
            api.create_namespaced_pod(cluster.namespace, pod_body, _request_timeout=request_timeout(deadline))
            entry.created_service = True
            api.create_namespaced_service(
                cluster.namespace, service_body, _request_timeout=request_timeout(deadline)
            )
        except (ApiException, HTTPError, OSError) as error:
            self._note(error)
            raise ServiceStartError(
                f"service {alias!r}: cannot create its pod and service: {describe_api_error(error)}"
            ) from None
        if self._stopped:
            # stop() ran while the creates were in flight and may have missed them.
            self._tear_down(entry)
            raise PodGone(f"service {alias!r}: the run stopped while its pod was being created")
        wait_until_ready(cluster, alias, entry.pod_name, deadline)
        if self.options.uses_port_forward():
            entry.forward = PortForward(cluster, entry.pod_name, self.options.service_port, context.warn)
            try:
                # A refused forward fails the start, not the first task.
                entry.forward.probe(request_timeout(deadline))
            except KubernetesError as error:
                raise ServiceStartError(f"service {alias!r}: {error}") from None
            address = entry.forward.address
        else:
            address = manifests.service_address(alias, self.options, context.run_id, cluster.namespace)
        grpc_connection = GrpcConnection(
            entry.service, address, token=context.service_token, warn=context.warn
        )
        entry.connection = PodConnection(grpc_connection, self.options.task_log_path)
        remaining = max(1.0, min(self.options.call_connect_timeout, deadline - time.monotonic()))
        try:
            grpc_connection.initialize(timeout=remaining)
        except CallFailed as error:
            if entry.forward is not None and entry.forward.failure is not None:
                raise ServiceStartError(
                    f"service {alias!r}: cannot port-forward to pod {entry.forward.pod}: "
                    f"{entry.forward.failure}"
                ) from None
            raise ServiceStartError(f"service {alias!r} is ready but does not answer: {error}") from None

    # -- stop ----------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Copy each pod's log, then delete the pods, services and the token secret. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            started, self._started = self._started, []
            secret_created, self._secret_created = self._secret_created, False
        if self._cluster is None or self._context is None:
            return
        for entry in started:
            if entry.connection is not None:
                entry.connection.close()
            if entry.forward is not None:
                entry.forward.close()
        workers = [
            threading.Thread(
                target=self._tear_down, args=(entry,), name=f"oi stop {entry.service.alias}", daemon=True
            )
            for entry in started
        ]
        if secret_created:
            secret_name = manifests.token_secret_name(self._context.run_id)
            workers.append(
                threading.Thread(
                    target=self._delete, args=("secret", secret_name), name="oi stop secret", daemon=True
                )
            )
        for worker in workers:
            worker.start()
        self._undeleted = 0
        allowed = SILENT_STOP_BOUND if self._api_silent.is_set() else STOP_BOUND
        bound = time.monotonic() + allowed
        for worker in workers:
            worker.join(max(0.0, bound - time.monotonic()))
        unfinished = any(worker.is_alive() for worker in workers)
        if unfinished or self._undeleted:
            # One line for the user, whatever the number of objects (each is in the run's log).
            run_id = self._context.run_id
            what = (
                f"the API server did not confirm every deletion within {allowed:g}s"
                if unfinished
                else f"{self._undeleted} object(s) could not be deleted"
            )
            logger.warning(
                "kubernetes: %s; `--cleanup --run-id %s` removes what run %s left in namespace %s",
                what,
                run_id,
                run_id,
                self.cluster.namespace,
            )

    def _stop_request_timeout(self) -> float:
        return SILENT_STOP_REQUEST_TIMEOUT if self._api_silent.is_set() else STOP_REQUEST_TIMEOUT

    def _tear_down(self, entry: _Started) -> None:
        assert self._context is not None
        if entry.created_pod:
            self._save_log(entry)
            self._delete("pod", entry.pod_name)
        if entry.created_service:
            self._delete("service", entry.pod_name)

    def _save_log(self, entry: _Started) -> None:
        assert self._context is not None
        cluster = self.cluster
        try:
            text = cluster.api.read_namespaced_pod_log(
                entry.pod_name, cluster.namespace, _request_timeout=self._stop_request_timeout()
            )
        except Exception as error:  # noqa: BLE001 - a missing log must not stop the cleanup
            self._note(error)
            logger.debug("no log for pod %s: %s", entry.pod_name, error)
            return
        path = Path(self._context.logs_dir) / "services" / f"{entry.service.alias}-{self._context.run_id}.log"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(str(text or ""))
        except OSError as error:
            logger.warning("cannot write the log of service %r to %s: %s", entry.service.alias, path, error)

    def _delete(self, kind: str, name: str) -> None:
        cluster = self.cluster
        delete = {
            "pod": cluster.api.delete_namespaced_pod,
            "service": cluster.api.delete_namespaced_service,
            "secret": cluster.api.delete_namespaced_secret,
        }[kind]
        try:
            delete(
                name, cluster.namespace, grace_period_seconds=5, _request_timeout=self._stop_request_timeout()
            )
        except (ApiException, HTTPError, OSError) as error:
            self._note(error)
            if isinstance(error, ApiException) and error.status == 404:
                return
            self._not_deleted(
                f"could not delete {kind} {cluster.namespace}/{name}: {describe_api_error(error)}"
            )
        except Exception as error:  # noqa: BLE001 - keep deleting the rest
            self._not_deleted(f"could not delete {kind} {cluster.namespace}/{name}: {error}")

    def _not_deleted(self, line: str) -> None:
        """Count an object the stop could not delete, and say which in the run's log."""
        with self._lock:
            self._undeleted += 1
        warn = self._context.warn if self._context is not None else None
        (warn or logger.warning)(f"kubernetes: {line}")
