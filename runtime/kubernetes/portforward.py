"""Reaching a pod from outside the cluster: a loopback listener whose connections are port-forwarded.

The client library's ``portforward`` opens one websocket to the API server per call and exposes the
forwarded port as a socket pair end. gRPC wants a ``host:port`` to dial, so ``PortForward`` listens on
127.0.0.1 (an ephemeral port) and, for every connection it accepts, opens a new forward to the pod and
pumps bytes both ways until either side closes. When the pod dies or the API server drops the
websocket, the local connection is closed with it, which gRPC reports as UNAVAILABLE: the call fails
as retryable, and the next call dials again through a fresh forward.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
from typing import Any

from kubernetes import client
from kubernetes.stream import portforward

from runtime.kubernetes.cluster import Cluster

logger = logging.getLogger("oi.kubernetes")
_CHUNK = 256 * 1024


class PortForward:
    """Forwards ``127.0.0.1:local_port`` to ``remote_port`` of pod ``pod_name``; ``close()`` stops it."""

    def __init__(self, cluster: Cluster, pod_name: str, remote_port: int) -> None:
        self._cluster = cluster
        self._pod_name = pod_name
        self._remote_port = remote_port
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.local_port: int = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._open: set[Any] = set()
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"oi port-forward {pod_name}", daemon=True
        )
        self._acceptor.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.local_port}"

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                local, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(
                target=self._serve, args=(local,), name="oi port-forward pump", daemon=True
            ).start()

    def _serve(self, local: socket.socket) -> None:
        forward: Any = None
        # The library's stream helpers swap the ``request`` method of the ApiClient they are given
        # while they open the websocket: on the run's shared client, a create or delete made by
        # another thread at that moment would go out as a websocket request and fail. So every
        # forwarded connection opens its websocket through an ApiClient of its own.
        own_client = client.ApiClient(self._cluster.api.api_client.configuration)
        try:
            forward = portforward(
                client.CoreV1Api(own_client).connect_get_namespaced_pod_portforward,
                self._pod_name,
                self._cluster.namespace,
                ports=str(self._remote_port),
            )
            remote = forward.socket(self._remote_port)
        except Exception as error:  # noqa: BLE001 - any failure just refuses this one connection
            logger.warning("port-forward to pod %s failed: %s", self._pod_name, error)
            local.close()
            own_client.close()
            return
        with self._lock:
            if self._closed.is_set():
                local.close()
                forward.close()
                return
            self._open.update((local, remote))
        try:
            _pump(local, remote)
        finally:
            with self._lock:
                self._open.discard(local)
                self._open.discard(remote)
            _close(local)
            _close(remote)
            forward.close()
            own_client.close()

    def close(self) -> None:
        self._closed.set()
        _close(self._listener)
        with self._lock:
            open_sockets = list(self._open)
            self._open.clear()
        for open_socket in open_sockets:
            _close(open_socket)
        self._acceptor.join(timeout=5)


def _pump(local: socket.socket, remote: Any) -> None:
    """Copy bytes both ways until one side closes or fails. When one side stops sending, the other
    is told (half-close) and the pump goes on until both have."""
    peers = {local.fileno(): remote, remote.fileno(): local}
    sources = {local.fileno(): local, remote.fileno(): remote}
    open_reads = set(sources)
    while open_reads:
        try:
            readable, _, _ = select.select(list(open_reads), [], [])
        except (OSError, ValueError):
            return
        for descriptor in readable:
            try:
                data = sources[descriptor].recv(_CHUNK)
            except OSError:
                return
            if not data:
                open_reads.discard(descriptor)
                try:
                    peers[descriptor].shutdown(socket.SHUT_WR)
                except OSError:
                    return
                continue
            try:
                peers[descriptor].sendall(data)
            except OSError:
                return


def _close(open_socket: Any) -> None:
    try:
        open_socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        open_socket.close()
    except OSError:
        pass
