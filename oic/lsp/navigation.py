"""Go to definition and find references, for everything ``occurrences`` collects."""

from __future__ import annotations

from lsprotocol import types

from oic.lsp import occurrences
from oic.lsp.checking import Checked


def definition(checked: Checked, uri: str, line: int, column: int) -> list[types.Location]:
    found = occurrences.collect(checked.analysis)
    here = occurrences.at(found, line, column)
    if here is None:
        return []
    return [
        types.Location(uri=uri, range=checked.lines.range(occurrence.span))
        for occurrence in occurrences.same(found, here.key)
        if occurrence.definition
    ]


def references(
    checked: Checked, uri: str, line: int, column: int, include_declaration: bool
) -> list[types.Location]:
    found = occurrences.collect(checked.analysis)
    here = occurrences.at(found, line, column)
    if here is None:
        return []
    return [
        types.Location(uri=uri, range=checked.lines.range(occurrence.span))
        for occurrence in occurrences.same(found, here.key)
        if include_declaration or not occurrence.definition
    ]
