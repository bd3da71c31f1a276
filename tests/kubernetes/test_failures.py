"""Start failures: each gives one clear line naming the service, and nothing is left in the cluster."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from runtime.kubernetes import KubernetesOptions
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.services.base import RunContext, ServiceStartError
from tests.kubernetes.conftest import CRASH_IMAGE, ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer


def start_expecting_failure(
    tmp_path: Path, options: KubernetesOptions, services: list[Service]
) -> ServiceStartError:
    runner = KubernetesRunner(options)
    context = RunContext(run_id="run-fail", logs_dir=str(tmp_path / "logs"), service_token="t")
    with pytest.raises(ServiceStartError) as failure:
        runner.start(services, context)
    runner.stop()
    assert "\n" not in str(failure.value)
    return failure.value


def test_image_pull_failure_names_the_service(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    services = [
        Service(alias="good", image=ECHO_IMAGE),
        Service(alias="missing", image="registry.test/nope:9"),
    ]
    error = start_expecting_failure(tmp_path, options, services)
    assert "service 'missing' did not start: its image could not be pulled" in str(error)
    assert "ErrImagePull" in str(error) or "ImagePullBackOff" in str(error)
    assert 'Failed to pull image "registry.test/nope:9"' in str(error)
    assert cluster.store.count() == 0


def test_crash_loop_names_the_service_with_exit_code_and_log(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    error = start_expecting_failure(tmp_path, options, [Service(alias="broken", image=CRASH_IMAGE)])
    message = str(error)
    assert "service 'broken' did not start: it keeps crashing (CrashLoopBackOff" in message
    assert "last exit code 3" in message
    assert "cannot open the config" in message
    assert cluster.store.count() == 0
    assert "cannot open the config" in (tmp_path / "logs" / "services" / "broken-run-fail.log").read_text()


def test_path_service_without_image_is_refused_before_anything_is_created(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    error = start_expecting_failure(tmp_path, options, [Service(alias="local", path="./services/local")])
    assert "service 'local' is a path service" in str(error)
    assert "image" in str(error)
    assert cluster.requests == []


def test_wrong_credentials_give_a_one_line_error(tmp_path: Path, cluster: FakeApiServer) -> None:
    from tests.kubernetes.kubeconfig import write_kubeconfig

    kubeconfig = tmp_path / "wrong-kubeconfig"
    write_kubeconfig(kubeconfig, {"main": (cluster, "default")}, "main")
    text = kubeconfig.read_text().replace("token-main", "wrong")
    kubeconfig.write_text(text)
    error = start_expecting_failure(
        tmp_path, KubernetesOptions(kubeconfig=str(kubeconfig)), [Service(alias="echo", image=ECHO_IMAGE)]
    )
    assert "401" in str(error) and "RBAC" in str(error)
    assert cluster.store.count() == 0


def test_unknown_context_is_reported(tmp_path: Path, kubeconfig: Path) -> None:
    error = start_expecting_failure(
        tmp_path,
        KubernetesOptions(kubeconfig=str(kubeconfig), context="nowhere"),
        [Service(alias="echo", image=ECHO_IMAGE)],
    )
    assert "nowhere" in str(error)


def test_an_unreachable_api_server_gives_a_one_line_error(tmp_path: Path) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: connections are refused
    kubeconfig = tmp_path / "unreachable"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
    )
    error = start_expecting_failure(
        tmp_path, KubernetesOptions(kubeconfig=str(kubeconfig)), [Service(alias="echo", image=ECHO_IMAGE)]
    )
    assert "cannot reach the API server" in str(error)


def test_a_refused_port_forward_fails_the_start_in_one_line(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    cluster.refuse_port_forward(403, "Forbidden")
    error = start_expecting_failure(tmp_path, options, [Service(alias="echo", image=ECHO_IMAGE)])
    message = str(error)
    (pod_name,) = {pod["metadata"]["name"] for pod in cluster.kubelet.created_pods}
    assert f"service 'echo': cannot port-forward to pod pipelines/{pod_name}" in message
    assert "403 Forbidden" in message
    assert 'cannot create resource "pods/portforward"' in message
    assert "Handshake" not in message and "HTTP response headers" not in message
    assert cluster.store.count() == 0


def test_a_refused_port_forward_ends_the_run_with_one_line_and_no_task(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from runtime.console.plain import PlainRenderer
    from runtime.console.style import Palette
    from runtime.engine import Engine, EngineKubernetesOptions, EngineOptions
    from tests.kubernetes.test_engine import echo_pipeline

    cluster.refuse_port_forward(403, "Forbidden")
    options = EngineOptions(
        pipeline=echo_pipeline(Service(alias="echo", image=ECHO_IMAGE)),
        logs_directory=str(tmp_path),
        kubeconfig=EngineKubernetesOptions(path=str(kubeconfig)),
        handle_signals=False,
        observer=PlainRenderer(sys.stderr, Palette(False)),  # as the binary shows a run
    )
    result = Engine(options).run()
    assert result.exit_code == 3
    assert "cannot port-forward to pod" in result.message and "403 Forbidden" in result.message
    assert "\n" not in result.message
    error_output = capfd.readouterr().err
    assert error_output.count("\n") == 1, error_output  # the run's one summary line, nothing else
    assert "Traceback" not in error_output
    assert not (tmp_path / "logs" / "tasks").exists() or not list((tmp_path / "logs" / "tasks").iterdir())
    assert cluster.store.count() == 0


def test_a_port_forward_the_node_refuses_fails_the_start_in_one_line(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    # The API server upgrades the websocket; the node then says, on the port's error channel, that
    # it cannot reach the port in the pod. The start fails then, not the first task.
    cluster.refuse_forwards_at_node("connection refused")
    error = start_expecting_failure(tmp_path, options, [Service(alias="echo", image=ECHO_IMAGE)])
    message = str(error)
    (pod_name,) = {pod["metadata"]["name"] for pod in cluster.kubelet.created_pods}
    assert (
        f"service 'echo': cannot port-forward to pod pipelines/{pod_name}: error forwarding port" in message
    )
    assert "connection refused" in message and "\n" not in message
    assert cluster.store.count() == 0
