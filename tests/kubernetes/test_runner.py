"""The runner against the fake cluster: start, ready, call over the port-forward, stop, clean up."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.kubernetes import KubernetesOptions
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.services.base import CallFailed, RunContext
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer


def run_context(tmp_path: Path, run_id: str = "run-1", token: str = "s3cret") -> RunContext:
    return RunContext(run_id=run_id, logs_dir=str(tmp_path / "logs"), service_token=token)


def test_start_call_stop_through_port_forward(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    runner = KubernetesRunner(options)
    services = [Service(alias="first", image=ECHO_IMAGE), Service(alias="second", image=ECHO_IMAGE)]
    try:
        connections = runner.start(services, run_context(tmp_path))
        assert sorted(connections) == ["first", "second"]
        answer = connections["first"].call("echo", {"message": "hello"}, "/engine/tasks/t.log", 10)
        assert answer == {"arguments": {"message": "hello"}, "token_given": True, "fd": "/dev/stdout"}
        assert connections["second"].call("echo", {"message": "again"}, "", 10)["arguments"] == {
            "message": "again"
        }
        assert connections["first"].has_schemas()
        assert sorted(cluster.store.names("pods")) == sorted(cluster.store.names("services"))
        assert len(cluster.store.names("pods")) == 2
        assert len(cluster.store.names("secrets")) == 1
    finally:
        runner.stop()
    assert cluster.store.count() == 0
    log = (tmp_path / "logs" / "services" / "first-run-1.log").read_text()
    assert "echo called with hello" in log
    runner.stop()  # idempotent


def test_lost_connection_is_a_retryable_call_failure(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    runner = KubernetesRunner(options)
    try:
        connection = runner.start([Service(alias="echo", image=ECHO_IMAGE)], run_context(tmp_path))["echo"]
        with pytest.raises(CallFailed) as failure:
            connection.call("crash", {}, "", 10)
        assert failure.value.retryable
    finally:
        runner.stop()
    assert cluster.store.count() == 0


def test_only_a_reset_in_the_client_librarys_forward_thread_is_kept_off_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    from types import SimpleNamespace

    from runtime.kubernetes import portforward

    passed_on: list[object] = []
    monkeypatch.setattr(portforward, "_previous_excepthook", passed_on.append)
    proxy = threading.Thread(name="Kubernetes port forward proxy: 50051")
    reset = SimpleNamespace(thread=proxy, exc_type=ConnectionResetError, exc_value=None)
    bug_in_proxy = SimpleNamespace(thread=proxy, exc_type=RuntimeError, exc_value=None)
    reset_elsewhere = SimpleNamespace(
        thread=threading.Thread(name="oi port-forward pump"), exc_type=ConnectionResetError, exc_value=None
    )
    for args in (reset, bug_in_proxy, reset_elsewhere):
        portforward._quiet_proxy_resets(args)
    assert passed_on == [bug_in_proxy, reset_elsewhere]
