"""Limits the compiler and the runtime share, declared once.

This module imports nothing, so the compiler can read it to check a file without loading the engine.

- ``MAX_DURATION_SECONDS``: the longest duration oi accepts anywhere: a pipeline ``timeout``, a task's
  ``timeout`` and ``backoff``, the longest wait between two attempts (``backoff`` doubled once per
  retry), and the binary's ``--timeout``. A year is longer than any pipeline should run, and keeps
  every deadline far below what the clocks and waits of the engine can represent.
- ``MAX_RETRIES``: the most retries a task may ask for.
- ``DEFAULT_MAX_TASK_RUNS``: how many runs of one reusable task name a run allows by default (the
  binary's ``--max-task-runs`` and ``OI_MAX_TASK_RUNS`` change it): a reusable task that triggers its
  own reaction would otherwise run until the disk or the memory is full. The checker names it when it
  warns about a loop of reusable tasks (W0109).
- ``MAX_PARALLELISM``: the most tasks a run may have running at once (the pipeline block's
  ``parallelism`` and the binary's ``--parallelism``). Each running task holds a thread and a call in
  flight; a thousand is more than any machine runs usefully, and keeps a typo such as ``1000000`` a
  usage error rather than a run that exhausts the threads the system allows.
- ``MAX_PARAM_NESTING``: how deep a JSON value given for a param (``--param`` or ``OI_PARAM_<NAME>``)
  may nest lists and objects. The value is later checked, copied and written out by recursive code;
  the bound keeps all of that far from Python's recursion limit, and matches the checker's bound on
  values a pipeline builds.
"""

from __future__ import annotations

MAX_DURATION_SECONDS = 365 * 24 * 3600.0
MAX_DURATION_TEXT = "365 days (8760h)"
MAX_RETRIES = 100
DEFAULT_MAX_TASK_RUNS = 1000
MAX_PARALLELISM = 1024
MAX_PARAM_NESTING = 64


def longest_backoff_wait(backoff_seconds: float, retries: int) -> float:
    """The wait before the last attempt of a task that retries ``retries`` times, starting from
    ``backoff_seconds`` and doubling (``inf`` when it cannot be represented)."""
    if retries <= 0 or backoff_seconds <= 0:
        return 0.0
    try:
        return backoff_seconds * 2.0 ** (retries - 1)
    except OverflowError:
        return float("inf")
