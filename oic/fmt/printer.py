"""The layout of declarations and statements: the canonical text of a whole `.oi` file.

Each declaration and statement starts a line; blocks open on the line of their header (``{`` after
one space) and close on a line of their own, their members indented two spaces. Keyword clauses come
in one order (a service's ``version``, ``schemas``, ``image``; a task's ``timeout``, ``retry``,
``backoff``): the tree keeps them by name, so their order never meant anything.

An ``if`` statement's ``else if`` chain is walked with a loop (``oic.syntax.ast.if_chain`` explains
why). ``else { if ... }`` and ``else if ...`` make the same tree; the token after ``else`` tells which
one was written, and it is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from oic.fmt.expressions import ExpressionPrinter
from oic.fmt.layout import Doc, concat, render
from oic.fmt.lists import Member, Rendered
from oic.fmt.source_index import SourceIndex, end, start
from oic.syntax import ast


class Printer(ExpressionPrinter):
    """The document of a module (``module``)."""

    def module(self, node: ast.Module) -> Doc | str:
        return self.top_level([self._declaration(declaration) for declaration in node.declarations])

    # -- declarations -----------------------------------------------------------------------------

    def _declaration(self, node: ast.Node) -> Member:
        kind = type(node)
        if kind is ast.ParamDecl:
            return self.member(node, lambda: self._param(node))  # type: ignore[arg-type]
        if kind is ast.ServiceDecl:
            return self.member(node, lambda: self._service(node))  # type: ignore[arg-type]
        if kind is ast.ConditionDecl:
            return self.member(node, lambda: self._condition_decl(node))  # type: ignore[arg-type]
        return Member(start(node.span), end(node.span), lambda: self._with_block(node))

    def _param(self, node: ast.ParamDecl) -> Doc | str:
        parts: list[Doc | str] = ["param ", node.name.name, ": ", self.type_ref(node.type)]
        if node.default is not None:
            parts += [" = ", self.expr(node.default)]
        return concat(*parts)

    def _service(self, node: ast.ServiceDecl) -> Doc | str:
        parts: list[Doc | str] = [
            "service ",
            node.name.name,
            " = ",
            node.kind,
            " ",
            self.verbatim(node.source.span),
        ]
        for keyword, value in (("version", node.version), ("schemas", node.schemas), ("image", node.image)):
            if value is not None:
                parts += [" ", keyword, " ", self.verbatim(value.span)]
        return concat(*parts)

    def _parameters(self, name: ast.Identifier, parameters: tuple[ast.Parameter, ...]) -> Doc | str:
        """``(a: string, b: list[object])`` after the declaration's name."""
        open_index = self.index.token_index_after(end(name.span))
        close_index = self.index.partner[open_index]
        return self.arguments(open_index, close_index, parameters, self._parameter)

    def _parameter(self, node: ast.Parameter) -> Doc | str:
        return concat(node.name.name, ": ", self.type_ref(node.type))

    def _condition_decl(self, node: ast.ConditionDecl) -> Doc | str:
        parts: list[Doc | str] = [
            "condition ",
            node.name.name,
            self._parameters(node.name, node.parameters),
            " = ",
            self.unbroken_condition(node.condition),
        ]
        if node.guard is not None:
            parts += [" if ", self.unbroken_expr(node.guard)]
        return concat(*parts)

    def _with_block(self, node: ast.Node) -> Rendered:
        """A declaration or statement with a block: its header, laid out as a flat region (comments in
        it go before it), then the block."""
        if type(node) is ast.IfStmt:
            return self._if(node)  # type: ignore[arg-type]
        close_index = self.index.token_index_ending_at(end(node.span))
        open_index = self.index.partner[close_index]
        opened = self.index.token_start(open_index)
        header, hoisted = self.flat_region(start(node.span), opened, lambda: self._header(node))
        if type(node) is ast.PipelineDecl:
            members = [self._setting(setting) for setting in node.settings]  # type: ignore[attr-defined]
        else:
            members = [self._statement(statement) for statement in node.body]  # type: ignore[attr-defined]
        block = self.block(self.index.token_end(open_index), members, self.index.token_start(close_index))
        return concat(header, " ", block), hoisted

    def _header(self, node: ast.Node) -> Doc | str:
        kind = type(node)
        if kind is ast.PipelineDecl:
            return concat("pipeline ", self.verbatim(node.name.span))  # type: ignore[attr-defined]
        if kind is ast.BuilderDecl:
            builder: ast.BuilderDecl = node  # type: ignore[assignment]
            return concat("builder ", builder.name.name, self._parameters(builder.name, builder.parameters))
        if kind is ast.ReactionDecl:
            reaction: ast.ReactionDecl = node  # type: ignore[assignment]
            parts: list[Doc | str] = ["on ", self.unbroken_condition(reaction.condition)]
            if reaction.guard is not None:
                parts += [" if ", self.unbroken_expr(reaction.guard)]
            return concat(*parts)
        if kind is ast.ForStmt:
            loop: ast.ForStmt = node  # type: ignore[assignment]
            parts = ["for ", loop.variable.name, " in ", self.unbroken_expr(loop.iterable)]
            if loop.condition is not None:
                parts += [" if ", self.unbroken_expr(loop.condition)]
            return concat(*parts)
        raise TypeError(f"no header: {kind.__name__}")

    def _setting(self, node: ast.Setting) -> Member:
        return self.member(node, lambda: concat(node.name.name, " = ", self.expr(node.value)))

    # -- statements -------------------------------------------------------------------------------

    def _statement(self, node: ast.Node) -> Member:
        kind = type(node)
        if kind is ast.TaskStmt:
            return self.member(node, lambda: self._task(node))  # type: ignore[arg-type]
        if kind is ast.LetStmt:
            return self.member(node, lambda: concat("let ", node.name.name, " = ", self.expr(node.value)))  # type: ignore[attr-defined]
        if kind is ast.BuilderCall:
            return self.member(node, lambda: self._builder_call(node))  # type: ignore[arg-type]
        return Member(start(node.span), end(node.span), lambda: self._with_block(node))

    def _builder_call(self, node: ast.BuilderCall) -> Doc | str:
        open_index = self.index.token_index_after(end(node.name.span))
        close_index = self.index.token_index_ending_at(end(node.span))
        return concat(node.name.name, self.arguments(open_index, close_index, node.args, self.expr))

    def _task(self, node: ast.TaskStmt) -> Doc | str:
        parts: list[Doc | str] = ["task ", self.unbroken_expr(node.name)]
        if node.reusable:
            parts.append(" reusable")
        call = node.call
        open_index = self.index.token_index_after(end(call.endpoint.span))
        close_index = self.index.token_index_ending_at(end(call.span))
        arguments = self.arguments(open_index, close_index, call.arguments, self._argument)
        parts += [" = ", call.service.name, ".", call.endpoint.name, arguments]
        settings = node.settings
        for keyword, value in (
            ("timeout", settings.timeout),
            ("retry", settings.retries),
            ("backoff", settings.backoff),
        ):
            if value is not None:
                parts += [" ", keyword, " ", self.verbatim(value.span)]
        return concat(*parts)

    def _argument(self, node: ast.Argument) -> Doc | str:
        return concat(node.name, ": ", self.expr(node.value))

    def _if_header(self, node: ast.IfStmt) -> Callable[[], Doc | str]:
        return lambda: concat("if ", self.unbroken_expr(node.test))

    def _if(self, node: ast.IfStmt) -> Rendered:
        """``if test { ... } else if test { ... } else { ... }``. The comments in the header of an
        ``else if`` (or between ``}`` and ``else {``) move to the start of the block that follows."""
        index = self.index
        open_index = index.token_index_after(end(node.test.span))
        header, hoisted = self.flat_region(
            start(node.span), index.token_start(open_index), self._if_header(node)
        )
        parts: list[Doc | str] = [header]
        moved: list[int] = []
        current = node
        while True:
            close_index = index.partner[open_index]
            body = [self._statement(statement) for statement in current.body]
            parts += [
                " ",
                self.block(index.token_end(open_index), body, index.token_start(close_index), moved),
            ]
            following = close_index + 1
            if following >= len(index.tokens) or index.tokens[following].value != "else":
                break  # (an empty `else {}` makes the same tree as none, but it may hold comments)
            after_else = close_index + 2  # `}` `else` then `{` or `if`
            closed = index.token_end(close_index)
            if index.tokens[after_else].type == "LBRACE":
                open_index = after_else
                moved = index.unclaimed_between(closed, index.token_start(open_index))
                index.claim(moved)
                otherwise = [self._statement(statement) for statement in current.otherwise]
                block_close = index.partner[open_index]
                parts += [
                    " else ",
                    self.block(index.token_end(open_index), otherwise, index.token_start(block_close), moved),
                ]
                break
            current = current.otherwise[0]  # type: ignore[assignment]
            open_index = index.token_index_after(end(current.test.span))
            branch, moved = self.flat_region(closed, index.token_start(open_index), self._if_header(current))
            parts += [" else ", branch]
        return concat(*parts), hoisted


def format_module(module: ast.Module, index: SourceIndex) -> str:
    """The canonical text of ``module``, parsed from ``index.text``."""
    text = render(Printer(index).module(module))
    return text + "\n" if text else ""
