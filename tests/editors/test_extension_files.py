"""The VS Code extension's manifest, lock file and language configuration (editors/vscode): what
VS Code and `npm ci` read, checked against each other and against the client's source."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.editors.grammar_file import EXTENSION, ROOT


def read_json(name: str) -> Any:
    return json.loads((EXTENSION / name).read_text(encoding="utf-8"))


MANIFEST = read_json("package.json")
CONFIGURATION = read_json("language-configuration.json")
CLIENT_SOURCE = (EXTENSION / "src" / "extension.ts").read_text(encoding="utf-8")


def test_the_language_is_oi_for_dot_oi_files_with_its_configuration() -> None:
    (language,) = MANIFEST["contributes"]["languages"]
    assert language["id"] == "oi"
    assert language["extensions"] == [".oi"]
    assert (EXTENSION / language["configuration"]).is_file()
    assert MANIFEST["activationEvents"] == ["onLanguage:oi"]


def test_main_is_the_compiled_client() -> None:
    tsconfig = read_json("tsconfig.json")["compilerOptions"]
    main = MANIFEST["main"].removeprefix("./")
    assert main == f"{tsconfig['outDir']}/extension.js"
    assert (EXTENSION / tsconfig["rootDir"] / "extension.ts").is_file()


def test_the_settings_are_declared_with_their_defaults_and_read_by_the_client() -> None:
    properties = MANIFEST["contributes"]["configuration"]["properties"]
    assert properties["oi.server.path"]["default"] == "oic"
    assert properties["oi.server.args"]["default"] == ["lsp"]
    read = set(re.findall(r'settings\.get<[^>]+>\("([^"]+)"', CLIENT_SOURCE))
    assert {f"oi.{key}" for key in read} == {"oi.server.path", "oi.server.args"}


def test_the_declared_commands_are_the_registered_ones() -> None:
    declared = {command["command"] for command in MANIFEST["contributes"]["commands"]}
    registered = set(re.findall(r'registerCommand\("([^"]+)"', CLIENT_SOURCE))
    assert declared == registered == {"oi.restartServer", "oi.showOutput"}


def test_formatting_on_save_uses_this_extension() -> None:
    defaults = MANIFEST["contributes"]["configurationDefaults"]["[oi]"]
    assert defaults["editor.formatOnSave"] is True
    assert defaults["editor.defaultFormatter"] == f"{MANIFEST['publisher']}.{MANIFEST['name']}"


def test_the_vscode_api_typings_are_not_newer_than_the_engine() -> None:
    # vsce refuses to package an extension whose @types/vscode is newer than engines.vscode.
    engine = MANIFEST["engines"]["vscode"].lstrip("^")
    typings = MANIFEST["devDependencies"]["@types/vscode"].lstrip("^~")
    assert tuple(map(int, typings.split("."))) <= tuple(map(int, engine.split(".")))


def test_the_lock_file_matches_package_json() -> None:
    # `npm ci` (make editor-test, make vsix) fails when they disagree.
    lock = read_json("package-lock.json")
    root = lock["packages"][""]
    assert lock["version"] == root["version"] == MANIFEST["version"]
    assert root.get("dependencies", {}) == MANIFEST["dependencies"]
    assert root.get("devDependencies", {}) == MANIFEST["devDependencies"]


def test_build_output_and_dependencies_are_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert {"editors/vscode/node_modules/", "editors/vscode/out/", "*.vsix"} <= set(ignored)


def test_comments_brackets_and_pairs() -> None:
    assert CONFIGURATION["comments"] == {"lineComment": "#"}
    assert CONFIGURATION["brackets"] == [["{", "}"], ["[", "]"], ["(", ")"]]
    pairs = {(pair["open"], pair["close"]) for pair in CONFIGURATION["autoClosingPairs"]}
    assert {("{", "}"), ("[", "]"), ("(", ")"), ('"', '"'), ("${", "}")} <= pairs
    assert ['"', '"'] in CONFIGURATION["surroundingPairs"]


def test_a_line_that_opens_a_bracket_indents_the_next_one() -> None:
    increase = re.compile(CONFIGURATION["indentationRules"]["increaseIndentPattern"])
    opening = ["on engine.started {", '  task "t" = s.e(', "  let xs = [", 'pipeline "p" {   # settings']
    closed = ["on x { }", '  task "t-${x}" = s.e(A: 1)', '  let s = "a{"', "  let xs = [1, 2]", "# {"]
    assert [line for line in opening if not increase.search(line)] == []
    assert [line for line in closed if increase.search(line)] == []


def test_a_line_that_starts_with_a_closer_is_outdented() -> None:
    decrease = re.compile(CONFIGURATION["indentationRules"]["decreaseIndentPattern"])
    assert all(decrease.search(line) for line in ["}", "  }", "  ) timeout 30s", "]"])
    assert not any(decrease.search(line) for line in ["  x }", '  task "t" = s.e()'])


def test_a_word_is_a_name_or_a_whole_number_or_duration() -> None:
    word = re.compile(CONFIGURATION["wordPattern"])
    assert [
        match.group() for match in word.finditer('tasks["x"].output fetch_2 timeout 1.5m 30s 1e3ms x-1')
    ] == [
        "tasks",
        "x",
        "output",
        "fetch_2",
        "timeout",
        "1.5m",
        "30s",
        "1e3ms",
        "x",
        "1",
    ]


def test_an_untrusted_workspace_cannot_choose_the_executable_to_start() -> None:
    trust = MANIFEST["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited"
    assert set(trust["restrictedConfigurations"]) == {"oi.server.path", "oi.server.args"}
