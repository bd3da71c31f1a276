"""From a `.oi` path to a generated module, for the commands that need one (``emit``, ``run``).

Prints diagnostics the way ``oic check`` does (to standard error, each with its source line and caret)
and turns every way of failing into an exit code, so each command stays a thin shell.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from oic import exit_codes
from oic.codegen.generator import GeneratedModule, generate
from oic.codegen.scope import CodegenError


@dataclass(frozen=True)
class Compiled:
    """``module`` when the file checked clean and generated, else None; ``exit_code`` says why not."""

    module: GeneratedModule | None
    exit_code: int


def compile_file(
    path: str, command: str, errors: TextIO | None = None, *, refresh_schemas: bool = False
) -> Compiled:
    """Check and generate ``path``; diagnostics (warnings too) and failures go to ``errors``.
    ``refresh_schemas``: ask services for their schemas again instead of using the cache."""
    from oic.diagnostics import render_text
    from oic.frontend import check_file

    stream = errors if errors is not None else sys.stderr
    result = check_file(path, refresh_schemas=refresh_schemas)
    if result.unreadable:
        print(f"oic {command}: error: {result.unreadable}", file=stream)
        return Compiled(None, exit_codes.USAGE)
    for diagnostic in result.diagnostics:
        print(render_text(diagnostic, result.source), file=stream)
    if result.program is None or result.has_errors:
        return Compiled(None, exit_codes.DIAGNOSTICS)
    try:
        module = generate(result.program)
    except CodegenError as error:
        print(f"oic {command}: internal error: {error} (please report this)", file=stream)
        return Compiled(None, exit_codes.INTERNAL)
    return Compiled(module, exit_codes.OK)
