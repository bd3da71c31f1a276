"""The pipeline block's settings: ``os``, ``arch``, ``parallelism`` and ``timeout``.

Values are read from literals only: they decide how the binary is built, before anything runs. A
duration (here and in task settings) is longer than zero and at most ``runtime.limits``'s maximum, the
same bound the binary applies to ``--timeout``, so a checked duration is one the engine can wait for.
"""

from __future__ import annotations

from oic.records import Record, set_field
from oic.sema.hints import did_you_mean
from oic.sema.reporter import Reporter
from oic.syntax import ast
from runtime.limits import MAX_DURATION_SECONDS, MAX_DURATION_TEXT, MAX_PARALLELISM

OPERATING_SYSTEMS = ("linux", "darwin", "windows")
ARCHITECTURES = ("amd64", "arm64")
SETTINGS = ("os", "arch", "parallelism", "timeout")


class PipelineSettings(Record):
    """The checked settings; "" / None where not given (the host's OS and architecture, no limits)."""

    __slots__ = ("name", "os", "arch", "parallelism", "timeout_seconds")

    name: str
    os: str
    arch: str
    parallelism: int | None
    timeout_seconds: float | None

    def __init__(
        self,
        name: str = "",
        os: str = "",
        arch: str = "",
        parallelism: int | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "os", os)
        set_field(self, "arch", arch)
        set_field(self, "parallelism", parallelism)
        set_field(self, "timeout_seconds", timeout_seconds)


def check_pipeline(declaration: ast.PipelineDecl | None, reporter: Reporter) -> PipelineSettings:
    if declaration is None:
        return PipelineSettings()
    values: dict[str, object] = {"name": declaration.name.value}
    if not declaration.name.value.strip():
        reporter.report(declaration.name.span, "E0211", "the pipeline name cannot be empty")
    seen: set[str] = set()
    for setting in declaration.settings:
        key = setting.name.name
        if key in seen:
            reporter.report(setting.name.span, "E0206", f"setting {key!r} is given twice")
            continue
        seen.add(key)
        value = setting.value
        if key == "os":
            values["os"] = _choice(value, OPERATING_SYSTEMS, "E0406", "os", reporter)
        elif key == "arch":
            values["arch"] = _choice(value, ARCHITECTURES, "E0407", "arch", reporter)
        elif key == "parallelism":
            number = value.value if isinstance(value, ast.NumberLiteral) else None
            if isinstance(number, int) and not isinstance(number, bool) and 0 < number <= MAX_PARALLELISM:
                values["parallelism"] = number
            else:
                reporter.report(
                    value.span,
                    "E0408",
                    f"parallelism is a whole number of tasks from 1 to {MAX_PARALLELISM}",
                )
        elif key == "timeout":
            if isinstance(value, ast.Duration):
                if check_duration(value, "the pipeline timeout", reporter):
                    values["timeout_seconds"] = value.seconds
            else:
                reporter.report(
                    value.span, "E0405", "the pipeline timeout is a duration such as `10m` or `30s`"
                )
        else:
            reporter.report(
                setting.name.span,
                "E0211",
                f"unknown pipeline setting {key!r}",
                did_you_mean(key, SETTINGS) or "settings are " + ", ".join(SETTINGS),
            )
    return PipelineSettings(**values)  # type: ignore[arg-type]


def check_duration(duration: ast.Duration, what: str, reporter: Reporter) -> bool:
    """Whether ``duration`` is longer than zero and at most the longest duration oi accepts
    (``runtime.limits``); reports E0405 when it is not."""
    if not duration.seconds > 0:
        reporter.report(duration.span, "E0405", f"{what} must be longer than zero")
        return False
    if duration.seconds > MAX_DURATION_SECONDS:
        reporter.report(
            duration.span,
            "E0405",
            f"{what} is longer than the longest duration oi accepts, {MAX_DURATION_TEXT}",
            "write a shorter duration, such as `24h`",
        )
        return False
    return True


def _choice(value: ast.Node, allowed: tuple[str, ...], code: str, what: str, reporter: Reporter) -> str:
    if isinstance(value, ast.StringLiteral) and value.value in allowed:
        return value.value
    shown = repr(value.value) if isinstance(value, ast.StringLiteral) else "this value"
    hint = did_you_mean(value.value, allowed) if isinstance(value, ast.StringLiteral) else ""
    reporter.report(
        value.span, code, f"{shown} is not a supported {what}", hint or f"use one of: {', '.join(allowed)}"
    )
    return ""
