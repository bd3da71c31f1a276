"""Which pod the engine runs in, so that what a run creates in the cluster can name it as its owner.

Inside a cluster the engine is a pod (a Job's, typically). When every object of the run names that pod
in ``ownerReferences``, Kubernetes' garbage collector deletes them once the pod is gone: a Job that is
killed or deleted takes the run's pods, Services and Secret with it, even though the engine never got
to stop them. The pod's name comes from ``OI_POD_NAME`` (set it from the downward API,
``fieldRef: metadata.name``) or else ``HOSTNAME`` (a pod's hostname is its name unless the spec sets
another); its uid is read from the API, in the run's namespace (an owner must live in the namespace of
what it owns). When that fails the run goes on without owners, and says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from runtime.kubernetes.cluster import Cluster, describe_api_error
from runtime.kubernetes.manifests import owner_reference

POD_NAME_ENV = "OI_POD_NAME"


def own_pod_name(environ: Mapping[str, str] | None = None) -> str:
    """The engine's pod name as the environment tells it ("" when it does not)."""
    environment = os.environ if environ is None else environ
    return environment.get(POD_NAME_ENV) or environment.get("HOSTNAME") or ""


def engine_owner(
    cluster: Cluster,
    request_timeout: float,
    warn: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """The ``ownerReferences`` entry naming the engine's own pod, or None (after a ``warn``ing)."""
    name = own_pod_name(environ)
    consequence = "the run's objects will not be deleted with the engine's pod; `--cleanup` removes them"
    if not name:
        warn(f"kubernetes: the engine's pod name is unknown (set {POD_NAME_ENV}): {consequence}")
        return None
    try:
        pod = cluster.api.read_namespaced_pod(name, cluster.namespace, _request_timeout=request_timeout)
    except (ApiException, HTTPError, OSError) as error:
        if isinstance(error, ApiException) and error.status == 404:
            reason = f"no pod {cluster.namespace}/{name} (does the engine run in another namespace?)"
        else:
            reason = f"cannot read pod {cluster.namespace}/{name}: {describe_api_error(error)}"
        warn(f"kubernetes: {reason}: {consequence}")
        return None
    metadata: Any = pod.metadata
    return owner_reference({"name": metadata.name, "uid": metadata.uid})
