"""Reads: the names in scope and the member paths from them that cannot fail.

A read is a root (a binding, ``tasks["x"]``, ``event``, ``pipeline``) followed by up to three field
reads that ``gtypes.read_field`` allows: required fields, optional ones (typed ``F | null``), fields
an ``any`` is known to have. A read typed ``... | null`` is only ever used where null fits, or
through ``default``; its ``origin`` says why it may be null (the near-miss kind of using it bare).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.soundness import gtypes as g
from tests.soundness.choices import chance, pick
from tests.soundness.literals import KEY_WORDS, is_word, string_literal
from tests.soundness.scope import ATOM, POSTFIX, STARTED, E, Scope, TaskInfo, World

PIPELINE_TYPE = g.TObj((g.Field("name", g.STRING),), closed=True)
MAX_STEPS = 3
ROOTS_PER_READ = 6


@dataclass(frozen=True)
class Read:
    """``expression`` with what its near-misses need: the ``parent`` read and the ``field`` read last,
    the ``task`` at the root (``root_success`` when the facts say it succeeded), ``succeeded`` when
    the read goes through that task's output."""

    expression: E
    origin: str = ""
    parent: Read | None = None
    field: str = ""
    task: str = ""
    succeeded: bool = False
    root_success: bool = False

    @property
    def type(self) -> g.GType:
        return self.expression.type


def record_type(info: TaskInfo, fact: str | None) -> g.TObj:
    """The type of ``tasks[name]`` where the facts say ``fact`` about the task."""
    output = info.returns if fact == "success" else g.nullable(info.returns)
    arguments = info.arguments if fact in STARTED else g.nullable(info.arguments)
    return g.TObj(
        (
            g.Field("output", output),
            g.Field("status", g.STATUS),
            g.Field("error", g.STRING),
            g.Field("arguments", arguments),
        ),
        closed=True,
    )


class Reads:
    """Finds the reads of a scope that fit a type, and their near-misses."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._task_roots: dict[tuple[object, ...], Read] = {}
        self._path_cache: dict[tuple[object, ...], list[Read]] = {}

    def pick(self, scope: Scope, wanted: Callable[[g.GType], bool], public: bool) -> Read | None:
        reads = self.all(scope, public)
        verdicts: dict[int, bool] = {}  # by identity: reads share their type objects, hashing is slow
        candidates = []
        for read in reads:
            kind = read.expression.type
            verdict = verdicts.get(id(kind))
            if verdict is None:
                verdict = verdicts[id(kind)] = wanted(kind)
            if verdict:
                candidates.append(read)
        return pick(self.world.choices, candidates) if candidates else None

    def all(self, scope: Scope, public: bool) -> list[Read]:
        """The reads from a few roots in scope, drawn at random (all of them would be slow to walk)."""
        roots: list[Read] = []
        for name, kind in scope.visible():
            if not (public and g.is_secret(kind)):
                roots.append(Read(E(name, ATOM, kind)))
        roots += [Read(root) for root in scope.roots]
        if scope.event is not None:
            event = g.TObj((g.Field("name", g.STRING), g.Field("payload", scope.event)), closed=True)
            roots.append(Read(E("event", ATOM, event)))
        if scope.tasks_visible:
            roots.append(Read(E("pipeline", ATOM, PIPELINE_TYPE)))
            unsure = self.world.uses("unsure-task-reads")
            for name, info in self.world.tasks.items():
                fact = scope.facts.get(name)
                if fact is not None or unsure:
                    roots.append(self._task_root(info, fact))
            if unsure and chance(self.world.choices, 10):
                roots.append(self._dynamic_task_root())
        if len(roots) > ROOTS_PER_READ:
            remaining = roots
            roots = []
            for _ in range(ROOTS_PER_READ):
                roots.append(remaining.pop(self.world.choices.below(len(remaining))))
        found: list[Read] = []
        for root in roots:
            found.extend(self._paths(root, public))
        return found

    def _dynamic_task_root(self) -> Read:
        """``tasks[NAME]`` with a name known only at run time (a task that may never be built): its
        status and error are there all the same, its output and arguments are `any` (unread)."""
        c = self.world.choices
        name = pick(c, ('"t" + "1"', '"no-" + "such"', '"${"r"}1"', '"loop1-" + "x"'))
        record = g.TObj(
            (
                g.Field("output", g.ANY),
                g.Field("status", g.STATUS),
                g.Field("error", g.STRING),
                g.Field("arguments", g.ANY),
            ),
            closed=True,
        )
        return Read(E(f"tasks[{name}]", POSTFIX, record))

    def _task_root(self, info: TaskInfo, fact: str | None) -> Read:
        key = (info.name, fact, id(info.returns))
        root = self._task_roots.get(key)
        if root is None:
            expression = E(f'tasks["{info.name}"]', POSTFIX, record_type(info, fact))
            root = self._task_roots[key] = Read(expression, task=info.name, root_success=fact == "success")
        return root

    def _paths(self, root: Read, public: bool) -> list[Read]:
        key = (root.expression.text, id(root.expression.type), root.task, root.root_success, public)
        known = self._path_cache.get(key)
        if known is None:
            known = self._path_cache[key] = self._walk(root, public)
        return known

    def _walk(self, root: Read, public: bool) -> list[Read]:
        # a record holding a secret somewhere is not public as a whole; its other fields may be
        found = [] if public and g.is_secret(root.type) else [root]
        frontier = [root]
        for _ in range(MAX_STEPS):
            following: list[Read] = []
            for read in frontier:
                for step in self._steps(read, public):
                    found.append(step)
                    if not g.has_null(step.type):
                        following.append(step)
            frontier = following
        return found

    def _steps(self, read: Read, public: bool) -> list[Read]:
        kind = read.type
        names = _field_names(kind)
        optional = self.world.uses("optional-fields")
        steps = []
        for name in names:
            field_type = g.read_field(kind, name)
            if field_type is None or (public and g.is_secret(field_type)):
                continue
            if not optional and _optional(kind, name):
                continue
            text = self._member(read.expression, name)
            origin = _null_origin(kind, name, field_type, read)
            if read.parent is None:
                through_output = read.root_success and name == "output"
            else:
                through_output = read.succeeded
            steps.append(Read(E(text, POSTFIX, field_type), origin, read, name, read.task, through_output))
        return steps

    def _member(self, target: E, name: str) -> str:
        if is_word(name) and chance(self.world.choices, 85):
            return f"{target.text}.{name}"
        return f"{target.text}[{string_literal(self.world.choices, name)}]"

    # -- near-misses ---------------------------------------------------------------------------------

    def mutants(self, read: Read) -> list[tuple[str, str]]:
        """(text, kind) near-misses of ``read``: each a mistake a checker can see."""
        found: list[tuple[str, str]] = []
        parent = read.parent
        if parent is not None:
            owner = parent.type
            if isinstance(owner, g.TObj) and owner.closed and is_word(read.field):
                found.append((f"{parent.expression.text}.{_misspelt(read.field)}", "wrong-field"))
            if isinstance(owner, g.TUnion) and all(isinstance(o, g.TObj) for o in owner.options):
                partial = _partial_fields(owner)
                if partial:
                    field = pick(self.world.choices, partial)
                    found.append((f"{parent.expression.text}.{field}", "anyof-field"))
        if read.task and read.succeeded:
            other = self._unsure_task(read.task)
            if other is not None:
                text = read.expression.text.replace(f'tasks["{read.task}"]', f'tasks["{other}"]', 1)
                found.append((text, "unsafe-task-read"))
        if read.task and is_word(read.task) and read.expression.text.startswith(f'tasks["{read.task}"]'):
            text = read.expression.text.replace(f'tasks["{read.task}"]', f"tasks.{read.task}", 1)
            found.append((text, "tasks-member"))
        return found

    def _unsure_task(self, name: str) -> str | None:
        info = self.world.tasks[name]
        others = [
            other.name
            for other in self.world.tasks.values()
            if other.name != name and other.endpoint == info.endpoint and other.returns == info.returns
        ]
        return pick(self.world.choices, sorted(others)) if others else None


def _field_names(kind: g.GType) -> list[str]:
    if isinstance(kind, g.TAny):
        actual = kind.actual
        return [f.name for f in actual.fields if f.required] if isinstance(actual, g.TObj) else []
    if isinstance(kind, g.TObj):
        if kind.known is not None:
            return [f.name for f in kind.known.fields if f.required]
        names = [f.name for f in kind.fields]
        if kind.extra is not None and kind.keyed:
            names.append(KEY_WORDS[len(names) % len(KEY_WORDS)])
        return names
    if isinstance(kind, g.TUnion) and not g.has_null(kind):
        first = kind.options[0]
        return [f.name for f in first.fields] if isinstance(first, g.TObj) else []
    return []


def _optional(owner: g.GType, name: str) -> bool:
    """Whether ``name`` is a field an object of type ``owner`` may lack (optional or extra)."""
    if isinstance(owner, g.TObj) and owner.known is None:
        field = owner.field(name)
        return field is None or not field.required
    return False


def _null_origin(owner: g.GType, name: str, field_type: g.GType, read: Read) -> str:
    if not g.has_null(field_type):
        return ""
    if read.task and read.parent is None and name in ("output", "arguments"):
        return "maybe-missing-output" if name == "output" else "maybe-missing-arguments"
    if isinstance(owner, g.TObj):
        field = owner.field(name)
        if field is None or not field.required:
            return "optional-use"
    return "nullable-use"


def _misspelt(name: str) -> str:
    if not name:
        return "x"
    return name[0].swapcase() + name[1:] if name[0].isalpha() else name + "x"


def _partial_fields(kind: g.TUnion) -> list[str]:
    """Fields some, but not all, options of a union of objects have."""
    options = [option for option in kind.options if isinstance(option, g.TObj)]
    every = set.intersection(*({f.name for f in o.fields} for o in options))
    some = set.union(*({f.name for f in o.fields} for o in options))
    return sorted(name for name in some - every if is_word(name))
