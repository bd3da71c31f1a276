"""What the engine is asked to run, and how a run ended: ``EngineOptions``, ``RunResult``, the run
statuses and the binary's exit codes for them (``runtime.engine`` uses and re-exports them all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runtime.limits import DEFAULT_MAX_TASK_RUNS
from runtime.model import Pipeline
from runtime.observer import RunObserver
from runtime.services.base import ServiceRunner

STATUS_SUCCEEDED = "succeeded"
STATUS_FAILED = "failed"
STATUS_CANCELLED = "cancelled"
STATUS_TIMED_OUT = "timed-out"

EXIT_OK = 0
EXIT_FAILED = 3
EXIT_TIMED_OUT = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


@dataclass(frozen=True)
class EngineKubernetesOptions:
    """Run the services on Kubernetes: kubeconfig file ``path`` ("" = ``$KUBECONFIG`` or
    ``~/.kube/config``), ``context`` in it ("" = current), ``namespace`` ("" = the context's, else
    ``default``), or ``in_cluster`` (the pod's service account). ``image_registry``/``image_pattern``
    name catalog services' images ("" = the Kubernetes runner's defaults); ``start_timeout``: seconds
    for the pods to be ready (None = the runner's default)."""

    path: str = ""
    context: str = ""
    namespace: str = ""
    in_cluster: bool = False
    image_registry: str = ""
    image_pattern: str = ""
    start_timeout: float | None = None

    def kubernetes_options(self) -> Any:
        """These options as the Kubernetes runner's ``KubernetesOptions`` (its defaults elsewhere)."""
        from runtime.kubernetes.options import KubernetesOptions

        values: dict[str, Any] = {
            "kubeconfig": self.path,
            "context": self.context,
            "namespace": self.namespace,
            "in_cluster": self.in_cluster,
        }
        if self.image_registry:
            values["image_registry"] = self.image_registry
        if self.image_pattern:
            values["image_pattern"] = self.image_pattern
        if self.start_timeout is not None:
            values["start_timeout"] = self.start_timeout
        return KubernetesOptions(**values)


@dataclass(frozen=True)
class EngineOptions:
    """What to run and how.

    ``logs_directory``: files go to ``<logs_directory>/logs``. ``kubeconfig``: run services on
    Kubernetes. ``parallelism``: tasks running at once. ``timeout``: seconds for the whole run (None: no
    bound). ``runner``: where services run (default: local processes, or Kubernetes when
    ``kubeconfig`` is given). ``secrets``: values never to be written anywhere. ``service_token``: the
    secret services must be called with (None: a new one per run). ``handle_signals``: turn
    SIGINT/SIGTERM into a clean cancellation. ``state_interval``: see ``runtime.logs``.
    ``observer``: told what happens during the run (``runtime.observer``; the pipeline binary
    passes a renderer of ``runtime.console``); the engine itself never writes to stdout or stderr,
    so None is a silent run. ``max_task_runs``:
    how many runs one reusable task name may have; building one more fails the run (a reusable task
    that triggers its own reaction would otherwise loop without end). ``separate_runs``: write to a
    directory of this run's own, ``<logs_directory>/runs/<time>-<run id>``, with a ``latest`` link
    beside it, instead of ``<logs_directory>/logs``; ``keep_runs``: with separate runs (it implies
    them), how many run directories to keep, the new one included (None: all; see
    ``runtime.run_directories``)."""

    pipeline: Pipeline
    logs_directory: str = "."
    kubeconfig: EngineKubernetesOptions | None = None
    parallelism: int = 8
    timeout: float | None = None
    runner: ServiceRunner | None = None
    secrets: Sequence[str] = ()
    service_token: str | None = None
    handle_signals: bool = True
    state_interval: float = 0.25
    observer: RunObserver | None = None
    max_task_runs: int = DEFAULT_MAX_TASK_RUNS
    separate_runs: bool = False
    keep_runs: int | None = None


@dataclass(frozen=True)
class RunResult:
    """How a run ended: ``status`` (succeeded / failed / cancelled / timed-out), ``exit_code`` for the
    binary, ``failed_tasks`` (names of the failed tasks no reaction handled), a ``message`` for the
    user ("" on success; one line, but for failed tasks: a header, then each failure on a line of
    its own, its error's lines under it, control characters made visible), the ``run_id`` and the
    ``logs_dir`` the files are in; ``observer_error`` says why the observer was switched off during
    the run ("" when it was not)."""

    status: str
    exit_code: int
    failed_tasks: tuple[str, ...] = ()
    message: str = ""
    run_id: str = ""
    logs_dir: str = ""
    observer_error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == STATUS_SUCCEEDED
