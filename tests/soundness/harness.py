"""Check, generate and run one program in-process, and say how it ended.

``Harness.evaluate(text, params)`` checks the text (``oic.frontend.check_file``, no service started),
and when it has no errors generates the module (``oic.codegen``), loads it, binds the params as the
binary would, and runs the engine against the service farm with a deadline. The ``Outcome`` lists
the error diagnostics (a rejection) or the run's *violations*: every way a run ended that no checker
may let through, each as a ``(category, detail)``.

Allowed: a task whose error carries the services' planned-failure marker (and so the run failing
because of it), a task timeout. Everything else is a violation: a reaction raising, a task failing
for another reason (argument or payload validation, an argument that could not be computed), a run
that does not end before the deadline, an internal error, a module that does not generate or load,
params the binary cannot bind.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import types
from dataclasses import dataclass, field
from typing import Any

from oic.codegen import generate
from oic.frontend import check_file
from oic.source import SourceFile
from runtime.engine import Engine, EngineOptions
from runtime.program import UsageError, bind_params
from tests.soundness.services import PLANNED_FAILURE, FarmRunner, ServiceFarm

SET_VARIABLE = "OI_SOUNDNESS_SET"
# A task abandoned because the run ended first: a consequence, classified by the run's own ending.
_ABANDONED = "before this task finished"
_TASK_TIMEOUT = "no answer before the deadline"


def prepare_environment() -> None:
    """The environment generated programs read with ``env()``."""
    os.environ[SET_VARIABLE] = "present"
    os.environ.pop("OI_SOUNDNESS_UNSET", None)


@dataclass
class Outcome:
    """How one program did. ``errors``: (code, line, message) of the error diagnostics (empty when
    accepted); ``violations``: (category, detail); ``allowed``: kinds of allowed failures seen."""

    errors: list[tuple[str, int, str]] = field(default_factory=list)
    warnings: list[tuple[str, int]] = field(default_factory=list)
    ran: bool = False
    status: str = ""
    violations: list[tuple[str, str]] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    log: str = ""

    @property
    def accepted(self) -> bool:
        return not self.errors


class Harness:
    """Evaluates programs one after another against one ``ServiceFarm``. ``timeout``: seconds a run
    may take (none of these runs should take more than a fraction of one)."""

    def __init__(self, farm: ServiceFarm, workdir: str, timeout: float = 30.0) -> None:
        self.farm = farm
        self.workdir = workdir
        self.timeout = timeout
        prepare_environment()

    def evaluate(
        self, text: str, params: dict[str, str], keep_log: bool = False, base_directory: str | None = None
    ) -> Outcome:
        """Check ``text`` (relative paths in it resolved against ``base_directory``, by default the
        harness's directory) and, when accepted, generate and run it."""
        started = time.perf_counter()
        outcome = Outcome()
        try:
            self._evaluate(text, params, outcome, keep_log, base_directory or self.workdir)
        except Exception as error:  # the harness reports, it does not stop the batch
            outcome.violations.append(("harness", f"{type(error).__name__}: {error}"))
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _evaluate(
        self, text: str, params: dict[str, str], outcome: Outcome, keep_log: bool, base_directory: str
    ) -> None:
        path = os.path.join(base_directory, "program.oi")
        try:
            checked = check_file(
                SourceFile(path, text),
                schema_cache=False,
                start_services=False,
                base_directory=base_directory,
            )
        except BaseException as error:  # a checker crash breaks both properties
            outcome.errors.append(("crash", 0, f"{type(error).__name__}: {error}"))
            outcome.violations.append(("checker crashed", f"{type(error).__name__}: {error}"))
            return
        for diagnostic in checked.diagnostics:
            if diagnostic.is_error:
                outcome.errors.append((diagnostic.code, diagnostic.span.line, diagnostic.message))
            else:
                outcome.warnings.append((diagnostic.code, diagnostic.span.line))
        if outcome.errors or checked.program is None:
            if not outcome.errors:
                outcome.errors.append(("none", 0, "no program and no error"))
            return
        module = self._load(checked.program, outcome)
        if module is None:
            return
        spec = module.PROGRAM
        try:
            bound, secrets = bind_params(spec, params, {})
        except UsageError as error:
            outcome.violations.append(("params", str(error)))
            return
        try:
            pipeline = spec.build(bound)
        except Exception as error:
            outcome.violations.append(("build", f"{type(error).__name__}: {error}"))
            return
        self._run(pipeline, secrets, spec.parallelism, outcome, keep_log)

    def _load(self, program: Any, outcome: Outcome) -> types.ModuleType | None:
        try:
            generated = generate(program)
        except BaseException as error:
            outcome.violations.append(("codegen", f"{type(error).__name__}: {error}"))
            return None
        module = types.ModuleType("generated_pipeline")
        try:
            code = compile(generated.text, "generated_pipeline.py", "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except BaseException as error:
            outcome.violations.append(("load", f"{type(error).__name__}: {error}"))
            return None
        return module

    def _run(
        self, pipeline: Any, secrets: list[str], parallelism: int | None, outcome: Outcome, keep: bool
    ) -> None:
        logs = tempfile.mkdtemp(prefix="run-", dir=self.workdir)
        try:
            engine = Engine(
                EngineOptions(
                    pipeline,
                    logs_directory=logs,
                    runner=FarmRunner(self.farm),
                    secrets=tuple(secrets),
                    handle_signals=False,
                    timeout=self.timeout,
                    parallelism=parallelism or 4,
                )
            )
            result = engine.run()
            outcome.ran = True
            outcome.status = result.status
            classify(result, engine.state, outcome)
            if keep or outcome.violations:
                outcome.log = _read(os.path.join(logs, "logs", "log"))
        finally:
            shutil.rmtree(logs, ignore_errors=True)


def classify(result: Any, state: Any, outcome: Outcome) -> None:
    """Sort what went wrong in a finished run into violations and allowed failures."""
    message = result.message or ""
    if result.status == "timed-out":
        outcome.violations.append(("run did not end", message))
    elif result.status == "cancelled":
        outcome.violations.append(("cancelled", message))
    elif result.status == "failed":
        raised = re.search(r" raised (.*)$", message)
        if "***" in message and not result.failed_tasks:
            # a secret of a few characters masked ordinary words of the message: say that instead
            outcome.violations.append(("run failed", "its message is masked by a short secret"))
        elif message.startswith("reaction") and raised:
            outcome.violations.append(("reaction raised", raised.group(1)))
        elif message.startswith("internal error"):
            outcome.violations.append(("internal error", message))
        elif result.failed_tasks:
            pass  # the failed tasks are looked at one by one below
        else:
            outcome.violations.append(("run failed", message))
    for task in state.tasks.values():
        if not task.finished or task.succeeded:
            continue
        error = task.error or ""
        if PLANNED_FAILURE in error:
            outcome.allowed.append("planned failure")
        elif _TASK_TIMEOUT in error:
            outcome.allowed.append("task timeout")
        elif _ABANDONED in error:
            continue
        else:
            outcome.violations.append(("task failed", error))


def class_of(category: str, detail: str) -> str:
    """A failure's class: its category and its message without positions, names and numbers."""
    text = detail.strip().splitlines()[0] if detail.strip() else ""
    text = re.sub(r"^(PipelineError|[A-Za-z]+Error): ", "", text)
    text = re.sub(r"\S*\.oi:\d+:\d+: ", "", text)
    text = re.sub(r"\(fields: [^)]*\)", "(fields: ...)", text)
    text = re.sub(r"`[^`]*`", "`...`", text)
    text = re.sub(r"'[^']*'", "'...'", text)
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '"..."', text)
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    return f"{category}: {text[:160]}"


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            return log.read()[-20000:]
    except OSError:
        return ""
