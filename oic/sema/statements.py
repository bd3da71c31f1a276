"""Checking the bodies of reactions and builders, and condition expressions.

A task statement names a service and an endpoint; when the endpoint's ``arguments.json`` is known,
each argument is checked against it: a field the schema does not have (with a spelling hint), a
required field left out (at the call), a value of the wrong type or outside an ``enum`` (at the
value). Object and list literals are followed into, so a mistake deep inside ``Auth: {Tokn: t}`` is
reported at ``Tokn``.
"""

from __future__ import annotations

from oic.sema import types as t
from oic.sema.expressions import ExpressionChecker
from oic.sema.hints import closest, did_you_mean
from oic.sema.reporter import Reporter
from oic.sema.resolve import Binding, Declarations, Scope, check_declarable, written_type
from oic.syntax import ast

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
                if statement.condition is not None:
                    self.expressions.type_of(statement.condition, inner)
                self.check_body(statement.body, inner)
            elif isinstance(statement, ast.IfStmt):
                branches, otherwise = ast.if_chain(statement)  # (a loop along `else if`)
                for branch in branches:
                    self.expressions.type_of(branch.test, block)
                    self.check_body(branch.body, block)
                self.check_body(otherwise, block)
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
            if not t.compatible(argument_type, expected):
                self.reporter.report(
                    argument.span,
                    "E0308",
                    f"parameter {parameter.name.name!r} of {what} is {expected.describe()}, "
                    f"not {argument_type.describe()}",
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
        elif not t.compatible(name_type, t.STRING):
            self.reporter.report(
                statement.name.span, "E0310", f"a task name is a string, not {name_type.describe()}"
            )
        if isinstance(statement.name, ast.StringLiteral) and not statement.name.value.strip():
            self.reporter.report(statement.name.span, "E0409", "a task name cannot be empty")
        self.check_settings(statement.settings)
        self.check_call(statement.call, scope)

    def check_settings(self, settings: ast.TaskSettings) -> None:
        for duration, what in ((settings.timeout, "timeout"), (settings.backoff, "backoff")):
            if duration is not None and not duration.seconds > 0:
                self.reporter.report(duration.span, "E0405", f"a {what} must be longer than zero")
        retries = settings.retries
        if retries is not None:
            value = retries.value
            if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                self.reporter.report(
                    retries.span, "E0404", f"retry takes a whole number of retries (0 or more), not {value}"
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
            known = sorted(service.schemas)
            self.reporter.report(
                call.endpoint.span,
                "E0203",
                f"service {alias!r} has no endpoint {endpoint!r}",
                did_you_mean(endpoint, known) or "its endpoints are " + ", ".join(f"`{e}`" for e in known),
            )
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
            self.check_value(argument.value, argument_types[id(argument)], field_type, argument.name, scope)
        # A required field that a misspelt argument meant is reported once, by the hint above.
        for required in sorted(expected.required - seen - misspelled):
            self.reporter.report(call.span, "E0301", f"missing required argument {required!r} of {where}")

    def check_value(
        self, expression: ast.Expression, actual: t.Type, expected: t.Type, path: str, scope: Scope
    ) -> None:
        """Report where ``expression`` (of type ``actual``) cannot be a value of type ``expected``."""
        if isinstance(expected, t.AnyType):
            return
        if isinstance(expected, t.UnionType) and isinstance(expression, (ast.ObjectExpr, ast.ListExpr)):
            wanted = t.ObjectType if isinstance(expression, ast.ObjectExpr) else t.ListType
            matching = [option for option in expected.options if isinstance(option, wanted)]
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
        if isinstance(expected, t.EnumType) and isinstance(expression, LITERALS):
            value = None if isinstance(expression, ast.NullLiteral) else expression.value
            if not any(value == allowed and type(value) is type(allowed) for allowed in expected.values):
                if not (isinstance(value, (int, float)) and value in expected.values):
                    self.reporter.report(
                        expression.span,
                        "E0304",
                        f"{path} does not allow this value",
                        f"allowed: {expected.describe()[len('one of ') :]}",
                    )
            return
        if (
            isinstance(expected, t.NumberType)
            and expected.integer
            and isinstance(expression, ast.NumberLiteral)
            and not float(expression.value).is_integer()
        ):
            self.reporter.report(expression.span, "E0303", f"{path} is an integer, not {expression.value}")
            return
        if not t.compatible(actual, expected):
            self.reporter.report(
                expression.span, "E0303", f"{path} is {expected.describe()}, not {actual.describe()}"
            )

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
            if not t.compatible(name_type, t.STRING):
                self.reporter.report(
                    condition.task.span, "E0310", f"a task name is a string, not {name_type.describe()}"
                )
            if condition.event_name is not None:
                event_type = self.expressions.type_of(condition.event_name, scope)
                if not t.compatible(event_type, t.STRING):
                    self.reporter.report(
                        condition.event_name.span,
                        "E0310",
                        f"a reported event's name is a string, not {event_type.describe()}",
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
