"""Checking the bodies of reactions and builders, and condition expressions.

A task statement names a service and an endpoint; when the endpoint's ``arguments.json`` is known,
each argument is checked against it: a field the schema does not have (with a spelling hint), a
required field left out (at the call), a value of the wrong type or outside an ``enum`` (at the
value). Object and list literals are followed into, so a mistake deep inside ``Auth: {Tokn: t}`` is
reported at ``Tokn``; so are both branches of ``x if c else y``, and an object literal given where
the schema allows several object shapes is checked against the shape it matches best.

What an accepted body guarantees at run time, unless a value involved is typed ``any``:

- every task argument has the type its schema field has (``types.compatible``: a value that may be
  null only where the field allows null, E0315; an integer where the schema says ``integer``);
- a task name is a string that is not derived from a secret (E0314), and a secret never reaches a
  builder or condition parameter that would lose its mark (E0319);
- builder and condition calls give each parameter a value of its declared type;
- settings are in range: ``retry`` 0 to 100, every duration and the longest backoff wait at most
  ``runtime.limits.MAX_DURATION_SECONDS``;
- ``if`` branches, loop bodies past their filter, and the body of a reaction past its guard are
  checked with what their test proves (``narrowing``, ``facts``).
"""

from __future__ import annotations

from oic.sema import types as t
from oic.sema.alternatives import check_call_alternatives
from oic.sema.constants import check_constant_argument
from oic.sema.endpoints import report_unlisted_endpoint
from oic.sema.expressions import ExpressionChecker
from oic.sema.hints import closest, did_you_mean
from oic.sema.reporter import Reporter
from oic.sema.resolve import Binding, Declarations, Scope, check_declarable, written_type
from oic.sema.settings import check_duration
from oic.syntax import ast
from runtime.limits import MAX_DURATION_SECONDS, MAX_DURATION_TEXT, MAX_RETRIES, longest_backoff_wait

LITERALS = (ast.StringLiteral, ast.NumberLiteral, ast.BoolLiteral, ast.NullLiteral)


class BodyChecker:
    """Checks statements and conditions of one file against its declarations."""

    def __init__(self, reporter: Reporter, table: Declarations, expressions: ExpressionChecker) -> None:
        self.reporter = reporter
        self.table = table
        self.expressions = expressions
        # The argument type of each endpoint schema, read once however many calls use it (keyed by
        # the schema object, which is kept alive next to its type).
        self._argument_types: dict[int, tuple[object, t.Type]] = {}

    # -- statements ----------------------------------------------------------------------------------

    def check_body(self, body: tuple[ast.Statement, ...], scope: Scope) -> None:
        block = scope.child()
        for statement in body:
            if isinstance(statement, ast.TaskStmt):
                self.check_task(statement, block)
            elif isinstance(statement, ast.LetStmt):
                value = self.expressions.type_of(statement.value, block)
                if not check_declarable(statement.name, self.reporter):
                    continue
                previous = block.bindings.get(statement.name.name)
                if previous is not None:
                    self.reporter.report(
                        statement.name.span,
                        "E0206",
                        f"{statement.name.name!r} is already bound in this block",
                        f"the first binding is on line {previous.span.line}; choose another name",
                    )
                # A later binding of the same name wins for the rest of the block, as it will at run time.
                block.bindings[statement.name.name] = Binding(
                    statement.name.name, value, "let", statement.name.span, used=True
                )
            elif isinstance(statement, ast.ForStmt):
                inner = self.expressions.comprehension_scope(statement.variable, statement.iterable, block)
                self.check_body(statement.body, self.expressions.filtered(statement.condition, inner))
            elif isinstance(statement, ast.IfStmt):
                branches, otherwise = ast.if_chain(statement)  # (a loop along `else if`)
                # Each `else if` is checked knowing that the tests before it were false.
                remaining = block
                for branch in branches:
                    self.expressions.type_of(branch.test, remaining)
                    when_true, when_false = self.expressions.proofs(branch.test, remaining)
                    self.check_body(branch.body, self.expressions.narrowed(remaining, when_true))
                    remaining = self.expressions.narrowed(remaining, when_false)
                self.check_body(otherwise, remaining)
            elif isinstance(statement, ast.BuilderCall):
                self.check_builder_call(statement, block)

    def check_builder_call(self, call: ast.BuilderCall, scope: Scope) -> None:
        name = call.name.name
        argument_types = [self.expressions.type_of(argument, scope) for argument in call.args]
        builder = self.table.builders.get(name)
        if builder is None:
            hint = did_you_mean(name, self.table.builders)
            if name in self.table.conditions:
                hint = f"{name!r} is a condition: use it after `on`"
            self.reporter.report(call.name.span, "E0208", f"undefined builder {name!r}", hint)
            return
        self.table.used_definitions.add(name)
        self.check_arguments(f"builder {name}", builder.parameters, call.args, argument_types, call)

    def check_arguments(
        self,
        what: str,
        parameters: tuple[ast.Parameter, ...],
        arguments: tuple[ast.Expression, ...],
        argument_types: list[t.Type],
        call: ast.BuilderCall | ast.ConditionRef,
    ) -> None:
        if len(arguments) != len(parameters):
            self.reporter.report(
                call.span,
                "E0205",
                f"{what} takes {len(parameters)} argument{'s' if len(parameters) != 1 else ''}, "
                f"{len(arguments)} given",
                "parameters: " + ", ".join(p.name.name for p in parameters) if parameters else "",
            )
            return
        silent = Reporter(self.reporter.source)  # the parameter types were reported at the definition
        for parameter, argument, argument_type in zip(parameters, arguments, argument_types, strict=True):
            expected = written_type(parameter.type, silent)
            label = f"parameter {parameter.name.name!r} of {what}"
            if not self.expressions.check_fits(argument, argument_type, expected, label, "E0308"):
                continue
            if t.carries_secret(argument_type) and not t.carries_secret(expected):
                self.reporter.report(
                    argument.span,
                    "E0319",
                    f"this value is derived from a secret, but {label} is {expected.describe()}",
                    "declare the parameter `secret` (or `list[secret]`), so that the value stays out of "
                    "task names",
                )

    def check_task(self, statement: ast.TaskStmt, scope: Scope) -> None:
        name_type = self.expressions.type_of(statement.name, scope)
        if t.is_secret(name_type):
            self.reporter.report(
                statement.name.span,
                "E0314",
                "this task name contains a secret; task names are written to logs and state",
                "name the task from something that is not secret",
            )
        else:
            self.expressions.check_fits(statement.name, name_type, t.STRING, "a task name", "E0310")
        if isinstance(statement.name, ast.StringLiteral) and not statement.name.value.strip():
            self.reporter.report(statement.name.span, "E0409", "a task name cannot be empty")
        self.check_settings(statement.settings)
        self.check_call(statement.call, scope)

    def check_settings(self, settings: ast.TaskSettings) -> None:
        valid_backoff = True
        for duration, what in ((settings.timeout, "timeout"), (settings.backoff, "backoff")):
            if duration is not None and not check_duration(duration, f"a {what}", self.reporter):
                valid_backoff = valid_backoff and what != "backoff"
        retries = settings.retries
        if retries is None:
            return
        value = retries.value
        if isinstance(value, bool) or not float(value).is_integer() or value < 0:
            self.reporter.report(
                retries.span, "E0404", f"retry takes a whole number of retries (0 or more), not {value}"
            )
        elif value > MAX_RETRIES:
            self.reporter.report(
                retries.span, "E0404", f"retry takes at most {MAX_RETRIES} retries, not {value}"
            )
        elif settings.backoff is not None and valid_backoff:
            # The wait doubles after every attempt: the last one is bounded like any duration.
            longest = longest_backoff_wait(settings.backoff.seconds, int(value))
            if longest > MAX_DURATION_SECONDS:
                self.reporter.report(
                    settings.backoff.span,
                    "E0405",
                    f"with {int(value)} retries the wait before the last attempt would be longer than "
                    f"{MAX_DURATION_TEXT} (the backoff doubles after every attempt)",
                    "use a shorter backoff or fewer retries",
                )

    # -- service calls -------------------------------------------------------------------------------

    def check_call(self, call: ast.ServiceCall, scope: Scope) -> None:
        argument_types = {
            id(argument): self.expressions.type_of(argument.value, scope) for argument in call.arguments
        }
        alias = call.service.name
        service = self.table.services.get(alias)
        if service is None:
            self.reporter.report(
                call.service.span,
                "E0202",
                f"undefined service {alias!r}",
                did_you_mean(alias, self.table.services)
                or f'declare it: `service {alias} = catalog "NAME"` or `path "./BINARY"`',
            )
            return
        self.table.used_services.add(alias)
        endpoint = call.endpoint.name
        if service.schema_source is None or not service.schemas:
            return
        schemas = service.schemas.get(endpoint)
        if schemas is None:
            report_unlisted_endpoint(service, endpoint, call.endpoint.span, self.reporter)
            return
        if schemas.arguments is None:
            return
        read = self._argument_types.get(id(schemas.arguments))
        if read is None:
            read = self._argument_types[id(schemas.arguments)] = (
                schemas.arguments,
                t.from_schema(schemas.arguments),
            )
        expected = read[1]
        if not isinstance(expected, t.ObjectType):
            return
        where = f"{alias}.{endpoint}"
        seen: set[str] = set()
        misspelled: set[str] = set()  # required fields an unknown argument most likely meant
        for argument in call.arguments:
            if argument.name in seen:
                self.reporter.report(
                    argument.name_span, "E0206", f"argument {argument.name!r} is given twice"
                )
                continue
            seen.add(argument.name)
            field_type = expected.field_type(argument.name)
            if field_type is None:
                self.reporter.report(
                    argument.name_span,
                    "E0302",
                    f"{where} has no argument {argument.name!r}",
                    _unknown_field_hint(argument.name, expected, "arguments", misspelled),
                )
                continue
            reported = len(self.reporter.diagnostics)
            self.check_value(argument.value, argument_types[id(argument)], field_type, argument.name, scope)
            check_constant_argument(self.reporter, reported, schemas.arguments, where, argument)
        # A required field that a misspelt argument meant is reported once, by the hint above.
        for required in sorted(expected.required - seen - misspelled):
            self.reporter.report(call.span, "E0301", f"missing required argument {required!r} of {where}")
        check_call_alternatives(schemas.arguments, call.arguments, call, where, self.reporter)

    def check_value(
        self, expression: ast.Expression, actual: t.Type, expected: t.Type, path: str, scope: Scope
    ) -> None:
        """Report where ``expression`` (of type ``actual``) may not be a value of type ``expected``.
        Literals are followed into, so a mistake is reported where it is; any other value must have a
        type that fits (``types.compatible``)."""
        if isinstance(expected, t.AnyType):
            return
        if isinstance(expression, ast.Conditional):
            # Each branch is a possible value: check each where it is (a chain `a if c else b if d
            # else e` branch by branch, without recursing down the chain).
            while isinstance(expression, ast.Conditional):
                branch = expression.then
                self.check_value(branch, self.expressions.type_of(branch, scope), expected, path, scope)
                expression = expression.otherwise
            actual = self.expressions.type_of(expression, scope)
        if _is_default_call(expression):
            # `default(x, fallback)` is x's non-null value or the fallback: each is checked where it is,
            # so that literals keep their precision (`level: default(prev.level, 1)` into an enum).
            assert isinstance(expression, ast.Call)
            first, fallback = expression.args
            first_type = t.without_null(self.expressions.type_of(first, scope))
            if not isinstance(first_type, t.NullType):
                self.check_value(first, first_type, expected, path, scope)
            self.check_value(fallback, self.expressions.type_of(fallback, scope), expected, path, scope)
            return
        if isinstance(expected, t.UnionType) and isinstance(expression, (ast.ObjectExpr, ast.ListExpr)):
            wanted = t.ObjectType if isinstance(expression, ast.ObjectExpr) else t.ListType
            matching = [option for option in expected.options if isinstance(option, wanted)]
            if len(matching) > 1:
                # One of several shapes: accept the literal when it is one of them.
                best = min(
                    matching, key=lambda option: self._problems(expression, actual, option, path, scope)
                )
                matching = [best]
            if len(matching) == 1:
                expected = matching[0]
        if isinstance(expression, ast.ObjectExpr) and isinstance(expected, t.ObjectType):
            self._check_object(expression, expected, path, scope)
            return
        if isinstance(expression, ast.ListExpr) and isinstance(expected, t.ListType):
            for position, item in enumerate(expression.items):
                item_type = self.expressions.type_of(item, scope)
                self.check_value(item, item_type, expected.element, f"{path}[{position}]", scope)
            return
        if isinstance(expression, LITERALS):
            value = None if isinstance(expression, ast.NullLiteral) else expression.value
            if t.literal_fits(value, expected, written=True):
                return
            if isinstance(expected, t.EnumType) or all(
                isinstance(option, t.EnumType) or isinstance(option, t.NullType)
                for option in t.members(expected)
            ):
                self.reporter.report(
                    expression.span,
                    "E0304",
                    f"{path} does not allow this value",
                    f"allowed: {expected.describe().removeprefix('one of ')}",
                )
                return
            whole_numbers = any(isinstance(m, t.NumberType) and m.integer for m in t.members(expected))
            if isinstance(value, float) and whole_numbers:
                self.reporter.report(expression.span, "E0303", f"{path} is an integer, not {value}")
                return
        reason = t.mismatch(actual, expected)
        if reason is None:
            return
        if t.may_be_null(actual) and t.mismatch(t.without_null(actual), expected) is None:
            use = f"as {path}, which does not take null"
            self.reporter.report(
                expression.span, "E0315", *self.expressions.null_problem(expression, actual, use)
            )
            return
        detail = f": {reason}" if reason else ""
        hint = ""
        if isinstance(expected, t.EnumType) and isinstance(actual, t.StringType):
            hint = 'write one of the values, or choose between them: `"A" if test else "B"`'
        self.reporter.report(
            expression.span,
            "E0303",
            f"{path} is {expected.describe()}, not {actual.describe()}{detail}",
            hint,
        )

    def _problems(
        self, expression: ast.Expression, actual: t.Type, expected: t.Type, path: str, scope: Scope
    ) -> int:
        """How many problems checking ``expression`` against ``expected`` finds (nothing is reported)."""
        silent = BodyChecker(Reporter(self.reporter.source), self.table, self.expressions)
        silent.check_value(expression, actual, expected, path, scope)
        return len(silent.reporter.diagnostics)

    def _check_object(
        self, expression: ast.ObjectExpr, expected: t.ObjectType, path: str, scope: Scope
    ) -> None:
        given = set()
        misspelled: set[str] = set()
        for entry in expression.fields:
            given.add(entry.key)
            field_type = expected.field_type(entry.key)
            if field_type is None:
                self.reporter.report(
                    entry.key_span,
                    "E0302",
                    f"{path} has no field {entry.key!r}",
                    _unknown_field_hint(entry.key, expected, "fields", misspelled),
                )
                continue
            entry_type = self.expressions.type_of(entry.value, scope)
            self.check_value(entry.value, entry_type, field_type, f"{path}.{entry.key}", scope)
        for required in sorted(expected.required - given - misspelled):
            self.reporter.report(expression.span, "E0301", f"missing required field {required!r} in {path}")

    # -- conditions ----------------------------------------------------------------------------------

    def check_condition(self, condition: ast.ConditionExpr, scope: Scope) -> None:
        if isinstance(condition, ast.TaskCondition):
            name_type = self.expressions.type_of(condition.task, scope)
            self.expressions.check_fits(condition.task, name_type, t.STRING, "a task name", "E0310")
            if condition.event_name is not None:
                event_type = self.expressions.type_of(condition.event_name, scope)
                self.expressions.check_fits(
                    condition.event_name, event_type, t.STRING, "a reported event's name", "E0310"
                )
        elif isinstance(condition, ast.ConditionRef):
            name = condition.name.name
            argument_types = [self.expressions.type_of(argument, scope) for argument in condition.args]
            definition = self.table.conditions.get(name)
            if definition is None:
                hint = did_you_mean(name, self.table.conditions)
                if name in self.table.builders:
                    hint = f"{name!r} is a builder: call it in a reaction body"
                self.reporter.report(condition.name.span, "E0207", f"undefined condition {name!r}", hint)
                return
            self.table.used_definitions.add(name)
            self.check_arguments(
                f"condition {name}", definition.parameters, condition.args, argument_types, condition
            )
        elif isinstance(condition, (ast.AllOf, ast.AnyOf)):
            for operand in condition.operands:
                self.check_condition(operand, scope)
        elif isinstance(condition, ast.NotCondition):
            self.check_condition(condition.operand, scope)


def _unknown_field_hint(name: str, expected: t.ObjectType, noun: str, misspelled: set[str]) -> str:
    """The hint for an unknown field: the likely intended field (noted in ``misspelled`` when it is a
    required one, so that it is not reported missing as well), or the list of the fields there are."""
    intended = closest(name, expected.field_names())
    if intended is not None and intended != name:
        if intended in expected.required:
            misspelled.add(intended)
            return f"did you mean `{intended}`? (it is required)"
        return f"did you mean `{intended}`?"
    return f"its {noun} are " + ", ".join(f"`{field}`" for field in expected.field_names())


def _is_default_call(expression: ast.Expression) -> bool:
    return (
        isinstance(expression, ast.Call)
        and expression.function.name == "default"
        and len(expression.args) == 2
    )
