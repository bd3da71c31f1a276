"""Deadlines: the run's timeout covers the start of the pods, the start timeout is honoured, and an
API server that accepts connections but never answers cannot hold a run past its timeout.

Elapsed times are only loose upper bounds, there to prove that the old waits (300 s for a pod that
never becomes Ready, 34 s past the timeout for a silent API server) no longer happen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runtime.engine import Engine, EngineKubernetesOptions, EngineOptions, RunResult
from runtime.kubernetes import KubernetesOptions
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.services.base import RunContext, ServiceStartError
from tests.kubernetes.conftest import ECHO_IMAGE, NEVER_READY_IMAGE, SLOW_ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.test_engine import echo_pipeline


def run_engine(tmp_path: Path, kubeconfig: Path, service: Service, timeout: float) -> RunResult:
    options = EngineOptions(
        pipeline=echo_pipeline(service),
        logs_directory=str(tmp_path),
        kubeconfig=EngineKubernetesOptions(path=str(kubeconfig)),
        handle_signals=False,
        timeout=timeout,
    )
    return Engine(options).run()


def test_the_run_timeout_covers_a_pod_that_never_becomes_ready(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    began = time.monotonic()
    result = run_engine(tmp_path, kubeconfig, Service(alias="slow", image=NEVER_READY_IMAGE), timeout=3)
    elapsed = time.monotonic() - began
    assert result.status == "timed-out" and result.exit_code == 4, result.message
    assert "\n" not in result.message
    assert "the run did not finish within its timeout of 3s" in result.message
    assert "service 'slow' was not ready in time" in result.message
    assert elapsed < 60  # not the start timeout's 300 s
    assert cluster.store.count() == 0


def test_the_start_timeout_is_honoured(tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path) -> None:
    runner = KubernetesRunner(KubernetesOptions(kubeconfig=str(kubeconfig), start_timeout=2))
    began = time.monotonic()
    with pytest.raises(ServiceStartError) as failure:
        runner.start([Service(alias="slow", image=NEVER_READY_IMAGE)], RunContext("r", str(tmp_path), "t"))
    elapsed = time.monotonic() - began
    runner.stop()
    message = str(failure.value)
    assert "\n" not in message
    assert "service 'slow' was not ready in time" in message
    assert "pod pipelines/" in message and " is phase " in message  # its state when time ran out
    assert elapsed < 60
    assert cluster.store.count() == 0


def test_an_api_server_that_never_answers_cannot_hold_the_run(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    cluster.hang()
    began = time.monotonic()
    result = run_engine(tmp_path, kubeconfig, Service(alias="echo", image=ECHO_IMAGE), timeout=3)
    elapsed = time.monotonic() - began
    assert result.status == "timed-out" and result.exit_code == 4, result.message
    assert "\n" not in result.message
    assert "the run did not finish within its timeout of 3s" in result.message
    assert "did not answer in time" in result.message
    # The start ends at the run's deadline plus a short grace, the stop within its own bound: far
    # from the 30 s of a request's deadline, let alone the 34 s past the timeout seen before.
    assert elapsed < 30


def test_a_start_against_a_silent_api_server_ends_at_the_start_timeout(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    cluster.hang()
    runner = KubernetesRunner(KubernetesOptions(kubeconfig=str(kubeconfig), start_timeout=2))
    began = time.monotonic()
    with pytest.raises(ServiceStartError) as failure:
        runner.start([Service(alias="echo", image=ECHO_IMAGE)], RunContext("r", str(tmp_path), "t"))
    runner.stop()
    elapsed = time.monotonic() - began
    assert "\n" not in str(failure.value)
    assert elapsed < 30


def test_a_watch_that_expires_is_resumed_and_a_gone_version_started_afresh(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    cluster.expire_watches(after=0.5)
    runner = KubernetesRunner(options)
    try:
        connection = runner.start(
            [Service(alias="late", image=SLOW_ECHO_IMAGE)], RunContext("r", str(tmp_path), "t")
        )["late"]
        assert connection.call("echo", {"message": "hi"}, "", 10)["arguments"] == {"message": "hi"}
    finally:
        runner.stop()
    assert cluster.gone_answers >= 1  # the runner resumed from an old version, was told 410, went on
    assert cluster.store.count() == 0
