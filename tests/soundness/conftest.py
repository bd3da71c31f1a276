"""The service farm of the soundness tests (one per test process) and their Hypothesis profile:
derandomized (the same programs on every run), no example database written, no deadline (a
program's run takes what it takes on a busy machine)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.soundness.services import ServiceFarm

settings.register_profile(
    "oi-soundness",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(scope="session")
def farm() -> Iterator[ServiceFarm]:
    started = ServiceFarm().start()
    try:
        yield started
    finally:
        started.stop()
