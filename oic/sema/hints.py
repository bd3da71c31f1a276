"""Spelling hints: "did you mean `getcards`?" for a name that is close to a known one."""

from __future__ import annotations

from collections.abc import Collection

# A hint compares a name with every candidate (difflib: up to a tenth of a millisecond for names that
# look alike), so hints for every mistake of a file with thousands of names would make checking it
# quadratic. One check spends at most this many comparisons on hints; once a name would need more,
# no name gets a hint any more (a file that large and that wrong has other problems first).
MAX_COMPARISONS = 20_000
_spent = 0


def start_check() -> None:
    """Called when the checking of a file starts: its hints spend from a full budget."""
    global _spent
    _spent = 0


def available() -> bool:
    """Whether a hint may still be looked for in this check."""
    return _spent < MAX_COMPARISONS


def closest(name: str, candidates: Collection[str]) -> str | None:
    """The known name most similar to ``name``, if one is similar enough to be a likely typo (None
    once the check has spent its ``MAX_COMPARISONS``)."""
    global _spent
    if _spent + len(candidates) > MAX_COMPARISONS:
        _spent = MAX_COMPARISONS
        return None
    _spent += len(candidates)
    import difflib  # only a file with a mistake needs it

    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {candidate.lower(): candidate for candidate in pool}
    return lowered.get(name.lower())


def did_you_mean(name: str, candidates: Collection[str]) -> str:
    """``did you mean `x`?`` or "" when nothing is close."""
    match = closest(name, candidates)
    return f"did you mean `{match}`?" if match is not None and match != name else ""
