"""Where the generator's decisions come from.

The generator never calls a random function itself: every decision is asked of a ``Choices``. A
``SeededChoices`` draws them from ``random.Random(seed)`` (``make soak``: the seed alone reproduces
a program); a ``BufferChoices`` reads them from bytes Hypothesis drew (the in-suite test). A
decision of 0 always means "the first option, the smallest number, no": Hypothesis shrinks towards
it, so a shrunk program is also a simpler one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Choices(Protocol):
    """Answers the generator's questions: a number below ``count``."""

    def below(self, count: int) -> int:
        """A number in ``range(count)`` (``count`` >= 1)."""
        ...


def pick(choices: Choices, options: Sequence[T]) -> T:
    return options[choices.below(len(options))]


def chance(choices: Choices, percent: int) -> bool:
    """True about ``percent`` times in a hundred (a draw of 0 is False)."""
    return choices.below(100) >= 100 - percent


def between(choices: Choices, low: int, high: int) -> int:
    return low + choices.below(high - low + 1)


def weighted(choices: Choices, options: Sequence[tuple[int, T]]) -> T:
    total = sum(weight for weight, _ in options)
    point = choices.below(total)
    for weight, option in options:
        if point < weight:
            return option
        point -= weight
    raise AssertionError("unreachable")


class SeededChoices:
    """Decisions from ``random.Random(seed)``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._random = random.Random(seed)

    def below(self, count: int) -> int:
        return self._random.randrange(count)


class BufferChoices:
    """Decisions read from a buffer of bytes, two per decision (then zeros once it runs out). The
    in-suite test draws the buffer from Hypothesis in one draw, which costs a fraction of a draw per
    decision; Hypothesis still shrinks it decision by decision (a pair of zero bytes is "the first
    option")."""

    def __init__(self, buffer: bytes) -> None:
        self.buffer = buffer
        self._position = 0

    def below(self, count: int) -> int:
        if count == 1:
            return 0
        width = 2 if count <= 0x10000 else 4
        chunk = self.buffer[self._position : self._position + width]
        self._position += width
        return int.from_bytes(chunk, "big") % count if chunk else 0

    def key(self) -> str:
        """The buffer, spelt as a seed ``replay_choices`` reads back."""
        import base64
        import zlib

        return "buffer:" + base64.urlsafe_b64encode(zlib.compress(self.buffer, 9)).decode()


def replay_choices(seed: str) -> Choices:
    """The decisions a seed spells: an integer (``SeededChoices``) or a ``buffer:`` key."""
    import base64
    import zlib

    if seed.startswith("buffer:"):
        return BufferChoices(zlib.decompress(base64.urlsafe_b64decode(seed.removeprefix("buffer:").encode())))
    return SeededChoices(int(seed))
