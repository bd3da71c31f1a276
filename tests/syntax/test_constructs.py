"""Every construct of the language parses into the AST it denotes."""

from __future__ import annotations

from oic.source import Span
from oic.syntax import ast
from tests.syntax.support import (
    NOWHERE,
    binary,
    condition,
    expression,
    ident,
    member,
    name,
    number,
    parse_ok,
    statements,
    string,
    unspanned,
)


def test_an_empty_file_is_an_empty_module() -> None:
    assert parse_ok("").declarations == ()
    assert parse_ok("# only a comment\n\n").declarations == ()


def test_pipeline_block_with_settings_and_a_duration() -> None:
    module = parse_ok(
        'pipeline "sync" {\n  os = "linux"  arch = "amd64"\n  parallelism = 8\n  timeout = 10m\n}\n'
    )
    (pipeline,) = unspanned(module.declarations)
    assert pipeline == ast.PipelineDecl(
        NOWHERE,
        string("sync"),
        (
            ast.Setting(NOWHERE, ident("os"), string("linux")),
            ast.Setting(NOWHERE, ident("arch"), string("amd64")),
            ast.Setting(NOWHERE, ident("parallelism"), number(8)),
            ast.Setting(NOWHERE, ident("timeout"), ast.Duration(NOWHERE, 600.0)),
        ),
    )


def test_params_with_types_and_defaults() -> None:
    module = parse_ok(
        'param board: string = env("BOARD")\nparam token: secret\nparam labels: list[string] = []\n'
        "param nested: list[list[number]] = [[1]]\nparam extra: object = {}\nparam flag: bool = false\n"
    )
    board, token, labels, nested, extra, flag = unspanned(module.declarations)
    assert board == ast.ParamDecl(
        NOWHERE,
        ident("board"),
        ast.TypeRef(NOWHERE, "string"),
        ast.Call(NOWHERE, ident("env"), (string("BOARD"),)),
    )
    assert token == ast.ParamDecl(NOWHERE, ident("token"), ast.TypeRef(NOWHERE, "secret"), None)
    assert labels.type == ast.TypeRef(NOWHERE, "list", ast.TypeRef(NOWHERE, "string"))
    assert nested.type == ast.TypeRef(
        NOWHERE, "list", ast.TypeRef(NOWHERE, "list", ast.TypeRef(NOWHERE, "number"))
    )
    assert extra.default == ast.ObjectExpr(NOWHERE, ())
    assert flag.default == ast.BoolLiteral(NOWHERE, False)


def test_services_of_every_kind() -> None:
    module = parse_ok(
        'service trello = catalog "trello" version "0.1.0"\n'
        'service sheets = path "./services/sheets" schemas "./schemas" image "registry/sheets:1"\n'
        'service http = catalog "http"\n'
    )
    trello, sheets, http = unspanned(module.declarations)
    assert trello == ast.ServiceDecl(NOWHERE, ident("trello"), "catalog", string("trello"), string("0.1.0"))
    assert sheets == ast.ServiceDecl(
        NOWHERE,
        ident("sheets"),
        "path",
        string("./services/sheets"),
        None,
        string("./schemas"),
        string("registry/sheets:1"),
    )
    assert http == ast.ServiceDecl(NOWHERE, ident("http"), "catalog", string("http"))


def test_condition_definition_with_parameters_and_guard() -> None:
    module = parse_ok(
        "condition done(name: string, limit: number,) = task(name).finished(success) if limit > 1\n"
    )
    (done,) = unspanned(module.declarations)
    assert done == ast.ConditionDecl(
        NOWHERE,
        ident("done"),
        (
            ast.Parameter(NOWHERE, ident("name"), ast.TypeRef(NOWHERE, "string")),
            ast.Parameter(NOWHERE, ident("limit"), ast.TypeRef(NOWHERE, "number")),
        ),
        ast.TaskCondition(NOWHERE, name("name"), "finished", "success"),
        binary(">", name("limit"), number(1)),
    )


def test_builder_definition() -> None:
    module = parse_ok('builder archive(card: object) {\n  task "a-${card.id}" = t.archive(ID: card.id)\n}\n')
    (builder,) = unspanned(module.declarations)
    assert isinstance(builder, ast.BuilderDecl)
    assert builder.name == ident("archive")
    assert builder.parameters == (ast.Parameter(NOWHERE, ident("card"), ast.TypeRef(NOWHERE, "object")),)
    (task,) = builder.body
    assert isinstance(task, ast.TaskStmt)
    assert task.name == ast.InterpolatedString(NOWHERE, (string("a-"), member(name("card"), "id")))


def test_builder_without_parameters_and_an_empty_body() -> None:
    (builder,) = unspanned(parse_ok("builder nothing() { }").declarations)
    assert builder == ast.BuilderDecl(NOWHERE, ident("nothing"), (), ())


def test_conditions_of_every_kind() -> None:
    assert condition("engine.started") == ast.EngineStarted(NOWHERE)
    assert condition('task("a").started') == ast.TaskCondition(NOWHERE, string("a"), "started")
    assert condition('task("a").finished') == ast.TaskCondition(NOWHERE, string("a"), "finished")
    assert condition('task("a").finished(failed)') == ast.TaskCondition(
        NOWHERE, string("a"), "finished", "failed"
    )
    assert condition('task("a").reported("progress")') == ast.TaskCondition(
        NOWHERE, string("a"), "reported", None, string("progress")
    )
    assert condition('done("a", 2)') == ast.ConditionRef(NOWHERE, ident("done"), (string("a"), number(2)))
    assert condition("ready()") == ast.ConditionRef(NOWHERE, ident("ready"), ())


def test_condition_operators_precedence_and_parentheses() -> None:
    a = ast.TaskCondition(NOWHERE, string("a"), "started")
    b = ast.TaskCondition(NOWHERE, string("b"), "started")
    c = ast.TaskCondition(NOWHERE, string("c"), "started")
    text = 'task("a").started or task("b").started and not task("c").started'
    assert condition(text) == ast.AnyOf(NOWHERE, (a, ast.AllOf(NOWHERE, (b, ast.NotCondition(NOWHERE, c)))))
    text = '(task("a").started or task("b").started) and task("c").started'
    assert condition(text) == ast.AllOf(NOWHERE, (ast.AnyOf(NOWHERE, (a, b)), c))
    text = 'task("a").started and task("b").started and task("c").started'
    assert condition(text) == ast.AllOf(NOWHERE, (a, b, c))


def test_reaction_with_guard() -> None:
    (reaction,) = unspanned(parse_ok('on task("b").reported("p") if event.payload.pct > 50 { }').declarations)
    assert reaction.guard == binary(">", member(member(name("event"), "payload"), "pct"), number(50))
    assert reaction.body == ()


def test_task_statement_with_reusable_and_settings_in_any_order() -> None:
    (task,) = statements(
        'task "fetch" reusable = trello.getcards(Board: b, Auth: {Token: t},) retry 3 timeout 30s'
    )
    assert task == ast.TaskStmt(
        NOWHERE,
        string("fetch"),
        True,
        ast.ServiceCall(
            NOWHERE,
            ident("trello"),
            ident("getcards"),
            (
                ast.Argument(NOWHERE, "Board", NOWHERE, name("b")),
                ast.Argument(
                    NOWHERE,
                    "Auth",
                    NOWHERE,
                    ast.ObjectExpr(NOWHERE, (ast.ObjectField(NOWHERE, "Token", NOWHERE, name("t")),)),
                ),
            ),
        ),
        ast.TaskSettings(NOWHERE, ast.Duration(NOWHERE, 30.0), number(3), None),
    )


def test_task_without_settings_has_empty_settings() -> None:
    (task,) = statements('task "t" = s.e()')
    assert task.reusable is False
    assert task.settings == ast.TaskSettings(NOWHERE)
    assert task.call.arguments == ()


def test_let_for_if_else_and_builder_call() -> None:
    body = statements(
        'let cards = tasks["fetch"].output\n'
        'for c in cards if c.list == "Done" {\n  archive(c)\n}\n'
        "if len(cards) == 0 { } else if x { note() } else { }\n"
    )
    let, loop, branch = body
    assert let == ast.LetStmt(
        NOWHERE, ident("cards"), member(ast.Index(NOWHERE, name("tasks"), string("fetch")), "output")
    )
    assert loop == ast.ForStmt(
        NOWHERE,
        ident("c"),
        name("cards"),
        binary("==", member(name("c"), "list"), string("Done")),
        (ast.BuilderCall(NOWHERE, ident("archive"), (name("c"),)),),
    )
    inner = ast.IfStmt(NOWHERE, name("x"), (ast.BuilderCall(NOWHERE, ident("note"), ()),), ())
    assert branch == ast.IfStmt(
        NOWHERE, binary("==", ast.Call(NOWHERE, ident("len"), (name("cards"),)), number(0)), (), (inner,)
    )


def test_an_if_statement_on_the_line_after_let_is_a_statement() -> None:
    let, branch = statements("let x = y\nif x { }")
    assert let == ast.LetStmt(NOWHERE, ident("x"), name("y"))
    assert isinstance(branch, ast.IfStmt)
    (let,) = statements("let x = a if c else b")
    assert let.value == ast.Conditional(NOWHERE, name("c"), name("a"), name("b"))


def test_expression_precedence() -> None:
    # conditional < or < and < not < comparison < + - < * / % < unary - < postfix
    assert expression("a or b and c") == binary("or", name("a"), binary("and", name("b"), name("c")))
    assert expression("not a == b") == ast.Unary(NOWHERE, "not", binary("==", name("a"), name("b")))
    assert expression("a + b * c") == binary("+", name("a"), binary("*", name("b"), name("c")))
    assert expression("a - b - c") == binary("-", binary("-", name("a"), name("b")), name("c"))
    assert expression("-a.b") == ast.Unary(NOWHERE, "-", member(name("a"), "b"))
    assert expression("(a + b) * c") == binary("*", binary("+", name("a"), name("b")), name("c"))
    assert expression("a % 2 != 0") == binary("!=", binary("%", name("a"), number(2)), number(0))
    assert expression('"x" in xs') == binary("in", string("x"), name("xs"))
    assert expression("a if b or c else d if e else f") == ast.Conditional(
        NOWHERE,
        binary("or", name("b"), name("c")),
        name("a"),
        ast.Conditional(NOWHERE, name("e"), name("d"), name("f")),
    )
    for operator in ("<", "<=", ">", ">=", "==", "!=", "/"):
        assert expression(f"a {operator} b") == binary(operator, name("a"), name("b"))


def test_postfix_chains_and_calls() -> None:
    assert expression('tasks["a"].output.cards[0]') == ast.Index(
        NOWHERE, member(member(ast.Index(NOWHERE, name("tasks"), string("a")), "output"), "cards"), number(0)
    )
    assert expression('format("{}-{}", a, b,)') == ast.Call(
        NOWHERE, ident("format"), (string("{}-{}"), name("a"), name("b"))
    )
    assert expression("pipeline.name") == member(name("pipeline"), "name")


def test_literals() -> None:
    assert expression("true") == ast.BoolLiteral(NOWHERE, True)
    assert expression("null") == ast.NullLiteral(NOWHERE)
    assert expression("[1, 2.5, 1e3,]") == ast.ListExpr(NOWHERE, (number(1), number(2.5), number(1000.0)))
    assert expression('{a: 1, "b c": 2,}') == ast.ObjectExpr(
        NOWHERE,
        (
            ast.ObjectField(NOWHERE, "a", NOWHERE, number(1)),
            ast.ObjectField(NOWHERE, "b c", NOWHERE, number(2)),
        ),
    )


def test_keywords_are_names_where_only_a_name_fits() -> None:
    # Field names come from JSON Schemas and may be anything: members, object keys, call fields.
    assert expression("x.timeout.path.if") == member(member(member(name("x"), "timeout"), "path"), "if")
    assert expression("{if: 1, for: 2}") == ast.ObjectExpr(
        NOWHERE,
        (
            ast.ObjectField(NOWHERE, "if", NOWHERE, number(1)),
            ast.ObjectField(NOWHERE, "for", NOWHERE, number(2)),
        ),
    )
    (task,) = statements('task "t" = s.e(version: 1, task: 2, in: 3)')
    assert [argument.name for argument in task.call.arguments] == ["version", "task", "in"]
    assert expression("version + image") == binary("+", name("version"), name("image"))
    (task,) = statements('task "t" = jira.list(JQL: "x")')
    assert task.call.endpoint == ident("list")


def test_comprehensions() -> None:
    assert expression("[for x in xs if x > 1: x * 2]") == ast.ListComprehension(
        NOWHERE, ident("x"), name("xs"), binary(">", name("x"), number(1)), binary("*", name("x"), number(2))
    )
    assert expression("[for x in xs: x]") == ast.ListComprehension(
        NOWHERE, ident("x"), name("xs"), None, name("x")
    )
    assert expression("{for c in cs if c.ok: c.id => c.name}") == ast.ObjectComprehension(
        NOWHERE,
        ident("c"),
        name("cs"),
        member(name("c"), "ok"),
        member(name("c"), "id"),
        member(name("c"), "name"),
    )
    assert expression("{for c in cs: c => 1}") == ast.ObjectComprehension(
        NOWHERE, ident("c"), name("cs"), None, name("c"), number(1)
    )


def test_newlines_are_not_significant() -> None:
    module = parse_ok('on\nengine\n.\nstarted\n{\ntask\n"a"\n=\ns\n.\ne\n(\nA\n:\n1\n)\n}')
    (reaction,) = module.declarations
    assert isinstance(reaction, ast.ReactionDecl)
    assert len(reaction.body) == 1


def test_spans_of_nodes_are_exact() -> None:
    text = 'param x: list[string] = ["a", b.c]\non engine.started {\n  task "t" = s.e(A: 1) timeout 5s\n}\n'
    module = parse_ok(text)
    assert module.span == Span(1, 1, 5, 1)
    param, reaction = module.declarations
    assert isinstance(param, ast.ParamDecl) and isinstance(reaction, ast.ReactionDecl)
    assert param.span == Span(1, 1, 1, 35)
    assert param.name.span == Span(1, 7, 1, 8)
    assert param.type.span == Span(1, 10, 1, 22)
    assert param.type.element is not None and param.type.element.span == Span(1, 15, 1, 21)
    default = param.default
    assert isinstance(default, ast.ListExpr)
    assert default.span == Span(1, 25, 1, 35)
    first, second = default.items
    assert first.span == Span(1, 26, 1, 29)
    assert isinstance(second, ast.Member)
    assert second.span == Span(1, 31, 1, 34) and second.name_span == Span(1, 33, 1, 34)
    assert reaction.span == Span(2, 1, 4, 2)
    assert reaction.condition.span == Span(2, 4, 2, 18)
    (task,) = reaction.body
    assert isinstance(task, ast.TaskStmt)
    assert task.span == Span(3, 3, 3, 34)
    assert task.call.span == Span(3, 14, 3, 23)
    assert task.call.arguments[0].name_span == Span(3, 18, 3, 19)
    assert task.settings.span == Span(3, 24, 3, 34)
    assert task.settings.timeout is not None and task.settings.timeout.span == Span(3, 32, 3, 34)


def test_parenthesised_expression_span_includes_the_parentheses() -> None:
    module = parse_ok("param x: any = (1 + 2)")
    (param,) = module.declarations
    assert isinstance(param, ast.ParamDecl) and param.default is not None
    assert param.default.span == Span(1, 16, 1, 23)


def test_the_sketch_of_the_architecture_document_parses() -> None:
    from pathlib import Path

    architecture = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
    text = architecture.read_text(encoding="utf-8")
    sketch = text.split("## The language in brief")[1].split("```")[1]
    sketch = sketch.replace("{ ... }", "{ }")
    module = parse_ok(sketch)
    kinds = [type(declaration).__name__ for declaration in module.declarations]
    assert (
        kinds.count("ReactionDecl") == 4 and kinds.count("ServiceDecl") == 3 and kinds.count("ParamDecl") == 6
    )
