"""The runner against an API server that speaks TLS and authenticates clients by certificate, as a
kind or minikube cluster does: the kubeconfig's authority and client certificate are used for every
request, the watches and the port-forward websockets included."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from runtime.kubernetes import KubernetesOptions, cleanup
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.services.base import RunContext, ServiceStartError
from tests.kubernetes.certificates import Authority
from tests.kubernetes.conftest import ECHO_IMAGE, IMAGES
from tests.kubernetes.fake_apiserver import FakeApiServer
from tests.kubernetes.kubeconfig import write_kubeconfig


@pytest.fixture
def tls_cluster() -> Iterator[FakeApiServer]:
    server = FakeApiServer(token="unused", images=IMAGES, authority=Authority()).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_run_over_tls_with_a_client_certificate(tmp_path: Path, tls_cluster: FakeApiServer) -> None:
    assert tls_cluster.url.startswith("https://")
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"kind-oi": (tls_cluster, "pipelines")}, "kind-oi")
    options = KubernetesOptions(kubeconfig=str(kubeconfig), start_timeout=60)
    runner = KubernetesRunner(options)
    try:
        connection = runner.start(
            [Service(alias="echo", image=ECHO_IMAGE)], RunContext("tls-run", str(tmp_path), "tok")
        )["echo"]
        assert connection.call("echo", {"message": "secure"}, "", 10)["token_given"] is True
    finally:
        runner.stop()
    assert tls_cluster.requests  # every request went through TLS and the certificate was accepted
    assert tls_cluster.store.count() == 0
    assert cleanup(options, report=lambda line: None) == 0


def test_an_unknown_authority_is_a_one_line_error(tmp_path: Path, tls_cluster: FakeApiServer) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"kind-oi": (tls_cluster, "pipelines")}, "kind-oi")
    config = yaml.safe_load(kubeconfig.read_text())
    stranger = Authority("some other CA")
    config["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(
        stranger.certificate
    ).decode()
    kubeconfig.write_text(yaml.safe_dump(config))
    runner = KubernetesRunner(KubernetesOptions(kubeconfig=str(kubeconfig), start_timeout=20))
    with pytest.raises(ServiceStartError) as failure:
        runner.start([Service(alias="echo", image=ECHO_IMAGE)], RunContext("r", str(tmp_path), "t"))
    runner.stop()
    message = str(failure.value)
    assert "\n" not in message
    assert "the TLS connection to the API server failed" in message
    assert "CERTIFICATE_VERIFY_FAILED" in message or "certificate verify failed" in message
    assert tls_cluster.store.count() == 0
