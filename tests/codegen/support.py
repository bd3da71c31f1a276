"""Shared helpers of the code generation tests: compile `.oi` text, load the generated module without
running its ``main``, and build ``State``s and ``Event``s to run reaction functions against."""

from __future__ import annotations

import datetime
import itertools
import types
from collections.abc import Mapping
from typing import Any

from oic.codegen import GeneratedModule, generate
from oic.sema.program import CheckedProgram
from oic.source import SourceFile
from runtime.model import (
    EVENT_ENGINE_STARTED,
    EVENT_TASK_FINISHED,
    EVENT_TASK_STARTED,
    TASK_STATUS_SUCCESS,
    Event,
    EventMetadata,
    Task,
)
from runtime.state import State


def check_text(text: str, path: str = "pipeline.oi", base_directory: str | None = None) -> CheckedProgram:
    """The checked program of ``text``; fails the test with the diagnostics when it has errors."""
    from oic.sema import SchemaOptions, check
    from oic.syntax.parser import parse

    source = SourceFile(path, text)
    module, found = parse(source)
    program = None
    problems = list(found)
    if module is not None:
        options = SchemaOptions(base_directory or ".", use_cache=False, start_services=False)
        program, checked = check(source, module, options)
        problems.extend(checked)
    errors = [problem for problem in problems if problem.is_error]
    if program is None or errors:
        rendered = "\n".join(f"{d.span.line}:{d.span.column}: {d.code} {d.message}" for d in problems)
        raise AssertionError(f"the test pipeline does not check:\n{rendered}")
    return program


def compile_text(text: str, path: str = "pipeline.oi", base_directory: str | None = None) -> GeneratedModule:
    return generate(check_text(text, path, base_directory))


def load(module: GeneratedModule) -> types.ModuleType:
    """Execute the generated module under a name other than ``__main__`` (so ``main`` does not run)."""
    namespace = types.ModuleType("generated_pipeline")
    exec(compile(module.text, "generated_pipeline.py", "exec", dont_inherit=True), namespace.__dict__)
    return namespace


_ids = itertools.count(1)


def event(name: str, payload: Mapping[str, Any] | None = None) -> Event:
    return Event(
        EventMetadata(name, f"event-{next(_ids)}", datetime.datetime.now(datetime.timezone.utc)),
        dict(payload or {}),
    )


def started_state() -> tuple[State, Event]:
    """A state right after ``engine.started``, and that event."""
    state = State()
    started = event(EVENT_ENGINE_STARTED)
    state.apply(started)
    return state, started


def finish_task(
    state: State,
    name: str,
    output: Any = None,
    status: str = TASK_STATUS_SUCCESS,
    error: str = "",
    arguments: Mapping[str, Any] | None = None,
) -> Event:
    """Record one run of task ``name`` from start to finish; returns its ``task.finished`` event."""
    run_id = f"run-{next(_ids)}"
    state.add_pending(run_id, name, "event-0", "")
    state.apply(event(EVENT_TASK_STARTED, {"task": name, "id": run_id}), arguments=dict(arguments or {}))
    finished = event(
        EVENT_TASK_FINISHED, {"task": name, "id": run_id, "status": status, "error": error, "output": output}
    )
    state.apply(finished)
    return finished


def fire(pipeline_module: types.ModuleType, params: Mapping[str, Any], state: State, on: Event) -> list[Task]:
    """Every task the pipeline's reactions build on event ``on`` (what the engine would do)."""
    pipeline = pipeline_module.build(dict(params))
    tasks: list[Task] = []
    for reaction in pipeline.spec.reactions:
        if reaction.condition(on, state):
            tasks.extend(reaction.reaction(on, state))
    return tasks


def arguments_of(task: Task) -> dict[str, Any]:
    return {argument.key: argument.get_value() for argument in task.spec.arguments}
