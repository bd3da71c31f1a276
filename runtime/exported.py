"""The one list of names a generated pipeline module may import.

Generated code imports ``from runtime.exported import ...`` and nothing else (a test parses every
generated module to hold it to that). Keeping the surface in one place means a change of the runtime's
internals cannot silently break compiled pipelines, and a reviewer can see everything compiled code
can reach: the model it builds, the conditions it combines, the command line it hands the pipeline
to, and the expression helpers that define the language's value semantics. The standard library's
helpers are not listed one by one: they are exported under the names its table gives them
(``runtime/stdlib.py``), so that a function added there is exported without a second list.
"""

from __future__ import annotations

from runtime.conditions import (
    all_of,
    any_of,
    engine_started,
    not_,
    task_event_reported,
    task_finished,
    task_finished_with_status,
    task_started,
)
from runtime.expressions import (
    PipelineError,
    Secret,
    add,
    divide,
    equal,
    event_value,
    fold,
    get_index,
    get_member,
    get_optional_member,
    greater,
    greater_equal,
    guarded,
    interpolate,
    is_in,
    iterate,
    less,
    less_equal,
    mark_secrets,
    modulo,
    multiply,
    negate,
    not_equal,
    object_key,
    pipeline_value,
    subtract,
    task_name,
    tasks_value,
    truthy,
)
from runtime.model import (
    TASK_STATUS_FAILED,
    TASK_STATUS_SUCCESS,
    Argument,
    EventReaction,
    Pipeline,
    PipelineMetadata,
    PipelineSpec,
    RetryPolicy,
    Service,
    Task,
    TaskMetadata,
    TaskSpec,
)
from runtime.program import ParamSpec, ProgramSpec, main
from runtime.stdlib_functions import HELPERS as _STANDARD_LIBRARY

globals().update(_STANDARD_LIBRARY)

__all__ = [
    # the model
    "Argument",
    "EventReaction",
    "Pipeline",
    "PipelineMetadata",
    "PipelineSpec",
    "RetryPolicy",
    "Service",
    "TASK_STATUS_FAILED",
    "TASK_STATUS_SUCCESS",
    "Task",
    "TaskMetadata",
    "TaskSpec",
    # conditions
    "all_of",
    "any_of",
    "engine_started",
    "guarded",
    "not_",
    "task_event_reported",
    "task_finished",
    "task_finished_with_status",
    "task_started",
    # the binary's command line
    "ParamSpec",
    "ProgramSpec",
    "main",
    # values and operators
    "PipelineError",
    "Secret",
    "add",
    "divide",
    "equal",
    "event_value",
    "fold",
    "get_index",
    "get_member",
    "get_optional_member",
    "greater",
    "greater_equal",
    "interpolate",
    "is_in",
    "iterate",
    "less",
    "less_equal",
    "mark_secrets",
    "modulo",
    "multiply",
    "negate",
    "not_equal",
    "object_key",
    "pipeline_value",
    "subtract",
    "task_name",
    "tasks_value",
    "truthy",
    # the standard library: std_<name> for every function of runtime/stdlib.py
    *_STANDARD_LIBRARY,
]
