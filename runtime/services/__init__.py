"""The service layer: runners that start services, the validating gRPC client, schemas, reporting.

``base`` holds the contracts; ``local`` runs services as child processes; ``client`` talks to one
service; ``schemas`` validates values; ``reporting`` receives the events services report.
"""

from __future__ import annotations

import runtime.proto  # noqa: F401 - configures gRPC before anything here imports it
