"""Suppression comments: ``# oic: ignore[W0102]`` silences a warning on its line, ``# oic:
ignore-file[W0102]`` in the file's header silences it in the whole file.

A comment whose text starts with ``# oic:`` is a directive (the prefix is reserved, as mypy reserves
``# type:``). The rules, chosen so that a suppression stays precise and cannot rot unseen:

- ``ignore[CODES]`` ends the line whose warnings it silences: the line a warning's position names
  (``file:LINE:col``). On a line of its own it would silence nothing, and is reported (W0115).
- ``ignore-file[CODES]`` is read only on a line of its own in the comments before the first
  declaration, where a reader of the file sees it first; elsewhere it is reported (W0115).
- The codes are named: ``ignore`` without brackets is refused (W0115), with the codes found on the
  line as the hint. Only warnings can be silenced: naming an error is reported (W0112) and the error
  stays; an unknown code is reported with the closest known one (W0113).
- A suppression that silenced nothing is reported (W0114, like ruff's RUF100), so that it goes when
  the warning goes. For a warning that depends on the machine (W0105: a service could not be asked
  for its schemas), name W0114 too: ``# oic: ignore[W0105, W0114]``.
- The warnings about suppression comments themselves (W0112, W0113, W0115) cannot be silenced: they
  point at the comment, which is the thing to fix.

Suppressions apply to files without syntax errors only (a file with one is not checked further, and
has only errors to show).
"""

from __future__ import annotations

import re

from oic import codes, diagnostics
from oic.comments import Comment, comments
from oic.diagnostics import Diagnostic
from oic.sema import hints
from oic.source import SourceFile, Span

ERROR_NAMED = "W0112"
UNKNOWN_CODE = "W0113"
UNUSED = "W0114"
MALFORMED = "W0115"
# The warnings that point at a suppression comment: fixing the comment is the way to silence them.
ABOUT_THE_COMMENT = frozenset((ERROR_NAMED, UNKNOWN_CODE, MALFORMED))

LINE, FILE = "ignore", "ignore-file"
_DIRECTIVE = re.compile(r"#\s*oic:")
_REQUEST = re.compile(r"\s*(?P<kind>[A-Za-z_-]*)\s*(?:\[(?P<codes>[^\]\n]*)\])?")
# Codes are separated by commas, spaces or both (``[W0102, W0105]``, ``[W0102 W0105]``).
_CODE_ITEM = re.compile(r"[^,\s]+")


class Suppression:
    """One code named by one comment: ``code`` (upper case), ``span`` (of the code in the comment),
    ``line`` (the line it silences; 0 for the whole file) and ``used`` (it silenced something)."""

    __slots__ = ("code", "span", "line", "used")

    def __init__(self, code: str, span: Span, line: int) -> None:
        self.code = code
        self.span = span
        self.line = line
        self.used = False


def apply(source: SourceFile, found: list[Diagnostic]) -> list[Diagnostic]:
    """``found`` (one file's diagnostics) less the warnings its suppression comments silence, plus
    the warnings about those comments, sorted as ``diagnostics.finalize`` sorts."""
    if "oic:" not in source.text:  # most files: no need to look for comments at all
        return found
    directives = [comment for comment in comments(source.text) if _DIRECTIVE.match(comment.text)]
    if not directives:
        return found
    problems: list[Diagnostic] = []
    codes_by_line: dict[int, list[str]] = {}
    for diagnostic in found:
        codes_by_line.setdefault(diagnostic.span.line, []).append(diagnostic.code)
    suppressions: list[Suppression] = []
    for comment in directives:
        suppressions += _read(source, comment, codes_by_line, problems)
    # (line, code) -> the suppressions that cover it; line 0 is the whole file. One look-up per
    # diagnostic, so that a file with a suppression on each of thousands of lines stays linear.
    covering: dict[tuple[int, str], list[Suppression]] = {}
    for suppression in suppressions:
        covering.setdefault((suppression.line, suppression.code), []).append(suppression)
    kept = [d for d in found if not _silenced(d, covering)]
    kept_codes: dict[int, list[str]] = {}
    for diagnostic in kept:
        kept_codes.setdefault(diagnostic.span.line, []).append(diagnostic.code)
    for suppression in suppressions:
        if not suppression.used and suppression.code != UNUSED:
            unused = _unused(source, suppression, kept_codes.get(suppression.line, []))
            if not _silenced(unused, covering):
                problems.append(unused)
    return diagnostics.finalize([*kept, *problems])


def _silenced(diagnostic: Diagnostic, covering: dict[tuple[int, str], list[Suppression]]) -> bool:
    if diagnostic.is_error or diagnostic.code in ABOUT_THE_COMMENT:
        return False
    found = [
        *covering.get((diagnostic.span.line, diagnostic.code), ()),
        *covering.get((0, diagnostic.code), ()),
    ]
    for suppression in found:
        suppression.used = True  # every suppression that covers it, so none is reported unused
    return bool(found)


def _read(
    source: SourceFile, comment: Comment, codes_by_line: dict[int, list[str]], problems: list[Diagnostic]
) -> list[Suppression]:
    """The suppressions one directive comment makes; what is wrong with it goes to ``problems``."""
    text = comment.text
    prefix = _DIRECTIVE.match(text)
    assert prefix is not None
    request = _REQUEST.match(text, prefix.end())
    assert request is not None  # (every part of it may be empty)
    kind, listed = request.group("kind"), request.group("codes")
    line, column = comment.span.line, comment.span.column
    written = len(text[: max(request.end(), prefix.end())].rstrip())
    whole = Span(line, column, line, column + written)

    def report(span: Span, code: str, message: str, hint: str = "") -> None:
        problems.append(diagnostics.make(source, span, code, message, hint))

    if kind not in (LINE, FILE):
        close = hints.did_you_mean(kind, (LINE, FILE)) if kind else ""
        message = f"unknown directive '{kind}' in an `oic:` comment" if kind else "`oic:` without a directive"
        report(
            whole,
            MALFORMED,
            message,
            close or "the directives are `# oic: ignore[CODE]` and `# oic: ignore-file[CODE]`",
        )
        return []
    if listed is None and text[request.end() :].lstrip().startswith("["):
        report(whole, MALFORMED, f"`{kind}[` is never closed", f"write `# oic: {kind}[CODE]`, with a `]`")
        return []
    if listed is None or not listed.strip():
        on_line = sorted({c for c in codes_by_line.get(line, []) if not _is_error(c)})
        example = ", ".join(on_line) if on_line and kind == LINE else "CODE"
        report(
            whole,
            MALFORMED,
            f"`{kind}` must name the codes it silences",
            f"write `# oic: {kind}[{example}]`, with the codes shown as `warning[CODE]`",
        )
        return []
    if kind == LINE and comment.own_line:
        report(
            whole,
            MALFORMED,
            "`ignore` silences warnings on the line it ends, and this line has no code",
            "put it at the end of the line the warning points at; "
            "for the whole file, write `# oic: ignore-file[...]` at the top",
        )
        return []
    if kind == FILE and not (comment.own_line and comment.leading):
        report(
            whole,
            MALFORMED,
            "`ignore-file` is only read in the comments at the top of the file, before the first declaration",
            "move it there, on a line of its own",
        )
        return []
    made: list[Suppression] = []
    codes_start = column + request.start("codes")
    for item in _CODE_ITEM.finditer(listed):
        name = item.group()
        start = codes_start + item.start()
        span = Span(line, start, line, start + len(name))
        problem = _problem_with(name, made)
        if problem:
            report(span, *problem)
            continue
        made.append(Suppression(name.upper(), span, 0 if kind == FILE else line))
    return made


def _problem_with(name: str, made: list[Suppression]) -> tuple[str, str, str] | None:
    """(code, message, hint) of what is wrong with naming ``name`` in a suppression, or None."""
    entry = codes.lookup(name)
    if entry is None:
        known = [registered.code for registered in codes.all_codes()]
        hint = hints.did_you_mean(name.upper(), known) or "`oic explain --list` lists the codes"
        return UNKNOWN_CODE, f"unknown diagnostic code '{name}'", hint
    if entry.severity == diagnostics.ERROR:
        return (
            ERROR_NAMED,
            f"{entry.code} is an error, and errors cannot be suppressed",
            "fix what it reports; only warnings can be silenced",
        )
    if entry.code in ABOUT_THE_COMMENT:
        return (
            MALFORMED,
            f"{entry.code} reports a problem of a suppression comment and cannot be silenced",
            "fix the comment it points at",
        )
    if any(suppression.code == entry.code for suppression in made):
        return MALFORMED, f"{entry.code} is named twice in this comment", "name it once"
    return None


def _is_error(code: str) -> bool:
    entry = codes.lookup(code)
    return entry is None or entry.severity == diagnostics.ERROR


def _unused(source: SourceFile, suppression: Suppression, codes_on_line: list[str]) -> Diagnostic:
    """W0114 for ``suppression``; ``codes_on_line`` are those still reported on its line."""
    where = "in this file" if suppression.line == 0 else "on this line"
    others = sorted({code for code in codes_on_line if not _is_error(code) and code != suppression.code})
    if others:
        hint = f"this line has {', '.join(others)}: name that code, or remove the suppression"
    else:
        hint = (
            "remove it; if the warning comes and goes with the machine (W0105), "
            f"name {UNUSED} too to keep the suppression quietly"
        )
    return diagnostics.make(
        source, suppression.span, UNUSED, f"unused suppression: no {suppression.code} {where}", hint
    )
