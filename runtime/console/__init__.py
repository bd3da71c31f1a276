"""What a pipeline binary shows on stderr while it runs: the renderers of the engine's events.

``console_observer`` picks one (``--progress auto|tty|plain``, ``--quiet``):

- ``plain`` (``runtime.console.plain``): a timestamped line per task run's start and end, then the
  summary; the choice of ``auto`` when stderr is not a terminal (CI, a pipe, a file);
- ``tty`` (``runtime.console.live``): the running tasks in a region redrawn in place, the finished
  ones above it, then the summary; the choice of ``auto`` on a terminal;
- ``--quiet``: nothing while the run goes well; warnings, and the summary of a run that did not
  succeed.

Colour only on a terminal, and never with ``NO_COLOR`` set (``runtime.console.style``).

The live renderer is plain ANSI written here, not ``rich``: ``python -X importtime`` gives 33 to
58 ms for ``rich.console`` and 50 to 74 ms with ``rich.live`` (rich 14, on the project's 2-core
machine), a tenth of the half-second start-up budget of a run from source, and a binary would
carry it and Pygments too; a pipeline's display needs only a few cursor movements, a width check and
eight colours. The live module is
imported only when a terminal is drawn on, so a run in CI imports neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from runtime.console.plain import PlainRenderer
from runtime.console.style import Palette, is_terminal, wants_colour
from runtime.observer import RunObserver

# (runtime.program.PROGRESS_MODES lists the modes: it checks the flag before this module is imported.)


def console_observer(mode: str, quiet: bool, stream: TextIO, environ: Mapping[str, str]) -> RunObserver:
    """The renderer for ``--progress MODE`` (auto, tty or plain) writing to ``stream``."""
    palette = Palette(wants_colour(stream, environ))
    live = mode == "tty" or (mode == "auto" and is_terminal(stream) and environ.get("TERM") != "dumb")
    if quiet or not live:
        return PlainRenderer(stream, palette, quiet=quiet)
    from runtime.console.live import LiveRenderer  # only a terminal needs it

    return LiveRenderer(stream, palette)
