"""The mutation score of `make mutation`: killed / (mutants - documented equivalent ones), per module
and in total, from the results mutmut left in ``mutants/``.

Which mutants count is ``[tool.oi.mutation] scope`` in pyproject.toml (mutmut's mutant names, with
``*``). A mutant that no test can tell from the original is listed in ``equivalent.toml`` beside this
file, each with the reason, and leaves the denominator. An entry names the function and the line the
mutant changes (before and after), not mutmut's number for it, which changes whenever the function
is edited. An entry that matches no surviving mutant is stale (the tests kill it now, or the code
moved): the score refuses it, so that the list stays one that was read mutant by mutant.

Killed counts mutmut's "killed", "timeout" (a mutant that makes a run wait forever), "segfault"
(the test process died) and "check was interrupted by user", which is pytest's exit status 2: in a
mutant's run, a test module that could not be imported because the mutant broke what runs at import
time. "survived", "no tests" (no test reaches the function in mutmut's process) and "suspicious"
count as not killed.

    python -m tests.mutation.score        # after `mutmut run`, from the repository's root
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest brings tomli on 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT_FILE = Path(__file__).resolve().parent / "equivalent.toml"
KILLED = frozenset({"killed", "timeout", "segfault", "check was interrupted by user"})
# ``runtime.engine.xǁEngineǁ_handle__mutmut_3`` and ``runtime.redact.x_spellings__mutmut_1``.
_MODULE = re.compile(r"^(?P<module>[\w.]+?)\.x[_ǁ]")


@dataclass(frozen=True)
class Equivalent:
    """A mutant documented as unable to change behaviour: the function (mutmut's name without the
    ``__mutmut_N``), the changed line before and after (stripped), and why."""

    function: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class Mutant:
    name: str
    status: str
    changed: tuple[str, str] = ("", "")  # the changed lines (before, after), for survivors only

    @property
    def module(self) -> str:
        match = _MODULE.match(self.name)
        return match.group("module") if match else self.name.rpartition(".")[0]

    @property
    def function(self) -> str:
        return self.name.partition("__mutmut_")[0]


@dataclass
class Tally:
    mutants: int = 0
    equivalent: int = 0
    killed: int = 0
    survivors: list[str] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return self.mutants - self.equivalent

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


@dataclass
class Score:
    by_module: dict[str, Tally]
    total: Tally
    stale: list[Equivalent]


def load_settings(pyproject: Path = ROOT / "pyproject.toml") -> tuple[list[str], float]:
    """The scope patterns and the minimum score of ``[tool.oi.mutation]``."""
    settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["oi"]["mutation"]
    return list(settings["scope"]), float(settings["minimum_score"])


def load_equivalents(path: Path = EQUIVALENT_FILE) -> list[Equivalent]:
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", [])
    equivalents = []
    for entry in entries:
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path.name}: the entry for {entry.get('function')!r} gives no reason")
        equivalents.append(
            Equivalent(entry["function"], entry["before"].strip(), entry["after"].strip(), entry["reason"])
        )
    return equivalents


def in_scope(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def changed_lines(diff: str) -> tuple[str, str]:
    """The lines a unified diff removes and adds, each stripped and joined by newlines."""
    lines = [line for line in diff.splitlines() if not line.startswith(("---", "+++"))]
    removed = [line[1:].strip() for line in lines if line.startswith("-")]
    added = [line[1:].strip() for line in lines if line.startswith("+")]
    return "\n".join(removed), "\n".join(added)


def tally(mutants: Iterable[Mutant], equivalents: Iterable[Equivalent]) -> Score:
    """Count killed, equivalent and surviving mutants per module; an equivalent entry matches a
    mutant that was not killed, in its function, with the same changed lines."""
    unmatched = list(equivalents)
    by_module: dict[str, Tally] = {}
    total = Tally()
    for mutant in sorted(mutants, key=lambda m: m.name):
        counts = by_module.setdefault(mutant.module, Tally())
        for tallies in (counts, total):
            tallies.mutants += 1
        if mutant.status in KILLED:
            counts.killed += 1
            total.killed += 1
            continue
        match = next(
            (
                entry
                for entry in unmatched
                if entry.function == mutant.function and (entry.before, entry.after) == mutant.changed
            ),
            None,
        )
        if match is not None:
            unmatched.remove(match)
            counts.equivalent += 1
            total.equivalent += 1
        else:
            counts.survivors.append(mutant.name)
            total.survivors.append(mutant.name)
    return Score(by_module, total, unmatched)


def read_results(patterns: list[str], root: Path = ROOT) -> list[Mutant]:
    """The mutants in scope with their status from mutmut's ``mutants/**/*.meta`` files, with the
    changed lines of those not killed (mutmut's own diff)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    mutants = []
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        source = meta.relative_to(root / "mutants").with_suffix("")
        results = json.loads(meta.read_text(encoding="utf-8"))
        exit_codes: Mapping[str, int | None] = results["exit_code_by_key"]
        for name, exit_code in exit_codes.items():
            if not in_scope(name, patterns):
                continue
            status = status_by_exit_code[exit_code]
            changed = ("", "")
            if status not in KILLED:
                changed = changed_lines(get_diff_for_mutant(name, path=source))
            mutants.append(Mutant(name, status, changed))
    return mutants


def report(score: Score, minimum: float) -> str:
    def row(name: str, counts: Tally) -> str:
        return (
            f"{name:<24} {counts.mutants:>8} {counts.equivalent:>11} {counts.killed:>7} {counts.score:>6.1f}%"
        )

    lines = [f"{'module':<24} {'mutants':>8} {'equivalent':>11} {'killed':>7} {'score':>7}"]
    lines += [row(module, counts) for module, counts in sorted(score.by_module.items())]
    total = score.total
    lines.append(row("total", total))
    if total.survivors:
        lines.append(f"not killed ({len(total.survivors)}; `mutmut show NAME` shows one):")
        lines += [f"  {name}" for name in total.survivors]
    for entry in score.stale:
        lines.append(
            f"stale entry in {EQUIVALENT_FILE.name}: {entry.function}: {entry.before!r} -> {entry.after!r}"
            " matches no surviving mutant"
        )
    lines.append(f"score {total.score:.1f}% (minimum {minimum:.0f}%)")
    return "\n".join(lines)


def passes(score: Score, minimum: float) -> bool:
    return score.total.score >= minimum and not score.stale


def main() -> int:
    patterns, minimum = load_settings()
    score = tally(read_results(patterns), load_equivalents())
    print(report(score, minimum))
    return 0 if passes(score, minimum) else 1


if __name__ == "__main__":
    sys.exit(main())
