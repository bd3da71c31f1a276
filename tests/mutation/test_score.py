"""How `make mutation` counts: equivalent mutants leave the denominator only with a reason and only
while they survive, and the scope is the one pyproject.toml declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mutation import score

DIFF = """\
--- runtime/redact.py
+++ runtime/redact.py
@@ -1,3 +1,3 @@
 def spellings(secret: str) -> set[str]:
-    escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
+    escaped = json.dumps(secret, ensure_ascii=True)[1:-1]
     return {secret}"""


def entry(function: str = "runtime.redact.x_spellings") -> score.Equivalent:
    return score.Equivalent(
        function,
        "escaped = json.dumps(secret, ensure_ascii=False)[1:-1]",
        "escaped = json.dumps(secret, ensure_ascii=True)[1:-1]",
        "both spellings are in the set",
    )


def test_changed_lines_are_the_removed_and_added_lines_stripped() -> None:
    assert score.changed_lines(DIFF) == (entry().before, entry().after)


def test_an_equivalent_survivor_leaves_the_denominator() -> None:
    changed = score.changed_lines(DIFF)
    mutants = [
        score.Mutant("runtime.redact.x_spellings__mutmut_1", "survived", changed),
        score.Mutant("runtime.redact.x_spellings__mutmut_2", "killed"),
        score.Mutant("runtime.redact.x_spellings__mutmut_3", "timeout"),
        score.Mutant("runtime.engine.xǁEngineǁ_handle__mutmut_1", "survived", ("a", "b")),
        score.Mutant("runtime.engine.xǁEngineǁ_handle__mutmut_2", "no tests", ("c", "d")),
    ]
    result = score.tally(mutants, [entry()])
    redact, engine = result.by_module["runtime.redact"], result.by_module["runtime.engine"]
    assert (redact.mutants, redact.equivalent, redact.killed, redact.score) == (3, 1, 2, 100.0)
    assert (engine.mutants, engine.killed, engine.score) == (2, 0, 0.0)
    assert result.total.score == pytest.approx(50.0)
    assert result.total.survivors == [
        "runtime.engine.xǁEngineǁ_handle__mutmut_1",
        "runtime.engine.xǁEngineǁ_handle__mutmut_2",
    ]
    assert not result.stale and not score.passes(result, 90.0) and score.passes(result, 50.0)


def test_an_entry_whose_mutant_is_killed_is_stale_and_fails_the_score() -> None:
    killed = [score.Mutant("runtime.redact.x_spellings__mutmut_1", "killed")]
    result = score.tally(killed, [entry()])
    assert result.total.score == 100.0 and result.stale == [entry()]
    assert not score.passes(result, 90.0)
    assert "stale entry" in score.report(result, 90.0)


def test_an_entry_matches_only_its_own_function() -> None:
    changed = score.changed_lines(DIFF)
    survivor = [score.Mutant("runtime.redact.x_other__mutmut_1", "survived", changed)]
    result = score.tally(survivor, [entry()])
    assert result.total.survivors == ["runtime.redact.x_other__mutmut_1"] and result.stale == [entry()]


def test_an_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "equivalent.toml"
    path.write_text('[[equivalent]]\nfunction = "m.x_f"\nbefore = "a"\nafter = "b"\nreason = " "\n')
    with pytest.raises(ValueError, match="gives no reason"):
        score.load_equivalents(path)


def test_the_documented_equivalents_all_give_reasons() -> None:
    for equivalent in score.load_equivalents():
        assert equivalent.before != equivalent.after, equivalent


def test_the_scope_covers_the_soundness_modules_and_only_the_engines_outcome() -> None:
    patterns, minimum = score.load_settings()
    assert minimum >= 90.0
    for name in (
        "runtime.conditions.x_name_matches__mutmut_1",
        "runtime.outcome.xǁFailureLedgerǁreaction_fired__mutmut_1",
        "runtime.redact.x_spellings__mutmut_1",
        "oic.sema.types.x_fits__mutmut_1",
        "oic.sema.statements.xǁBodyCheckerǁcheck__mutmut_1",
        "runtime.engine.xǁEngineǁ_handle__mutmut_1",
        "runtime.engine.xǁEngineǁ_ended__mutmut_1",
    ):
        assert score.in_scope(name, patterns), name
    assert not score.in_scope("runtime.engine.xǁEngineǁ_loop__mutmut_1", patterns)
