"""What the formatter tests share: the tree of a text without positions, and its comments."""

from __future__ import annotations

from typing import Any

from oic.fmt import format_with_tree
from oic.source import Span
from oic.syntax import ast
from oic.syntax.lexer import scan
from oic.syntax.parser import parse_text


def shape(node: Any) -> list[Any]:
    """``node`` without its spans, flattened to a list (a node is its class name, its fields by name,
    then ``")"``): two texts mean the same program when their shapes are equal. Iterative and flat,
    since chains nest as deep as they are long and comparing nested tuples recurses."""
    flat: list[Any] = []
    stack: list[Any] = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, Span):
            continue
        if isinstance(value, ast.Node):
            fields = [name for name in value._fields if not name.endswith("span")]
            flat.append(type(value).__name__)
            stack.append(_CLOSE)
            for name in reversed(fields):
                stack.append(getattr(value, name))
                stack.append(_Label(name))
        elif isinstance(value, tuple):
            flat.append("(")
            stack.append(_CLOSE)
            stack.extend(reversed(value))
        elif isinstance(value, _Label):
            flat.append(value.name + "=")
        else:
            flat.append((type(value).__name__, value))
    return flat


class _Label:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_CLOSE = ")"


def parsed_shape(text: str) -> Any:
    module, diagnostics = parse_text(text)
    assert module is not None and not diagnostics, [d.message for d in diagnostics]
    return shape(module)


def parses_cleanly(text: str) -> bool:
    module, diagnostics = parse_text(text)
    return module is not None and not diagnostics


def comment_texts(text: str) -> list[str]:
    """The comments of ``text`` in order, without trailing blanks."""
    return [comment.value.rstrip() for comment in scan(text)[1]]


def assert_formats_faithfully(text: str) -> str:
    """Format ``text`` and check the three promises: the same program, formatting again changes
    nothing, the same comments in the same order. Returns the formatted text."""
    tree, formatted = format_with_tree(text)
    tree_again, again = format_with_tree(formatted)
    assert shape(tree_again) == shape(tree), "the formatted text is another program"
    assert again == formatted, "formatting the formatted text changed it"
    assert comment_texts(formatted) == comment_texts(text)
    return formatted
