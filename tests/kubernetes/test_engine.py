"""A whole pipeline run in Kubernetes mode against the fake cluster: tasks run in pods, nothing stays."""

from __future__ import annotations

from pathlib import Path

import yaml

from runtime.conditions import engine_started, task_finished_with_status
from runtime.engine import Engine, EngineKubernetesOptions, EngineOptions
from runtime.model import (
    Argument,
    EventReaction,
    Pipeline,
    PipelineMetadata,
    PipelineSpec,
    Service,
    Task,
    TaskMetadata,
    TaskSpec,
)
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer


def echo_task(name: str, message: str) -> Task:
    return Task(TaskMetadata(name=name), TaskSpec("echo", "echo", (Argument("message", message),)))


def echo_pipeline(service: Service) -> Pipeline:
    """Two echo tasks, one after the other, on ``service`` (called ``echo`` in the tasks)."""
    return Pipeline(
        PipelineMetadata(name="k8s-echo"),
        PipelineSpec(
            services=(service,),
            reactions=(
                EventReaction(engine_started, lambda event, state: [echo_task("first", "one")]),
                EventReaction(
                    task_finished_with_status("first", "Success"),
                    lambda event, state: [echo_task("second", "two")],
                ),
            ),
        ),
    )


def test_a_pipeline_runs_in_kubernetes_mode_and_leaves_nothing(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    pipeline = echo_pipeline(Service(alias="echo", image=ECHO_IMAGE))
    options = EngineOptions(
        pipeline=pipeline,
        logs_directory=str(tmp_path),
        kubeconfig=EngineKubernetesOptions(path=str(kubeconfig)),
        handle_signals=False,
    )
    result = Engine(options).run()
    assert result.exit_code == 0, result.message
    assert cluster.store.count() == 0
    assert cluster.kubelet.created_pods[0]["metadata"]["namespace"] == "pipelines"
    state = yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text())
    assert "second" in str(state)
    service_log = (tmp_path / "logs" / "services" / f"echo-{result.run_id}.log").read_text()
    assert "echo called with one" in service_log and "echo called with two" in service_log
