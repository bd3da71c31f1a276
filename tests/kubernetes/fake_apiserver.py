"""A fake Kubernetes API server on 127.0.0.1 that the real ``kubernetes`` client talks to.

It serves the core/v1 endpoints the runner uses, with the real request and response shapes: create,
get, list (label and field selectors), watch (chunked JSON lines, ``ADDED``/``MODIFIED``/``DELETED``)
and delete of pods, services and secrets; pod logs; events; and ``pods/NAME/portforward`` over a
websocket speaking ``v4.channel.k8s.io``. Requests must carry the server's bearer token, so a test can
tell which server a kubeconfig context reached. A ``FakeKubelet`` runs the pods as local processes.

Two misbehaviours a test can ask for: ``hang()`` makes the server accept every later request and
never answer it (as an overloaded or wedged API server does), and ``refuse_port_forward(code,
reason)`` answers port-forward requests with that error, as RBAC does for a user without
``pods/portforward``; ``refuse_forwards_at_node()`` lets them through and has the node refuse them on
the port's error channel. ``enforce_rules(rules)`` makes it authorize every request against the rules of
one RBAC Role (the request's verb on its resource or subresource), answering 403 as RBAC does.
``expire_watches(after)`` ends every watch after that many seconds, and answers a watch that resumes
from a version older than the newest change with a 410 Gone ``ERROR`` event, as an API server does
once etcd has compacted that version away.

Given an ``Authority``, the server speaks HTTPS (its certificate is for 127.0.0.1, issued by that
authority) and requires a client certificate from it: a client is then authenticated by its
certificate's common name (``client_name``) as well as by the bearer token; with
``require_client_certificate=False`` a client may present only the token, as a pod's service account
does. Given a ``hosts_path``, Services get cluster IPs that work and DNS names in that hosts file
(``fake_network``), for runs that play a pod in the cluster.
"""

from __future__ import annotations

import json
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.kubernetes import websocket
from tests.kubernetes.certificates import Authority
from tests.kubernetes.fake_kubelet import FakeKubelet
from tests.kubernetes.fake_network import FakeServiceNetwork
from tests.kubernetes.fake_store import KINDS, ApiError, Store

_PATH_PREFIX = "/api/v1/namespaces/"
PORT_FORWARD_PROTOCOL = "v4.channel.k8s.io"


class FakeApiServer:
    """Start with ``start()``, stop with ``stop()`` (kills the pods' processes too). ``url`` is what a
    kubeconfig's ``server`` points at; ``token`` what its user must present."""

    def __init__(
        self,
        token: str,
        images: Mapping[str, Sequence[str]] | None = None,
        authority: Authority | None = None,
        client_name: str = "oi-runner",
        require_client_certificate: bool = True,
        hosts_path: Path | None = None,
    ) -> None:
        self.token = token
        self.authority = authority
        self.client_name = client_name
        self.store = Store()
        self.kubelet = FakeKubelet(self.store, images)
        self.network = FakeServiceNetwork(self.store, self.kubelet, hosts_path) if hosts_path else None
        self.requests: list[tuple[str, str]] = []
        self._open_sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        self.hanging = threading.Event()
        self.released = threading.Event()  # set by stop(): hung requests end then
        self.port_forward_refusal: tuple[int, str] | None = None
        self.node_refusal: str | None = None
        self.rules: list[dict[str, Any]] | None = None  # None: everything is allowed
        self.watch_expiry: float | None = None
        self.gone_answers = 0  # watches answered 410 Gone
        server = self

        class Handler(_Handler):
            fake = server

        self._http = _QuietServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        if authority is not None:
            self._http.socket = _tls_context(authority, require_client_certificate).wrap_socket(
                self._http.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        scheme = "https" if self.authority is not None else "http"
        return f"{scheme}://{host!s}:{port}"

    def start(self) -> FakeApiServer:
        self._thread.start()
        return self

    def hang(self) -> None:
        """From now on, read every request and never answer it (until ``resume`` or ``stop``)."""
        self.released.clear()
        self.hanging.set()

    def outage(self) -> None:
        """An API server that goes away in the middle of a run: the port-forwards it carries break,
        and every later request is read and never answered (until ``resume``)."""
        self.hang()
        with self._sockets_lock:
            for open_socket in list(self._open_sockets):
                _close_quietly(open_socket)

    def resume(self) -> None:
        """Answer requests again; those that hung until now are dropped without an answer."""
        self.hanging.clear()
        self.released.set()

    def refuse_port_forward(self, code: int = 403, reason: str = "Forbidden") -> None:
        """Answer every port-forward request with ``code`` and a ``Status`` saying why."""
        self.port_forward_refusal = (code, reason)

    def refuse_forwards_at_node(self, reason: str = "connection refused") -> None:
        """Let every port-forward through the API server, and have the node refuse it: the error the
        kubelet sends on the port's error channel once the websocket is open (nothing listens on the
        port inside the pod, say)."""
        self.node_refusal = reason

    def expire_watches(self, after: float) -> None:
        """End watches after ``after`` seconds; resuming from an old version is then 410 Gone."""
        self.watch_expiry = after

    def enforce_rules(self, rules: list[dict[str, Any]]) -> None:
        """Authorize every later request against ``rules`` (a Role's ``rules``, core group only)."""
        self.rules = rules

    def allows(self, verb: str, resource: str) -> bool:
        if self.rules is None:
            return True
        return any(
            "" in rule.get("apiGroups", [])
            and (resource in rule.get("resources", []) or "*" in rule.get("resources", []))
            and (verb in rule.get("verbs", []) or "*" in rule.get("verbs", []))
            for rule in self.rules
        )

    def stop(self) -> None:
        self.released.set()
        self.store.close()
        self._http.shutdown()
        with self._sockets_lock:
            for open_socket in list(self._open_sockets):
                _close_quietly(open_socket)
        self._http.server_close()
        self.kubelet.stop()
        if self.network is not None:
            self.network.stop()
        self._thread.join()

    def track(self, open_socket: socket.socket, opened: bool) -> None:
        with self._sockets_lock:
            if opened:
                self._open_sockets.add(open_socket)
            else:
                self._open_sockets.discard(open_socket)


class _QuietServer(ThreadingHTTPServer):
    """A client that fails the TLS handshake (the point of some tests) is not the server's error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


def _tls_context(authority: Authority, require_client_certificate: bool) -> ssl.SSLContext:
    """Serve a certificate for 127.0.0.1 and ask for a client certificate, both from ``authority``
    (required, or optional for clients that present a bearer token, as a pod's service account does)."""
    issued = authority.issue("127.0.0.1", server=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as directory:
        certificate, key = Path(directory) / "server.crt", Path(directory) / "server.key"
        certificate.write_bytes(issued.certificate)
        key.write_bytes(issued.key)
        context.load_cert_chain(str(certificate), str(key))
    context.load_verify_locations(cadata=authority.certificate.decode())
    context.verify_mode = ssl.CERT_REQUIRED if require_client_certificate else ssl.CERT_OPTIONAL
    return context


def _close_quietly(open_socket: socket.socket) -> None:
    try:
        open_socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    open_socket.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeApiServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    # -- plumbing ----------------------------------------------------------------------------------

    def _send_json(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        # The scheme is case-insensitive (the client library's in-cluster loader sends "bearer").
        scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials == self.fake.token:
            return True
        if isinstance(self.connection, ssl.SSLSocket):
            subject = dict(item[0] for item in (self.connection.getpeercert() or {}).get("subject", ()))
            if subject.get("commonName") == self.fake.client_name:
                return True
        self._send_json(401, ApiError(401, "Unauthorized", "Unauthorized").status())
        return False

    def _route(self) -> tuple[str, str, str, str, dict[str, str]]:
        """-> (namespace, resource, name, subresource, query) or raises 404."""
        parsed = urlparse(self.path)
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        if not parsed.path.startswith(_PATH_PREFIX):
            raise ApiError(404, "NotFound", f"the server could not find the requested resource {parsed.path}")
        parts = parsed.path[len(_PATH_PREFIX) :].split("/")
        if len(parts) < 2 or parts[1] not in KINDS or len(parts) > 4:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource {parsed.path}")
        namespace, resource = parts[0], parts[1]
        name = parts[2] if len(parts) > 2 else ""
        subresource = parts[3] if len(parts) > 3 else ""
        return namespace, resource, name, subresource, query

    def _handle(self, method: str) -> None:
        if self.fake.hanging.is_set():
            self.fake.released.wait()
            self.close_connection = True
            return
        if not self._authorized():
            return
        self.fake.requests.append((method, self.path))
        try:
            namespace, resource, name, subresource, query = self._route()
            self._authorize(method, namespace, resource, name, subresource, query)
            store = self.fake.store
            if method == "POST" and not name:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                self._send_json(201, store.create(resource, namespace, body))
            elif method == "GET" and not name and query.get("watch") in ("true", "1"):
                self._watch(resource, namespace, query)
            elif method == "GET" and not name:
                items, version = store.list_objects(
                    resource, namespace, query.get("labelSelector"), query.get("fieldSelector")
                )
                self._send_json(
                    200,
                    {
                        "kind": KINDS[resource] + "List",
                        "apiVersion": "v1",
                        "metadata": {"resourceVersion": str(version)},
                        "items": items,
                    },
                )
            elif method == "GET" and subresource == "log" and resource == "pods":
                store.get(resource, namespace, name)
                text = self.fake.kubelet.log(namespace, name)
                if query.get("tailLines"):
                    text = "".join(text.splitlines(keepends=True)[-int(query["tailLines"]) :])
                self._send_text(text)
            elif method == "GET" and subresource == "portforward" and resource == "pods":
                self._port_forward(namespace, name, query)
            elif method == "GET" and not subresource:
                self._send_json(200, store.get(resource, namespace, name))
            elif method == "DELETE" and not subresource:
                deleted = store.delete(resource, namespace, name)
                if resource in ("pods", "services"):
                    self._send_json(200, deleted)
                else:
                    self._send_json(
                        200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
                    )
            else:
                raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on {self.path}")
        except ApiError as error:
            self._send_json(error.code, error.status())

    def _authorize(
        self, method: str, namespace: str, resource: str, name: str, subresource: str, query: dict[str, str]
    ) -> None:
        """Raise the 403 RBAC answers when the Role does not allow this request."""
        if method == "POST":
            verbs = ["create"]
        elif method == "DELETE":
            verbs = ["delete"]
        elif subresource == "portforward":
            # A websocket upgrade is a GET; API servers since 1.35 also require create on it.
            verbs = ["get", "create"]
        elif name:
            verbs = ["get"]
        else:
            verbs = ["watch" if query.get("watch") in ("true", "1") else "list"]
        target = f"{resource}/{subresource}" if subresource else resource
        for verb in verbs:
            if not self.fake.allows(verb, target):
                subject = f'{resource} "{name}"' if name else resource
                raise ApiError(
                    403,
                    "Forbidden",
                    f'{subject} is forbidden: User "system:serviceaccount:{namespace}:oi-runner" cannot '
                    f'{verb} resource "{target}" in API group "" in the namespace "{namespace}"',
                )

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    # -- watch -------------------------------------------------------------------------------------

    def _watch(self, resource: str, namespace: str, query: dict[str, str]) -> None:
        since = query.get("resourceVersion")
        timeout = float(query.get("timeoutSeconds") or 1800)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.fake.watch_expiry is not None:
            timeout = min(timeout, self.fake.watch_expiry)
            newest = self.fake.store.list_objects(resource, namespace, None, None)[1]
            if since not in (None, "", "0") and int(since) < newest:
                self.fake.gone_answers += 1
                gone = ApiError(410, "Expired", f"too old resource version: {since} ({newest})").status()
                line = json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(line), line))
                self.wfile.flush()
                return
        changes = self.fake.store.watch(
            resource,
            namespace,
            query.get("labelSelector"),
            query.get("fieldSelector"),
            int(since) if since not in (None, "", "0") else None,
            time.monotonic() + timeout,
            time.monotonic,
        )
        try:
            for kind, obj in changes:
                line = json.dumps({"type": kind, "object": obj}).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    # -- port-forward ------------------------------------------------------------------------------

    def _port_forward(self, namespace: str, name: str, query: dict[str, str]) -> None:
        if self.fake.port_forward_refusal is not None:
            code, reason = self.fake.port_forward_refusal
            # What the API server's RBAC answers, before any websocket upgrade.
            raise ApiError(
                code,
                reason,
                f'pods "{name}" is forbidden: User "system:serviceaccount:{namespace}:runner" cannot '
                f'create resource "pods/portforward" in API group "" in the namespace "{namespace}"',
            )
        self.fake.store.get("pods", namespace, name)
        offered = [item.strip() for item in self.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        if self.headers.get("Upgrade", "").lower() != "websocket" or PORT_FORWARD_PROTOCOL not in offered:
            raise ApiError(400, "BadRequest", "port-forward needs a websocket with v4.channel.k8s.io")
        ports = [int(port) for port in query.get("ports", "").split(",") if port]
        if len(ports) != 1:
            raise ApiError(400, "BadRequest", "the fake forwards exactly one port per connection")
        remote_port = ports[0]
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", websocket.accept_key(self.headers["Sec-WebSocket-Key"]))
        self.send_header("Sec-WebSocket-Protocol", PORT_FORWARD_PROTOCOL)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        client = self.connection
        port_bytes = bytes([remote_port & 0xFF, remote_port >> 8])
        send_lock = threading.Lock()

        def send(payload: bytes, opcode: int = websocket.OPCODE_BINARY) -> bool:
            try:
                with send_lock:
                    client.sendall(websocket.encode_frame(opcode, payload))
                return True
            except OSError:
                return False

        # The first frame of each channel names the port (2 bytes, little endian).
        send(b"\x00" + port_bytes)
        send(b"\x01" + port_bytes)
        try:
            if self.fake.node_refusal is not None:
                raise OSError(
                    f"failed to connect to localhost:{remote_port} inside namespace of pod {name}: "
                    f"{self.fake.node_refusal}"
                )
            local_port = self.fake.kubelet.local_port(namespace, name, remote_port)
            pod_socket = socket.create_connection(("127.0.0.1", local_port), timeout=5)
            pod_socket.settimeout(None)
        except (ApiError, OSError) as error:
            send(b"\x01" + f"error forwarding port {remote_port} to pod {name}: {error}".encode())
            send(b"\x03\xe8", websocket.OPCODE_CLOSE)
            return
        self.fake.track(client, True)
        self.fake.track(pod_socket, True)

        def pod_to_client() -> None:
            while True:
                try:
                    data = pod_socket.recv(65536)
                except OSError:
                    data = b""
                if not data or not send(b"\x00" + data):
                    break
            send(b"\x03\xe8", websocket.OPCODE_CLOSE)
            _close_quietly(client)

        pump = threading.Thread(target=pod_to_client, daemon=True)
        pump.start()
        reader = websocket.FrameReader(self.rfile)
        while True:
            frame = reader.read()
            if frame is None or frame[0] == websocket.OPCODE_CLOSE:
                break
            opcode, payload = frame
            if opcode == websocket.OPCODE_PING:
                send(payload, websocket.OPCODE_PONG)
            elif opcode == websocket.OPCODE_BINARY and payload[:1] == b"\x00" and len(payload) > 1:
                try:
                    pod_socket.sendall(payload[1:])
                except OSError:
                    break
        _close_quietly(pod_socket)
        pump.join()
        self.fake.track(client, False)
        self.fake.track(pod_socket, False)
