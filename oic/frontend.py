"""The front end in one call: read, parse, check. Commands and code generation start here.

``check_file`` never raises for a problem in the input: every problem is a diagnostic, sorted and
de-duplicated by ``diagnostics.finalize`` (which also drops what follows a syntax error), less the
warnings that suppression comments silence (``oic.suppressions``).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

from oic import diagnostics as diagnostics_module
from oic import suppressions
from oic.diagnostics import Diagnostic
from oic.records import Record, set_field
from oic.sema import Analysis, SchemaOptions, check
from oic.sema.program import CheckedProgram
from oic.source import SourceFile
from oic.syntax.parser import parse
from oic.syntax.reader import UnreadableSource, read_source

if TYPE_CHECKING:
    from oic.syntax.incremental import ParseCache

STDIN_PATH = "<stdin>"


class FrontendResult(Record):
    """``source`` (None when the file could not be read as text), ``program`` (None unless the file
    checked without errors) and every diagnostic, in order; ``unreadable`` says why a file could not
    be read at all."""

    __slots__ = ("source", "program", "diagnostics", "unreadable")

    source: SourceFile | None
    program: CheckedProgram | None
    diagnostics: list[Diagnostic]
    # Set when the file could not be read at all (missing, a directory): a usage error, one line.
    unreadable: str

    def __init__(
        self,
        source: SourceFile | None,
        program: CheckedProgram | None,
        diagnostics: list[Diagnostic] | None = None,
        unreadable: str = "",
    ) -> None:
        set_field(self, "source", source)
        set_field(self, "program", program)
        set_field(self, "diagnostics", [] if diagnostics is None else diagnostics)
        set_field(self, "unreadable", unreadable)

    @property
    def has_errors(self) -> bool:
        return any(diagnostic.is_error for diagnostic in self.diagnostics)


def check_file(
    path_or_source: str | os.PathLike[str] | SourceFile,
    *,
    schema_cache: bool = True,
    start_services: bool = True,
    base_directory: str | None = None,
    refresh_schemas: bool = False,
    parse_cache: ParseCache | None = None,
    analysis: Analysis | None = None,
) -> FrontendResult:
    """Parse and check a file (a path, or an already decoded ``SourceFile``).

    Relative paths in the file (path services, schema directories) are resolved against
    ``base_directory``, by default the file's directory (the working directory for standard input).
    ``schema_cache``, ``start_services`` and ``refresh_schemas`` (ask services again, ignoring cached
    answers) control how services are asked for their schemas. ``parse_cache`` keeps the parsed
    declarations of the file's last version, for an editor checking version after version: the
    result is the same, sooner. ``analysis``, when given, is filled with what checking learned about
    positions (``oic.sema.analysis``), for the language server."""
    # The cyclic garbage collector is paused while the front end builds its (acyclic) trees: it
    # would otherwise walk every object made so far again and again, for a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_file(
            path_or_source,
            schema_cache,
            start_services,
            base_directory,
            refresh_schemas,
            parse_cache,
            analysis,
        )
    finally:
        if collecting:
            gc.enable()


def _check_file(
    path_or_source: str | os.PathLike[str] | SourceFile,
    schema_cache: bool,
    start_services: bool,
    base_directory: str | None,
    refresh_schemas: bool = False,
    parse_cache: ParseCache | None = None,
    analysis: Analysis | None = None,
) -> FrontendResult:
    if isinstance(path_or_source, SourceFile):
        source = path_or_source
    else:
        try:
            read = read_source(os.fspath(path_or_source))
        except UnreadableSource as error:
            return FrontendResult(None, None, [], unreadable=str(error))
        if isinstance(read, Diagnostic):
            return FrontendResult(None, None, [read])
        source = read
    if base_directory is None:
        if source.path in (STDIN_PATH, "-", ""):
            base_directory = os.getcwd()
        else:
            base_directory = str(Path(source.path).resolve().parent)
    module, found = parse(source) if parse_cache is None else parse_cache.parse(source)
    # A file with syntax errors is not checked further: what the checker would say about a partial
    # module (an unused param whose only use was in the broken part, a builder "missing" because its
    # declaration did not parse) is a cascade, not news. Go and CUE draw the same line.
    if module is None or any(diagnostic.is_error for diagnostic in found):
        return FrontendResult(source, None, diagnostics_module.finalize(found))
    options = SchemaOptions(
        base_directory, use_cache=schema_cache, start_services=start_services, refresh=refresh_schemas
    )
    program, checked = check(source, module, options, analysis)
    # Suppression comments are read after the checker, which knows nothing of them: a suppression
    # hides a finished diagnostic, and whether it hid anything is only known at the end.
    everything = suppressions.apply(source, diagnostics_module.finalize([*found, *checked]))
    if any(diagnostic.is_error for diagnostic in everything):
        program = None
    return FrontendResult(source, program, everything)
