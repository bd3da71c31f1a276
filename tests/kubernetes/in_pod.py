"""Running a process as if it ran in a pod of the fake cluster: the pod's service account mounted where
``load_incluster_config`` reads it, and the cluster's DNS names (``fake_network``) in its ``/etc/hosts``.

The process runs in a user and mount namespace of its own (``unshare``), where those two paths are bind
mounts: nothing outside it sees them, and it sees everything else (files, loopback network) as the test
does. The ``KUBERNETES_SERVICE_HOST``/``_PORT`` variables a pod gets point it at the fake API server.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.kubernetes.fake_apiserver import FakeApiServer

ACCOUNT = "/run/secrets/kubernetes.io/serviceaccount"  # /var/run is /run
_SCRIPT = f"""set -e
mount --bind "$1" /etc/hosts
mount -t tmpfs tmpfs /run
mkdir -p {ACCOUNT}
mount --bind "$2" {ACCOUNT}
shift 2
exec "$@"
"""


def namespaces_work() -> bool:
    """Whether this system lets an unprivileged process make the namespaces (and mounts) it needs."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /run"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


def service_account(directory: Path, server: FakeApiServer, namespace: str) -> Path:
    """The files a pod's service account mount holds: its token, the cluster's CA, its namespace."""
    assert server.authority is not None, "an in-cluster client speaks HTTPS"
    directory.mkdir()
    (directory / "token").write_text(server.token)
    (directory / "ca.crt").write_bytes(server.authority.certificate)
    (directory / "namespace").write_text(namespace)
    return directory


def in_pod(command: Sequence[str], server: FakeApiServer, account: Path) -> list[str]:
    """``command`` run in the pod's namespaces (see the module's docs)."""
    assert server.network is not None, "the server needs a hosts_path for its cluster DNS"
    hosts = str(server.network.hosts_path)
    return [
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        _SCRIPT,
        "in-pod",
        hosts,
        str(account),
        *command,
    ]


def pod_environment(server: FakeApiServer) -> dict[str, str]:
    """The variables the kubelet gives every pod about the API server."""
    port = server.url.rsplit(":", 1)[1]
    return {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port}
