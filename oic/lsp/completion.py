"""Completion, from the text before the cursor (which is being typed and rarely parses) and the
newest check of the file that parsed (its services with their schemas, params, task statements):

- after ``svc.``: the endpoints of service ``svc``;
- inside a service call's parentheses, where a field name goes: the endpoint's argument fields,
  required ones first (from its schema), without those already given; inside ``Auth: {``, the
  fields of ``Auth``;
- after ``c.`` (a param, ``let`` name or loop variable holding an object, ``event``, ``pipeline``):
  the fields of its type as the checker typed it;
- after ``tasks["x"].``: the fields of a task record; after ``tasks["x"].output.``: the fields of
  the output, from the returns schema of the endpoint that builds task ``x``;
- inside ``task("`` and ``tasks["``: the task names of the file;
- elsewhere: params, ``let`` names, standard-library functions (with their signatures), services,
  builders, conditions and keywords.
"""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from oic.lsp import occurrences, schema_fields
from oic.lsp.brackets import in_string, open_brackets
from oic.lsp.checking import Checked
from oic.sema import Analysis, task_records
from oic.sema import types as t
from oic.sema.expressions import EVENT_TYPE, PIPELINE_TYPE
from oic.sema.resolve import BUILTIN_VALUES
from oic.syntax import ast
from oic.syntax.lexer import HARD_KEYWORDS, SOFT_KEYWORDS
from runtime import stdlib

_TASK_NAME = re.compile(r'\btasks?\s*[(\[]\s*"([^"]*)$')
_TASK_FIELD = re.compile(r'\btasks\s*\[\s*"([^"]*)"\s*\]\s*\.\s*(\w*)$')
_OUTPUT_FIELD = re.compile(r'\btasks\s*\[\s*"([^"]*)"\s*\]\s*\.\s*output((?:\s*\.\s*\w+)*)\s*\.\s*(\w*)$')
_MEMBER = re.compile(r"\b([A-Za-z_]\w*)\s*\.\s*(\w*)$")
_CALLEE = re.compile(r"\b([A-Za-z_]\w*)\s*\.\s*([A-Za-z_]\w*)\s*$")
_KEY_BEFORE = re.compile(r"(?:^|[,({\s])([A-Za-z_]\w*|\"[^\"]*\")\s*:\s*$")
_FIELD_SO_FAR = re.compile(r"^\s*\w*$")


def complete(text: str, line: int, column: int, checked: Checked | None) -> list[types.CompletionItem]:
    """The completions at 0-based ``line`` and code-point ``column`` of ``text``."""
    lines = text.split("\n")
    line_text = lines[line] if 0 <= line < len(lines) else ""
    before = line_text[:column]
    analysis = checked.analysis if checked is not None else None
    table = analysis.table if analysis is not None else None
    index = analysis.index if analysis is not None else None

    match = _TASK_NAME.search(before)
    if match:
        names = sorted(index.static_names()) if index is not None else []
        return [_item(name, types.CompletionItemKind.Value, "task") for name in names]
    if in_string(before):
        return []
    match = _OUTPUT_FIELD.search(before)
    if match:
        path = [part for part in re.split(r"\s*\.\s*", match.group(2)) if part]
        return _output_fields(match.group(1), path, checked)
    match = _TASK_FIELD.search(before)
    if match:
        return [_item(field, types.CompletionItemKind.Field, "task record") for field in task_records.FIELDS]
    match = _MEMBER.search(before)
    if match and table is not None and match.group(1) in table.services:
        service = table.services[match.group(1)]
        return [
            _endpoint_item(match.group(1), name, service.schemas[name].arguments)
            for name in sorted(service.schemas)
        ]
    if match and analysis is not None and not before[: match.start()].rstrip().endswith("."):
        return _value_fields(match.group(1), line + 1, analysis)
    prefix = "\n".join(lines[:line] + [before])
    fields = _argument_fields(prefix, checked)
    if fields is not None:
        return fields
    return _everything(checked)


def _item(label: str, kind: types.CompletionItemKind, detail: str = "", **extra: Any) -> types.CompletionItem:
    return types.CompletionItem(label=label, kind=kind, detail=detail or None, **extra)


def _endpoint_item(alias: str, endpoint: str, arguments: Any) -> types.CompletionItem:
    description = arguments.get("description", "") if isinstance(arguments, dict) else ""
    return _item(
        endpoint, types.CompletionItemKind.Method, f"{alias}.{endpoint}", documentation=description or None
    )


def _field_items(
    fields: list[schema_fields.Field], given: set[str], insert_colon: bool
) -> list[types.CompletionItem]:
    items = []
    for rank, field in enumerate(f for f in fields if f.name not in given):
        items.append(
            _item(
                field.name,
                types.CompletionItemKind.Field,
                f"{field.type_text}{' (required)' if field.required else ''}",
                documentation=field.description or None,
                sort_text=f"{0 if field.required else 1}{rank:04d}",
                insert_text=f"{field.name}: " if insert_colon else None,
            )
        )
    return items


def _value_fields(name: str, line: int, analysis: Analysis) -> list[types.CompletionItem]:
    """After ``name.``: the fields of the value ``name`` holds, as the checker typed it where the
    name was last used before ``line`` (1-based), or of ``event`` and ``pipeline``."""
    typed: t.Type | None = {"event": EVENT_TYPE, "pipeline": PIPELINE_TYPE}.get(name)
    if typed is None and analysis.module is not None:
        best: tuple[int, int] = (0, 0)
        for node in ast.walk(analysis.module):
            if type(node) is ast.Name and node.name == name and node.span.line <= line:  # type: ignore[attr-defined]
                binding = analysis.bindings_by_node.get(id(node))
                place = (binding.span.line, binding.span.column) if binding is not None else (0, 0)
                if binding is not None and place >= best:
                    best, typed = place, binding.type
    if typed is None:
        return []
    target = t.without_null(typed)
    if not isinstance(target, t.ObjectType):
        return []
    return [
        _item(
            field,
            types.CompletionItemKind.Field,
            f"{kind.describe()}{'' if field in target.required else ' (optional)'}",
        )
        for field, kind in target.fields
    ]


def _output_fields(task: str, path: list[str], checked: Checked | None) -> list[types.CompletionItem]:
    analysis = checked.analysis if checked is not None else None
    if analysis is None or analysis.table is None or analysis.index is None:
        return []
    endpoint = schema_fields.task_endpoint(analysis.index, task)
    schemas = schema_fields.endpoint_schemas(analysis.table, *endpoint) if endpoint else None
    if schemas is None or schemas[1] is None:
        return []
    root = schemas[1]
    schema: Any = root
    for name in path:
        schema = schema_fields.field_schema(schema, root, name)
        if schema is None:
            return []
    return _field_items(schema_fields.fields(schema, root), set(), insert_colon=False)


def _argument_fields(prefix: str, checked: Checked | None) -> list[types.CompletionItem] | None:
    """The fields that may be written at the end of ``prefix`` when it is where a field name of a
    service call's argument goes (None when it is not)."""
    analysis = checked.analysis if checked is not None else None
    if analysis is None or analysis.table is None:
        return None
    stack = open_brackets(prefix)
    call_at = None
    for position in range(len(stack) - 1, -1, -1):
        opened = stack[position]
        if opened.char == "(":
            callee = _CALLEE.search(prefix, 0, opened.offset)
            if callee and callee.group(1) in analysis.table.services:
                call_at = position
            break
    if call_at is None:
        return None
    innermost = stack[-1]
    if innermost.char not in "({" or not _FIELD_SO_FAR.match(innermost.current_entry(prefix, len(prefix))):
        return None
    callee = _CALLEE.search(prefix, 0, stack[call_at].offset)
    assert callee is not None
    schemas = schema_fields.endpoint_schemas(analysis.table, callee.group(1), callee.group(2))
    if schemas is None or schemas[0] is None:
        return []
    root = schemas[0]
    schema: Any = root
    for opened in stack[call_at + 1 :]:
        if opened.char == "[":
            schema = schema_fields.items_schema(schema, root)
        else:
            key = _KEY_BEFORE.search(prefix, 0, opened.offset)
            if key is None:
                return []
            schema = schema_fields.field_schema(schema, root, key.group(1).strip('"'))
        if schema is None:
            return []
    return _field_items(schema_fields.fields(schema, root), innermost.keys(prefix), insert_colon=True)


def signature(function: stdlib.Function) -> str:
    """``env(name: string[, default: string]) -> string``: the call as the reference writes it, with
    the types of the parameters and of the result (a rule's description when the result is computed
    from the arguments)."""
    required = [f"{p.name}: {p.type}" for p in function.parameters[: function.fewest]]
    optional = [f"{p.name}: {p.type}" for p in function.parameters[function.fewest :]]
    text = ", ".join(required)
    if optional:
        rest = "".join(f"[, {item}" for item in optional) + "]" * len(optional)
        text = f"{text}{rest}" if text else rest[2:]
    if function.variadic:
        text += ", values..."
    result = stdlib.RESULT_RULES.get(function.result, function.result)
    return f"{function.name}({text}) -> {result}"


def _everything(checked: Checked | None) -> list[types.CompletionItem]:
    items: list[types.CompletionItem] = []
    analysis = checked.analysis if checked is not None else None
    table = analysis.table if analysis is not None else None
    if table is not None:
        for name in table.params:
            typed = table.param_types.get(name)
            items.append(
                _item(name, types.CompletionItemKind.Variable, f"param: {typed.describe() if typed else ''}")
            )
        for name in table.service_declarations:
            items.append(_item(name, types.CompletionItemKind.Module, "service"))
        for name in table.builders:
            items.append(_item(name, types.CompletionItemKind.Function, "builder"))
        for name in table.conditions:
            items.append(_item(name, types.CompletionItemKind.Event, "condition"))
    if analysis is not None:
        local = {
            o.name: o.kind
            for o in occurrences.collect(analysis)
            if o.definition and o.kind in ("let", "loop")
        }
        items.extend(
            _item(name, types.CompletionItemKind.Variable, kind) for name, kind in sorted(local.items())
        )
    for function in stdlib.FUNCTIONS:
        items.append(
            _item(
                function.name,
                types.CompletionItemKind.Function,
                signature(function),
                documentation=function.description,
            )
        )
    for name in BUILTIN_VALUES:
        items.append(_item(name, types.CompletionItemKind.Variable, "built-in value"))
    for keyword in sorted(HARD_KEYWORDS | SOFT_KEYWORDS):
        items.append(_item(keyword, types.CompletionItemKind.Keyword))
    return items
