"""The fake cluster's Service network: a cluster IP per Service, kube-proxy, and cluster DNS.

A run in a cluster reaches each service through its Service's DNS name
(``<name>.<namespace>.svc:<port>``), not through a port-forward. To play that path for real:

- each Service gets a cluster IP of its own on the loopback network (``127.A.B.N``: every 127/8
  address is the host's own, and ``A.B`` is random per network, so that networks of tests running at
  once do not meet), and a proxy listens on that IP at each of the Service's ports. Like kube-proxy, it
  sends each connection to a Ready pod the Service's selector matches (to the local port the fake
  kubelet gave the pod's ``targetPort``); without one, the connection is closed at once;
- the Service's DNS names (``NAME.NS.svc`` and ``NAME.NS.svc.cluster.local``) are written, with that
  IP, to a hosts file (``hosts_path``), rewritten in place as Services come and go. A process that
  plays a pod in the cluster sees that file as its ``/etc/hosts`` (a bind mount in a mount namespace
  of its own: ``tests/kubernetes/in_pod.py``), so its resolver, gRPC's included, finds the names as
  cluster DNS would.
"""

from __future__ import annotations

import random
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.kubernetes.fake_kubelet import FakeKubelet
from tests.kubernetes.fake_store import ApiError, Store

BASE_HOSTS = "127.0.0.1 localhost\n::1 localhost\n"


@dataclass
class _Proxy:
    """The listening sockets of one Service, and the connections they carry."""

    cluster_ip: str
    names: tuple[str, ...]
    listeners: list[socket.socket] = field(default_factory=list)
    connections: list[socket.socket] = field(default_factory=list)


class FakeServiceNetwork:
    """Cluster IPs, proxies and DNS names for the Services of ``store``; ``stop()`` closes them all.
    ``connections`` counts the connections proxied to a pod."""

    def __init__(self, store: Store, kubelet: FakeKubelet, hosts_path: Path) -> None:
        self._store = store
        self._kubelet = kubelet
        self.hosts_path = hosts_path
        self._prefix = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}."
        self._next_host = 1
        self._proxies: dict[tuple[str, str], _Proxy] = {}
        self._lock = threading.Lock()
        self.connections = 0
        store.allocate_cluster_ip = self._allocate
        store.on_created.append(self._on_created)
        store.on_deleted.append(self._on_deleted)
        self._write_hosts()

    def _allocate(self) -> str:
        with self._lock:
            host, self._next_host = self._next_host, self._next_host + 1
        return f"{self._prefix}{host}"

    # -- Services come and go ----------------------------------------------------------------------

    def _on_created(self, resource: str, obj: dict[str, Any]) -> None:
        if resource != "services":
            return
        metadata, spec = obj["metadata"], obj.get("spec") or {}
        name, namespace = metadata["name"], metadata["namespace"]
        proxy = _Proxy(
            spec["clusterIP"], (f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.cluster.local")
        )
        for port in spec.get("ports") or []:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((proxy.cluster_ip, int(port["port"])))
            listener.listen(16)
            proxy.listeners.append(listener)
            target = int(port.get("targetPort") or port["port"])
            threading.Thread(
                target=self._accept,
                args=(listener, proxy, namespace, dict(spec.get("selector") or {}), target),
                daemon=True,
            ).start()
        with self._lock:
            self._proxies[(namespace, name)] = proxy
        self._write_hosts()

    def _on_deleted(self, resource: str, obj: dict[str, Any]) -> None:
        if resource != "services":
            return
        with self._lock:
            proxy = self._proxies.pop((obj["metadata"]["namespace"], obj["metadata"]["name"]), None)
        if proxy is not None:
            _close(proxy)
        self._write_hosts()

    def stop(self) -> None:
        with self._lock:
            proxies = list(self._proxies.values())
            self._proxies.clear()
        for proxy in proxies:
            _close(proxy)

    def _write_hosts(self) -> None:
        with self._lock:
            lines = [f"{proxy.cluster_ip} {' '.join(proxy.names)}\n" for proxy in self._proxies.values()]
        # In place (never replaced): a bind mount of the file keeps pointing at this inode.
        with open(self.hosts_path, "w", encoding="ascii") as hosts:
            hosts.write(BASE_HOSTS + "".join(lines))

    # -- kube-proxy --------------------------------------------------------------------------------

    def _accept(
        self, listener: socket.socket, proxy: _Proxy, namespace: str, selector: dict[str, str], target: int
    ) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the Service was deleted
            backend = self._connect_to_a_ready_pod(namespace, selector, target)
            if backend is None:
                client.close()  # no endpoint: refused, as kube-proxy rejects it
                continue
            with self._lock:
                self.connections += 1
                proxy.connections.extend((client, backend))
            for source, sink in ((client, backend), (backend, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def _connect_to_a_ready_pod(
        self, namespace: str, selector: dict[str, str], target: int
    ) -> socket.socket | None:
        chosen = ",".join(f"{key}={value}" for key, value in selector.items())
        pods, _ = self._store.list_objects("pods", namespace, chosen, None)
        for pod in pods:
            conditions = (pod.get("status") or {}).get("conditions") or []
            if not any(item["type"] == "Ready" and item["status"] == "True" for item in conditions):
                continue
            try:
                port = self._kubelet.local_port(namespace, pod["metadata"]["name"], target)
                return socket.create_connection(("127.0.0.1", port), timeout=5)
            except (ApiError, OSError):
                continue
        return None


def _pump(source: socket.socket, sink: socket.socket) -> None:
    while True:
        try:
            data = source.recv(65536)
        except OSError:
            data = b""
        if not data:
            break
        try:
            sink.sendall(data)
        except OSError:
            break
    for end in (source, sink):
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _close(proxy: _Proxy) -> None:
    for open_socket in proxy.listeners + proxy.connections:
        try:
            open_socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        open_socket.close()
