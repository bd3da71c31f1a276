"""Writes kubeconfig files that point the real ``kubernetes`` client at fake API servers."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.kubernetes.fake_apiserver import FakeApiServer


def write_kubeconfig(
    path: Path, contexts: Mapping[str, tuple[FakeApiServer, str]], current_context: str
) -> Path:
    """One cluster, user and context per entry of ``contexts`` (context name -> (server, namespace)).
    A server with a certificate authority is trusted through it, and its user presents a client
    certificate instead of a token."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": f"{name}-cluster", "cluster": _cluster(server)} for name, (server, _) in contexts.items()
        ],
        "users": [{"name": f"{name}-user", "user": _user(server)} for name, (server, _) in contexts.items()],
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


def _encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _cluster(server: FakeApiServer) -> dict[str, Any]:
    cluster: dict[str, Any] = {"server": server.url}
    if server.authority is not None:
        cluster["certificate-authority-data"] = _encoded(server.authority.certificate)
    return cluster


def _user(server: FakeApiServer) -> dict[str, Any]:
    if server.authority is None:
        return {"token": server.token}
    issued = server.authority.issue(server.client_name, server=False)
    return {"client-certificate-data": _encoded(issued.certificate), "client-key-data": _encoded(issued.key)}
