"""What generated code can see at a point: bindings, the facts about tasks, the event, and the
program-wide record of tasks, names and near-miss alternatives.

*Facts* follow the task-read rule: ``facts[name]`` is ``"started"``, ``"finished"``, ``"success"`` or
``"failed"`` when the code certainly runs after that happened to task ``name``; only ``"success"``
makes ``tasks[name].output`` non-null, and any of them makes ``tasks[name].arguments`` non-null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.soundness import gtypes as g
from tests.soundness.catalog import Endpoint
from tests.soundness.choices import Choices, chance, pick
from tests.soundness.literals import SOFT_KEYWORDS, WORDS

ATOM, POSTFIX, PREFIX, PRODUCT, SUM, COMPARISON, NOT, AND, OR, CONDITIONAL = 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
STARTED = frozenset({"started", "finished", "success", "failed"})


@dataclass(frozen=True)
class E:
    """A generated expression: its ``text``, its precedence level, its static ``type``."""

    text: str
    prec: int
    type: g.GType


def operand(expression: E, level: int) -> str:
    """The text of ``expression`` where the grammar needs at least precedence ``level``."""
    return expression.text if expression.prec >= level else f"({expression.text})"


@dataclass
class TaskInfo:
    """A task with a literal name: the ``endpoint`` it calls (None when sites disagree), the type of
    its ``returns`` and ``arguments``, ``reusable``, the event it reports (``reports``, or None)."""

    name: str
    endpoint: Endpoint | None
    returns: g.GType
    arguments: g.GType
    reusable: bool
    reports: str | None = None


@dataclass
class Scope:
    """Bindings of one block (and its parents), the facts, and what ``event`` and ``tasks`` are."""

    parent: Scope | None = None
    bindings: dict[str, g.GType] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    tasks_visible: bool = False
    event: g.GType | None = None  # the event's payload (`any` with what is known), None: no event
    roots: tuple[E, ...] = ()  # extra readable roots, e.g. `tasks[n]` inside a named condition
    in_loop: bool = False

    def child(self, **changes: object) -> Scope:
        inner = Scope(
            self,
            {},
            dict(self.facts),
            self.tasks_visible,
            self.event,
            self.roots,
            self.in_loop,
        )
        for name, value in changes.items():
            setattr(inner, name, value)
        return inner

    def visible(self) -> list[tuple[str, g.GType]]:
        seen: dict[str, g.GType] = {}
        scope: Scope | None = self
        while scope is not None:
            for name, kind in scope.bindings.items():
                seen.setdefault(name, kind)
            scope = scope.parent
        return list(seen.items())

    def with_facts(self, facts: dict[str, str]) -> Scope:
        return self.child(facts=merge_facts(self.facts, facts))


def merge_facts(first: dict[str, str], second: dict[str, str]) -> dict[str, str]:
    """Facts of both (``and``): the stronger word where both speak of one task."""
    merged = dict(first)
    for name, fact in second.items():
        merged[name] = stronger(merged.get(name), fact)
    return merged


def stronger(first: str | None, second: str) -> str:
    if first is None:
        return second
    order = {"started": 0, "finished": 1, "success": 2, "failed": 2}
    if {first, second} == {"success", "failed"}:
        return first  # contradictory: the reaction never fires; keep either
    return first if order[first] >= order[second] else second


def common_facts(first: dict[str, str], second: dict[str, str]) -> dict[str, str]:
    """Facts both give (``or``): success and failed merge into finished."""
    common: dict[str, str] = {}
    for name in first.keys() & second.keys():
        a, b = first[name], second[name]
        if a == b:
            common[name] = a
        elif "started" in (a, b):
            common[name] = "started"
        else:
            common[name] = "finished"
    return common


def implies(facts: dict[str, str], needed: dict[str, str]) -> bool:
    """Whether ``facts`` say at least what ``needed`` says."""
    for name, fact in needed.items():
        have = facts.get(name)
        if have is None:
            return False
        if fact == "started":
            continue
        if fact == "finished" and have in ("finished", "success", "failed"):
            continue
        if have != fact:
            return False
    return True


class Alternatives:
    """Near-miss alternatives: a place in the text that reads ``original`` in the valid program and
    ``mutant`` in the near-miss that flips it. Places are written as markers in the text and resolved
    by ``render``."""

    _MARK = re.compile("\x00(\\d+)\x00")

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def add(self, original: str, mutant: str, kind: str) -> str:
        self.entries.append((original, mutant, kind))
        return f"\x00{len(self.entries) - 1}\x00"

    def reachable(self, text: str) -> list[int]:
        """The places that are in ``text`` (an alternative registered for an expression the
        generator then dropped is not), in order."""
        found: list[int] = []
        pending = [text]
        while pending:
            for match in self._MARK.finditer(pending.pop()):
                index = int(match.group(1))
                if index not in found:
                    found.append(index)
                    pending.append(self.entries[index][0])
        return sorted(found)

    def render(self, text: str, flip: int | None = None) -> str:
        def replace(match: re.Match[str]) -> str:
            index = int(match.group(1))
            original, mutant, _ = self.entries[index]
            return self.render(mutant if index == flip else original, flip)

        return self._MARK.sub(replace, text)


# Constructs each program uses or leaves out as a whole ("swarm testing": a program without a
# construct cannot hit its bugs, so the others get a chance to show theirs).
SWARM = (
    "duration-exponent",
    "any-arithmetic",
    "keyword-keys",
    "soft-keyword-names",
    "long-chains",
    "param-references",
    "optional-fields",
    "unsure-task-reads",
    "integer-params",
    "guards",
    "reports",
    "named-conditions",
    "builders",
    "short-secrets",
)


def choose_swarm(choices: Choices) -> frozenset[str]:
    return frozenset(name for name in SWARM if chance(choices, 45))


class Names:
    """Fresh identifiers: plain words with a number, and each soft keyword once per program."""

    def __init__(self, choices: Choices, soft_keywords: bool = True) -> None:
        self.choices = choices
        self.used: set[str] = set()
        self.counter = 0
        self.soft_keywords = soft_keywords

    def fresh(self) -> str:
        unused = [word for word in SOFT_KEYWORDS if word not in self.used] if self.soft_keywords else []
        if unused and chance(self.choices, 15):
            name = pick(self.choices, unused)
        else:
            self.counter += 1
            name = f"{pick(self.choices, WORDS)}{self.counter}"
        self.used.add(name)
        return name


@dataclass
class World:
    """Program-wide knowledge while a program is generated."""

    choices: Choices
    functions: frozenset[str]
    swarm: frozenset[str] = frozenset(SWARM)
    tasks: dict[str, TaskInfo] = field(default_factory=dict)
    alternatives: Alternatives = field(default_factory=Alternatives)
    used_functions: set[str] = field(default_factory=set)
    features: set[str] = field(default_factory=set)
    names: Names | None = None
    task_counter: int = 0

    def __post_init__(self) -> None:
        if self.names is None:
            self.names = Names(self.choices, "soft-keyword-names" in self.swarm)

    def uses(self, construct: str) -> bool:
        """Whether this program uses ``construct`` (one of ``SWARM``); noted in ``features``."""
        if construct in self.swarm:
            self.features.add(construct)
            return True
        return False

    def fresh_name(self) -> str:
        assert self.names is not None
        name = self.names.fresh()
        if name in SOFT_KEYWORDS:
            self.features.add("soft-keyword-names")
        return name

    def fresh_task(self, prefix: str = "t") -> str:
        self.task_counter += 1
        return f"{prefix}{self.task_counter}"

    def alt(self, original: E, mutant_text: str, mutant_prec: int, kind: str) -> E:
        """``original``, with a near-miss alternative ``mutant_text`` registered for it."""
        marker = self.alternatives.add(original.text, mutant_text, kind)
        return E(marker, min(original.prec, mutant_prec), original.type)
