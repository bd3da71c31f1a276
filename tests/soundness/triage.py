"""Counting outcomes by property and class, and keeping the programs that break a property.

``Tally.add(program, outcome, near_miss)`` files one evaluated program. A valid-by-construction
program that is rejected breaks property 2 (a class per error: its code and message); any accepted
program whose run has a violation breaks property 1 (class: ``harness.class_of``). Every such
program is written to ``<directory>/<property>/<class>/<seed>.oi``, followed by its seed, params,
diagnostics and the run's log in comments, so that it can be run again and reduced.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.soundness.harness import Outcome, class_of

EXAMPLES_SHOWN = 3  # per class, in memory; every counterexample is written to the directory
# The line that ends a kept program and begins the notes about it.
NOTES = "# ---- what happened (the program is above this line) ----"
PROPERTY_1 = "soundness"
PROPERTY_2 = "no-false-rejection"


@dataclass
class Example:
    """A kept counterexample: its seed and the file it is in."""

    seed: str
    path: str


@dataclass
class Tally:
    """Counts of one batch and the classes of its counterexamples."""

    directory: Path | None = None
    generated: int = 0
    near_misses: int = 0
    unsound: int = 0  # programs with at least one violation
    rejected: int = 0  # valid programs with at least one error
    accepted: int = 0  # programs and near-misses
    near_misses_ran: int = 0
    ran: int = 0
    clean: int = 0
    allowed: Counter[str] = field(default_factory=Counter)
    classes: dict[str, Counter[str]] = field(
        default_factory=lambda: {PROPERTY_1: Counter(), PROPERTY_2: Counter()}
    )
    examples: dict[str, list[Example]] = field(default_factory=dict)
    near_miss_kinds: Counter[str] = field(default_factory=Counter)
    near_miss_accepted: Counter[str] = field(default_factory=Counter)
    features: Counter[str] = field(default_factory=Counter)
    generator_errors: list[tuple[str, Exception]] = field(default_factory=list)
    seconds: float = 0.0

    def add(
        self, seed: str, text: str, params: dict[str, str], outcome: Outcome, near_miss: str = ""
    ) -> list[str]:
        """File one outcome; returns the classes it broke (as ``property: class``)."""
        self.seconds += outcome.seconds
        if near_miss:
            self.near_misses += 1
            self.near_miss_kinds[near_miss] += 1
        else:
            self.generated += 1
        broken: list[tuple[str, str]] = []
        if outcome.accepted:
            self.accepted += 1
            if near_miss:
                self.near_miss_accepted[near_miss] += 1
        elif not near_miss:
            broken += [(PROPERTY_2, class_of(code, message)) for code, _, message in outcome.errors]
        if outcome.ran:
            self.ran += 1
            self.near_misses_ran += bool(near_miss)
        for kind in outcome.allowed:
            self.allowed[kind] += 1
        for category, detail in outcome.violations:
            broken.append((PROPERTY_1, class_of(category, detail)))
        if outcome.accepted and outcome.ran and not outcome.violations:
            self.clean += 1
        self.unsound += any(prop == PROPERTY_1 for prop, _ in broken)
        self.rejected += any(prop == PROPERTY_2 for prop, _ in broken)
        seen: set[tuple[str, str]] = set()
        for prop, name in broken:
            if (prop, name) in seen:
                continue
            seen.add((prop, name))
            self.classes[prop][name] += 1
            self._keep(prop, name, seed, text, params, outcome, near_miss)
        return [f"{prop}: {name}" for prop, name in sorted(seen)]

    def _keep(
        self,
        prop: str,
        name: str,
        seed: str,
        text: str,
        params: dict[str, str],
        outcome: Outcome,
        near_miss: str,
    ) -> None:
        examples = self.examples.setdefault(f"{prop}: {name}", [])
        path = ""
        if self.directory is not None:
            folder = self.directory / prop / _slug(name)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{_slug(_short(seed))}{'-' + near_miss if near_miss else ''}.oi"
            target.write_text(
                _annotated(seed, text, params, outcome, near_miss, prop, name), encoding="utf-8"
            )
            path = str(target)
        if len(examples) < EXAMPLES_SHOWN:
            examples.append(Example(seed, path))

    def broken(self, prop: str) -> int:
        return sum(self.classes[prop].values())

    def summary(self) -> list[str]:
        near_accepted = sum(self.near_miss_accepted.values())
        lines = [
            f"generated {self.generated} programs: {self.accepted - near_accepted} accepted, "
            f"{self.ran - self.near_misses_ran} ran; and {self.near_misses} near-misses: {near_accepted} "
            f"accepted, {self.near_misses_ran} ran; {self.clean} runs clean "
            f"({self.seconds:.0f}s checking and running)",
            f"allowed failures seen: {dict(self.allowed) or 'none'}",
        ]
        for prop, title in (
            (PROPERTY_1, "property 1, soundness"),
            (PROPERTY_2, "property 2, no false rejections"),
        ):
            classes = self.classes[prop]
            programs = self.unsound if prop == PROPERTY_1 else self.rejected
            lines.append(f"{title}: broken by {programs} program(s), in {len(classes)} class(es)")
            for name, count in classes.most_common():
                example = self.examples.get(f"{prop}: {name}", [Example("?", "")])[0]
                where = f" {example.path}" if example.path else ""
                lines.append(f"  {count:5d}  {name}  [seed {_short(example.seed)}]{where}")
        if self.generator_errors:
            seeds = ", ".join(seed for seed, _ in self.generator_errors[:10])
            first = self.generator_errors[0][1]
            lines.append(
                f"the generator failed on {len(self.generator_errors)} seed(s) ({seeds}): "
                f"{type(first).__name__}: {str(first)[:200]}"
            )
        if self.near_misses:
            accepted = ", ".join(
                f"{kind} {self.near_miss_accepted[kind]}/{total}"
                for kind, total in sorted(self.near_miss_kinds.items())
            )
            lines.append(f"near-misses accepted by the checker (kind accepted/tried): {accepted}")
        return lines


def _short(seed: str) -> str:
    """A seed as shown in a summary line: a buffer key by a digest (the file has the key)."""
    if len(seed) <= 24:
        return seed
    import hashlib

    return f"{seed.split(':')[0]}#{hashlib.sha256(seed.encode()).hexdigest()[:10]}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "x"


def read_kept(path: Path) -> tuple[str, dict[str, str], str, str]:
    """A kept program again: its text, params, property and class."""
    text, _, notes = path.read_text(encoding="utf-8").partition(NOTES + "\n")
    lines = notes.splitlines()
    prop, _, name = lines[0].removeprefix("# ").partition(": ")
    params = json.loads(next(line for line in lines if line.startswith("# params: "))[len("# params: ") :])
    return text, params, prop, name


def _annotated(
    seed: str, text: str, params: dict[str, str], outcome: Outcome, near_miss: str, prop: str, name: str
) -> str:
    """The program as it ran, then (so that line numbers stay those of the program) what happened."""
    notes = [
        NOTES,
        f"# {prop}: {name}",
        f"# seed: {seed}" + (f" (near-miss: {near_miss})" if near_miss else ""),
        f"# params: {json.dumps(params, ensure_ascii=False)}",
    ]
    for code, line, message in outcome.errors:
        notes.append(f"# error {code} at line {line}: {message}")
    for category, detail in outcome.violations:
        notes.append(f"# violation: {category}: {' '.join(detail.split())[:400]}")
    log = [f"#   {line}" for line in outcome.log.splitlines()[-40:]]
    if log:
        notes += ["# the run's log (last lines):", *log]
    return text + "\n".join(notes) + "\n"
