"""Waiting for one service's pod to be Running and Ready, or saying clearly why it will not be.

The runner watches exactly that pod (field selector ``metadata.name``), so every status change arrives
as it happens; there is no polling interval and no fixed wait. Waiting ends at the first of: the pod
is Ready; its container is stuck in a state that will not fix itself (the image cannot be pulled, the
process keeps crashing, the pod cannot be scheduled, its configuration is wrong); the pod is deleted
(the run is being stopped); the deadline passes. Failures become one line naming the service, with
the container's state and the pod's last warning events.
"""

from __future__ import annotations

import math
import time
from typing import Any

import urllib3
from kubernetes import watch
from kubernetes.client.exceptions import ApiException

from runtime.kubernetes.cluster import Cluster, describe_api_error
from runtime.services.base import ServiceStartError

_HOPELESS_WAITING_REASONS = {
    "ErrImagePull": "its image could not be pulled",
    "ImagePullBackOff": "its image could not be pulled",
    "InvalidImageName": "its image name is invalid",
    "ErrImageNeverPull": "its image is not on the node and the pull policy is Never",
    "CrashLoopBackOff": "it keeps crashing",
    "CreateContainerConfigError": "its container configuration is invalid",
    "CreateContainerError": "its container could not be created",
    "RunContainerError": "its container could not be run",
}
LOG_TAIL_LINES = 10


class PodGone(ServiceStartError):
    """The pod was deleted while the runner waited for it (the run is being stopped)."""


def _condition(status: Any, kind: str) -> Any:
    for condition in getattr(status, "conditions", None) or []:
        if condition.type == kind:
            return condition
    return None


def _problem(pod: Any) -> str | None:
    """Why this pod will never become ready on its own, or None while there is still hope."""
    status = pod.status
    if status is None:
        return None
    if status.phase in ("Failed", "Succeeded"):
        return f"the pod ended with phase {status.phase}" + (f" ({status.message})" if status.message else "")
    scheduled = _condition(status, "PodScheduled")
    if scheduled is not None and scheduled.status == "False" and scheduled.reason == "Unschedulable":
        return f"it cannot be scheduled ({scheduled.message or 'no node fits'})"
    for container in status.container_statuses or []:
        waiting = container.state.waiting if container.state else None
        if waiting is not None and waiting.reason in _HOPELESS_WAITING_REASONS:
            detail = f"{waiting.reason}: {waiting.message}" if waiting.message else waiting.reason
            terminated = container.last_state.terminated if container.last_state else None
            if terminated is not None:
                detail += f", last exit code {terminated.exit_code}"
            return f"{_HOPELESS_WAITING_REASONS[waiting.reason]} ({detail})"
    return None


def _is_ready(pod: Any) -> bool:
    status = pod.status
    if status is None or status.phase != "Running":
        return False
    ready = _condition(status, "Ready")
    return ready is not None and ready.status == "True"


def _state_summary(pod: Any) -> str:
    status = pod.status
    if status is None:
        return "no status yet"
    parts = [f"phase {status.phase}"]
    for container in status.container_statuses or []:
        waiting = container.state.waiting if container.state else None
        if waiting is not None:
            parts.append(f"waiting: {waiting.reason}")
        elif container.state is not None and container.state.running is not None:
            parts.append("running, not ready")
    return ", ".join(parts)


def warning_events(cluster: Cluster, pod_name: str, limit: int = 3) -> str:
    """The pod's last warning events as ``reason: message; ...`` ("" when there are none or the
    events cannot be read: they only add detail to an error already being reported)."""
    try:
        events = cluster.api.list_namespaced_event(
            cluster.namespace, field_selector=f"involvedObject.name={pod_name}", _request_timeout=10
        ).items
    except Exception:  # noqa: BLE001 - best effort detail for an error message
        return ""
    warnings = [event for event in events if event.type == "Warning"]
    lines = []
    for event in warnings[-limit:]:
        lines.append(f"{event.reason}: {' '.join((event.message or '').split())}")
    return "; ".join(lines)


def log_tail(cluster: Cluster, pod_name: str, previous: bool = False) -> str:
    """The last lines of the pod's log, joined with `` | `` ("" when unavailable)."""
    try:
        text = cluster.api.read_namespaced_pod_log(
            pod_name,
            cluster.namespace,
            previous=previous or None,
            tail_lines=LOG_TAIL_LINES,
            _request_timeout=10,
        )
    except Exception:  # noqa: BLE001 - best effort detail for an error message
        return ""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return " | ".join(lines[-LOG_TAIL_LINES:])


def wait_until_ready(cluster: Cluster, alias: str, pod_name: str, deadline: float) -> None:
    """Return when the pod is Running and Ready; raise ``ServiceStartError`` (or ``PodGone``) else."""
    last_seen: Any = None
    resource_version: str | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        watcher = watch.Watch()
        arguments: dict[str, Any] = {
            "field_selector": f"metadata.name={pod_name}",
            "timeout_seconds": max(1, math.ceil(remaining)),
            # The socket read timeout: a little longer than the server's own end of the watch.
            "_request_timeout": remaining + 10,
        }
        if resource_version:
            arguments["resource_version"] = resource_version
        try:
            for event in watcher.stream(cluster.api.list_namespaced_pod, cluster.namespace, **arguments):
                pod = event["object"]
                resource_version = pod.metadata.resource_version
                last_seen = pod
                if event["type"] == "DELETED":
                    raise PodGone(f"service {alias!r}: its pod {pod_name} was deleted before it was ready")
                if _is_ready(pod):
                    return
                problem = _problem(pod)
                if problem is not None:
                    raise ServiceStartError(_failure_message(cluster, alias, pod_name, problem))
        except ApiException as error:
            if error.status == 410:  # the version we resumed from is too old: start from now
                resource_version = None
                continue
            raise ServiceStartError(
                f"service {alias!r}: cannot watch its pod {pod_name}: {describe_api_error(error)}"
            ) from None
        except (OSError, urllib3.exceptions.HTTPError) as error:
            # A dropped watch connection: resume from the last version seen, within the deadline.
            if deadline - time.monotonic() <= 0:
                raise ServiceStartError(
                    f"service {alias!r}: lost the watch on its pod {pod_name}: {describe_api_error(error)}"
                ) from None
        finally:
            watcher.stop()
    state = _state_summary(last_seen) if last_seen is not None else "never seen"
    events = warning_events(cluster, pod_name)
    raise ServiceStartError(
        f"service {alias!r} was not ready in time: pod {cluster.namespace}/{pod_name} is {state}"
        + (f"; events: {events}" if events else "")
        + "; raise the start timeout if the image is large or the cluster slow to schedule"
    )


def _failure_message(cluster: Cluster, alias: str, pod_name: str, problem: str) -> str:
    message = f"service {alias!r} did not start: {problem}"
    events = warning_events(cluster, pod_name)
    if events:
        message += f"; events: {events}"
    if "crashing" in problem:
        tail = log_tail(cluster, pod_name, previous=True) or log_tail(cluster, pod_name)
        if tail:
            message += f"; last log lines: {tail}"
    return f"{message} (pod {cluster.namespace}/{pod_name})"
