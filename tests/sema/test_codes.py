"""Every semantic diagnostic code is documented and shown by at least one corpus case."""

from __future__ import annotations

import re
from pathlib import Path

from oic import codes

ROOT = Path(__file__).resolve().parents[2]
SEMA_CODES = [c.code for c in codes.all_codes() if re.match(r"E0[234]\d\d|W\d{4}", c.code)]


def test_every_sema_code_has_an_explanation() -> None:
    missing = [code for code in SEMA_CODES if not (ROOT / "oic" / "explanations" / f"{code}.md").is_file()]
    assert SEMA_CODES and not missing


def test_every_sema_code_is_exercised_by_the_corpus() -> None:
    corpus = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (ROOT / "tests" / "diagnostics" / "cases").rglob("*.oi")
    )
    missing = [code for code in SEMA_CODES if code not in corpus]
    assert not missing
