"""Options of the diagnostics corpus: ``--update-golden`` rewrites the ``cases/**/*.out`` files."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        parser.addoption(
            "--update-golden",
            action="store_true",
            default=False,
            help="rewrite the golden .out files of tests/diagnostics/cases from the current output",
        )
    except ValueError:
        pass  # already added by another conftest


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    import os

    try:
        from_option = bool(request.config.getoption("--update-golden"))
    except ValueError:
        from_option = False
    return from_option or os.environ.get("OI_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def case_catalog(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Catalog services are looked up in ``cases/catalog`` and an empty services cache, whatever the
    machine running the tests has configured or downloaded."""
    from pathlib import Path

    monkeypatch.setenv("OI_CATALOG", str(Path(__file__).resolve().parent / "cases" / "catalog"))
    monkeypatch.setenv("OI_SERVICES_CACHE", str(tmp_path_factory.mktemp("services-cache")))
