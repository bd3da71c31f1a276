"""Make the screenshot of docs/report.md: ``python -m tests.report.screenshot docs/images/report.png``.

Runs the browser test's pipeline (``release.py``) for real, opens its report.html in headless
Chromium, selects the failed run, and saves the top of the page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from runtime.report import REPORT_FILE
from tests.report.browser import headless_chromium
from tests.report.release import run_release


def main(output: str) -> int:
    with tempfile.TemporaryDirectory() as directory:
        finished = run_release(Path(directory))
        if finished.returncode != 3:
            print(f"screenshot: the pipeline did not fail as it should: {finished.stderr}", file=sys.stderr)
            return 1
        with headless_chromium(width=1280, height=1180) as driver:
            driver.get((Path(directory) / "logs" / REPORT_FILE).as_uri())
            for bar in driver.find_elements("css selector", ".timeline .bar"):
                if bar.get_attribute("data-status") == "failed":
                    bar.find_element("css selector", "rect.span").click()
            driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(output)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m tests.report.screenshot OUT.png", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
