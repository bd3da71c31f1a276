"""Running a pipeline's services on Kubernetes: one Pod and one Service per service.

``KubernetesOptions`` (no ``kubernetes`` import) says where the cluster is and how pods look;
``KubernetesRunner(options)`` is the engine's ``ServiceRunner``; ``cleanup(options)`` removes what
crashed runs left behind. The runner and ``cleanup`` are imported on first use, because importing the
``kubernetes`` client library takes a noticeable fraction of a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime.kubernetes.options import KubernetesOptions, ResourceRequirements

if TYPE_CHECKING:
    from runtime.kubernetes.cluster import KubernetesError
    from runtime.kubernetes.leftovers import cleanup
    from runtime.kubernetes.runner import KubernetesRunner

__all__ = ["KubernetesError", "KubernetesOptions", "KubernetesRunner", "ResourceRequirements", "cleanup"]

_LAZY = {
    "KubernetesRunner": "runtime.kubernetes.runner",
    "cleanup": "runtime.kubernetes.leftovers",
    "KubernetesError": "runtime.kubernetes.cluster",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'runtime.kubernetes' has no attribute {name!r}")
