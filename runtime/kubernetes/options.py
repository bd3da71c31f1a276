"""What the Kubernetes runner is told: where the cluster is and how service pods should look.

Kept free of the ``kubernetes`` package so the binary's command line can build options without paying
for that import (about a quarter of a second) unless Kubernetes mode is actually used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_IMAGE_REGISTRY = "ghcr.io/open-integration"
DEFAULT_IMAGE_PATTERN = "{registry}/{name}:{version}"
DEFAULT_SERVICE_PORT = 50051
# Where a task's output goes inside a pod: the engine's task log path does not exist there, so
# services write to their own standard output, which is the pod's log.
DEFAULT_TASK_LOG_PATH = "/dev/stdout"

CONNECT_AUTO = "auto"
CONNECT_SERVICE_DNS = "service-dns"
CONNECT_PORT_FORWARD = "port-forward"


@dataclass(frozen=True)
class ResourceRequirements:
    """Container ``requests`` and ``limits`` (e.g. ``{"cpu": "100m", "memory": "128Mi"}``)."""

    requests: Mapping[str, str] = field(default_factory=lambda: {"cpu": "50m", "memory": "64Mi"})
    limits: Mapping[str, str] = field(default_factory=lambda: {"memory": "256Mi"})


@dataclass(frozen=True)
class KubernetesOptions:
    """How to reach the cluster and how to shape the service pods.

    - ``kubeconfig``/``context``: the kubeconfig file ("" = ``$KUBECONFIG`` or ``~/.kube/config``) and
      the context in it ("" = its current context); ignored when ``in_cluster``.
    - ``namespace``: where pods go ("" = the context's namespace, in a cluster the pod's own, else
      ``default``).
    - ``in_cluster``: use the pod's service account (the pipeline binary runs inside the cluster).
    - ``image_registry``/``image_pattern``: how a catalog service's image is named; the pattern may use
      ``{registry}``, ``{name}``, ``{version}``. A ``Service.image`` wins; path services need one.
    - ``connect``: ``auto`` (Service DNS name in a cluster, port-forward outside), ``service-dns`` or
      ``port-forward``.
    - ``start_timeout``: seconds for all pods to be Running and Ready; ``call_connect_timeout`` bounds the
      first gRPC exchange (the schemas) after that.
    - ``automount_service_account_token``/``service_account``: what the service pods may do in the
      cluster (nothing, by default).
    - ``run_as_user``: the non-root uid service containers run as (None = the image's, which must then be
      numeric and non-root).
    - ``task_log_path``: the ``fd`` passed with each call (see the module's docs).
    """

    kubeconfig: str = ""
    context: str = ""
    namespace: str = ""
    in_cluster: bool = False
    image_registry: str = DEFAULT_IMAGE_REGISTRY
    image_pattern: str = DEFAULT_IMAGE_PATTERN
    image_pull_policy: str = "IfNotPresent"
    image_pull_secrets: tuple[str, ...] = ()
    service_port: int = DEFAULT_SERVICE_PORT
    resources: ResourceRequirements = field(default_factory=ResourceRequirements)
    connect: str = CONNECT_AUTO
    start_timeout: float = 300.0
    call_connect_timeout: float = 30.0
    automount_service_account_token: bool = False
    service_account: str = ""
    run_as_user: int | None = 65532
    task_log_path: str = DEFAULT_TASK_LOG_PATH
    extra_labels: Mapping[str, str] = field(default_factory=dict)

    def uses_port_forward(self) -> bool:
        if self.connect == CONNECT_AUTO:
            return not self.in_cluster
        return self.connect == CONNECT_PORT_FORWARD
