"""Labels, owners and cleanup: the recommended labels on everything, the engine's pod as the owner of
a run's objects in a cluster (its deletion takes them along), and ``cleanup`` of one run, by the
labels of today and of earlier releases."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from runtime import program
from runtime.kubernetes import KubernetesOptions, cleanup
from runtime.kubernetes.cluster import connect
from runtime.kubernetes.runner import ACTIVE_DEADLINE_MARGIN, KubernetesRunner
from runtime.model import Service
from runtime.services.base import RunContext
from tests.binary.sample_pipeline import PROGRAM
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer

ENGINE_POD = "trello-sync-7xk2p"


def create_engine_pod(cluster: FakeApiServer) -> dict[str, Any]:
    """The pod the engine would run in (its image is unknown to the fake kubelet: it never runs)."""
    spec = {"containers": [{"name": "pipeline", "image": "registry.test/trello-sync:1"}]}
    return cluster.store.create("pods", "pipelines", {"metadata": {"name": ENGINE_POD}, "spec": spec})


def in_cluster_runner(kubeconfig: Path) -> KubernetesRunner:
    """A runner that believes it runs in the cluster (owners, no kubeconfig) yet reaches the fake
    through the kubeconfig and port-forwards (the fake has no Service DNS)."""
    options = KubernetesOptions(in_cluster=True, connect="port-forward", start_timeout=60)
    return KubernetesRunner(options, cluster=connect(KubernetesOptions(kubeconfig=str(kubeconfig))))


def test_in_cluster_objects_are_owned_by_the_engine_pod_and_go_with_it(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine_pod(cluster)
    monkeypatch.setenv("HOSTNAME", ENGINE_POD)
    monkeypatch.delenv("OI_POD_NAME", raising=False)
    runner = in_cluster_runner(kubeconfig)
    warnings: list[str] = []
    context = RunContext("run-7", str(tmp_path), "tok", warnings.append, pipeline_name="trello-sync")
    try:
        connection = runner.start([Service(alias="echo", image=ECHO_IMAGE)], context)["echo"]
        assert connection.call("echo", {"message": "hi"}, "", 10)["arguments"] == {"message": "hi"}
        owned = [
            cluster.store.get(resource, "pipelines", name)
            for resource in ("pods", "services", "secrets")
            for name in cluster.store.names(resource)
            if name != ENGINE_POD
        ]
        assert len(owned) == 3
        expected = [{"apiVersion": "v1", "kind": "Pod", "name": ENGINE_POD, "uid": engine["metadata"]["uid"]}]
        for obj in owned:
            assert obj["metadata"]["ownerReferences"] == expected, obj["metadata"]["name"]
            assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "trello-sync"
        assert warnings == []
        # The Job's pod is killed: the garbage collector takes everything the run made with it.
        cluster.store.delete("pods", "pipelines", ENGINE_POD)
        assert cluster.store.count() == 0
    finally:
        runner.stop()


def test_the_pod_name_may_come_from_the_downward_api(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_engine_pod(cluster)
    monkeypatch.setenv("HOSTNAME", "custom-hostname")
    monkeypatch.setenv("OI_POD_NAME", ENGINE_POD)
    runner = in_cluster_runner(kubeconfig)
    try:
        runner.start([Service(alias="echo", image=ECHO_IMAGE)], RunContext("run-8", str(tmp_path), ""))
        (pod,) = [pod for pod in cluster.kubelet.created_pods if pod["metadata"]["name"] != ENGINE_POD]
        assert pod["metadata"]["ownerReferences"][0]["name"] == ENGINE_POD
    finally:
        runner.stop()


def test_an_engine_pod_that_cannot_be_found_is_a_warning_not_a_failure(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTNAME", "not-a-pod-here")
    monkeypatch.delenv("OI_POD_NAME", raising=False)
    runner = in_cluster_runner(kubeconfig)
    warnings: list[str] = []
    try:
        runner.start(
            [Service(alias="echo", image=ECHO_IMAGE)], RunContext("run-9", str(tmp_path), "", warnings.append)
        )
        (pod,) = cluster.kubelet.created_pods
        assert "ownerReferences" not in pod["metadata"]
    finally:
        runner.stop()
    assert len(warnings) == 1
    assert "no pod pipelines/not-a-pod-here" in warnings[0] and "--cleanup" in warnings[0]


def test_pods_of_a_run_with_a_timeout_have_an_active_deadline(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    runner = KubernetesRunner(options)
    context = RunContext("run-10", str(tmp_path), "", deadline=time.monotonic() + 120)
    try:
        runner.start([Service(alias="echo", image=ECHO_IMAGE)], context)
        (pod,) = cluster.kubelet.created_pods
    finally:
        runner.stop()
    deadline = pod["spec"]["activeDeadlineSeconds"]
    assert 120 <= deadline - ACTIVE_DEADLINE_MARGIN <= 121


def legacy_object(cluster: FakeApiServer, resource: str, name: str, run_id: str) -> None:
    """An object as an earlier release labelled it."""
    labels = {"app.kubernetes.io/managed-by": "oi", "oi.run-id": run_id}
    body = {"metadata": {"name": name, "labels": labels}}
    if resource == "pods":
        body["spec"] = {"containers": [{"name": "service", "image": "registry.test/gone:1"}]}
    cluster.store.create(resource, "pipelines", body)


def test_cleanup_of_one_run_takes_its_objects_by_either_label_and_spares_the_others(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    crashed = KubernetesRunner(options)
    other = KubernetesRunner(options)
    try:
        crashed.start([Service(alias="a", image=ECHO_IMAGE)], RunContext("crashed", str(tmp_path), "t"))
        other.start([Service(alias="b", image=ECHO_IMAGE)], RunContext("running", str(tmp_path), "t"))
        legacy_object(cluster, "services", "oi-old-1", "crashed")
        legacy_object(cluster, "secrets", "oi-token-old", "crashed")
        reported: list[str] = []
        assert cleanup(options, run_id="crashed", report=reported.append) == 5
        assert all("(run crashed)" in line for line in reported), reported
        # The other run's pod, Service and Secret are untouched.
        assert cluster.store.count() == 3
        assert all("b-" in name or name.startswith("oi-token") for name in cluster.store.names("pods"))
    finally:
        crashed.stop()
        other.stop()
    assert cluster.store.count() == 0


def test_cleanup_finds_the_objects_of_earlier_releases(
    cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    legacy_object(cluster, "services", "oi-old-2", "old-run")
    reported: list[str] = []
    assert cleanup(options, report=reported.append) == 1
    assert reported == ["removed service pipelines/oi-old-2 (run old-run)"]


def test_the_binary_cleans_up_one_run(
    cluster: FakeApiServer, kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy_object(cluster, "services", "oi-old-3", "one")
    legacy_object(cluster, "services", "oi-old-4", "two")
    argv = ["--cleanup", "--run-id", "one", "--kubeconfig", str(kubeconfig)]
    assert program.run(PROGRAM, argv, {}) == 0
    out = capsys.readouterr().out
    assert "removed service pipelines/oi-old-3 (run one)" in out
    assert "removed 1 Kubernetes object(s) left by run one" in out
    assert cluster.store.names("services") == ["oi-old-4"]


def test_run_id_goes_with_cleanup_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert program.run(PROGRAM, ["--run-id", "x"], {}) == 2
    assert "--run-id goes with --cleanup only" in capsys.readouterr().err
