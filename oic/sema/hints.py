"""Spelling hints: "did you mean `getcards`?" for a name that is close to a known one."""

from __future__ import annotations

from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The known name most similar to ``name``, if one is similar enough to be a likely typo."""
    import difflib  # only a file with a mistake needs it

    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {candidate.lower(): candidate for candidate in pool}
    return lowered.get(name.lower())


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``did you mean `x`?`` or "" when nothing is close."""
    match = closest(name, candidates)
    return f"did you mean `{match}`?" if match is not None and match != name else ""
