"""What the checker knows to be true at a point of a program: facts about tasks, and values that are
not null. Two small lattices with the two ways of combining knowledge:

- ``join`` (both hold: ``a and b``, a condition and its guard) keeps everything either side knows;
- ``meet`` (one of them holds: ``a or b``, the call sites of a builder) keeps only what both know.

A task fact is the *level* known about the latest runs of a task, from weakest to strongest:
``started`` (a run of it started: its ``arguments`` are set), ``finished`` (a run finished: ``error``
is meaningful, ``output`` is set when that run succeeded), and ``success`` or ``failed`` (the latest
finished run succeeded, so ``output`` is set; or failed). The meet of ``success`` and ``failed`` is
``finished``; their join is ``impossible``: the latest run cannot both have succeeded and failed, so
code where both are known never runs (``on task("a").finished(failed) if tasks["a"].status ==
"success"``), and anything may be read there.

Facts are keyed by task name; inside a ``condition`` definition, by the parameter that will hold the
name (``ParameterKey``), so that ``task(name).finished(success) if tasks[name]...`` is known there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from oic.records import Record, set_field

STARTED = "started"
FINISHED = "finished"
SUCCESS = "success"
FAILED = "failed"
IMPOSSIBLE = "impossible"

_RANK = {STARTED: 1, FINISHED: 2, SUCCESS: 3, FAILED: 3, IMPOSSIBLE: 4}


class ParameterKey(Record):
    """The task named by parameter ``name`` of the ``condition`` definition being checked."""

    __slots__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        set_field(self, "name", name)


class NameKey(Record):
    """The task named by the value of a name (a ``let``, a loop variable, a param or a builder's
    parameter), by the binding it denotes: ``binding`` is the binding's ``id``, so that a test on
    one ``x`` never speaks for another ``x`` that shadows it. A name keeps its value while the code
    that sees it runs, so ``if tasks[name].status == "success" { ... tasks[name].output ... }`` is
    known as for a literal name."""

    __slots__ = ("name", "binding")

    name: str
    binding: int

    def __init__(self, name: str, binding: int) -> None:
        set_field(self, "name", name)
        set_field(self, "binding", binding)


TaskKey = str | ParameterKey | NameKey


def at_least(level: str | None, wanted: str) -> bool:
    """Whether knowing ``level`` implies ``wanted`` (``success`` implies ``finished`` and ``started``)."""
    if level is None:
        return False
    if level == IMPOSSIBLE:  # the code never runs: it knows everything
        return True
    if wanted in (SUCCESS, FAILED):
        return level == wanted
    return _RANK[level] >= _RANK[wanted]


def _join_level(first: str, second: str) -> str:
    if first != second and _RANK[first] == _RANK[second]:  # success and failed
        return IMPOSSIBLE
    return first if _RANK[first] >= _RANK[second] else second


def join_levels(first: str | None, second: str | None) -> str | None:
    """What is known when both levels are (either may be None: nothing)."""
    if first is None:
        return second
    if second is None:
        return first
    return _join_level(first, second)


def _meet_level(first: str, second: str) -> str:
    if first == second:
        return first
    if _RANK[first] == _RANK[second]:  # success and failed: it finished, one way or the other
        return FINISHED
    return first if _RANK[first] < _RANK[second] else second


class Facts:
    """Task facts: task key -> level. Immutable; equal when they know the same. ``closed`` marks a
    set that already holds what its facts imply (``FactsAnalysis.closure``), so that gathering what a
    set implies need not look through it again."""

    __slots__ = ("_levels", "closed")

    def __init__(self, levels: Mapping[TaskKey, str] | None = None, closed: bool = False) -> None:
        self._levels: dict[TaskKey, str] = dict(levels or {})
        self.closed = closed

    def level(self, key: TaskKey) -> str | None:
        return self._levels.get(key)

    def keys(self) -> Iterable[TaskKey]:
        return self._levels.keys()

    def items(self) -> Iterable[tuple[TaskKey, str]]:
        return self._levels.items()

    def with_level(self, key: TaskKey, level: str) -> Facts:
        known = self._levels.get(key)
        if known is not None and _join_level(known, level) == known:
            return self
        levels = dict(self._levels)
        levels[key] = level if known is None else _join_level(known, level)
        return Facts(levels)

    def join(self, other: Facts) -> Facts:
        if not other._levels:
            return self
        result = self
        for key, level in other._levels.items():
            result = result.with_level(key, level)
        return result

    def meet(self, other: Facts) -> Facts:
        # What two closed sets share is closed: a fact both hold brings what it implies into both.
        return Facts(
            {
                key: _meet_level(level, other._levels[key])
                for key, level in self._levels.items()
                if key in other._levels
            },
            self.closed and other.closed,
        )

    def only(self, keep: Iterable[TaskKey]) -> Facts:
        wanted = set(keep)
        return Facts({key: level for key, level in self._levels.items() if key in wanted}, self.closed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Facts) and self._levels == other._levels

    def __hash__(self) -> int:
        return hash(frozenset(self._levels.items()))

    def __bool__(self) -> bool:
        return bool(self._levels)

    def __repr__(self) -> str:
        return f"Facts({self._levels!r})"


NO_FACTS = Facts()


def meet_all(facts: list[Facts]) -> Facts:
    """What every one of ``facts`` knows (nothing, for an empty list: no case, no knowledge)."""
    if not facts:
        return NO_FACTS
    result = facts[0]
    for more in facts[1:]:
        result = result.meet(more)
    return result


# A path to a value whose nullness a test can prove: a root (``("name", "x")``, ``("event",)``,
# ``("tasks", key)``) followed by field names.
Path = tuple[object, ...]


class Proof(Record):
    """What a test proves when it has a given outcome: task ``facts`` and ``non_null`` paths."""

    __slots__ = ("facts", "non_null")

    facts: Facts
    non_null: frozenset[Path]

    def __init__(self, facts: Facts = NO_FACTS, non_null: frozenset[Path] = frozenset()) -> None:
        set_field(self, "facts", facts)
        set_field(self, "non_null", non_null)

    def join(self, other: Proof) -> Proof:
        return Proof(self.facts.join(other.facts), self.non_null | other.non_null)

    def meet(self, other: Proof) -> Proof:
        return Proof(self.facts.meet(other.facts), self.non_null & other.non_null)


NOTHING = Proof()
