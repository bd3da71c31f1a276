"""The gRPC client of one service: schemas once, then validated calls.

``GrpcConnection`` is the ``ServiceConnection`` every runner hands to the engine. It owns one channel
to the service (gRPC channels multiplex concurrent calls, so the connection is shared by all tasks and
threads). Before the first call it learns the service's endpoint schemas, from ``Service.schemas``
when the compiler already knew them, else by asking the service's ``init``. Each call then:

1. looks the endpoint up: an endpoint the schemas do not list is called without validation (with one
   warning per endpoint), except on a built-in service, whose endpoints oi knows: there the task fails
   with a did-you-mean,
2. validates the arguments against ``arguments.json``,
3. sends them as JSON with a deadline and the run's token in the ``oi-service-token`` metadata,
4. turns ``Status=Error`` into ``CallFailed(error)`` and transport failures (service gone, deadline
   passed) into ``CallFailed(..., retryable=True)``,
5. decodes the payload and validates it against ``returns.json``.
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import grpc

from runtime.model import Service
from runtime.proto import service_pb2, service_pb2_grpc
from runtime.services.base import TOKEN_METADATA_KEY, CallFailed
from runtime.services.schemas import SchemaError, ServiceSchemas, ValidationFailed, parse_schema_map

# Reconnect quickly: the default first backoff is a full second, which would make every service start
# (and every reconnect after a service restarts) wait that long for nothing. Not set, on purpose:
# "grpc.min_reconnect_backoff_ms", which gRPC also uses as the time one connection attempt may take
# (default 20 s); made small, a handshake that is merely slow (a port-forward to a pod, a loaded
# machine) times out "before receiving SETTINGS frame" on every attempt and never connects.
CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 20),
    ("grpc.max_reconnect_backoff_ms", 500),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
)

# For a service that is starting on this machine: a refused loopback connection costs next to
# nothing, so retry it as often as gRPC allows (it waits at least 100 ms between attempts, whatever is
# asked for) instead of backing off up to 500 ms: a service that takes a second to start is then seen
# within 100 ms rather than up to 500 ms late.
LOOPBACK_CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 10),
    ("grpc.max_reconnect_backoff_ms", 25),
    *(option for option in CHANNEL_OPTIONS if "reconnect" not in option[0]),
)

# Transport failures worth retrying: the service is (maybe briefly) unreachable, or it took too long.
_RETRYABLE_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)

logger = logging.getLogger("oi.services")

# ``json.dumps`` with options builds a new encoder on every call; this one is made once.
_encode_arguments = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


class GrpcConnection:
    """A connection to the service ``service.alias`` listening at ``address`` (``host:port``).

    ``token`` is the run's service token sent with every request ("" = send none). ``init_timeout``
    bounds the ``init`` call when the schemas have to be asked for. ``channel_options``: gRPC channel
    arguments (``CHANNEL_OPTIONS``, or ``LOOPBACK_CHANNEL_OPTIONS`` for a service on this machine).
    ``warn`` receives the connection's warnings (the engine's log; default: the ``oi.services``
    logger)."""

    def __init__(
        self,
        service: Service,
        address: str,
        *,
        token: str = "",
        init_timeout: float = 30.0,
        channel_options: tuple[tuple[str, int], ...] = CHANNEL_OPTIONS,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.alias = service.alias
        self.service = service
        self.address = address
        self.channel = grpc.insecure_channel(address, options=channel_options)
        self._stub = service_pb2_grpc.ServiceStub(self.channel)
        self._metadata: tuple[tuple[str, str], ...] = ((TOKEN_METADATA_KEY, token),) if token else ()
        self._init_timeout = init_timeout
        self._schemas: ServiceSchemas | None = None
        self._lock = threading.Lock()
        self._warn = warn if warn is not None else logger.warning
        self._unvalidated: set[str] = set()
        if service.schemas is not None:
            # Schemas a pipeline carries were checked against their metaschemas by `oic check`: not
            # checking them again here keeps jsonschema's import off the run's start (it loads when a
            # value needs it).
            self._schemas = self._parse(service.schemas, "the given schemas", check_now=False)

    # -- schemas -------------------------------------------------------------------------------------

    def initialize(self, timeout: float | None = None) -> ServiceSchemas:
        """Learn the endpoint schemas (once; later calls return them). Raises ``CallFailed``."""
        with self._lock:
            if self._schemas is None:
                self._schemas = self._ask_schemas(self._init_timeout if timeout is None else timeout)
            return self._schemas

    def _ask_schemas(self, timeout: float) -> ServiceSchemas:
        try:
            response = self._stub.init(service_pb2.InitRequest(), timeout=timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            raise self._transport_error("init", error) from None
        schemas = self._parse(dict(response.jsonSchemas), "its init answer")
        if not schemas.typed:
            self._warn(f"service {self.alias!r} sent no endpoint schemas: its calls are not validated")
        return schemas

    def _parse(self, schema_map: Mapping[str, str], origin: str, check_now: bool = True) -> ServiceSchemas:
        try:
            return parse_schema_map(schema_map, check_now=check_now)
        except SchemaError as error:
            raise CallFailed(f"service {self.alias!r} has an invalid schema in {origin}: {error}") from None

    def has_schemas(self) -> bool:
        return self.initialize().typed

    def arguments_schema(self, endpoint: str) -> Mapping[str, Any] | None:
        """The decoded ``arguments.json`` of ``endpoint`` (None when unknown), e.g. to find the
        fields to redact with ``schemas.secret_paths``."""
        endpoint_schemas = self.initialize().get(endpoint)
        if endpoint_schemas is None or endpoint_schemas.arguments is None:
            return None
        return endpoint_schemas.arguments.schema

    def endpoints(self) -> list[str]:
        """The endpoint names the schemas declare (empty for an untyped service)."""
        return self.initialize().names()

    # -- calls ---------------------------------------------------------------------------------------

    def call(self, endpoint: str, arguments: Mapping[str, Any], fd: str, timeout: float | None) -> Any:
        schemas = self.initialize()
        if not isinstance(arguments, dict):
            arguments = dict(arguments)  # the validators check for a dict, not any mapping
        endpoint_schemas = schemas.get(endpoint)
        if schemas.typed and endpoint_schemas is None:
            if self.service.builtin and not self.service.path:
                raise CallFailed(self._unknown_endpoint(endpoint, schemas.names()))
            self._note_unvalidated(endpoint)
        try:
            if endpoint_schemas is not None and endpoint_schemas.arguments is not None:
                endpoint_schemas.arguments.validate(arguments, "arguments")
            arguments_text = _encode_arguments(arguments)
        except ValidationFailed as error:
            raise CallFailed(str(error)) from None
        except (TypeError, ValueError) as error:
            raise CallFailed(f"arguments: cannot be encoded as JSON: {error}") from None

        request = service_pb2.CallRequest(endpoint=endpoint, arguments=arguments_text, fd=fd)
        try:
            response = self._stub.call(request, timeout=timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            raise self._transport_error(endpoint, error) from None
        if response.status == service_pb2.Error:
            raise CallFailed(response.error or f"{self.alias}.{endpoint} failed without a message")

        payload = self._decode_payload(endpoint, response.payload)
        if endpoint_schemas is not None and endpoint_schemas.returns is not None:
            try:
                endpoint_schemas.returns.validate(payload, "payload")
            except ValidationFailed as error:
                raise CallFailed(f"{error} (in the answer of {self.alias}.{endpoint})") from None
        return payload

    def _note_unvalidated(self, endpoint: str) -> None:
        with self._lock:
            if endpoint in self._unvalidated:
                return
            self._unvalidated.add(endpoint)
        self._warn(
            f"endpoint {endpoint!r} of service {self.alias!r} has no schema: its calls are not validated"
        )

    def _decode_payload(self, endpoint: str, text: str) -> Any:
        # Services of the original catalog answer "" for "nothing to return".
        if not text.strip():
            return {}
        try:
            return json.loads(text)
        except ValueError as error:
            raise CallFailed(
                f"payload: {self.alias}.{endpoint} answered text that is not JSON: {error}"
            ) from None

    def _unknown_endpoint(self, endpoint: str, known: list[str]) -> str:
        message = f"service {self.alias!r} has no endpoint {endpoint!r}"
        close = difflib.get_close_matches(endpoint, known, n=1)
        if close:
            return f"{message} (did you mean {close[0]!r}?)"
        return f"{message}; its endpoints: {', '.join(known)}"

    def _transport_error(self, what: str, error: grpc.RpcError) -> CallFailed:
        code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
        details = (error.details() if isinstance(error, grpc.Call) else None) or str(error)
        target = f"{self.alias}.{what}"
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return CallFailed(f"{target}: no answer before the deadline", retryable=True)
        if code == grpc.StatusCode.UNAVAILABLE:
            return CallFailed(
                f"{target}: service {self.alias!r} is unavailable at {self.address} ({details}); "
                f"its log is in the logs directory under services/",
                retryable=True,
            )
        if code == grpc.StatusCode.UNAUTHENTICATED:
            return CallFailed(f"{target}: the service refused the run's token ({details})")
        if code == grpc.StatusCode.UNIMPLEMENTED:
            return CallFailed(f"{target}: the service does not implement the v1 protocol ({details})")
        return CallFailed(f"{target}: {code.name.lower()}: {details}", retryable=code in _RETRYABLE_CODES)

    def close(self) -> None:
        self.channel.close()
