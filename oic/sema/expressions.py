"""Resolving and typing expressions.

``ExpressionChecker.type_of(expression, scope)`` resolves every name in the expression, reports what
is certainly wrong and returns the expression's type. Errors never stop the walk: a wrong
subexpression is typed ``any`` so that one mistake gives one diagnostic. What an accepted expression
guarantees at run time, unless a value involved is typed ``any``:

- a name is bound (E0201), and ``event``, ``tasks`` and ``pipeline`` exist where it is used (E0214);
- a field read finds an object with that field (E0305/E0306/E0313), or, for a field the schema makes
  optional, gives null through ``runtime.expressions.get_optional_member`` (``optional_reads``);
- no value that may be null is read, indexed, looped over, computed with, or passed where null fails
  (E0315): tests narrow (``if x != null``, ``tasks["b"].status == "success"``, see ``narrowing``);
- an operator gets operands it accepts (E0307; rules in ``operators``), a standard-library function
  arguments of the types it takes (E0308), a list a whole-number index;
- a comparison with a literal can be true (E0316: ``tasks["a"].status == "Success"`` never is).

``tasks`` is indexed by name: ``tasks["fetch"]`` is the task record of ``task_records``, typed from
the facts of the place it is read (``facts``); reading it where the task may not have run yet is
W0108, except ``.status`` (that is the guard), ``.output`` and ``.arguments`` compared with
``null`` (a guard too), and the first argument of ``default(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from oic.sema import hints, operators, stdlib, task_records
from oic.sema import types as t
from oic.sema.bounds import ValueDepths
from oic.sema.event_types import ANY_EVENT
from oic.sema.facts import FactsAnalysis
from oic.sema.hints import closest, did_you_mean
from oic.sema.knowledge import NameKey, ParameterKey, Path, Proof, TaskKey, at_least
from oic.sema.narrowing import path_of, prove, task_key, task_read
from oic.sema.reporter import Reporter
from oic.sema.resolve import BUILTIN_VALUES, Binding, Declarations, Scope
from oic.sema.task_index import TaskIndex
from oic.source import Span
from oic.syntax import ast
from oic.syntax.limits import MAX_NESTING

# ``event`` where the events are not known (a builder body): see ``event_types`` for reactions.
EVENT_TYPE = ANY_EVENT
PIPELINE_TYPE = t.ObjectType((("name", t.STRING),), frozenset({"name"}), True, origin="pipeline")
TASK_FIELDS = task_records.FIELDS
NULL_HINT = "check it first (`if x != null { ... }`), or give a fallback: `default(x, ...)`"
_LITERALS = (ast.StringLiteral, ast.NumberLiteral, ast.BoolLiteral, ast.NullLiteral)
_CONTAINER = t.union([t.STRING, t.LIST, t.OBJECT])
_CHAIN_LINKS = (ast.Binary, ast.Member, ast.Index)
# The expressions that build a list or an object: their values nest one level deeper than their parts.
_BUILT_VALUES = (ast.ListExpr, ast.ObjectExpr, ast.ListComprehension, ast.ObjectComprehension)


class ExpressionChecker:
    """Types expressions of one file; remembers each node's type (``types_by_node``) and the field
    reads that may find the field absent (``optional_reads``, ids of AST nodes)."""

    def __init__(
        self, reporter: Reporter, table: Declarations, index: TaskIndex, facts: FactsAnalysis | None = None
    ) -> None:
        self.reporter = reporter
        self.table = table
        self.index = index
        self.facts = facts if facts is not None else FactsAnalysis(table, index)
        self.types_by_node: dict[int, t.Type] = {}
        # The binding each ``Name`` node resolved to (by id), for tools that navigate (oic.sema.analysis).
        self.bindings_by_node: dict[int, Binding] = {}
        self.used_params: set[str] = set()
        self.optional_reads: set[int] = set()
        # Task reads that are guards or fallbacks: the first argument of default(), null tests.
        self._no_warning: set[int] = set()
        # The output and arguments types of each task name read (schemas are read once per name).
        self._endpoints: dict[str | None, tuple[t.Type, t.Type]] = {}
        self.value_depths = ValueDepths()
        # The proofs of the `and`/`or` chains proven so far, by node (see ``narrowing.prove``).
        self._proofs: dict[int, tuple[Proof, Proof]] = {}

    # -- entry point ---------------------------------------------------------------------------------

    def type_of(self, expression: ast.Expression, scope: Scope) -> t.Type:
        known = self.types_by_node.get(id(expression))
        if known is not None:
            return known
        kind = type(expression)
        if kind in _CHAIN_LINKS:
            inner: Any = expression.left if kind is ast.Binary else expression.target  # type: ignore[union-attr]
            if id(inner) not in self.types_by_node and _typed_before(expression, inner):
                self._type_earlier_links(expression, scope)
        key = (type(self), kind)
        method = _METHODS.get(key)
        if method is None:
            method = _METHODS[key] = getattr(key[0], "_" + key[1].__name__, None) or _untyped
        result = method(self, expression, scope)
        if scope.narrowed and isinstance(expression, (ast.Name, ast.Member, ast.Index)):
            path = self.resolved_path(expression, scope)
            if path is not None and scope.proven_not_null(path):
                result = t.without_null(result)
        if kind in _BUILT_VALUES and self.value_depths.too_deep(result):
            if self.value_depths.first_report():  # the next ones would be a cascade of the first
                self.error(
                    expression.span,
                    "E0107",
                    f"value nested more than {MAX_NESTING} deep, counting the values it is built from",
                    "a list or object built from a `let` of a list or object nests one level deeper",
                )
            result = t.ANY
        self.types_by_node[id(expression)] = result
        return result

    def _type_earlier_links(self, link: Any, scope: Scope) -> None:
        """Type the links of the flat chain before ``link`` (`a + b` in `a + b - c`, `x.a` in
        `x.a[0]`), innermost first, with a loop: a chain may be as long as the file, and each link's
        method then finds its left operand or target typed instead of recursing along the chain."""
        pending = []
        while True:
            inner = link.left if type(link) is ast.Binary else link.target
            if not _typed_before(link, inner) or id(inner) in self.types_by_node:
                break
            pending.append(inner)
            link = inner
        for earlier in reversed(pending):
            self.type_of(earlier, scope)

    def error(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.reporter.report(span, code, message, hint)

    # -- narrowing -----------------------------------------------------------------------------------

    def narrowed(self, scope: Scope, proof: Proof) -> Scope:
        """A child of ``scope`` where ``proof`` holds (a branch, the right operand of ``and``, ...);
        ``scope`` itself when the proof adds nothing."""
        if not proof.facts and not proof.non_null:
            return scope
        facts = scope.facts.join(proof.facts) if proof.facts else None
        inner = scope.child(facts=facts)
        for path in proof.non_null:
            resolved = self._resolve(path, scope)
            if resolved is not None:
                inner.non_null.add(resolved)
                inner.narrowed = True
        return inner

    def proofs(self, test: ast.Expression, scope: Scope) -> tuple[Proof, Proof]:
        return prove(test, self.symbols(scope), self._proofs)

    def symbols(self, scope: Scope) -> Mapping[str, TaskKey]:
        """The task key each name denotes here: a ``condition`` definition's parameters that are not
        shadowed, and (looked up when asked) any other name by its binding (``NameKey``)."""
        return _ScopeKeys(scope)

    def resolved_path(self, expression: ast.Expression, scope: Scope) -> Path | None:
        path = path_of(expression, self.symbols(scope))
        return None if path is None else self._resolve(path, scope)

    @staticmethod
    def _resolve(path: Path, scope: Scope) -> Path | None:
        """``path`` with a name at its root replaced by the binding it denotes here, so that a test
        on one ``x`` never narrows another ``x`` that shadows it."""
        root = path[0]
        if isinstance(root, tuple) and root and root[0] == "name":
            binding = scope.lookup(str(root[1]))
            if binding is None:
                return None
            return (("binding", id(binding)), *path[1:])
        return path

    # -- literals ------------------------------------------------------------------------------------

    def _StringLiteral(self, node: ast.StringLiteral, scope: Scope) -> t.Type:
        return t.STRING

    def _InterpolatedString(self, node: ast.InterpolatedString, scope: Scope) -> t.Type:
        parts = [self.type_of(part, scope) for part in node.parts]
        return t.SECRET if any(t.carries_secret(part) for part in parts) else t.STRING

    def _NumberLiteral(self, node: ast.NumberLiteral, scope: Scope) -> t.Type:
        return t.literal_type(node.value)

    def _BoolLiteral(self, node: ast.BoolLiteral, scope: Scope) -> t.Type:
        return t.BOOL

    def _NullLiteral(self, node: ast.NullLiteral, scope: Scope) -> t.Type:
        return t.NULL

    def _ListExpr(self, node: ast.ListExpr, scope: Scope) -> t.Type:
        items = [self.type_of(item, scope) for item in node.items]
        return t.ListType(t.union(items)) if items else t.LIST

    def _ObjectExpr(self, node: ast.ObjectExpr, scope: Scope) -> t.Type:
        fields: dict[str, t.Type] = {}
        for entry in node.fields:
            if entry.key in fields:
                self.error(entry.key_span, "E0206", f"field {entry.key!r} is given twice in this object")
            fields[entry.key] = self.type_of(entry.value, scope)
        return t.ObjectType(tuple(fields.items()), frozenset(fields), True)

    # -- names ---------------------------------------------------------------------------------------

    def _Name(self, node: ast.Name, scope: Scope) -> t.Type:
        if node.name in BUILTIN_VALUES:
            if not scope.runtime_values:
                self.error(
                    node.span,
                    "E0214",
                    f"{node.name!r} is not available in {scope.place or 'this place'}",
                    "it is computed before any event; `event`, `tasks` and `pipeline` exist in guards "
                    "and in reaction and builder bodies",
                )
                return t.ANY
            if node.name == "event":
                return scope.event if scope.event is not None else EVENT_TYPE
            if node.name == "pipeline":
                return PIPELINE_TYPE
            self.error(
                node.span,
                "E0313",
                "`tasks` is not a value: it is looked up by task name",
                'read one task\'s record: `tasks["NAME"]`',
            )
            return t.ANY
        binding = scope.lookup(node.name)
        unavailable = scope.why_unavailable(node.name) if binding is None else None
        if unavailable is not None:
            if node.name in self.table.params:
                self.used_params.add(node.name)  # used, if too early: not "unused" as well
            self.error(node.span, "E0214", *unavailable)
            return t.ANY
        if binding is None:
            # (every visible name, only while hints are given: see hints.MAX_COMPARISONS)
            candidates = scope.visible_names() + ["event", "tasks", "pipeline"] if hints.available() else []
            intended = closest(node.name, candidates)
            hint = f"did you mean `{intended}`?" if intended is not None and intended != node.name else ""
            meant = scope.lookup(intended or "")
            if meant is not None and meant.kind == "param":
                self.used_params.add(meant.name)  # the misspelt use was meant for it: no "unused" too
            if not hint and node.name in self.table.params:
                hint = "params are not visible here"
            elif not hint and node.name in self.table.service_declarations:
                hint = f"{node.name!r} is a service: call its endpoints in task statements"
            self.error(node.span, "E0201", f"undefined name {node.name!r}", hint)
            return t.ANY
        binding.used = True
        self.bindings_by_node[id(node)] = binding
        if binding.kind == "param":
            self.used_params.add(node.name)
        return binding.type

    # -- task records --------------------------------------------------------------------------------

    def _task_key(self, name_expression: ast.Expression, scope: Scope) -> TaskKey | None:
        return task_key(name_expression, self.symbols(scope))

    def task_record(self, read: ast.Index, scope: Scope, field: str | None) -> t.ObjectType:
        """The type of ``tasks[NAME]`` (``read``), of which ``field`` is read (None: the whole record)."""
        name_expression = read.index
        name_type = self.type_of(name_expression, scope)
        self.check_fits(name_expression, name_type, t.STRING, "a task name", "E0310")
        key = self._task_key(name_expression, scope)
        level = self.facts.level(scope.facts, key) if key is not None else None
        needed = task_records.NEEDED.get(field)
        if field == "output" and key is not None and scope.proven_not_null((("tasks", key), "output")):
            needed = None  # `tasks["b"].output != null` holds: b's latest run succeeded
        if needed is not None and not at_least(level, needed) and id(read) not in self._no_warning:
            self._may_not_have_run(read, key, field)
        static = key if isinstance(key, str) else None
        endpoint = self._endpoints.get(static)
        if endpoint is None:
            output, arguments, _ = task_records.endpoint_types(static, self.table, self.index)
            endpoint = self._endpoints[static] = (output, arguments)
        return task_records.record_type(static, level, *endpoint)

    def _may_not_have_run(self, read: ast.Index, key: TaskKey | None, field: str | None) -> None:
        shown = t.json_literal(key) if isinstance(key, str) else "NAME"
        if isinstance(key, str):
            what = f"task {shown}"
        else:
            what = "this task" if isinstance(key, ParameterKey) else "a task named at run time"
        if field == "arguments":
            detail = "may not have started when this runs (its arguments are null until then)"
            hint = f"react to `task({shown}).started`"
        else:
            detail = (
                "may not have finished when this runs (its output is null and its error empty until then)"
            )
            status = "failed" if field == "error" else "success"
            hint = (
                f"react to `task({shown}).finished({status})`, guard the read with "
                f'`if tasks[{shown}].status == "{status}"`, or give a fallback with `default(...)`'
            )
        self.error(read.span, "W0108", f"{what} {detail}", hint)

    def _task_field(self, read: ast.Index, field: str, field_span: Span, scope: Scope) -> t.Type:
        if field not in TASK_FIELDS:
            self.task_record(read, scope, "status")  # type the name, no warning: the read is wrong anyway
            key = self._task_key(read.index, scope)
            what = f"the record of task {key!r}" if isinstance(key, str) else "a task record"
            self.error(
                field_span,
                "E0306",
                f"{what} has no field {field!r}",
                did_you_mean(field, TASK_FIELDS)
                or "its fields are " + ", ".join(f"`{f}`" for f in TASK_FIELDS),
            )
            return t.ANY
        record = self.task_record(read, scope, field)
        found = record.field_type(field)
        return found if found is not None else t.ANY

    # -- field and index access ----------------------------------------------------------------------

    def _Member(self, node: ast.Member, scope: Scope) -> t.Type:
        if scope.runtime_values:
            if isinstance(node.target, ast.Index) and task_read(node.target) is not None:
                return self._task_field(node.target, node.name, node.name_span, scope)
            if _is_tasks(node.target):
                self.error(
                    node.target.span,
                    "E0313",
                    f"`tasks` is looked up by task name, not read as an object (reading {node.name!r})",
                    f"write `tasks[{t.json_literal(node.name)}]`",
                )
                return t.ANY
        target = self.type_of(node.target, scope)
        return self.field_of(target, node.name, node.name_span, node.target, node)

    def field_of(
        self,
        target: t.Type,
        name: str,
        name_span: Span,
        target_node: ast.Expression,
        read: ast.Expression,
    ) -> t.Type:
        """The type of field ``name`` of a value of type ``target``, reporting an impossible read and
        marking ``read`` when the field may be absent (it then gives null)."""
        if t.may_be_null(target):
            self.null_error(target_node, target, f"reading its field {name!r}")
            return t.ANY
        results: list[t.Type] = []
        optional = False
        missing: list[t.ObjectType] = []
        for member in t.members(target):
            if isinstance(member, t.AnyType):
                results.append(member)  # unknown (and secret, if it was)
            elif isinstance(member, t.ObjectType):
                found = member.field_type(name)
                if found is None:
                    missing.append(member)
                elif name in member.required if member.listed(name) else member.fields_unknown:
                    results.append(found)  # certainly present, or unknown (then absent fails: any)
                else:
                    results.append(t.union([found, t.NULL]))
                    optional = True
            else:
                self.error(
                    target_node.span, "E0313", f"a {member.describe()} has no fields (reading {name!r})"
                )
                return t.ANY
        if missing and not results:
            self._unknown_field(missing[0], name, name_span)
            return t.ANY
        if missing:
            # Another shape of the union has the field; in this one it is absent: null.
            results.append(t.NULL)
            optional = True
        if optional:
            self.optional_reads.add(id(read))
        kind = t.union(results)
        if isinstance(kind, t.AnyType) and (missing or any(t.may_be_null(result) for result in results)):
            # `any` would absorb a null the checker knows of: the field of a shape without it (the
            # payload's `data` of an event that may not be a report), or a field typed `any | null`
            # (an output that is null when the task failed). Null is known, the rest is not.
            return t.UnionType((kind, t.NULL))
        return kind

    def _unknown_field(self, target: t.ObjectType, name: str, name_span: Span) -> None:
        origin = target.origin or "this object"
        hint = did_you_mean(name, target.field_names())
        if not hint and target.field_names():
            hint = "its fields are " + ", ".join(f"`{field}`" for field in target.field_names())
        code = "E0305" if origin.startswith("the output of") else "E0306"
        self.error(name_span, code, f"{origin} has no field {name!r}", hint)

    def _Index(self, node: ast.Index, scope: Scope) -> t.Type:
        if scope.runtime_values:
            if _is_tasks(node.target):
                return self.task_record(node, scope, None)
            record = node.target
            if isinstance(record, ast.Index) and task_read(record) is not None:
                if isinstance(node.index, ast.StringLiteral):
                    return self._task_field(record, node.index.value, node.index.span, scope)
        target = self.type_of(node.target, scope)
        index = self.type_of(node.index, scope)
        if isinstance(node.index, ast.StringLiteral) and not t.may_be_null(target):
            if all(isinstance(member, (t.ObjectType, t.AnyType)) for member in t.members(target)):
                return self.field_of(target, node.index.value, node.index.span, node.target, node)
        if t.may_be_null(target):
            self.null_error(node.target, target, "indexing it")
            return t.ANY
        results: list[t.Type] = []
        for member in t.members(target):
            result = self._index_member(member, index, node)
            if result is None:
                return t.ANY
            results.append(result)
        return t.union(results)

    def _index_member(self, target: t.Type, index: t.Type, node: ast.Index) -> t.Type | None:
        if isinstance(target, t.AnyType):
            return target
        if isinstance(target, (t.ListType, t.StringType)):
            what = "a list" if isinstance(target, t.ListType) else "a string's"
            if not self.check_fits(node.index, index, t.INTEGER, f"{what} index", "E0307"):
                return None
            return target.element if isinstance(target, t.ListType) else target
        if isinstance(target, t.ObjectType):
            if not self.check_fits(node.index, index, t.STRING, "an object key", "E0307"):
                return None
            # A key that is absent fails at run time, like an index out of range: a value error.
            kinds = [kind for _, kind in target.fields] + ([] if target.closed else [target.extra])
            return t.union(kinds) if kinds else t.ANY
        self.error(node.target.span, "E0313", f"a {target.describe()} cannot be indexed")
        return None

    # -- fitting and null ----------------------------------------------------------------------------

    def check_fits(
        self, expression: ast.Expression, actual: t.Type, expected: t.Type, what: str, code: str
    ) -> bool:
        """Whether ``actual`` fits ``expected``; if not, report E0315 when only null is in the way,
        else ``code`` ("``what`` is EXPECTED, not ACTUAL")."""
        reason = t.mismatch(actual, expected)
        if reason is None:
            return True
        if t.may_be_null(actual) and (
            actual == t.NULL or t.mismatch(t.without_null(actual), expected) is None
        ):
            self.null_error(expression, actual, f"as {what}")
        else:
            detail = f" ({reason})" if reason else ""
            self.error(
                expression.span, code, f"{what} is {expected.describe()}, not {actual.describe()}{detail}"
            )
        return False

    def null_error(self, expression: ast.Expression, actual: t.Type, use: str) -> None:
        """E0315 at ``expression``, a value of type ``actual`` (which may be null) used for ``use``."""
        self.error(expression.span, "E0315", *self.null_problem(expression, actual, use))

    def null_problem(self, expression: ast.Expression, actual: t.Type, use: str) -> tuple[str, str]:
        """The message and hint of E0315 (see ``null_error``)."""
        text = _source_text(self.reporter, expression.span)
        subject = f"`{text}`" if text and len(text) <= 40 else "this value"
        hint = NULL_HINT
        read = _task_output_read(expression)
        if read is not None:
            shown = _source_text(self.reporter, read.span) or "tasks[NAME]"
            hint = (
                f"the output is null unless the task's latest run succeeded: react to "
                f'`finished(success)`, check `{shown}.status == "success"` first, or use `default(...)`'
            )
        return f"{subject} may be null here ({use}; it is {actual.describe()})", hint

    # -- calls ---------------------------------------------------------------------------------------

    def _Call(self, node: ast.Call, scope: Scope) -> t.Type:
        name = node.function.name
        if name == "default" and node.args:
            read = _root_task_read(node.args[0])
            if read is not None:
                self._no_warning.add(id(read))
        arguments = [self.type_of(argument, scope) for argument in node.args]
        signature = stdlib.SIGNATURES.get(name)
        if signature is None:
            hint = did_you_mean(name, stdlib.SIGNATURES)
            if name in self.table.builders:
                hint = f"{name!r} is a builder: call it as a statement in a reaction body"
            elif name in self.table.conditions:
                hint = f"{name!r} is a condition: use it after `on`"
            self.error(node.function.span, "E0204", f"unknown function {name!r}", hint)
            return t.ANY
        count = len(node.args)
        plural = "argument" if signature.arity_text() == "1" else "arguments"
        if count < signature.minimum or (not signature.variadic and count > len(signature.parameters)):
            self.error(
                node.span,
                "E0205",
                f"{name}() takes {signature.arity_text()} {plural}, {count} given",
            )
            return signature.result(arguments)
        if name == "format" and isinstance(node.args[0], ast.StringLiteral):
            self._check_placeholders(node, node.args[0].value)
        if name == "contains" and t.mismatch(arguments[0], _CONTAINER) is None:
            # contains(c, x) is `x in c`: a string is searched for a string only.
            outcome = operators.binary("in", arguments[1], arguments[0])
            if outcome.null_refused:
                self.null_error(node.args[1], arguments[1], "looked for in a string")
            elif not outcome.ok:
                self.error(
                    node.args[1].span,
                    "E0308",
                    f"argument 2 of contains() must be a string to be looked for in a string, "
                    f"not {arguments[1].describe()}",
                )
        for position, (argument, argument_type) in enumerate(zip(node.args, arguments, strict=True)):
            if position >= len(signature.parameters):
                break
            expected = signature.parameters[position]
            self.check_fits(
                argument, argument_type, expected, f"argument {position + 1} of {name}()", "E0308"
            )
        return signature.result(arguments)

    def _check_placeholders(self, node: ast.Call, template: str) -> None:
        """A literal ``format`` template must have one ``{}`` per argument after it (``{{`` and ``}}``
        are literal braces), as ``std_format`` requires at run time."""
        placeholders = 0
        position = 0
        while position < len(template):
            pair = template[position : position + 2]
            if pair in ("{{", "}}", "{}"):
                placeholders += pair == "{}"
                position += 2
            else:
                position += 1
        given = len(node.args) - 1
        if placeholders != given:
            self.error(
                node.span,
                "E0205",
                f"format() has {placeholders} `{{}}` placeholder{'s' if placeholders != 1 else ''} "
                f"and {given} value{'s' if given != 1 else ''} to put in them",
                "give one value per `{}`; write `{{` and `}}` for literal braces",
            )

    # -- operators -----------------------------------------------------------------------------------

    def _Unary(self, node: ast.Unary, scope: Scope) -> t.Type:
        operand = self.type_of(node.operand, scope)
        if node.op == "not":
            return t.BOOL
        outcome = operators.negate(operand)
        if outcome.null_refused:
            self.null_error(node.operand, operand, "negating it")
        elif not outcome.ok:
            self.error(node.span, "E0307", f"cannot negate a {operand.describe()}")
        return outcome.type

    def _Binary(self, node: ast.Binary, scope: Scope) -> t.Type:
        op = node.op
        if op in ("==", "!="):
            # `tasks[n].output != null` is a test of whether the task ran, as `.status` is: no W0108.
            for side, other in ((node.left, node.right), (node.right, node.left)):
                read = _task_null_tested_read(side)
                if read is not None and isinstance(other, ast.NullLiteral):
                    self._no_warning.add(id(read))
        left = self.type_of(node.left, scope)
        if op in ("and", "or"):
            when_true, when_false = self.proofs(node.left, scope)
            self.type_of(node.right, self.narrowed(scope, when_true if op == "and" else when_false))
            return t.BOOL
        right = self.type_of(node.right, scope)
        if op in ("==", "!="):
            self._check_can_be_equal(node, left, right, scope)
            return t.BOOL
        outcome = operators.binary(op, left, right)
        if outcome.ok:
            return outcome.type
        refused_left, refused_right = outcome.refused or (left, right)
        if outcome.null_refused:
            side, kind = (node.left, left) if isinstance(refused_left, t.NullType) else (node.right, right)
            self.null_error(side, kind, f"an operand of `{op}`")
        elif op == "in":
            self.error(
                node.right.span,
                "E0307",
                f"`in` needs a list, an object, or a string with a string on its left, not "
                f"{refused_right.describe()} (on the left: {refused_left.describe()})",
            )
        else:
            self._operator_error(node, left, right, refused_left, refused_right)
        return t.ANY

    def _operator_error(
        self, node: ast.Binary, left: t.Type, right: t.Type, refused_left: t.Type, refused_right: t.Type
    ) -> None:
        op = node.op
        if op == "+":
            hint = '`+` adds numbers, joins strings or lists; use string() or "${...}"'
        elif op in operators.ORDERING:
            hint = "compare numbers with numbers or strings with strings"
        else:
            hint = f"`{op}` works on numbers"
        pair = f"{left.describe()} and {right.describe()}"
        if (refused_left, refused_right) != (left, right):
            pair += f" (they may be {refused_left.describe()} and {refused_right.describe()})"
        self.error(node.span, "E0307", f"cannot apply `{op}` to {pair}", hint)

    def _check_can_be_equal(self, node: ast.Binary, left: t.Type, right: t.Type, scope: Scope) -> None:
        """E0316 when one side is a literal the other side's type cannot hold."""
        for side, kind, literal in ((node.left, left, node.right), (node.right, right, node.left)):
            if not isinstance(literal, _LITERALS) or isinstance(side, _LITERALS):
                continue
            if isinstance(literal, ast.NullLiteral) and self._known_not_null(side, scope):
                continue
            value = None if isinstance(literal, ast.NullLiteral) else literal.value
            if t.literal_fits(value, kind):
                continue
            outcome = "never true" if node.op == "==" else "always true"
            text = _source_text(self.reporter, side.span)
            subject = f"`{text}`" if text and len(text) <= 40 else "the other side"
            hint = ""
            if isinstance(side, ast.Member) and side.name == "status" and task_read(side.target) is not None:
                words = ", ".join(t.json_literal(word) for word in task_records.STATUS_WORDS)
                meant = closest(str(value), task_records.STATUS_WORDS) if isinstance(value, str) else None
                hint = f"a status is one of {words}, in lowercase" + (
                    f": did you mean {t.json_literal(meant)}?" if meant else ""
                )
            never = f"{subject} is {kind.describe()}, never {t.json_literal(value)}"
            self.error(node.span, "E0316", f"this comparison is {outcome}: {never}", hint)
            return

    def _known_not_null(self, side: ast.Expression, scope: Scope) -> bool:
        """Whether ``side`` may be null as declared, and is not null here only by what the checker
        knows at this point (a test before it, or the facts of the reaction): a field named
        ``output`` or ``arguments`` (of a task record, however it is reached: ``tasks["a"]``, a
        ``let`` holding it), or a path narrowed by a test. Comparing such a value with null is a
        guard, which the hints of W0108 and E0315 advise, not a mistake (E0316). (Another object's
        field of those names is let through too: a check missed, never a run broken.)"""
        if _field_name(side) in ("output", "arguments"):
            return True
        path = path_of(side, self.symbols(scope))
        if path is None:
            return False
        resolved = self._resolve(path, scope)
        return resolved is not None and scope.proven_not_null(resolved)

    def _Conditional(self, node: ast.Conditional, scope: Scope) -> t.Type:
        self.type_of(node.test, scope)
        when_true, when_false = self.proofs(node.test, scope)
        then = self.type_of(node.then, self.narrowed(scope, when_true))
        otherwise = self.type_of(node.otherwise, self.narrowed(scope, when_false))
        return t.union([then, otherwise])

    # -- comprehensions ------------------------------------------------------------------------------

    def element_type(self, iterable: ast.Expression, scope: Scope) -> t.Type:
        """The type of the elements a loop over ``iterable`` visits (a list's items, an object's
        keys), reporting what cannot be looped over."""
        kind = self.type_of(iterable, scope)
        if t.may_be_null(kind):
            self.null_error(iterable, kind, "looping over it")
            return t.ANY
        elements: list[t.Type] = []
        for member in t.members(kind):
            if isinstance(member, t.ListType):
                elements.append(member.element)
            elif isinstance(member, t.ObjectType):
                elements.append(t.STRING)
            elif isinstance(member, t.AnyType):
                elements.append(member)
            else:
                self.error(
                    iterable.span, "E0310", f"cannot loop over {_a(member.describe())}", "loop over a list"
                )
                return t.ANY
        return t.union(elements)

    def comprehension_scope(self, variable: ast.Identifier, iterable: ast.Expression, scope: Scope) -> Scope:
        from oic.sema.resolve import Binding, check_declarable

        element = self.element_type(iterable, scope)
        inner = scope.child()
        if check_declarable(variable, self.reporter):
            inner.bindings[variable.name] = Binding(variable.name, element, "loop", variable.span, used=True)
        return inner

    def filtered(self, condition: ast.Expression | None, inner: Scope) -> Scope:
        """The scope past a loop's filter: ``inner`` where ``condition`` held."""
        if condition is None:
            return inner
        self.type_of(condition, inner)
        return self.narrowed(inner, self.proofs(condition, inner)[0])

    def _ListComprehension(self, node: ast.ListComprehension, scope: Scope) -> t.Type:
        inner = self.filtered(node.condition, self.comprehension_scope(node.variable, node.iterable, scope))
        return t.ListType(self.type_of(node.element, inner))

    def _ObjectComprehension(self, node: ast.ObjectComprehension, scope: Scope) -> t.Type:
        inner = self.filtered(node.condition, self.comprehension_scope(node.variable, node.iterable, scope))
        key = self.type_of(node.key, inner)
        self.check_fits(node.key, key, t.STRING, "an object key", "E0310")
        value = self.type_of(node.value, inner)
        return t.ObjectType((), frozenset(), False, value)


def _typed_before(link: Any, inner: Any) -> bool:
    """Whether the earlier link ``inner`` of a chain is typed before ``link``: it is, unless ``link``
    reads a field of a task record (`tasks["b"].status`), which types the record read itself, knowing
    the field (a `.status` read needs no fact about the task, so typing `tasks["b"]` alone would warn
    W0108 where the whole read is fine)."""
    if not ast.continues_chain(link, inner):
        return False
    return type(link) is ast.Binary or task_read(inner) is None


def _is_tasks(expression: ast.Expression) -> bool:
    return isinstance(expression, ast.Name) and expression.name == "tasks"


def _root_task_read(expression: ast.Expression) -> ast.Index | None:
    """The ``tasks[NAME]`` a chain of field reads and indexes starts from (``tasks["b"].output.x``)."""
    current = expression
    while isinstance(current, (ast.Member, ast.Index)):
        if task_read(current) is not None:
            return current if isinstance(current, ast.Index) else None
        current = current.target
    return None


def _task_null_tested_read(expression: ast.Expression) -> ast.Index | None:
    """The ``tasks[NAME]`` of ``tasks[NAME].output`` or ``tasks[NAME].arguments`` (the fields that
    are null until the task has run), or None."""
    if isinstance(expression, ast.Member) and expression.name in ("output", "arguments"):
        read = expression.target
        return read if isinstance(read, ast.Index) and task_read(read) is not None else None
    return None


def _task_output_read(expression: ast.Expression) -> ast.Index | None:
    """The ``tasks[NAME]`` of ``tasks[NAME].output``, or None."""
    if isinstance(expression, ast.Member) and expression.name == "output":
        read = expression.target
        return read if isinstance(read, ast.Index) and task_read(read) is not None else None
    return None


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an integer", "a string"."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _source_text(reporter: Reporter, span: Span) -> str:
    """The text ``span`` covers, when it is on one line (for messages that quote an expression)."""
    if span.line != span.end_line:
        return ""
    return reporter.source.line_text(span.line)[span.column - 1 : span.end_column - 1]


def _untyped(checker: ExpressionChecker, expression: ast.Expression, scope: Scope) -> t.Type:
    """The type of an expression no method knows: anything."""
    return t.ANY


# The method typing each node class (``ExpressionChecker._ClassName``), found once per checker and
# node class.
_METHODS: dict[tuple[type, type], Callable[[Any, Any, Scope], t.Type]] = {}


def _field_name(expression: ast.Expression) -> str | None:
    """The field ``expression`` reads (``x.name`` or ``x["name"]``), or None."""
    if isinstance(expression, ast.Member):
        return expression.name
    if isinstance(expression, ast.Index) and isinstance(expression.index, ast.StringLiteral):
        return expression.index.value
    return None


class _ScopeKeys(Mapping[str, TaskKey]):
    """``ExpressionChecker.symbols``: iterating gives the definition parameters only (the names whose
    text a task name's interpolation may use statically); any visible name can be looked up."""

    __slots__ = ("_scope",)

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def _parameters(self) -> dict[str, TaskKey]:
        return {
            name: key
            for name, key in self._scope.task_keys.items()
            if (binding := self._scope.lookup(name)) is not None and binding.kind == "parameter"
        }

    def __getitem__(self, name: str) -> TaskKey:
        binding = self._scope.lookup(name)
        if binding is None:
            raise KeyError(name)
        if binding.kind == "parameter" and name in self._scope.task_keys:
            return self._scope.task_keys[name]
        return NameKey(name, id(binding))

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters())

    def __len__(self) -> int:
        return len(self._parameters())
