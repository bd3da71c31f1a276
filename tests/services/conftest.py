"""Import oi's gRPC layer before any test module imports grpc, as a pipeline binary does: gRPC's fork
handlers are then off and the local runner can tie services to the engine's life (see runtime.proto)."""

from __future__ import annotations

import runtime.proto  # noqa: F401
