"""Sizes and numbers for the report's drawings: text is drawn in a monospace font, so its width
can be known without a browser."""

from __future__ import annotations

FONT_SIZE = 12
CHARACTER_WIDTH = 7.3  # of a 12px monospace character, a little more than most fonts need
LINE_HEIGHT = 16


def text_width(text: str) -> float:
    return len(text) * CHARACTER_WIDTH


def number(value: float) -> str:
    """A coordinate as SVG text: short, never in exponent notation."""
    return f"{value:.1f}".rstrip("0").rstrip(".") or "0"


def shortened(text: str, longest: int) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"


def seconds_text(seconds: float) -> str:
    """A duration for people: ``250ms``, ``1.5s``, ``2m05s``, ``1h02m``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.3g}s" if seconds < 10 else f"{seconds:.0f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
