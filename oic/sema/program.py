"""The checked program: what semantic analysis hands to code generation.

A ``CheckedProgram`` exists only for a file without errors. It keeps the AST (code generation walks it)
and adds what checking learned: every service resolved to where it comes from and the schemas of its
endpoints, the params with their types, and which task names are static.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oic.source import SourceFile
from oic.syntax import ast


@dataclass(frozen=True)
class EndpointSchemas:
    """The JSON Schemas of one endpoint, as parsed dicts; None where the schema is unknown."""

    arguments: dict[str, Any] | None
    returns: dict[str, Any] | None


@dataclass(frozen=True)
class ResolvedService:
    """A declared service after resolution.

    ``alias`` is the name tasks use; ``kind`` is ``"catalog"`` or ``"path"``. For a catalog service,
    ``name``/``version`` (version resolved to a concrete one) and ``builtin`` (served by oi itself);
    for a path service, ``path`` made absolute against the pipeline file's directory. ``image`` is the
    explicit Kubernetes image or "". ``schemas`` maps endpoint names to schemas; ``schema_source`` says
    where they came from: ``"builtin"``, ``"directory"``, ``"init"`` or ``None`` (unknown: untyped)."""

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


@dataclass(frozen=True)
class CheckedParam:
    """A declared param: its name, written type (``string``, ``secret``, ...), and declaration."""

    name: str
    type_name: str
    secret: bool
    declaration: ast.ParamDecl


@dataclass(frozen=True)
class CheckedProgram:
    """A file that checked clean (warnings allowed).

    ``pipeline_name``/``os``/``arch`` come from the pipeline block (os/arch "" when not given: the
    host's); ``parallelism`` and ``timeout_seconds`` are None when not given. ``static_task_names`` are
    the literal names of all task statements (other names are computed at run time)."""

    source: SourceFile
    module: ast.Module
    pipeline_name: str
    os: str
    arch: str
    parallelism: int | None
    timeout_seconds: float | None
    services: dict[str, ResolvedService]
    params: dict[str, CheckedParam]
    conditions: dict[str, ast.ConditionDecl] = field(default_factory=dict)
    builders: dict[str, ast.BuilderDecl] = field(default_factory=dict)
    static_task_names: frozenset[str] = frozenset()
