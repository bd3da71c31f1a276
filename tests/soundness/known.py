"""Counterexample classes that today's checker and runtime still produce, each to be fixed by the
change the typing rules and the runtime's semantics call for. The in-suite test fails on a class
not listed here, and on a listed class that no longer appears (remove it then): the list can only
shrink.

Each entry: an ``id``, the property it breaks, a pattern matched against the class (``triage``
spelling: ``category: message``), and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.soundness.triage import PROPERTY_1, PROPERTY_2


@dataclass(frozen=True)
class Known:
    """``steady``: the in-suite batch produces the class every time (a rare one is not required to
    appear there, so that its absence does not fail the test for want of luck)."""

    id: str
    prop: str
    pattern: str
    what: str
    steady: bool = True

    def matches(self, prop: str, name: str) -> bool:
        return prop == self.prop and re.search(self.pattern, name) is not None


KNOWN: tuple[Known, ...] = (
    # -- property 1: accepted programs that do not run as checked ----------------------------------
    Known(
        "task-not-run",
        PROPERTY_1,
        r'^reaction raised: task "\.\.\." has not run \(yet\)',
        "a task record read before the task ran raises instead of being there",
    ),
    Known(
        "integer-param",
        PROPERTY_1,
        r"^codegen: unknown param type",
        "`integer`/`int` params check clean and do not generate",
    ),
    Known(
        "optional-field-absent",
        PROPERTY_1,
        r"^reaction raised: no field '\.\.\.' in (the arguments of task|the output of task|pipeline"
        r"|field '\.\.\.' of the arguments of task)",
        "an optional schema field left out is read with get_member and raises",
    ),
    Known(
        "tasks-member",
        PROPERTY_1,
        r"^reaction raised: cannot read field '\.\.\.' of a value of an unknown type",
        "`tasks.x.output` checks clean and raises at run time",
        steady=False,
    ),
    Known(
        "constant-outside-schema",
        PROPERTY_1,
        r"^task failed: arguments: \$\.(limit|times|level): ",
        "a constant argument outside its field's schema (maximum, enum of integers) checks clean (E0317)",
        steady=False,
    ),
    Known(
        "else-if-nesting",
        PROPERTY_1,
        r"^codegen: the generated module is not valid Python: too many levels of indentation",
        "a long `else if` chain checks clean and generates nested code",
        steady=False,
    ),
    Known(
        "output-of-pending-rerun",
        PROPERTY_1,
        r"^reaction raised: (cannot read field '\.\.\.' of null|cannot index null"
        r"|'\.\.\.' needs a list, an object or a string on its right, not null)",
        "a reusable task's output read while its next run is pending: the latest run, not the latest "
        "finished one; or a near-miss the checker let through",
        steady=False,
    ),
    Known(
        "number-into-integer",
        PROPERTY_1,
        r"^task failed: arguments: \$\.(count|age|times|limit): must be integer",
        "a number not known to be whole (`7 / 2`) passed to an integer field checks clean",
        steady=False,
    ),
    Known(
        "enum-computed-string",
        PROPERTY_1,
        r"^task failed: arguments: \$\.mode: must be one of",
        "a computed string passed to an enum field checks clean",
        steady=False,
    ),
    Known(
        "guard-on-other-event",
        PROPERTY_1,
        r"^reaction raised: no field '\.\.\.' in the payload of event",
        "a guard evaluated on an event that does not trigger its condition",
        steady=False,
    ),
    Known(
        "short-secret-masks-words",
        PROPERTY_1,
        r"^run failed: its message is masked by a short secret",
        "a secret of a character or two is masked inside every word of the run's message",
        steady=False,
    ),
    # -- property 2: programs valid by the documents that the checker rejects -----------------------
    Known(
        "duration-exponent",
        PROPERTY_2,
        r"^E0106: invalid number or duration",
        "a duration with an exponent (`1e2s`) is refused",
    ),
    Known(
        "flat-chain-nesting",
        PROPERTY_2,
        r"^E0107: expression nested more than N deep",
        "a flat sum of 129 or more terms is refused as nesting",
    ),
    Known(
        "param-reads-param",
        PROPERTY_2,
        r"^E0201: undefined name",
        "a param default reading an earlier param is refused",
    ),
    Known(
        "keyword-first-key",
        PROPERTY_2,
        r"^E0101: unexpected `\.\.\.`",
        "`{for: 1}`: `for` as the first key of an object literal is parsed as a comprehension",
    ),
    Known(
        "any-arithmetic",
        PROPERTY_2,
        r"^E03(03|07|08|10): .*\bnumber\b",
        "`parse_json(a) + parse_json(b)` (any + any) is typed `number`",
    ),
)


def known_class(prop: str, name: str) -> Known | None:
    for entry in KNOWN:
        if entry.matches(prop, name):
            return entry
    return None
