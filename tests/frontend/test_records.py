"""Value records (``oic.records``) and the classes built on them keep what ``@dataclass`` gave.

The AST nodes, spans, diagnostics and checker types were frozen dataclasses; they are now records
(``__slots__`` and a hand-written ``__init__``, see ``oic/records.py``). These tests pin down the
behaviour the rest of the compiler and its tests rely on: equality and hashing by value within one
class, immutability, the dataclass ``repr``, ``dataclasses.fields``/``replace``/``asdict``, copying,
pickling and ordering.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from oic.diagnostics import Diagnostic, finalize
from oic.records import OrderedRecord, Record, set_field
from oic.sema import types as t
from oic.sema.resolve import Binding
from oic.source import SourceFile, Span
from oic.syntax import ast

HERE = Span(1, 2, 1, 5)
THERE = Span(3, 1, 3, 4)


def node_classes() -> list[type[ast.Node]]:
    return [value for value in vars(ast).values() if isinstance(value, type) and issubclass(value, ast.Node)]


def test_nodes_are_equal_by_class_and_value() -> None:
    assert ast.Name(HERE, "x") == ast.Name(HERE, "x")
    assert ast.Name(HERE, "x") != ast.Name(HERE, "y")
    assert ast.Name(HERE, "x") != ast.Name(THERE, "x")
    assert ast.Name(HERE, "x") != ast.Identifier(HERE, "x")  # same fields, another class
    assert hash(ast.Name(HERE, "x")) == hash(ast.Name(HERE, "x"))
    assert len({ast.Name(HERE, "x"), ast.Name(HERE, "x"), ast.Name(HERE, "y")}) == 2


def test_nodes_are_immutable() -> None:
    name = ast.Name(HERE, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        name.name = "y"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del name.span
    assert name.name == "x"


def test_repr_is_the_dataclass_repr() -> None:
    node = ast.TypeRef(HERE, "list", ast.TypeRef(THERE, "string"))
    assert repr(node) == (
        "TypeRef(span=Span(line=1, column=2, end_line=1, end_column=5), name='list', "
        "element=TypeRef(span=Span(line=3, column=1, end_line=3, end_column=4), name='string', element=None))"
    )


@pytest.mark.parametrize("cls", node_classes(), ids=lambda cls: cls.__name__)
def test_every_node_class_takes_its_fields_in_order(cls: type[ast.Node]) -> None:
    names = [field.name for field in dataclasses.fields(cls)]
    assert names[0] == "span"
    assert names == list(inspect.signature(cls).parameters)
    assert names == list(cls.__match_args__)


def test_dataclass_functions_work_on_nodes() -> None:
    call = ast.Call(HERE, ast.Identifier(HERE, "len"), (ast.Name(THERE, "xs"),))
    assert dataclasses.is_dataclass(call)
    moved = dataclasses.replace(call, span=THERE)
    assert moved.span == THERE and moved.function == call.function and moved.args == call.args
    assert call._replace(span=THERE) == moved
    assert dataclasses.asdict(ast.Identifier(HERE, "x")) == {
        "span": {"line": 1, "column": 2, "end_line": 1, "end_column": 5},
        "name": "x",
    }
    settings = {field.name: field.default for field in dataclasses.fields(ast.TaskSettings)}
    assert settings == {"span": dataclasses.MISSING, "timeout": None, "retries": None, "backoff": None}


def test_nodes_copy_and_pickle() -> None:
    node = ast.ObjectExpr(HERE, (ast.ObjectField(HERE, "k", THERE, ast.NumberLiteral(THERE, 1)),))
    assert copy.deepcopy(node) == node
    assert copy.copy(node) == node
    assert pickle.loads(pickle.dumps(node)) == node


def test_children_are_in_source_order() -> None:
    left, right = ast.Name(HERE, "a"), ast.Name(THERE, "b")
    binary = ast.Binary(HERE, "+", left, right)
    assert list(binary.children()) == [left, right]
    listed = ast.ListExpr(HERE, (right, left))
    assert list(listed.children()) == [right, left]
    assert [type(node).__name__ for node in ast.walk(ast.Unary(HERE, "-", binary))] == [
        "Unary",
        "Binary",
        "Name",
        "Name",
    ]


def test_spans_and_diagnostics_sort_by_their_fields() -> None:
    assert sorted([THERE, HERE, Span(1, 1, 9, 9)]) == [Span(1, 1, 9, 9), HERE, THERE]
    with pytest.raises(TypeError):
        _ = HERE < (1, 2, 1, 5)  # type: ignore[operator]
    late = Diagnostic("f.oi", THERE, "error", "E0201", "b")
    early = Diagnostic("f.oi", HERE, "warning", "W0103", "a")
    assert finalize([late, early, late]) == [early, late]


def test_source_file_caches_its_lines_outside_its_fields() -> None:
    source = SourceFile("f.oi", "a\nbc\n")
    assert source.line_text(2) == "bc"
    assert source == SourceFile("f.oi", "a\nbc\n")
    assert [field.name for field in dataclasses.fields(source)] == ["path", "text"]
    assert repr(source) == "SourceFile(path='f.oi', text='a\\nbc\\n')"


def test_uncompared_fields_take_no_part_in_equality() -> None:
    first = t.ObjectType((("a", t.STRING),), frozenset({"a"}), True, origin="the output of x")
    second = t.ObjectType((("a", t.STRING),), frozenset({"a"}), True, origin="the output of y")
    assert first == second and hash(first) == hash(second)
    assert first != t.ObjectType((("a", t.NUMBER),), frozenset({"a"}), True)
    assert t.ListType() == t.LIST and t.ListType().element == t.ANY


def test_a_mutable_record_can_change_and_has_no_hash() -> None:
    binding = Binding("x", t.STRING, "param", HERE)
    binding.used = True
    assert binding.used
    assert binding == Binding("x", t.STRING, "param", HERE, used=True)
    with pytest.raises(TypeError):
        hash(binding)


def test_a_record_whose_init_does_not_take_its_fields_is_refused() -> None:
    with pytest.raises(TypeError, match="must take the fields"):

        class Wrong(Record):
            __slots__ = ("a", "b")

            def __init__(self, b: int, a: int) -> None:
                set_field(self, "a", a)
                set_field(self, "b", b)


def test_ordered_records_compare_only_with_their_own_class() -> None:
    class Version(OrderedRecord):
        __slots__ = ("major", "minor")

        def __init__(self, major: int, minor: int) -> None:
            set_field(self, "major", major)
            set_field(self, "minor", minor)

    assert Version(1, 2) < Version(1, 10) <= Version(1, 10) < Version(2, 0)
    assert Version(2, 0) > Version(1, 99) >= Version(1, 99)
    assert Version(1, 2) != Span(1, 2, 0, 0)
    with pytest.raises(TypeError):
        _ = Version(1, 2) < HERE  # type: ignore[operator]
