"""An API server that goes away in the middle of a run: the run ends, says why, and whatever it could
not delete is removed by ``cleanup`` once the API server is back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

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


def test_objects_the_stop_cannot_delete_are_one_line_for_the_user_and_named_in_the_log(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.kubernetes.test_engine import echo_pipeline
    from tests.kubernetes.test_rbac import documented_role

    # A Role that lets the run create Services but not delete them.
    rules = [dict(rule) for rule in documented_role("oi-runner")]
    for rule in rules:
        if "services" in rule["resources"]:
            rule["resources"] = [name for name in rule["resources"] if name != "services"]
    rules.append({"apiGroups": [""], "resources": ["services"], "verbs": ["create"]})
    cluster.enforce_rules(rules)
    options = EngineOptions(
        pipeline=echo_pipeline(Service(alias="echo", image=ECHO_IMAGE)),
        logs_directory=str(tmp_path),
        kubeconfig=EngineKubernetesOptions(path=str(kubeconfig)),
        handle_signals=False,
    )
    with caplog.at_level("WARNING", logger="oi.kubernetes"):
        result = Engine(options).run()
    assert result.exit_code == 0, result.message
    warnings = [record.getMessage() for record in caplog.records if record.name == "oi.kubernetes"]
    assert warnings == [
        f"kubernetes: 1 object(s) could not be deleted; `--cleanup --run-id {result.run_id}` removes what "
        f"run {result.run_id} left in namespace pipelines"
    ]
    log = (tmp_path / "logs" / "log").read_text()
    assert "kubernetes: could not delete service pipelines/oi-echo-" in log and "403 Forbidden" in log
    assert cluster.store.names("services") and not cluster.store.names("pods")
    cluster.rules = None  # whoever cleans up may
    cleanup(KubernetesOptions(kubeconfig=str(kubeconfig)), run_id=result.run_id, report=lambda line: None)
    assert cluster.store.count() == 0
