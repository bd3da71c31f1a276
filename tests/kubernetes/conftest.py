"""Fixtures: fake API servers (stopped by the test), a kubeconfig pointing at them, runner options."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.kubernetes import KubernetesOptions
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.kubeconfig import write_kubeconfig

ECHO_IMAGE = "registry.test/echo:1.0"
CRASH_IMAGE = "registry.test/crash:1.0"
# Runs and never listens: its pod is Running and never Ready.
NEVER_READY_IMAGE = "registry.test/never-ready:1.0"
# The echo service, listening only after a few seconds.
SLOW_ECHO_IMAGE = "registry.test/slow-echo:1.0"
IMAGES = {
    ECHO_IMAGE: [sys.executable, "-m", "tests.kubernetes.echo_service"],
    CRASH_IMAGE: [sys.executable, "-c", "import sys; print('cannot open the config'); sys.exit(3)"],
    NEVER_READY_IMAGE: [sys.executable, "-c", "import time; time.sleep(600)"],
    SLOW_ECHO_IMAGE: [
        sys.executable,
        "-c",
        "import runpy, time; time.sleep(3); "
        "runpy.run_module('tests.kubernetes.echo_service', run_name='__main__')",
    ],
}


@pytest.fixture
def cluster() -> Iterator[FakeApiServer]:
    server = FakeApiServer(token="token-main", images=IMAGES).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def other_cluster() -> Iterator[FakeApiServer]:
    server = FakeApiServer(token="token-other", images=IMAGES).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kubeconfig(tmp_path: Path, cluster: FakeApiServer) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", {"main": (cluster, "pipelines")}, "main")


@pytest.fixture
def options(kubeconfig: Path) -> KubernetesOptions:
    return KubernetesOptions(kubeconfig=str(kubeconfig), start_timeout=60)
