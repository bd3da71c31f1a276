"""The pipeline binary's Kubernetes flags and variables reach the runner: the image registry and
pattern name the pods' images, the start timeout bounds the start, the run's timeout covers it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from runtime import program
from runtime.conditions import engine_started
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
from runtime.program import ProgramSpec
from tests.kubernetes.conftest import ECHO_IMAGE, NEVER_READY_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer


def spec_with(service: Service) -> ProgramSpec:
    def build(params: Mapping[str, Any]) -> Pipeline:
        task = Task(TaskMetadata(name="hello"), TaskSpec(service.alias, "echo", (Argument("message", "hi"),)))
        return Pipeline(
            PipelineMetadata(name="flags"),
            PipelineSpec(
                services=(service,), reactions=(EventReaction(engine_started, lambda e, s: [task]),)
            ),
        )

    return ProgramSpec(
        name="flags",
        params=(),
        build=build,
        source_path="flags.oi",
        source_sha256="0" * 64,
        compiler_version="0.1.0",
        os="",
        arch="",
        parallelism=None,
        timeout=None,
    )


def run_binary(spec: ProgramSpec, tmp_path: Path, argv: list[str], environ: Mapping[str, str] = {}) -> int:
    return program.run(spec, ["--logs-dir", str(tmp_path), "--quiet", *argv], dict(environ))


def test_the_image_registry_and_pattern_flags_name_the_catalog_images(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    cluster.kubelet.images["mirror.test/oi/echo-svc:1.0"] = cluster.kubelet.images[ECHO_IMAGE]
    spec = spec_with(Service(alias="talk", name="echo", version="1.0"))
    status = run_binary(
        spec,
        tmp_path,
        [
            "--kubeconfig", str(kubeconfig),
            "--kube-image-registry", "mirror.test/oi",
            "--kube-image-pattern", "{registry}/{name}-svc:{version}",
        ],
    )  # fmt: skip
    assert status == 0
    (pod,) = cluster.kubelet.created_pods
    assert pod["spec"]["containers"][0]["image"] == "mirror.test/oi/echo-svc:1.0"
    assert cluster.store.count() == 0


def test_the_image_variables_are_used_when_the_flags_are_not_given(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path
) -> None:
    cluster.kubelet.images["env.test/echo:1.0"] = cluster.kubelet.images[ECHO_IMAGE]
    cluster.kubelet.images["flag.test/echo:1.0"] = cluster.kubelet.images[ECHO_IMAGE]
    spec = spec_with(Service(alias="talk", name="echo", version="1.0"))
    environ = {program.KUBE_IMAGE_REGISTRY_ENV: "env.test"}
    assert run_binary(spec, tmp_path, ["--kubeconfig", str(kubeconfig)], environ) == 0
    assert (
        run_binary(
            spec, tmp_path, ["--kubeconfig", str(kubeconfig), "--kube-image-registry", "flag.test"], environ
        )
        == 0
    )
    images = [pod["spec"]["containers"][0]["image"] for pod in cluster.kubelet.created_pods]
    assert images == ["env.test/echo:1.0", "flag.test/echo:1.0"]  # the flag wins over the variable


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_the_start_timeout_flag_and_variable_bound_the_start(
    tmp_path: Path,
    cluster: FakeApiServer,
    kubeconfig: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    spec = spec_with(Service(alias="slow", image=NEVER_READY_IMAGE))
    argv = ["--kubeconfig", str(kubeconfig)]
    environ: dict[str, str] = {}
    if how == "flag":
        argv += ["--kube-start-timeout", "2s"]
    else:
        environ[program.KUBE_START_TIMEOUT_ENV] = "2s"
    began = time.monotonic()
    status = run_binary(spec, tmp_path, argv, environ)
    elapsed = time.monotonic() - began
    assert status == 3
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert "service 'slow' was not ready in time" in lines[0]
    assert elapsed < 60  # not the default 300 s
    assert cluster.store.count() == 0


def test_the_run_timeout_of_the_binary_covers_the_start(
    tmp_path: Path, cluster: FakeApiServer, kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = spec_with(Service(alias="slow", image=NEVER_READY_IMAGE))
    began = time.monotonic()
    status = run_binary(spec, tmp_path, ["--kubeconfig", str(kubeconfig), "--timeout", "2s"])
    elapsed = time.monotonic() - began
    assert status == 4
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "timed-out: the run did not finish within its timeout of 2s" in lines[0], lines
    assert elapsed < 60
    assert cluster.store.count() == 0
