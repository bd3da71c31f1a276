"""Headless Chromium for the report's tests, driven by selenium through the system's chromedriver.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them, and ``make test``
depends on it): never a browser or a driver downloaded by selenium. A machine without them fails
the browser test with a line that says how to get them, rather than skipping it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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
    """A selenium driver of a headless Chromium that keeps the page's console log; quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = chromium_binary()
    assert binary and os.access(CHROMEDRIVER, os.X_OK), MISSING
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path is given: selenium's own manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
