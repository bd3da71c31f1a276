"""A service that records the exact arguments it receives: it writes them as JSON to the file named by
its ``Out`` argument, so a test can compare them with what the pipeline meant to send."""

from __future__ import annotations

import json
import os
import sys

# Run as a script by the local runner: make the project importable without installing it.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

from runtime.sdk import CallContext, Service  # noqa: E402

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas")

service = Service("recorder", version="0.1.0")


@service.endpoint("record", schema_dir=SCHEMAS)
def record(arguments: dict, context: CallContext) -> dict:
    with open(arguments["Out"], "w", encoding="utf-8") as handle:
        json.dump(arguments, handle, ensure_ascii=True)
    return {}


if __name__ == "__main__":
    service.serve()
