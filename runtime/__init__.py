"""The oi runtime: the engine compiled pipelines run on, usable as a plain Python library.

Importing ``runtime`` is cheap; the engine and its names load on first use (``runtime.Engine``), so a
pipeline binary answering ``--help`` does not pay for gRPC.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the lazy names, for type checkers and editors
    from runtime.conditions import (  # noqa: F401
        Condition,
        all_of,
        any_of,
        engine_started,
        not_,
        task_event_reported,
        task_finished,
        task_finished_with_status,
        task_started,
    )
    from runtime.engine import Engine, EngineKubernetesOptions, EngineOptions, RunResult  # noqa: F401
    from runtime.state import State, TaskState  # noqa: F401

# Public name -> the module defining it.
_EXPORTS = {
    "Engine": "runtime.engine",
    "EngineOptions": "runtime.engine",
    "EngineKubernetesOptions": "runtime.engine",
    "RunResult": "runtime.engine",
    "State": "runtime.state",
    "TaskState": "runtime.state",
    "Condition": "runtime.conditions",
    "engine_started": "runtime.conditions",
    "task_started": "runtime.conditions",
    "task_finished": "runtime.conditions",
    "task_finished_with_status": "runtime.conditions",
    "task_event_reported": "runtime.conditions",
    "all_of": "runtime.conditions",
    "any_of": "runtime.conditions",
    "not_": "runtime.conditions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
