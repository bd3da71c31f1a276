"""Writes kubeconfig files that point the real ``kubernetes`` client at fake API servers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from tests.kubernetes.fake_apiserver import FakeApiServer


def write_kubeconfig(
    path: Path, contexts: Mapping[str, tuple[FakeApiServer, str]], current_context: str
) -> Path:
    """One cluster, user and context per entry of ``contexts`` (context name -> (server, namespace))."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": f"{name}-cluster", "cluster": {"server": server.url}}
            for name, (server, _) in contexts.items()
        ],
        "users": [
            {"name": f"{name}-user", "user": {"token": server.token}}
            for name, (server, _) in contexts.items()
        ],
        "contexts": [
            {
                "name": name,
                "context": {"cluster": f"{name}-cluster", "user": f"{name}-user", "namespace": namespace},
            }
            for name, (_, namespace) in contexts.items()
        ],
        "current-context": current_context,
    }
    path.write_text(yaml.safe_dump(config))
    return path
