"""The report's HTML, made in-process from a hand-made record: untrusted text shown as text, every
task run drawn, secrets masked, nothing loaded from anywhere, the graph marked with what ran."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from runtime.report import REPORT_FILE, report_html, write_report
from runtime.report.facts import CANCELLED, FAILED, SUCCEEDED, TIMED_OUT, UNFINISHED, run_status
from runtime.report.graph import read_graph
from runtime.state import TaskState
from tests.report.made import EVENTS, GRAPH, HOSTILE, RUNS, SECRET, logged, record


class Elements(HTMLParser):
    """The page as a browser's tokenizer sees it: start tags with their attributes, the text of
    each ``<script>`` and ``<style>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._inside = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside is not None:
            self.raw[self._inside][-1] += data

    def having(self, tag: str, attribute: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag and attribute in attributes]


@pytest.fixture(scope="module")
def page() -> str:
    return report_html(record(), EVENTS, GRAPH)


@pytest.fixture(scope="module")
def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def test_hostile_output_is_text_not_markup(page: str, elements: Elements) -> None:
    # Two scripts only, the data and the page's own: the output's </script><script> made none.
    assert [attributes.get("type") for name, attributes in elements.tags if name == "script"] == [
        "application/json",
        None,
    ]
    assert "alert(1)" not in elements.raw["script"][1]
    assert "<script>alert" not in page and "</script><script>alert" not in page
    assert html.escape("</script><script>alert(1)</script>") in page
    # Control characters and the bidirectional override are shown as escapes, never raw.
    for character in ("\x1b", "\x07", "\u202e", "\x00"):
        assert character not in page
    assert "\\x1b[2J\\x07\\u202eevil\\x00" in page  # in the error, as text
    assert "\\u001b[2J\\u0007\\u202eevil\\u0000" in page  # in the output, as JSON


def test_the_script_data_cannot_end_its_block_and_reads_back(elements: Elements) -> None:
    data_text = elements.raw["script"][0]
    assert "<" not in data_text and ">" not in data_text and "&" not in data_text
    data = json.loads(data_text)
    assert [run["id"] for run in data["runs"]] == [run.id for run in RUNS]
    assert data["runs"][1]["label"] == "flaky (3 attempts)"


def test_every_task_run_has_a_bar_and_details(elements: Elements) -> None:
    bars = [attributes for attributes in elements.having("g", "data-run")]
    assert [bar["data-run"] for bar in bars] == [str(place) for place in range(len(RUNS))]
    assert [bar["data-status"] for bar in bars] == [
        SUCCEEDED,
        FAILED,
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        TIMED_OUT,
        UNFINISHED,
    ]
    details = [attributes["id"] for attributes in elements.having("details", "id")]
    assert details == [f"run-{place}" for place in range(len(RUNS))]


def test_each_run_links_its_log_relative_to_the_report(tmp_path: Path) -> None:
    runs = logged(tmp_path, quiet={"flaky"})
    parser = Elements()
    parser.feed(report_html(record(runs=runs, logs_dir=str(tmp_path)), EVENTS, GRAPH))
    links = [attributes["href"] for attributes in parser.having("a", "href")]
    # A task that wrote nothing has no log to link to.
    assert links == [f"tasks/{run.task}-{run.id}.log" for run in RUNS if run.task != "flaky"]


def test_reusable_runs_are_numbered_and_retries_counted(page: str) -> None:
    for label in ("notify #1", "notify #2", "notify #3", "flaky (3 attempts)"):
        assert f">{label}</text>" in page
    assert ">build #" not in page


def test_secrets_are_masked_everywhere(page: str) -> None:
    assert SECRET not in page
    assert json.dumps(SECRET)[1:-1] not in page
    assert "***" in page  # in the arguments, the error and the history


def test_nothing_is_loaded_from_anywhere(page: str, elements: Elements) -> None:
    assert "http://" not in page and "https://" not in page
    assert not elements.having("img", "src") and not elements.having("link", "href")
    assert not re.search(r"""url\((?!#arrow\))|@import|\bsrc\s*=""", page)
    for _tag, attributes in elements.tags:
        for key, value in attributes.items():
            if key == "href":
                assert value is not None and not re.match(r"[a-z][a-z0-9+.-]*:|//", value), value


def test_the_security_policy_allows_exactly_the_inline_style_and_script(elements: Elements) -> None:
    (meta,) = [
        a for a in elements.having("meta", "http-equiv") if a["http-equiv"] == "Content-Security-Policy"
    ]
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in (meta["content"] or "").split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'none'"]

    def hashed(source: str) -> list[str]:
        return ["'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"]

    assert policy["script-src"] == hashed(elements.raw["script"][1])
    assert policy["style-src"] == hashed(elements.raw["style"][0])
    # No style attribute anywhere: the policy would refuse it.
    assert not [tag for tag, attributes in elements.tags if "style" in attributes]


def test_the_graph_marks_what_ran_and_how(elements: Elements) -> None:
    nodes = {attributes["data-node"]: attributes for attributes in elements.having("g", "data-node")}
    assert set(nodes) == {node["id"] for node in GRAPH["nodes"]}  # type: ignore[index]
    classes = {node_id: (attributes["class"] or "").split() for node_id, attributes in nodes.items()}
    assert "status-succeeded" in classes["n0"]
    assert "status-failed" in classes["n1"]
    assert "status-succeeded" in classes["n2"] and nodes["n2"]["data-runs"] == "2 3 4"
    # The pattern stands for both deploy runs; its latest one had not finished.
    assert nodes["n3"]["data-runs"] == "5 6" and "status-unfinished" in classes["n3"]
    assert "status-not-run" in classes["n4"]
    assert not any(word.startswith("status-") for word in classes["n5"])
    failure_edges = [a for a in elements.having("path", "class") if "edge-failed" in (a["class"] or "")]
    assert len(failure_edges) == 1


def test_the_history_is_listed_in_order_with_times(page: str) -> None:
    rows = re.findall(r'<tr><td class="mono">([^<]*)</td><td>([^<]*)</td>', page)
    assert [name for _, name in rows] == [event.metadata.name for event in EVENTS]
    assert rows[0][0] == "2026-01-02T03:04:05.000Z"


def test_a_program_without_a_graph_says_so() -> None:
    page = report_html(record(), EVENTS, None)
    assert "does not carry its reaction graph" in page and 'data-node="' not in page


@pytest.mark.parametrize(
    "data",
    [
        {"nodes": "n0"},
        {"nodes": [{"id": "n0", "kind": "spaceship", "lines": ["x"]}], "edges": []},
        {"nodes": [{"id": "n0", "kind": "task", "lines": [3]}], "edges": []},
        {
            "nodes": [{"id": "n0", "kind": "task", "lines": ["x"]}],
            "edges": [{"source": "n0", "target": "n9"}],
        },
        ["nodes"],
    ],
)
def test_a_graph_of_another_shape_is_left_out(data: object) -> None:
    assert read_graph(data) is None  # type: ignore[arg-type]
    assert "does not carry its reaction graph" in report_html(record(), EVENTS, data)  # type: ignore[arg-type]


def test_how_a_run_ended() -> None:
    finished = TaskState(id="a", task="t", state="finished", status="Success")
    assert run_status(finished, "failed") == SUCCEEDED
    assert run_status(TaskState(id="a", task="t", state="finished", status="failed"), "failed") == FAILED
    given_up = TaskState(id="a", task="t", state="finished", status="failed", abandoned=True)
    assert run_status(given_up, "cancelled") == CANCELLED
    assert run_status(given_up, "timed-out") == TIMED_OUT
    assert run_status(TaskState(id="a", task="t", state="pending"), "failed") == UNFINISHED
    # Its own timeout passed: timed out, as the run's summary says, whatever the run's outcome.
    slow = TaskState(id="a", task="t", state="finished", status="failed", timed_out=True)
    assert run_status(slow, "failed") == TIMED_OUT


def test_a_run_without_task_runs(tmp_path: Path) -> None:
    page = report_html(record(runs=[], logs_dir=str(tmp_path)), [], {"nodes": [], "edges": []})
    parser = Elements()
    parser.feed(page)
    assert "no task ran" in page and not parser.having("g", "data-run")
    assert "This pipeline has no reactions" in page


def test_it_is_written_beside_state_yaml(tmp_path: Path) -> None:
    assert write_report(record(logs_dir=str(tmp_path)), EVENTS, GRAPH) == ""
    written = (tmp_path / REPORT_FILE).read_text(encoding="utf-8")
    assert written == report_html(record(logs_dir=str(tmp_path)), EVENTS, GRAPH)
    assert (tmp_path / REPORT_FILE).stat().st_mode & 0o777 == 0o600


def test_a_report_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    (tmp_path / REPORT_FILE).mkdir()
    problem = write_report(record(logs_dir=str(tmp_path)), EVENTS, GRAPH)
    assert problem.startswith(f"cannot write {tmp_path / REPORT_FILE}: ") and "\n" not in problem
    assert HOSTILE not in problem


def test_hostile_names_in_the_graph_and_the_runs_are_text() -> None:
    name = 'new\nline q"uote <b>bold</b> </script><script>alert(2)</script> \u202eevil'
    graph = {
        "nodes": [
            {"id": "n0", "kind": "task", "lines": [name], "loop": False},
            {"id": "n1", "kind": "reaction", "lines": [f"if {name}"], "loop": False},
        ],
        "edges": [{"source": "n1", "target": "n0", "kind": "builds", "label": name, "loop": False}],
    }
    runs = [TaskState(id="x", task=name, state="finished", status="Success", error=name)]
    page = report_html(record(runs=runs), [], graph)
    parser = Elements()
    parser.feed(page)
    assert [tag for tag, _ in parser.tags].count("script") == 2
    assert not [tag for tag, _ in parser.tags if tag == "b"]
    assert "alert(2)" not in parser.raw["script"][1]
    assert "\u202e" not in page and "\\u202eevil" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "q&quot;uote" in page
    # Drawn on one line (the timeline's row, the graph's edge label and node), the line break
    # written as the escape the source would hold.
    drawn = re.findall(r"<text [^>]*>new\\nline q&quot;uote &lt;b&gt;bold&lt;/b&gt; &lt;/script&gt;", page)
    assert len(drawn) == 3
    (node,) = [
        attributes for attributes in parser.having("g", "data-node") if attributes["data-node"] == "n0"
    ]
    assert "status-succeeded" in (node["class"] or "")


def test_a_report_that_cannot_be_made_is_one_line_without_secrets(tmp_path: Path) -> None:
    class Unprintable:
        """An output the report cannot turn into text: its ``str`` raises, quoting a secret."""

        def __str__(self) -> str:
            raise ValueError(f"no text for\nyou, {SECRET}")

    runs = [TaskState(id="x", task="t", state="finished", status="Success", output=Unprintable())]
    problem = write_report(record(runs=runs, logs_dir=str(tmp_path)), [], GRAPH)
    assert problem == f"cannot make {tmp_path / REPORT_FILE}: ValueError: no text for you, ***"
    assert not (tmp_path / REPORT_FILE).exists()
