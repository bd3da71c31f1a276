"""What the runner creates (pod spec, labels, security, env), which cluster it talks to, and cleanup."""

from __future__ import annotations

import base64
from pathlib import Path

from runtime.kubernetes import KubernetesOptions, ResourceRequirements, cleanup
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.services.base import RunContext
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.kubeconfig import write_kubeconfig


def test_pod_spec_has_labels_security_context_env_and_resources(
    tmp_path: Path, cluster: FakeApiServer
) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"main": (cluster, "pipelines")}, "main")
    options = KubernetesOptions(
        kubeconfig=str(kubeconfig),
        resources=ResourceRequirements(requests={"cpu": "10m"}, limits={"memory": "99Mi"}),
        image_registry="registry.test",
    )
    # A catalog service's image comes from the pattern; the fake kubelet runs it as the echo service.
    cluster.kubelet.images["registry.test/echo:1.0"] = cluster.kubelet.images[ECHO_IMAGE]
    runner = KubernetesRunner(options)
    try:
        runner.start(
            [Service(alias="talk", name="echo", version="1.0")], RunContext("run-42", str(tmp_path), "tok")
        )
        (pod,) = cluster.kubelet.created_pods
        (service_name,) = cluster.store.names("services")
        secret = cluster.store.get("secrets", "pipelines", cluster.store.names("secrets")[0])
    finally:
        runner.stop()
    assert pod["metadata"]["namespace"] == "pipelines"  # the context's namespace
    assert pod["metadata"]["labels"] == {
        "app.kubernetes.io/name": "echo",
        "app.kubernetes.io/instance": pod["metadata"]["name"],
        "app.kubernetes.io/component": "service",
        "app.kubernetes.io/part-of": "oi",
        "app.kubernetes.io/managed-by": "oi",
        "oi.dev/run-id": "run-42",
        "oi.dev/service": "talk",
    }
    assert secret["metadata"]["labels"]["app.kubernetes.io/component"] == "service-token"
    assert secret["metadata"]["labels"]["oi.dev/run-id"] == "run-42"
    assert "ownerReferences" not in pod["metadata"]  # outside a cluster the engine has no pod
    assert "activeDeadlineSeconds" not in pod["spec"]  # no run timeout
    assert service_name == pod["metadata"]["name"]
    spec = pod["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    (container,) = spec["containers"]
    assert container["image"] == "registry.test/echo:1.0"
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"] == {"requests": {"cpu": "10m"}, "limits": {"memory": "99Mi"}}
    environment = {item["name"]: item for item in container["env"]}
    assert environment["PORT"]["value"] == "50051"
    assert environment["OI_BIND_ADDRESS"]["value"] == "0.0.0.0"
    # The token is not in the pod spec: it comes from the run's Secret.
    assert "value" not in environment["OI_SERVICE_TOKEN"]
    reference = environment["OI_SERVICE_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert reference["name"] == secret["metadata"]["name"]
    assert base64.b64decode(secret["data"][reference["key"]]).decode() == "tok"
    assert cluster.store.count() == 0


def test_the_kubeconfig_context_is_honoured(
    tmp_path: Path, cluster: FakeApiServer, other_cluster: FakeApiServer
) -> None:
    kubeconfig = write_kubeconfig(
        tmp_path / "kubeconfig", {"main": (cluster, "default"), "other": (other_cluster, "elsewhere")}, "main"
    )
    runner = KubernetesRunner(KubernetesOptions(kubeconfig=str(kubeconfig), context="other"))
    try:
        connection = runner.start(
            [Service(alias="echo", image=ECHO_IMAGE)], RunContext("r", str(tmp_path), "")
        )["echo"]
        assert connection.call("echo", {"message": "there"}, "", 10)["token_given"] is False
        assert other_cluster.kubelet.created_pods[0]["metadata"]["namespace"] == "elsewhere"
    finally:
        runner.stop()
    assert cluster.requests == []
    assert other_cluster.requests
    assert other_cluster.store.count() == 0


def test_cleanup_removes_leftovers_of_crashed_runs_by_label(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    crashed = KubernetesRunner(options)
    crashed.start(
        [Service(alias="a", image=ECHO_IMAGE), Service(alias="b", image=ECHO_IMAGE)],
        RunContext("crashed-run", str(tmp_path), "tok"),
    )
    # The engine died without stopping its runner. An object oi did not make must survive cleanup.
    cluster.store.create("services", "pipelines", {"metadata": {"name": "unrelated", "labels": {"app": "x"}}})
    reported: list[str] = []
    removed = cleanup(options, report=reported.append)
    assert removed == 5
    assert len(reported) == 5
    assert all("(run crashed-run)" in line for line in reported)
    assert cluster.store.names("services") == ["unrelated"]
    assert cluster.store.names("pods") == [] and cluster.store.names("secrets") == []
    assert cleanup(options, report=reported.append) == 0
    crashed.stop()  # only to close the local port-forwards; the objects are gone already
