from __future__ import annotations

from pathlib import Path

from tests.examples.harness import run_example


def steps(work: Path) -> list[str]:
    return (work / "steps.txt").read_text().split()


def test_ci_joins_the_parallel_steps_before_packaging(tmp_path: Path) -> None:
    run = run_example("ci", tmp_path, {"workdir": str(tmp_path)})
    assert run.code == 0, run.explain()
    done = steps(tmp_path)
    assert done[0] == "checkout" and done[-1] == "package"
    assert sorted(done[1:-1]) == ["build", "lint", "unit-tests"]
    assert run.tasks()["package"]["status"] == "Success"


def test_a_failing_step_reports_and_fails_the_run(tmp_path: Path) -> None:
    run = run_example(
        "ci", tmp_path, {"workdir": str(tmp_path), "test_command": "echo 3 tests broke; exit 1"}
    )
    assert run.code == 3, run.explain()
    done = steps(tmp_path)
    assert "package" not in done and done.count("failed") == 1
    tasks = run.tasks()
    assert tasks["unit-tests"]["status"] == "failed"
    assert (
        "exited with code 1" in tasks["unit-tests"]["error"]
        and "3 tests broke" in tasks["unit-tests"]["error"]
    )
    assert "package" not in tasks
