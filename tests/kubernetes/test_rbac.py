"""The Roles docs/kubernetes.md gives are enough, and no more than needed: the fake API server
enforces each, read from the page itself, while a run and a cleanup do their work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime.kubernetes import KubernetesError, KubernetesOptions, cleanup
from runtime.kubernetes.runner import KubernetesRunner
from runtime.model import Service
from runtime.services.base import RunContext
from tests.kubernetes.conftest import ECHO_IMAGE
from tests.kubernetes.fake_apiserver import FakeApiServer

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kubernetes.md"


def documented_role(name: str) -> list[dict[str, Any]]:
    """The rules of the Role called ``name`` in the YAML blocks of docs/kubernetes.md."""
    for block in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.DOTALL):
        for document in yaml.safe_load_all(block):
            if document and document.get("kind") == "Role" and document["metadata"]["name"] == name:
                return list(document["rules"])
    raise AssertionError(f"docs/kubernetes.md has no Role {name}")


def test_the_runner_role_grants_no_read_of_secrets() -> None:
    for rule in documented_role("oi-runner"):
        if "secrets" in rule["resources"]:
            assert not {"get", "list", "watch"} & set(rule["verbs"]), rule


def test_a_run_needs_nothing_beyond_the_runner_role(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    cluster.enforce_rules(documented_role("oi-runner"))
    runner = KubernetesRunner(options)
    try:
        connection = runner.start(
            [Service(alias="echo", image=ECHO_IMAGE)], RunContext("rbac-run", str(tmp_path), "tok")
        )["echo"]
        assert connection.call("echo", {"message": "hi"}, "", 10)["token_given"] is True
    finally:
        runner.stop()
    assert cluster.store.count() == 0
    assert "echo called with hi" in (tmp_path / "services" / "echo-rbac-run.log").read_text()
    # And the runner's Role cannot clean up: that takes the other Role.
    with pytest.raises(KubernetesError) as refused:
        cleanup(options, report=lambda line: None)
    assert "403" in str(refused.value) and "\n" not in str(refused.value)


def test_cleanup_needs_nothing_beyond_the_cleanup_role(
    tmp_path: Path, cluster: FakeApiServer, options: KubernetesOptions
) -> None:
    crashed = KubernetesRunner(options)
    crashed.start([Service(alias="echo", image=ECHO_IMAGE)], RunContext("crashed", str(tmp_path), "tok"))
    cluster.enforce_rules(documented_role("oi-cleanup"))
    try:
        assert cleanup(options, report=lambda line: None) == 3
        assert cluster.store.count() == 0
    finally:
        crashed.stop()  # closes its local forwards; the objects are gone already
