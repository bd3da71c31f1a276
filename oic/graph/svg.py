"""SVG through Graphviz's ``dot`` program, when it is on PATH.

oi does not draw graphs itself: ``dot`` lays them out far better than anything small could. When it
is missing, or fails, the caller gets a one-line reason to show, never an exception.
"""

from __future__ import annotations

import shutil
import subprocess

# Graphviz lays out a graph of a few thousand nodes in seconds; a minute means something is wrong.
DOT_TIMEOUT_SECONDS = 60

MISSING_DOT = (
    "--format svg needs Graphviz's `dot` program on PATH; install Graphviz "
    "(e.g. `apt-get install graphviz`), or use --format dot and lay it out elsewhere"
)


class SvgUnavailable(Exception):
    """Why no SVG could be made, in one line."""


def to_svg(dot_text: str) -> bytes:
    """The SVG ``dot -Tsvg`` draws for ``dot_text``."""
    program = shutil.which("dot")
    if program is None:
        raise SvgUnavailable(MISSING_DOT)
    try:
        finished = subprocess.run(
            [program, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SvgUnavailable(f"Graphviz's dot did not finish within {DOT_TIMEOUT_SECONDS}s") from error
    except OSError as error:
        raise SvgUnavailable(f"cannot run Graphviz's dot ({error.strerror or error})") from error
    if finished.returncode != 0:
        said = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = said[0] if said else f"exit status {finished.returncode}"
        raise SvgUnavailable(f"Graphviz's dot failed: {reason}")
    return finished.stdout
