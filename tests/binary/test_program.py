"""The pipeline binary's command line, in-process: flags, params from flags and the environment,
conversions by type, --help, --version and one-line usage errors."""

from __future__ import annotations

import dataclasses
import json

import pytest

import runtime
from runtime import program
from runtime.program import ParamSpec, UsageError, bind_params, convert, parse_command_line
from tests.binary.sample_pipeline import PROGRAM


def test_flags_are_parsed():
    invocation = parse_command_line(
        PROGRAM,
        [
            "--logs-dir", "out", "--param", "who=you", "-p", "limit=3", "--parallelism", "4",
            "--timeout", "1.5m", "--kubeconfig", "kube.yaml", "--kube-context", "dev",
            "--kube-namespace", "ci", "--service-path", "sheets=./bin/sheets",
        ],
    )  # fmt: skip
    assert invocation.logs_dir == "out"
    assert invocation.params == {"who": "you", "limit": "3"}
    assert invocation.parallelism == 4
    assert invocation.timeout == 90.0
    assert invocation.kubernetes.requested
    assert (invocation.kubernetes.kubeconfig, invocation.kubernetes.context) == ("kube.yaml", "dev")
    assert invocation.kubernetes.namespace == "ci"
    assert invocation.service_paths == {"sheets": "./bin/sheets"}


def test_run_directory_flags():
    assert parse_command_line(PROGRAM, ["--separate-runs"]).separate_runs
    invocation = parse_command_line(PROGRAM, ["--keep-runs", "5"])
    assert (invocation.separate_runs, invocation.keep_runs) == (False, 5)  # the engine takes it as implied
    assert parse_command_line(PROGRAM, []).keep_runs is None


def test_defaults_when_no_flags():
    invocation = parse_command_line(PROGRAM, [])
    assert invocation.logs_dir == "."
    assert not invocation.kubernetes.requested
    assert (invocation.parallelism, invocation.timeout, invocation.cleanup) == (None, None, False)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--nope"], "unrecognized arguments: --nope"),
        (["--param", "who"], "--param expects NAME=VALUE"),
        (["--param", "nobody=1"], "unknown param 'nobody'"),
        (["--parallelism", "0"], "--parallelism must be at least 1"),
        (["--parallelism", "many"], "--parallelism expects a whole number"),
        (["--timeout", "soon"], "--timeout expects a positive duration"),
        (["--timeout", "9999999999999h"], "--timeout is at most 365 days (8760h), got '9999999999999h'"),
        (["--json"], "--json only goes with --version"),
        (["--service-path", "=x"], "--service-path expects ALIAS=PATH"),
        (["--logs-dir"], "expected one argument"),
        (["--keep-runs", "0"], "--keep-runs must be from 1 to 100000, got 0"),
        (["--keep-runs", "some"], "--keep-runs expects a whole number of runs, got 'some'"),
    ],
)
def test_bad_flags_raise_usage_errors(argv, fragment):
    with pytest.raises(UsageError) as caught:
        parse_command_line(PROGRAM, argv)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("string", " as is ", " as is "),
        ("secret", "p@ss", "p@ss"),
        ("number", "42", 42),
        ("number", "-2.5", -2.5),
        ("number", "1e3", 1000.0),
        ("bool", "yes", True),
        ("bool", "FALSE", False),
        ("bool", "1", True),
        ("bool", "0", False),
        ("list", '["a", 1]', ["a", 1]),
        ("object", '{"k": [1]}', {"k": [1]}),
        ("any", "[1, 2]", [1, 2]),
        ("any", "plain text", "plain text"),
    ],
)
def test_values_are_converted_by_type(kind, text, expected):
    value = convert(ParamSpec("x", kind, True), text, "--param")
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("kind", "text", "fragment"),
    [
        ("number", "ten", "expects a number"),
        ("number", "nan", "expects a number"),
        ("number", "inf", "expects a number"),
        ("bool", "maybe", "expects a bool"),
        ("list", '{"a": 1}', "expects a JSON list"),
        ("object", "[1]", "expects a JSON object"),
        ("list", "not json", "expects a JSON list"),
    ],
)
def test_bad_values_name_the_param(kind, text, fragment):
    with pytest.raises(UsageError) as caught:
        convert(ParamSpec("count", kind, True), text, "OI_PARAM_COUNT")
    assert fragment in str(caught.value)
    assert "'count'" in str(caught.value) and "OI_PARAM_COUNT" in str(caught.value)


def test_flag_beats_environment_beats_default():
    environ = {"OI_PARAM_WHO": "env-who", "OI_PARAM_LIMIT": "7"}
    params, _ = bind_params(PROGRAM, {"who": "flag-who"}, environ)
    assert params["who"] == "flag-who"
    assert params["limit"] == 7
    assert params["dry"] is False
    # A default sees the params bound before it.
    assert params["greeting"] == "hello, flag-who"


def test_environment_names_are_upper_cased_with_underscores():
    assert program.env_name("board-id") == "OI_PARAM_BOARD_ID"
    spec = dataclasses.replace(PROGRAM, params=(ParamSpec("board-id", "string", True),))
    params, _ = bind_params(spec, {}, {"OI_PARAM_BOARD_ID": "b1"})
    assert params == {"board-id": "b1"}


def test_secret_values_are_collected_for_redaction():
    _, secrets = bind_params(PROGRAM, {}, {})
    assert secrets == ["s3cret-world"]
    _, secrets = bind_params(PROGRAM, {"token": "given"}, {})
    assert secrets == ["given"]


def test_missing_required_param_says_how_to_pass_it():
    spec = dataclasses.replace(PROGRAM, params=(ParamSpec("token", "secret", True),))
    with pytest.raises(UsageError) as caught:
        bind_params(spec, {}, {})
    assert "missing param 'token'" in str(caught.value)
    assert "--param token=VALUE" in str(caught.value) and "OI_PARAM_TOKEN" in str(caught.value)


def test_every_missing_param_is_named_in_one_message():
    spec = dataclasses.replace(
        PROGRAM,
        params=(
            ParamSpec("board", "string", True),
            ParamSpec("limit", "number", False, lambda bound: 10),
            ParamSpec("token", "secret", True),
            # Reads a missing param: its failure is the missing param's, not a second error.
            ParamSpec("title", "string", False, lambda bound: "board " + bound["board"]),
            ParamSpec("channel", "string", True),
        ),
    )
    with pytest.raises(UsageError) as caught:
        bind_params(spec, {"limit": "3"}, {})
    message = str(caught.value)
    assert message == (
        "missing params 'board', 'token', 'channel': pass --param board=VALUE --param token=VALUE "
        "--param channel=VALUE, or set OI_PARAM_BOARD, OI_PARAM_TOKEN, OI_PARAM_CHANNEL"
    )
    assert "\n" not in message and "title" not in message


def test_an_unknown_param_gets_the_closest_declared_name():
    with pytest.raises(UsageError) as caught:
        parse_command_line(PROGRAM, ["--param", "whoo=x", "--param", "limt=3", "--param", "zzz=1"])
    message = str(caught.value)
    assert message.startswith(
        "unknown params 'whoo' (did you mean 'who'?), 'limt' (did you mean 'limit'?), 'zzz'; params: who,"
    )


def test_an_unknown_param_that_differs_only_in_case_gets_a_hint():
    with pytest.raises(UsageError) as caught:
        parse_command_line(PROGRAM, ["-p", "GREETING=hi"])
    assert str(caught.value).startswith("unknown param 'GREETING' (did you mean 'greeting'?)")


def test_a_usage_error_names_the_command_that_shows_the_help(capsys, monkeypatch):
    from runtime import help_hint

    assert program.run(PROGRAM, ["--param", "whoo=x"], environ={}) == 2
    assert capsys.readouterr().err.rstrip().endswith("(see sample --help)")
    # Under `oic run` there is no binary called `sample`: the child records what shows the help.
    monkeypatch.setattr(help_hint, "_command", None)
    help_hint.set_help_command("oic run sample.oi -- --help")
    assert program.run(PROGRAM, ["--param", "whoo=x"], environ={}) == 2
    assert capsys.readouterr().err.rstrip().endswith("(see oic run sample.oi -- --help)")


def test_a_failing_default_is_a_usage_error():
    def needs_env(bound):
        raise RuntimeError("environment variable 'TRELLO_BOARD' is not set")

    spec = dataclasses.replace(PROGRAM, params=(ParamSpec("board", "string", False, needs_env),))
    with pytest.raises(UsageError) as caught:
        bind_params(spec, {}, {})
    assert "TRELLO_BOARD" in str(caught.value) and "OI_PARAM_BOARD" in str(caught.value)


def test_help_lists_params_with_types_and_defaults(capsys):
    assert program.run(PROGRAM, ["--help"], environ={}) == 0
    out = capsys.readouterr().out
    assert "usage: sample" in out
    for name, kind in [("who", "string"), ("limit", "number"), ("dry", "bool"), ("labels", "list")]:
        assert any(line.split()[:2] == [name, kind] for line in out.splitlines()), (name, out)
    assert 'default: "world"' in out
    assert "default: 10" in out
    assert "s3cret" not in out  # a secret default is never shown
    assert "OI_PARAM_WHO" in out and "--kubeconfig" in out


def test_version_text_and_json(capsys):
    assert program.run(PROGRAM, ["--version"], environ={}) == 0
    text = capsys.readouterr().out
    assert "sample" in text and "0" * 64 in text and f"oi runtime {runtime.__version__}" in text
    assert program.run(PROGRAM, ["--version", "--json"], environ={}) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["pipeline"] == "sample"
    assert info["source_sha256"] == "0" * 64
    assert info["compiler_version"] == "0.1.0"
    assert info["runtime_version"] == runtime.__version__


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["--param", "limit=ten"],
        ["--param", "ghost=1"],
        ["--service-path", "nothing=./x"],
        ["--timeout", "9999999999999h"],
    ],
)
def test_usage_errors_are_one_line_with_status_2(capsys, argv):
    assert program.run(PROGRAM, argv, environ={}) == program.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sample: error: "), captured.err
    assert "Traceback" not in captured.err


def test_cleanup_without_a_reachable_cluster_is_one_line(capsys, tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
    )
    for argv in (
        ["--cleanup", "--kubeconfig", str(tmp_path / "missing")],
        ["--cleanup", "--kubeconfig", str(kubeconfig)],
    ):
        assert program.run(PROGRAM, argv, environ={}) == program.EXIT_FAILED
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sample: error: --cleanup: kubernetes: "), lines


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("[]", 1),
        ('[[1, [2]], {"a": {"b": []}}]', 4),
        ('"[[[["', 0),  # brackets inside a string do not nest
        ('["a\\"[[", [1]]', 2),  # nor after an escaped quote
        ('{"k\\\\": [[]]}', 3),  # an escaped backslash ends before the quote
        ("[" * 990, 990),
        ('"unterminated [[', 0),
        ("plain text", 0),
    ],
)
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert program._nesting_depth(text) == depth


def test_a_value_at_the_nesting_limit_is_accepted_and_one_deeper_refused():
    param = ParamSpec("items", "list", True)
    limit = program.MAX_PARAM_NESTING
    assert convert(param, "[" * limit + "]" * limit, "--param") is not None
    with pytest.raises(UsageError, match=f"nests more than {limit} lists and objects deep"):
        convert(param, "[" * (limit + 1) + "]" * (limit + 1), "--param")


def test_kubernetes_settings_flags_are_parsed():
    invocation = parse_command_line(
        PROGRAM,
        [
            "--kube-namespace", "ci", "--kube-image-registry", "mirror.test/oi",
            "--kube-image-pattern", "{registry}/oi-{name}:{version}", "--kube-start-timeout", "2m",
        ],
    )  # fmt: skip
    flags = invocation.kubernetes
    assert (flags.image_registry, flags.image_pattern) == ("mirror.test/oi", "{registry}/oi-{name}:{version}")
    assert flags.start_timeout == 120.0
    options = program._kubernetes_options(flags).kubernetes_options()
    assert (options.image_registry, options.image_pattern, options.start_timeout) == (
        "mirror.test/oi",
        "{registry}/oi-{name}:{version}",
        120.0,
    )


def test_kubernetes_settings_default_to_the_runners():
    options = program._kubernetes_options(parse_command_line(PROGRAM, ["--in-cluster"]).kubernetes)
    defaults = options.kubernetes_options()
    assert defaults.image_registry == "ghcr.io/open-integration"
    assert defaults.start_timeout == 300.0


def test_kubernetes_variables_fill_what_the_flags_left_unset():
    environ = {
        program.KUBE_IMAGE_REGISTRY_ENV: "env.test",
        program.KUBE_IMAGE_PATTERN_ENV: "{registry}/{name}",
        program.KUBE_START_TIMEOUT_ENV: "90s",
    }
    given = parse_command_line(PROGRAM, ["--in-cluster", "--kube-image-registry", "flag.test"]).kubernetes
    flags = program.kubernetes_flags_with_environment(given, environ)
    assert (flags.image_registry, flags.image_pattern, flags.start_timeout) == (
        "flag.test",
        "{registry}/{name}",
        90.0,
    )


@pytest.mark.parametrize(
    ("argv", "environ", "fragment"),
    [
        (["--kube-start-timeout", "1m"], {}, "--kube-start-timeout applies to Kubernetes runs only"),
        (["--kube-image-registry", "r"], {}, "--kube-image-registry applies to Kubernetes runs only"),
        (["--in-cluster", "--kube-start-timeout", "soon"], {}, "--kube-start-timeout expects a positive"),
        (["--in-cluster", "--kube-image-pattern", "{registry}/{image}"], {}, "--kube-image-pattern may use"),
        (["--in-cluster", "--kube-image-pattern", "{registry"], {}, "--kube-image-pattern may use"),
        (["--in-cluster"], {"OI_KUBE_START_TIMEOUT": "-1"}, "OI_KUBE_START_TIMEOUT expects a positive"),
        (["--in-cluster"], {"OI_KUBE_IMAGE_PATTERN": "{nope}"}, "OI_KUBE_IMAGE_PATTERN may use"),
    ],
)
def test_bad_kubernetes_settings_are_one_line_usage_errors(capsys, argv, environ, fragment):
    assert program.run(PROGRAM, argv, environ) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and fragment in lines[0], lines


def test_kubernetes_variables_do_not_matter_to_a_local_run(capsys, tmp_path):
    environ = {program.KUBE_START_TIMEOUT_ENV: "not a duration"}
    assert program.run(PROGRAM, ["--logs-dir", str(tmp_path), "--quiet"], environ) == 0


def test_help_lists_the_kubernetes_settings(capsys):
    assert program.run(PROGRAM, ["--help"], {}) == 0
    out = capsys.readouterr().out
    for text in (
        "--kube-image-registry",
        "--kube-image-pattern",
        "--kube-start-timeout",
        "OI_KUBE_IMAGE_REGISTRY",
        "OI_KUBE_IMAGE_PATTERN",
        "OI_KUBE_START_TIMEOUT",
    ):
        assert text in out
