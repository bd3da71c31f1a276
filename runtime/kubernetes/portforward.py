"""Reaching a pod from outside the cluster: a loopback listener whose connections are port-forwarded.

The client library's ``portforward`` opens one websocket to the API server per call and exposes the
forwarded port as a socket pair end. gRPC wants a ``host:port`` to dial, so ``PortForward`` listens on
127.0.0.1 (an ephemeral port) and, for every connection it accepts, opens a new forward to the pod and
pumps bytes both ways until either side closes. When the pod dies or the API server drops the
websocket, the local connection is closed with it, which gRPC reports as UNAVAILABLE: the call fails
as retryable, and the next call dials again through a fresh forward.

A forward the API server refuses (RBAC without ``pods/portforward``, a pod that is gone) is refused
before any byte flows: the upgrade to a websocket is answered with an error status instead.
A refusal by the node (nothing listens on the port in the pod) comes later, on the port's error
channel. ``probe()`` opens one forward at once and waits for the pod's answer to an HTTP/2 preface
or for that refusal, so that the start fails with one line saying why rather than the first call;
a refusal met later is kept in ``failure`` and handed to ``warn`` in one line.
"""

from __future__ import annotations

import json
import logging
import re
import select
import socket
import threading
from collections.abc import Callable
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import portforward

from runtime.kubernetes.cluster import Cluster, KubernetesError, describe_api_error

logger = logging.getLogger("oi.kubernetes")
_CHUNK = 256 * 1024
# How long closing a probe's forward waits for the library to close its end.
_FINISH_TIMEOUT = 5.0
# How long opening a forward may take: the library opens the websocket without a deadline, so an API
# server that accepts connections and never answers would hold the connection (and the gRPC call
# waiting on it) for ever.
OPEN_TIMEOUT = 10.0


# How websocket-client words a refused upgrade, which the client library passes on as the reason
# of an ``ApiException`` with status 0: "Handshake status 403 Forbidden -+-+- {headers} -+-+- body".
_REFUSED_UPGRADE = re.compile(r"Handshake status (\d+) (.*?) -\+-\+- .*? -\+-\+- (.*)", re.DOTALL)


def describe_forward_error(error: BaseException) -> str:
    """One line saying why a port-forward could not be opened, with the API server's own message
    (its ``Status``) and a hint for a refusal."""
    if isinstance(error, ApiException) and not error.status:
        refused = _REFUSED_UPGRADE.match(str(error.reason or ""))
        if refused is not None:
            code, reason, body = int(refused.group(1)), refused.group(2).strip(), refused.group(3)
            message = _status_message(body)
            text = f"the API server answered {code} {reason}" + (f": {message}" if message else "")
            if code in (401, 403):
                text += "; check the credentials and the RBAC Role (pods/portforward) in docs/kubernetes.md"
            return text
    if isinstance(error, ApiException | OSError):
        return describe_api_error(error)  # type: ignore[arg-type]
    return " ".join(str(error).split()) or type(error).__name__


def _status_message(body: str) -> str:
    """The ``message`` of the JSON ``Status`` in ``body`` (which may be the repr of bytes)."""
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        return ""
    text = body[start : end + 1]
    for candidate in (text, text.encode().decode("unicode_escape", errors="replace")):
        try:
            status = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(status, dict):
            return " ".join(str(status.get("message") or "").split())
    return ""


# The client library pumps each forward in a thread of its own ("Kubernetes port forward proxy: PORT")
# that lets a reset of its socket pair escape as an exception: when the run closes a forward whose pod
# had just sent something (a stop in the middle of a call, say), Python would print that thread's
# traceback on the user's terminal. Such an ending is expected, so it goes to the debug log instead;
# every other thread's exception still reaches the hook that was there before.
_PROXY_THREAD_PREFIX = "Kubernetes port forward proxy"
_previous_excepthook = threading.excepthook


def _quiet_proxy_resets(args: Any) -> None:
    thread = args.thread
    if (
        thread is not None
        and thread.name.startswith(_PROXY_THREAD_PREFIX)
        and args.exc_type is not None
        and issubclass(args.exc_type, OSError)
    ):
        logger.debug("%s ended: %s", thread.name, args.exc_value)
        return
    _previous_excepthook(args)


threading.excepthook = _quiet_proxy_resets


class PortForward:
    """Forwards ``127.0.0.1:local_port`` to ``remote_port`` of pod ``pod_name``; ``close()`` stops it.
    ``warn`` receives a line for each forward that fails once the start is over; ``failure`` is the
    last such reason (None while every forward worked)."""

    def __init__(
        self,
        cluster: Cluster,
        pod_name: str,
        remote_port: int,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self._cluster = cluster
        self._pod_name = pod_name
        self._remote_port = remote_port
        self._warn = warn or logger.warning
        self.failure: str | None = None
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

    @property
    def pod(self) -> str:
        return f"{self._cluster.namespace}/{self._pod_name}"

    def _open_forward(self) -> tuple[Any, Any, client.ApiClient]:
        """A new forward to the pod: (the library's forward, its socket for the port, the client it
        went through). Raises ``KubernetesError`` with one line when it cannot be opened."""
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
        except Exception as error:  # noqa: BLE001 - whatever the library raised, said in one line
            own_client.close()
            raise KubernetesError(describe_forward_error(error)) from None
        return forward, remote, own_client

    def _open_within(self, timeout: float) -> tuple[Any, Any, client.ApiClient]:
        """``_open_forward`` with a deadline: the opening goes on in a thread of its own, and when it
        takes longer than ``timeout`` it is abandoned (and closed by that thread if it ever opens)."""
        outcome: dict[str, Any] = {}
        lock = threading.Lock()
        settled = threading.Event()

        def attempt() -> None:
            try:
                opened: Any = self._open_forward()
            except KubernetesError as error:
                opened = error
            with lock:
                abandoned = "abandoned" in outcome
                outcome["result"] = opened
            settled.set()
            if abandoned and not isinstance(opened, KubernetesError):
                forward, remote, own_client = opened
                _close(remote)
                forward.close()
                own_client.close()

        threading.Thread(target=attempt, name=f"oi port-forward open {self._pod_name}", daemon=True).start()
        settled.wait(timeout)
        with lock:
            if "result" not in outcome:
                outcome["abandoned"] = True
                raise KubernetesError(f"the API server did not open the forward within {timeout:g}s")
        result = outcome["result"]
        if isinstance(result, KubernetesError):
            raise result
        return result  # type: ignore[no-any-return]

    def probe(self, timeout: float = OPEN_TIMEOUT) -> None:
        """Open one forward and close it again: raises ``KubernetesError`` (one line, naming the pod
        and the reason) when the API server refuses to forward to the pod or does not answer within
        ``timeout`` seconds."""
        try:
            forward, remote, own_client = self._open_within(timeout)
        except KubernetesError as error:
            self.failure = str(error)
            raise KubernetesError(f"cannot port-forward to pod {self.pod}: {error}") from None
        # A refusal by the node (rather than the API server) comes on the port's error channel, in
        # its own time: the probe waits for the pod's first answer, or for that refusal, before it
        # hangs up (the client library drops a forward at once when its socket is closed, and would
        # drop a refusal still on its way with it).
        _await_first_answer(remote, timeout)
        _finish(remote)
        refusal = forward.error(self._remote_port)
        forward.close()
        own_client.close()
        if refusal:
            self.failure = " ".join(str(refusal).split())
            raise KubernetesError(f"cannot port-forward to pod {self.pod}: {self.failure}")

    def _serve(self, local: socket.socket) -> None:
        try:
            forward, remote, own_client = self._open_within(OPEN_TIMEOUT)
        except KubernetesError as error:  # refuses this one connection: the call fails, retryable
            self.failure = str(error)
            self._warn(f"port-forward to pod {self.pod} failed: {error}")
            local.close()
            return
        with self._lock:
            if self._closed.is_set():
                local.close()
                forward.close()
                own_client.close()
                return
            self._open.update((local, remote))
        try:
            _pump(local, remote)
            # The node's side of a refusal (nothing listens on the port in the pod, say) comes on
            # the port's error channel once the websocket is open.
            refusal = forward.error(self._remote_port)
            if refusal and not self._closed.is_set():
                self.failure = " ".join(str(refusal).split())
                self._warn(f"port-forward to pod {self.pod} failed: {self.failure}")
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


# What an HTTP/2 client sends first: the connection preface and an empty SETTINGS frame. A gRPC
# server answers it with its own SETTINGS at once; the services are all gRPC.
_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def _await_first_answer(remote: Any, timeout: float) -> None:
    """Say hello to the pod through a new forward, and wait (at most ``timeout`` seconds) until
    something comes back: the pod's answer, or the end of the forward after a refusal."""
    try:
        remote.sendall(_HTTP2_PREFACE)
        select.select([remote], [], [], timeout)
    except (OSError, ValueError):
        pass


def _finish(remote: Any) -> None:
    """Close a forward's socket without resetting it: say we are done, then read what the pod sent
    until the library's end closes. Closing with unread data would reset the connection, and the
    library's proxy thread would print the error as a traceback."""
    try:
        remote.shutdown(socket.SHUT_WR)
        remote.settimeout(_FINISH_TIMEOUT)
        while remote.recv(_CHUNK):
            pass
    except OSError:
        pass
    _close(remote)


def _close(open_socket: Any) -> None:
    try:
        open_socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        open_socket.close()
    except OSError:
        pass
