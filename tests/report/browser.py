"""Headless Chromium for the report's tests, driven by selenium through the system's chromedriver.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them, and ``make test``
depends on it): never a browser or a driver downloaded by selenium. A machine without them fails
the browser test with a line that says how to get them, rather than skipping it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMEDRIVER = "/usr/bin/chromedriver"
MISSING = "the report's browser test needs Debian's chromium and chromium-driver: run `make browser`"


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return ""


@contextmanager
def headless_chromium(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A selenium driver of a headless Chromium that keeps the page's console log; quit on exit.
    Its profile, temporary files and home are in a directory of its own, removed after it: it
    leaves nothing behind. (A short path: Chromium's socket there must fit a socket's 108 bytes,
    which a pytest ``tmp_path`` may not.)"""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = chromium_binary()
    assert binary and os.access(CHROMEDRIVER, os.X_OK), MISSING
    work_dir = Path(tempfile.mkdtemp(prefix="oi-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    options.add_argument(f"--user-data-dir={work_dir / 'profile'}")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        # Tests never reach the internet: no background traffic, and whatever Chromium would fetch
        # goes to a closed loopback port, its names resolved to nothing.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
        "--disable-breakpad",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path is given: selenium's own manager never runs, so nothing is downloaded.
    environment = {**os.environ, "HOME": str(work_dir), "TMPDIR": str(work_dir)}
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=environment), options=options)
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
