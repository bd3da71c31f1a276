"""An API server that goes away in the middle of a run: the run ends, says why, and whatever it could
not delete is removed by ``cleanup`` once the API server is back."""

from __future__ import annotations

import time
from pathlib import Path

from runtime.conditions import engine_started, task_finished_with_status
from runtime.engine import Engine, EngineKubernetesOptions, EngineOptions
from runtime.kubernetes import KubernetesOptions, cleanup
from runtime.model import EventReaction, Pipeline, PipelineMetadata, PipelineSpec, Service
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.test_engine import echo_task


def test_an_api_outage_mid_run_fails_the_run_and_cleanup_removes_what_is_left(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    def after_first(event: object, state: object) -> list[object]:
        cluster.outage()  # between the two tasks: the second finds no way to its pod
        return [echo_task("second", "two")]

    pipeline = Pipeline(
        PipelineMetadata(name="outage"),
        PipelineSpec(
            services=(Service(alias="echo", image=ECHO_IMAGE),),
            reactions=(
                EventReaction(engine_started, lambda event, state: [echo_task("first", "one")]),
                EventReaction(task_finished_with_status("first", "Success"), after_first),
            ),
        ),
    )
    options = EngineOptions(
        pipeline=pipeline,
        logs_directory=str(tmp_path),
        kubeconfig=EngineKubernetesOptions(path=str(kubeconfig)),
        handle_signals=False,
        print_summary=False,
    )
    began = time.monotonic()
    result = Engine(options).run()
    elapsed = time.monotonic() - began
    assert result.exit_code == 3, result.message
    assert result.failed_tasks == ("second",)
    header, failure = result.message.splitlines()[:2]
    assert header == "1 task(s) failed:"
    assert "second" in failure and "unavailable" in failure
    assert elapsed < 60  # every wait on the silent API server is bounded
    cluster.resume()
    reported: list[str] = []
    cleanup(KubernetesOptions(kubeconfig=str(kubeconfig)), run_id=result.run_id, report=reported.append)
    assert cluster.store.count() == 0
    assert all(f"(run {result.run_id})" in line for line in reported)
