"""The checked program: what semantic analysis hands to code generation.

A ``CheckedProgram`` exists only for a file without errors. It keeps the AST (code generation walks it)
and adds what checking learned: every service resolved to where it comes from and the schemas of its
endpoints, the params with their types, and which task names are static.
"""

from __future__ import annotations

from typing import Any

from oic.records import Record, set_field
from oic.source import SourceFile
from oic.syntax import ast


class EndpointSchemas(Record):
    """The JSON Schemas of one endpoint, as parsed dicts; None where the schema is unknown."""

    __slots__ = ("arguments", "returns")

    arguments: dict[str, Any] | None
    returns: dict[str, Any] | None

    def __init__(self, arguments: dict[str, Any] | None, returns: dict[str, Any] | None) -> None:
        set_field(self, "arguments", arguments)
        set_field(self, "returns", returns)


class ResolvedService(Record):
    """A declared service after resolution.

    ``alias`` is the name tasks use; ``kind`` is ``"catalog"`` or ``"path"``. For a catalog service,
    ``name``/``version`` (version resolved to a concrete one) and ``builtin`` (served by oi itself);
    for a path service, ``path`` made absolute against the pipeline file's directory. ``image`` is the
    explicit Kubernetes image or "". ``schemas`` maps endpoint names to schemas; ``schema_source`` says
    where they came from: ``"builtin"``, ``"init"``, ``"directory"``, ``"init+directory"`` (a schema
    directory laid over the init answer) or ``None`` (unknown: untyped)."""

    __slots__ = (
        "alias",
        "kind",
        "name",
        "version",
        "path",
        "builtin",
        "image",
        "schemas",
        "schema_source",
        "declaration",
    )

    alias: str
    kind: str
    name: str
    version: str
    path: str
    builtin: bool
    image: str
    schemas: dict[str, EndpointSchemas]
    schema_source: str | None
    declaration: ast.ServiceDecl

    def __init__(
        self,
        alias: str,
        kind: str,
        name: str,
        version: str,
        path: str,
        builtin: bool,
        image: str,
        schemas: dict[str, EndpointSchemas],
        schema_source: str | None,
        declaration: ast.ServiceDecl,
    ) -> None:
        set_field(self, "alias", alias)
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "version", version)
        set_field(self, "path", path)
        set_field(self, "builtin", builtin)
        set_field(self, "image", image)
        set_field(self, "schemas", schemas)
        set_field(self, "schema_source", schema_source)
        set_field(self, "declaration", declaration)


class CheckedParam(Record):
    """A declared param: its name, written type (``string``, ``secret``, ...), and declaration."""

    __slots__ = ("name", "type_name", "secret", "declaration")

    name: str
    type_name: str
    secret: bool
    declaration: ast.ParamDecl

    def __init__(self, name: str, type_name: str, secret: bool, declaration: ast.ParamDecl) -> None:
        set_field(self, "name", name)
        set_field(self, "type_name", type_name)
        set_field(self, "secret", secret)
        set_field(self, "declaration", declaration)


class CheckedProgram(Record):
    """A file that checked clean (warnings allowed).

    ``pipeline_name``/``os``/``arch`` come from the pipeline block (os/arch "" when not given: the
    host's); ``parallelism`` and ``timeout_seconds`` are None when not given. ``static_task_names`` are
    the literal names of all task statements (other names are computed at run time)."""

    __slots__ = (
        "source",
        "module",
        "pipeline_name",
        "os",
        "arch",
        "parallelism",
        "timeout_seconds",
        "services",
        "params",
        "conditions",
        "builders",
        "static_task_names",
    )

    source: SourceFile
    module: ast.Module
    pipeline_name: str
    os: str
    arch: str
    parallelism: int | None
    timeout_seconds: float | None
    services: dict[str, ResolvedService]
    params: dict[str, CheckedParam]
    conditions: dict[str, ast.ConditionDecl]
    builders: dict[str, ast.BuilderDecl]
    static_task_names: frozenset[str]

    def __init__(
        self,
        source: SourceFile,
        module: ast.Module,
        pipeline_name: str,
        os: str,
        arch: str,
        parallelism: int | None,
        timeout_seconds: float | None,
        services: dict[str, ResolvedService],
        params: dict[str, CheckedParam],
        conditions: dict[str, ast.ConditionDecl] | None = None,
        builders: dict[str, ast.BuilderDecl] | None = None,
        static_task_names: frozenset[str] = frozenset(),
    ) -> None:
        set_field(self, "source", source)
        set_field(self, "module", module)
        set_field(self, "pipeline_name", pipeline_name)
        set_field(self, "os", os)
        set_field(self, "arch", arch)
        set_field(self, "parallelism", parallelism)
        set_field(self, "timeout_seconds", timeout_seconds)
        set_field(self, "services", services)
        set_field(self, "params", params)
        set_field(self, "conditions", {} if conditions is None else conditions)
        set_field(self, "builders", {} if builders is None else builders)
        set_field(self, "static_task_names", static_task_names)
