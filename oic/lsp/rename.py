"""Rename a param, a condition or a builder: every occurrence in the file, as one WorkspaceEdit.

A rename that would change what the file means is refused with a message saying why: a new name
that is not an identifier (or is a keyword), or one already declared where it would collide (another
param, or a ``let``, loop variable or definition parameter that would capture or shadow it; another
condition or builder, which share one namespace)."""

from __future__ import annotations

import re

from lsprotocol import types

from oic.lsp import occurrences
from oic.lsp.checking import Checked
from oic.sema.resolve import BUILTIN_VALUES
from oic.syntax.lexer import HARD_KEYWORDS

RENAMEABLE = ("param", "condition", "builder")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VALUE_KINDS = ("param", "let", "loop", "parameter")


class RenameRefused(Exception):
    """Why a rename cannot be made (shown to the user as is)."""


def target(checked: Checked, line: int, column: int) -> occurrences.Occurrence:
    """The occurrence to rename at ``line``/``column``, or ``RenameRefused``."""
    here = occurrences.at(occurrences.collect(checked.analysis), line, column)
    if here is None or here.kind not in RENAMEABLE:
        raise RenameRefused("only a param, a condition or a builder can be renamed")
    return here


def rename(checked: Checked, uri: str, line: int, column: int, new_name: str) -> types.WorkspaceEdit:
    found = occurrences.collect(checked.analysis)
    here = target(checked, line, column)
    if not _IDENTIFIER.fullmatch(new_name):
        raise RenameRefused(
            f"{new_name!r} is not a name: a name is letters, digits and _, not starting with a digit"
        )
    if new_name in HARD_KEYWORDS or new_name in BUILTIN_VALUES:
        raise RenameRefused(f"{new_name!r} is a keyword or a built-in name of oi")
    if new_name == here.name:
        return types.WorkspaceEdit(changes={uri: []})
    if here.kind == "param":
        clash = [o for o in found if o.definition and o.kind in _VALUE_KINDS and o.name == new_name]
    else:
        clash = [
            o for o in found if o.definition and o.kind in ("condition", "builder") and o.name == new_name
        ]
    if clash:
        first = clash[0]
        raise RenameRefused(
            f"{new_name!r} is already declared (the {first.kind} on line {first.span.line}): renaming "
            f"{here.kind} {here.name!r} to it would change what the file means"
        )
    edits = [
        types.TextEdit(range=checked.lines.range(occurrence.span), new_text=new_name)
        for occurrence in occurrences.same(found, here.key)
    ]
    return types.WorkspaceEdit(changes={uri: edits})
