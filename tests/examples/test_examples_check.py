"""Every example checks clean and documents how to run it."""

from __future__ import annotations

import pytest

from oic.cli import main as oic
from tests.examples.harness import EXAMPLES

NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "pipeline.oi").is_file())


@pytest.mark.parametrize("name", NAMES)
def test_example_checks_clean(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert oic(["check", "--werror", str(EXAMPLES / name / "pipeline.oi")]) == 0, capsys.readouterr()


@pytest.mark.parametrize("name", ["trello-sync", "jira-digest", "ci"])
def test_example_has_a_readme(name: str) -> None:
    readme = (EXAMPLES / name / "README.md").read_text()
    assert "oic run" in readme and "--param" in readme
