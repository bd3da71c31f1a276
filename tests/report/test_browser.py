"""report.html of a real run, opened in headless Chromium: a pipeline run by `oic run` with
successes, a failure whose error holds a secret, markup in an output, a retried call, a reusable
task run twice and tasks built in a loop (``release.py``). The page loads with no console message
at all (a Content-Security-Policy violation would be one), every task run has its bar, the graph
is drawn with what ran marked, clicking a bar or a node shows what it stands for, and no secret is
anywhere in the file. The screenshot goes to build/test-artifacts/report.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from oic.frontend import check_file
from oic.graph.reactions import reaction_graph
from runtime.report import REPORT_FILE
from tests.report.browser import headless_chromium
from tests.report.release import SECRET, run_release

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "test-artifacts"


def shown(node: Any) -> str:
    """The label of a graph node (its text elements, without its tooltip), scrolled into view or not."""
    return "\n".join(
        line.get_attribute("textContent") for line in node.find_elements("css selector", ":scope > text")
    )


@pytest.fixture(scope="module")
def run_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("release")
    finished = run_release(directory)
    assert finished.returncode == 3, finished.stderr  # the flaky task's failure is not handled
    assert "warning" not in finished.stderr
    return directory / "logs"


def test_the_report_of_a_real_run_in_chromium(run_logs: Path) -> None:
    report = run_logs / REPORT_FILE
    data = report.read_bytes()
    assert SECRET.encode() not in data
    state = yaml.safe_load((run_logs / "state.yaml").read_text(encoding="utf-8"))
    run_ids = list(state["tasks"])
    names = sorted(entry["task"] for entry in state["tasks"].values())
    assert names == ["build", "deploy-eu", "deploy-us", "flaky", "lint", "notify", "notify", "test"]

    with headless_chromium() as driver:
        driver.get(report.as_uri())
        assert driver.get_log("browser") == []  # no error, no CSP violation, no message at all
        assert driver.title == "release: failed"
        # Everything is in the file: the page fetched nothing at all.
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0

        bars = driver.find_elements("css selector", ".timeline [data-run]")
        assert len(bars) == len(run_ids)
        statuses = {bar.get_attribute("data-status") for bar in bars}
        assert statuses == {"succeeded", "failed"}
        labels = [element.text for element in driver.find_elements("css selector", ".timeline .row-label")]
        assert "notify #1" in labels and "notify #2" in labels and "flaky (2 attempts)" in labels

        # The graph is the one `oic graph` draws for the pipeline, node for node.
        nodes = driver.find_elements("css selector", ".graph .node")
        graph = reaction_graph(check_file(str(run_logs.parent / "release.oi")).program)  # type: ignore[arg-type]
        assert sorted(node.get_attribute("data-node") for node in nodes) == sorted(n.id for n in graph.nodes)
        ran = driver.find_elements("css selector", ".graph .node.status-succeeded")
        assert sorted(shown(node) for node in ran) == ["build", "deploy-${r}", "lint", "notify", "test"]
        failed_nodes = driver.find_elements("css selector", ".graph .node.kind-task.status-failed")
        assert [shown(node) for node in failed_nodes] == ["flaky"]

        # The markup a task wrote is shown as text; the page ran no script of its.
        lint = labels.index("lint")
        driver.find_elements("css selector", ".timeline [data-run] rect.span")[lint].click()
        output = driver.find_element("id", f"run-{lint}")
        assert output.get_attribute("open") is not None
        assert "</script><script>alert(1)</script>" in output.text
        assert "\\u0007" in output.text
        assert driver.execute_script("return document.querySelectorAll('script').length") == 2

        flaky = labels.index("flaky (2 attempts)")
        driver.find_elements("css selector", ".timeline [data-run] rect.span")[flaky].click()
        selection = driver.find_element("id", "selection").text
        assert "flaky (2 attempts)" in selection and "failed" in selection
        assert SECRET not in driver.page_source

        # The loop's pattern stands for both deploys: clicking it marks their two bars.
        (pattern,) = [node for node in nodes if shown(node) == "deploy-${r}"]
        pattern.click()
        selected = driver.find_elements("css selector", ".timeline .bar.selected .row-label")
        assert sorted(label.text for label in selected) == ["deploy-eu", "deploy-us"]

        # Each run links its log, beside the report.
        links = [link.get_attribute("href") for link in driver.find_elements("css selector", "details.run a")]
        assert links and all(link.startswith(run_logs.as_uri() + "/tasks/") for link in links)
        assert all(Path(link[len("file://") :]).is_file() for link in links)

        driver.set_window_size(1400, driver.execute_script("return document.body.scrollHeight") + 40)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(ARTIFACTS / "report.png"))
        assert driver.get_log("browser") == []
