"""The LALR(1) tables of ``grammar/oi.lark``: built by Lark once, then loaded without Lark.

Lark computes the tables from the grammar (a few hundred milliseconds), and importing Lark alone costs
more than parsing a typical file. So the tables are compiled once per grammar version into plain data
(ints, strings, tuples), stored with ``marshal`` in the user's cache directory (``$XDG_CACHE_HOME/oi``
or ``~/.cache/oi``), and later runs load them in about a millisecond without importing Lark. An
unwritable cache directory only means compiling every time.

The data:

- ``start``: the initial state;
- ``actions[state][terminal]``: ``(True, next_state)`` to shift, ``(False, rule_index)`` to reduce;
- ``gotos[state][nonterminal]``: the state after reducing to that nonterminal;
- ``rules[rule_index]``: ``(size, nonterminal, callback name, inline_single_child, is_helper,
  has_helper_children)``, which is what Lark's tree builder would do with the rule: a ``?rule``
  with one child is that child; a helper rule (a name starting with ``_``, made for ``x*`` and
  friends) is spliced into its parent's children.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

GRAMMAR_PATH = Path(__file__).resolve().parent.parent.parent / "grammar" / "oi.lark"

# Bump when the layout of the compiled data changes.
FORMAT = 2

Callback = Callable[[list[Any]], Any]


def cache_directory() -> Path:
    """``$XDG_CACHE_HOME/oi``, else ``~/.cache/oi``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "oi"


def load_data() -> dict[str, Any]:
    """The compiled tables of the current grammar, from the cache when it holds them."""
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    key = f"{FORMAT}\n{sys.version_info[:2]}\n{grammar}".encode()
    # The key only tells grammar versions apart (a CRC and the length: no need to load a
    # cryptographic hash, whose import costs more than reading the tables).
    digest = f"{zlib.crc32(key):08x}{len(key):x}"
    path = cache_directory() / f"grammar-tables-{digest}.marshal"
    try:
        data = marshal.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("format") == FORMAT:
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = compile_grammar(grammar)
    _store(path, marshal.dumps(data))
    return data


def _store(path: Path, payload: bytes) -> None:
    """Write atomically (concurrent `oic` runs may race), and never fail."""
    import tempfile  # only when the tables were compiled, once per grammar version

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tables-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
            os.replace(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise
    except OSError:
        pass


def compile_grammar(grammar: str, strict: bool = False) -> dict[str, Any]:
    """Run Lark's LALR analysis on ``grammar`` and keep only what the parser driver needs.
    ``strict`` makes any shift/reduce conflict an error (Lark otherwise resolves it as a shift)."""
    import lark
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _NoLexer(Lexer):
        """Lark insists on a lexer; tokens come from ``oic.syntax.lexer``."""

        def __init__(self, lexer_conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:
            raise NotImplementedError

    parser = lark.Lark(grammar, parser="lalr", lexer=_NoLexer, keep_all_tokens=True, strict=strict)
    table = parser.parser.parser.parser.parse_table  # type: ignore[union-attr]  # frontend -> LALR -> _Parser
    rules: list[tuple[int, str, str, bool, bool, bool]] = []
    rule_index: dict[Any, int] = {}
    actions: dict[int, dict[str, tuple[bool, int]]] = {}
    gotos: dict[int, dict[str, int]] = {}
    for state, entries in table.states.items():
        state_actions: dict[str, tuple[bool, int]] = {}
        state_gotos: dict[str, int] = {}
        for lark_symbol, (action, argument) in entries.items():
            symbol = str(lark_symbol)  # (Lark may hand out str subclasses, which marshal refuses)
            if action is Shift:
                if symbol.isupper() or symbol.startswith("$"):
                    state_actions[symbol] = (True, int(argument))
                else:
                    state_gotos[symbol] = int(argument)
                continue
            if argument not in rule_index:
                rule_index[argument] = len(rules)
                origin = str(argument.origin.name)
                helper_children = any(
                    not part.is_term and part.name.startswith("_") for part in argument.expansion
                )
                rules.append(
                    (
                        len(argument.expansion),
                        origin,
                        str(argument.alias or origin),
                        bool(argument.options.expand1) and not argument.alias,  # as Lark does
                        origin.startswith("_"),
                        helper_children,
                    )
                )
            state_actions[symbol] = (False, rule_index[argument])
        actions[int(state)] = state_actions
        gotos[int(state)] = state_gotos
    return {
        "format": FORMAT,
        "start": int(table.start_states["start"]),
        "actions": actions,
        "gotos": gotos,
        "rules": rules,
    }


class Spliced(list):  # type: ignore[type-arg]
    """The children of a helper rule, waiting to be spliced into the parent rule's children."""


class SplicedRun:
    """The children of a helper rule that has helper children itself, kept unflattened: ``x*``
    becomes a left-recursive helper rule reduced once per item, and copying the run so far at each
    step would make a long run (the declarations of a file) quadratic. ``_splice`` flattens it once,
    when a rule that is not a helper takes it."""

    __slots__ = ("children",)

    def __init__(self, children: list[Any]) -> None:
        self.children = children


def _splice(children: list[Any]) -> list[Any]:
    result: list[Any] = []
    for child in children:
        kind = type(child)
        if kind is Spliced:
            result.extend(child)
        elif kind is SplicedRun:
            _flatten_run(child, result)
        else:
            result.append(child)
    return result


def _flatten_run(run: SplicedRun, result: list[Any]) -> None:
    """Append the items of ``run`` to ``result`` in order, without recursion (runs nest as deep as
    they are long)."""
    pending = [iter(run.children)]
    while pending:
        for child in pending[-1]:
            kind = type(child)
            if kind is SplicedRun:
                pending.append(iter(child.children))
                break
            if kind is Spliced:
                result.extend(child)
            else:
                result.append(child)
        else:
            pending.pop()


def first(children: list[Any]) -> Any:
    return children[0]


def make_callback(rule: tuple[int, str, str, bool, bool, bool], builder: Any) -> Callback:
    """The function the driver calls when it reduces ``rule``: Lark's tree-building conventions, with
    ``builder``'s method of the rule's (alias) name in place of building a tree node."""
    _size, _origin, name, inline_single_child, is_helper, has_helper_children = rule
    if is_helper:
        if has_helper_children:
            return SplicedRun
        return Spliced
    if inline_single_child and _size == 1 and not has_helper_children:
        return first  # a `?rule` alternative of one symbol is that symbol
    method = getattr(builder, name, None)
    if method is None:
        raise LookupError(f"the grammar rule {name!r} has no callback in {type(builder).__name__}")
    if has_helper_children and inline_single_child:

        def splice_then_inline_or_build(children: list[Any]) -> Any:
            children = _splice(children)
            return children[0] if len(children) == 1 else method(children)

        return splice_then_inline_or_build
    if has_helper_children:
        return lambda children: method(_splice(children))
    if inline_single_child:
        return lambda children: children[0] if len(children) == 1 else method(children)
    return method  # type: ignore[no-any-return]
