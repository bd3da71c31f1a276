"""Removing what crashed runs left in the cluster.

A run deletes its own pods, services and token secret when it ends, fails or is interrupted. Only a
run killed outright (``kill -9``, a lost node) leaves them behind; they all carry the label
``app.kubernetes.io/managed-by=oi``, which is how ``cleanup`` finds them. It removes every such object
in the namespace, so run it when no run is active there; or only one run's, given its id (found by
``oi.dev/run-id``, or by the ``oi.run-id`` of earlier releases).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from runtime.kubernetes import manifests
from runtime.kubernetes.cluster import Cluster, KubernetesError, connect, describe_api_error
from runtime.kubernetes.options import KubernetesOptions

_API_TIMEOUT = 30


def cleanup(
    options: KubernetesOptions,
    run_id: str = "",
    report: Callable[[str], None] = print,
    cluster: Cluster | None = None,
) -> int:
    """Delete the pods, services and secrets oi left in the namespace; ``report`` each one removed.
    Returns how many were removed. Raises ``KubernetesError`` when the cluster cannot be listed."""
    cluster = cluster or connect(options)
    selectors = manifests.run_selectors(run_id) if run_id else [manifests.MANAGED_SELECTOR]
    api = cluster.api
    kinds: list[tuple[str, Callable[..., object], Callable[..., object]]] = [
        ("pod", api.list_namespaced_pod, api.delete_namespaced_pod),
        ("service", api.list_namespaced_service, api.delete_namespaced_service),
        ("secret", api.list_namespaced_secret, api.delete_namespaced_secret),
    ]
    removed = 0
    for kind, list_objects, delete_object in kinds:
        items: dict[str, Any] = {}
        for selector in selectors:
            try:
                found = list_objects(
                    cluster.namespace, label_selector=selector, _request_timeout=_API_TIMEOUT
                )
            except (ApiException, HTTPError, OSError) as error:  # refused, or not reachable at all
                raise KubernetesError(
                    f"kubernetes: cannot list the {kind}s in namespace {cluster.namespace}: "
                    f"{describe_api_error(error)}"
                ) from None
            for item in getattr(found, "items", None) or []:
                items.setdefault(item.metadata.name, item)
        for name, item in items.items():
            run = manifests.run_of(item.metadata.labels)
            try:
                delete_object(name, cluster.namespace, grace_period_seconds=0, _request_timeout=_API_TIMEOUT)
            except (ApiException, HTTPError, OSError) as error:
                # gone meanwhile: someone else cleaned it
                if isinstance(error, ApiException) and error.status == 404:
                    continue
                raise KubernetesError(
                    f"kubernetes: cannot delete {kind} {cluster.namespace}/{name}: "
                    f"{describe_api_error(error)}"
                ) from None
            removed += 1
            report(f"removed {kind} {cluster.namespace}/{name} (run {run})")
    return removed
