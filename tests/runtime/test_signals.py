"""A watched signal reaches its callback whichever thread the kernel delivers it to."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# The main thread blocks SIGTERM, so the kernel must deliver it to another thread: a plain Python
# handler would then wait for the main thread to run Python code, which it does not while it waits.
_PROGRAM = textwrap.dedent(
    """
    import os, signal, threading
    from runtime.signals import SignalWatch

    received = threading.Event()
    numbers = []
    watch = SignalWatch((signal.SIGTERM,), lambda number: (numbers.append(number), received.set()))
    assert watch.install()
    other = threading.Thread(target=threading.Event().wait, daemon=True)
    other.start()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    os.kill(os.getpid(), signal.SIGTERM)
    print("woken" if received.wait(60) else "not woken", numbers == [signal.SIGTERM])
    watch.close()
    print("restored", signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, signal.set_wakeup_fd(-1))
    """
)


def test_a_signal_delivered_to_another_thread_wakes_the_watcher() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROGRAM], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["woken True", "restored True -1"]


def test_install_refuses_off_the_main_thread() -> None:
    import threading

    from runtime.signals import SignalWatch

    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(SignalWatch((15,), print).install()))
    thread.start()
    thread.join()
    assert outcome == [False]
