"""Hover: what a name or an expression is (its type, as the checker typed it), the schema type and
description of a call's argument field, a param's type and default, an endpoint's description, and
the explanation of each diagnostic under the cursor (what `oic explain CODE` prints)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsprotocol import types

from oic.commands.explain import explanation
from oic.diagnostics import Diagnostic
from oic.lsp import occurrences, schema_fields
from oic.lsp.checking import Checked
from oic.lsp.completion import signature
from oic.lsp.locate import nodes_at
from oic.lsp.positions import contains
from oic.sema import Analysis
from oic.sema import types as t
from oic.sema.resolve import Declarations
from oic.source import Span
from oic.syntax import ast
from runtime import stdlib

_SHOWN_TEXT = 80
_SHOWN_FIELDS = 16


def hover(
    checked: Checked | None, diagnostics: list[Diagnostic], line: int, column: int
) -> types.Hover | None:
    sections = []
    if checked is not None and checked.analysis.module is not None:
        described = describe(checked, line, column)
        if described:
            sections.append(described)
    for diagnostic in diagnostics:
        if contains(diagnostic.span, line, column):
            text = explanation(diagnostic.code)
            if text and text not in sections:
                sections.append(text)
    if not sections:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections))
    )


def describe(checked: Checked, line: int, column: int) -> str:
    """Markdown for what is at ``line``/``column`` of a parsed check ("" for nothing known)."""
    analysis = checked.analysis
    table = analysis.table
    assert analysis.module is not None
    task = _task_name(checked, line, column)
    if task:
        return task
    chain = nodes_at(analysis.module, line, column)
    for depth in range(len(chain) - 1, 0, -1):
        node = chain[depth]
        parent = chain[depth - 1]
        kind = type(node)
        if kind is ast.Identifier:
            found = _identifier(node, parent, table, checked)  # type: ignore[arg-type]
            if found:
                return found
            continue
        if kind is ast.Argument and contains(node.name_span, line, column):  # type: ignore[attr-defined]
            return _argument_field(chain[: depth + 1], table)
        if kind is ast.ObjectField and contains(node.key_span, line, column):  # type: ignore[attr-defined]
            found = _argument_field(chain[: depth + 1], table)
            if found:
                return found
        if kind is ast.Member and contains(node.name_span, line, column):  # type: ignore[attr-defined]
            field_type = analysis.types_by_node.get(id(node))
            if field_type is not None:
                return f"```oi\n(field) {node.name}: {shown(field_type)}\n```"  # type: ignore[attr-defined]
        if kind is ast.Name:
            found = _name(node, analysis, checked)  # type: ignore[arg-type]
            if found:
                return found
        typed = analysis.types_by_node.get(id(node))
        if typed is not None:
            return f"```oi\n{_text(checked, node.span)}: {shown(typed)}\n```"
    return ""


def shown(typed: t.Type) -> str:
    """A type as hover shows it: ``describe()``, and for an object (or a list of objects) with known
    fields, the fields with their types (optional ones marked ``?``)."""
    text = typed.describe()
    target = typed.element if isinstance(typed, t.ListType) else typed
    if isinstance(target, t.ObjectType) and target.fields:
        listed = [
            f"{name}{'' if name in target.required else '?'}: {kind.describe()}"
            for name, kind in target.fields[:_SHOWN_FIELDS]
        ]
        more = ", ..." if len(target.fields) > _SHOWN_FIELDS else ""
        text += " {" + ", ".join(listed) + more + "}"
    return text


def _task_name(checked: Checked, line: int, column: int) -> str:
    """A task name written as a literal: the endpoint its task statements call, and its output."""
    analysis = checked.analysis
    here = occurrences.at(occurrences.collect(analysis), line, column)
    if here is None or here.kind != "task" or analysis.table is None or analysis.index is None:
        return ""
    endpoint = schema_fields.task_endpoint(analysis.index, here.name)
    if endpoint is None:
        count = len(analysis.index.builders_of(here.name))
        return f"```oi\ntask {t.json_literal(here.name)}\n```\nbuilt by {count} task statements"
    alias, name = endpoint
    text = f"```oi\ntask {t.json_literal(here.name)} = {alias}.{name}(...)\n```"
    schemas = schema_fields.endpoint_schemas(analysis.table, alias, name)
    if schemas is not None and schemas[1] is not None:
        text += f"\n\noutput: {shown(t.from_schema(schemas[1]))}"
    return text


def _text(checked: Checked, span: Span) -> str:
    if span.end_line != span.line:
        text = checked.lines.line(span.line - 1)[span.column - 1 :] + " ..."
    else:
        text = checked.lines.line(span.line - 1)[span.column - 1 : span.end_column - 1]
    return text if len(text) <= _SHOWN_TEXT else text[: _SHOWN_TEXT - 3] + "..."


def _name(node: ast.Name, analysis: Analysis, checked: Checked) -> str:
    binding = analysis.bindings_by_node.get(id(node))
    table = analysis.table
    if binding is None:
        typed = analysis.types_by_node.get(id(node))
        return f"```oi\n{node.name}: {shown(typed)}\n```" if typed is not None else ""
    if binding.kind == "param" and table is not None and node.name in table.params:
        return _param(table.params[node.name], table, checked)
    return f"```oi\n({binding.kind}) {node.name}: {shown(binding.type)}\n```"


def _param(declaration: ast.ParamDecl, table: Declarations | None, checked: Checked) -> str:
    name = declaration.name.name
    typed = table.param_types.get(name) if table is not None else None
    written = _written(declaration.type)
    also = f" ({typed.describe()})" if typed is not None and typed.describe() != written else ""
    if declaration.default is None:
        return f"```oi\nparam {name}: {written}\n```\nrequired{also}: give it with `--param {name}=VALUE`"
    default = _text(checked, declaration.default.span)
    return f"```oi\nparam {name}: {written} = {default}\n```\ndefault: `{default}`{also}"


def _identifier(node: ast.Identifier, parent: ast.Node, table: Declarations | None, checked: Checked) -> str:
    if table is None:
        return ""
    if isinstance(parent, ast.ParamDecl) and parent.name is node:
        return _param(parent, table, checked)
    if isinstance(parent, ast.Call) and parent.function is node:
        function = stdlib.FUNCTIONS_BY_NAME.get(node.name)
        if function is None:
            return ""
        return f"```oi\n{signature(function)}\n```\n{function.description}"
    if isinstance(parent, ast.ServiceCall):
        if parent.service is node:
            return _service(node.name, table)
        if parent.endpoint is node:
            return _endpoint(parent.service.name, node.name, table)
    if isinstance(parent, ast.ServiceDecl) and parent.name is node:
        return _service(node.name, table)
    if isinstance(parent, (ast.BuilderCall, ast.BuilderDecl)) and parent.name is node:
        builder = table.builders.get(node.name)
        return _signature("builder", builder) if builder is not None else ""
    if isinstance(parent, (ast.ConditionRef, ast.ConditionDecl)) and parent.name is node:
        condition = table.conditions.get(node.name)
        return _signature("condition", condition) if condition is not None else ""
    return ""


def _signature(what: str, definition: ast.BuilderDecl | ast.ConditionDecl) -> str:
    parameters = ", ".join(f"{p.name.name}: {_written(p.type)}" for p in definition.parameters)
    return f"```oi\n{what} {definition.name.name}({parameters})\n```"


def _written(reference: ast.TypeRef) -> str:
    return f"{reference.name}[{_written(reference.element)}]" if reference.element else reference.name


def _service(alias: str, table: Declarations) -> str:
    service = table.services.get(alias)
    if service is None:
        return ""
    where = (
        f'catalog "{service.name}" version "{service.version}"'
        if service.kind == "catalog"
        else f'path "{service.path}"'
    )
    endpoints = ", ".join(f"`{name}`" for name in sorted(service.schemas)) or "none known (untyped)"
    return f"```oi\nservice {alias} = {where}\n```\nendpoints: {endpoints}"


def _endpoint(alias: str, endpoint: str, table: Declarations) -> str:
    schemas = schema_fields.endpoint_schemas(table, alias, endpoint)
    if schemas is None:
        return f"```oi\n{alias}.{endpoint}\n```\nno schema: arguments and output are not checked"
    arguments, returns = schemas
    lines = [f"```oi\n{alias}.{endpoint}\n```"]
    if isinstance(arguments, Mapping) and arguments.get("description"):
        lines.append(str(arguments["description"]))
    if arguments is not None:
        listed = ", ".join(
            f"{f.name}{'' if f.required else '?'}: {f.type_text}" for f in schema_fields.fields(arguments)
        )
        lines.append(f"arguments: {listed or 'none'}")
    if returns is not None:
        lines.append(f"output: {shown(t.from_schema(returns))}")
    return "\n\n".join(lines)


def _argument_field(chain: list[ast.Node], table: Declarations | None) -> str:
    """The schema field of the argument (or nested object key) that ends ``chain``."""
    if table is None:
        return ""
    call_at = next((i for i in range(len(chain) - 1, -1, -1) if isinstance(chain[i], ast.ServiceCall)), None)
    if call_at is None:
        return ""
    call = chain[call_at]
    assert isinstance(call, ast.ServiceCall)
    schemas = schema_fields.endpoint_schemas(table, call.service.name, call.endpoint.name)
    if schemas is None or schemas[0] is None:
        return ""
    root = schemas[0]
    schema: Any = root
    path: list[str] = []
    parent_schema: Any = None
    for node in chain[call_at + 1 :]:
        if isinstance(node, (ast.Argument, ast.ObjectField)):
            name = node.name if isinstance(node, ast.Argument) else node.key
            parent_schema = schema
            schema = schema_fields.field_schema(schema, root, name)
            path.append(name)
        elif isinstance(node, (ast.ListExpr, ast.ListComprehension)):
            schema = schema_fields.items_schema(schema, root)
            if path:
                path[-1] += "[]"  # `Rows[].ID`: a field of each item
        if schema is None:
            return ""
    if not path or parent_schema is None:
        return ""
    wanted = path[-1].removesuffix("[]")
    field = next((f for f in schema_fields.fields(parent_schema, root) if f.name == wanted), None)
    if field is None:
        return ""
    where = f"{call.service.name}.{call.endpoint.name}"
    required = "required" if field.required else "optional"
    text = f"```oi\n(argument) {'.'.join(path)}: {field.type_text}\n```\n{required} field of `{where}`"
    return text + (f"\n\n{field.description}" if field.description else "")
