"""A pipeline run from inside the cluster, as the Job `oic image` writes runs it: `oic run` with the
Job's arguments (``--in-cluster``, the registry of the images `oic image` builds) in a process that
plays a pod (the service account's files where a pod has them, the
cluster's DNS in its /etc/hosts), against the fake API server over TLS with the account's token, under
the Role of its rbac.yaml without port-forward rights. The engine reaches each service pod through its
Service's DNS name and cluster IP (``fake_network``), never through a port-forward."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from runtime.kubernetes.runner import ACTIVE_DEADLINE_MARGIN
from runtime.program import parse_command_line
from tests.binary.sample_pipeline import PROGRAM
from tests.kubernetes.certificates import Authority
from tests.kubernetes.conftest import IMAGES
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.in_pod import in_pod, namespaces_work, pod_environment, service_account

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not namespaces_work(),
    reason="playing a pod needs Linux user and mount namespaces (unshare)",
)

REPOSITORY = Path(__file__).resolve().parents[2]
ENGINE_POD = "hello-4fq9z"
PIPELINE = """pipeline "in-cluster" {}
service shell = catalog "exec"
on engine.started {
  task "hello" = shell.command(Args: ["echo", "hello from a pod"])
}
"""


@pytest.fixture
def pod_cluster(tmp_path: Path) -> Iterator[FakeApiServer]:
    server = FakeApiServer(
        token="service-account-token",
        images=IMAGES,
        authority=Authority(),
        require_client_certificate=False,
        hosts_path=tmp_path / "hosts",
    ).start()
    try:
        yield server
    finally:
        server.stop()


def test_an_in_cluster_run_reaches_its_services_by_their_service_names(
    tmp_path: Path, pod_cluster: FakeApiServer
) -> None:
    engine_pod = pod_cluster.store.create(
        "pods",
        "pipelines",
        {
            "metadata": {"name": ENGINE_POD},
            "spec": {"containers": [{"name": "pipeline", "image": "oi.local/hello:1"}]},
        },
    )
    account = service_account(tmp_path / "account", pod_cluster, "pipelines")
    (tmp_path / "hello.oi").write_text(PIPELINE, encoding="utf-8")
    written = subprocess.run(
        [sys.executable, "-m", "oic", "image", "hello.oi", "-o", "image", "-n", "pipelines"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    (job,) = yaml.safe_load_all((tmp_path / "image" / "job.yaml").read_text())
    (container,) = job["spec"]["template"]["spec"]["containers"]
    rbac = yaml.safe_load_all((tmp_path / "image" / "rbac.yaml").read_text())
    (rules,) = [
        document["rules"]
        for document in rbac
        if document["metadata"]["name"] == "oi-runner" and document["kind"] == "Role"
    ]
    pod_cluster.enforce_rules([rule for rule in rules if "pods/portforward" not in rule["resources"]])
    arguments = [*container["args"], "--logs-dir", str(tmp_path), "--quiet"]  # the last --logs-dir wins
    command = [sys.executable, "-m", "oic", "run", "hello.oi", "--"]
    environment = {
        **os.environ,
        **pod_environment(pod_cluster),
        "OI_POD_NAME": ENGINE_POD,
        "PYTHONPATH": str(REPOSITORY),
    }
    environment.pop("KUBECONFIG", None)
    result = subprocess.run(
        in_pod([*command, *arguments], pod_cluster, account),
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    state = yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text())
    assert "hello from a pod" in str(state)
    assert pod_cluster.network is not None and pod_cluster.network.connections >= 1
    assert not [path for _, path in pod_cluster.requests if "portforward" in path]
    (service_pod,) = [
        pod for pod in pod_cluster.kubelet.created_pods if pod["metadata"]["name"] != ENGINE_POD
    ]
    # The image the runner asked for is one build.sh builds and loads.
    image = service_pod["spec"]["containers"][0]["image"]
    assert f" -t {image} " in (tmp_path / "image" / "build.sh").read_text()
    # The Job's --timeout bounds the pod's life too, should the engine be killed outright.
    timeout = parse_command_line(PROGRAM, container["args"]).timeout
    assert timeout is not None
    assert 0 < service_pod["spec"]["activeDeadlineSeconds"] <= timeout + ACTIVE_DEADLINE_MARGIN
    owners = service_pod["metadata"]["ownerReferences"]
    assert owners == [
        {"apiVersion": "v1", "kind": "Pod", "name": ENGINE_POD, "uid": engine_pod["metadata"]["uid"]}
    ]
    # The run deleted what it made; its Service's name is gone from the cluster's DNS.
    assert pod_cluster.store.names("pods") == [ENGINE_POD] and pod_cluster.store.count() == 1
    assert ".svc" not in pod_cluster.network.hosts_path.read_text()
