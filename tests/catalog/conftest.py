"""Fixtures: one process per built-in service per test module, and fresh fakes per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.catalog.harness import RunningBuiltin, running_builtin


def builtin_fixture(name: str):  # type: ignore[no-untyped-def]
    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBuiltin]:
        with running_builtin(name, tmp_path_factory.mktemp(f"logs-{name}")) as service:
            yield service

    return fixture
