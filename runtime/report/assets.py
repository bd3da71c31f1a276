"""The report's style sheet and script, inlined in every report (a report needs no network and no
other file). The page's Content-Security-Policy allows exactly these two, by their hashes."""

from __future__ import annotations

STYLE = """
:root { color-scheme: light; --succeeded: #16a34a; --failed: #dc2626; --cancelled: #9ca3af;
  --timed-out: #d97706; --unfinished: #2563eb; --line: #e5e7eb; --muted: #6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #111827;
  background: #f9fafb; }
header, section { margin: 0 auto; max-width: 1400px; padding: 12px 24px; }
header { background: #fff; border-bottom: 1px solid var(--line); max-width: none; }
h1 { font-size: 20px; margin: 4px 0 8px; }
h2 { font-size: 16px; margin: 8px 0; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 8px; margin: 4px 0;
  overflow: auto; max-height: 24em; white-space: pre-wrap; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.outcome { font-weight: 600; }
.outcome-succeeded { color: var(--succeeded); } .outcome-failed { color: var(--failed); }
.outcome-timed-out { color: var(--timed-out); } .outcome-cancelled { color: var(--muted); }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px;
  vertical-align: -1px; }
.drawing { background: #fff; border: 1px solid var(--line); border-radius: 4px; overflow: auto;
  max-height: 70vh; }
svg text { font: 12px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; fill: #111827; }
.tick { stroke: var(--line); } .tick-label { fill: var(--muted); text-anchor: middle; }
.row-label { text-anchor: end; }
.bar { cursor: pointer; } .bar rect.row { fill: transparent; }
.bar:hover rect.row, .bar:focus rect.row { fill: #f3f4f6; } .bar:focus { outline: none; }
.bar.selected rect.row { fill: #e5e7eb; } .bar.selected rect.span { stroke: #111827; stroke-width: 2; }
.bar.open rect.span { stroke: var(--unfinished); stroke-dasharray: 4 2; }
.status-succeeded rect.span, i.status-succeeded { fill: var(--succeeded); background: var(--succeeded); }
.status-failed rect.span, i.status-failed { fill: var(--failed); background: var(--failed); }
.status-cancelled rect.span, i.status-cancelled { fill: var(--cancelled); background: var(--cancelled); }
.status-timed-out rect.span, i.status-timed-out { fill: var(--timed-out); background: var(--timed-out); }
.status-unfinished rect.span, i.status-unfinished { fill: var(--unfinished); background: var(--unfinished); }
.node rect { fill: #f1f5f9; stroke: #94a3b8; }
.node.kind-event rect { fill: #dbeafe; } .node.kind-reaction rect { fill: #fef9c3; }
.node.kind-builder rect { fill: #ede9fe; } .node.kind-junction rect { fill: #fff; }
.node.status-not-run rect { fill: #fff; stroke-dasharray: 4 3; }
.node.status-not-run text { fill: var(--muted); }
.node.kind-task rect, .node.kind-task-pattern rect { fill-opacity: .25; stroke-width: 2; }
.node.status-succeeded rect { stroke: var(--succeeded); } .node.status-failed rect { stroke: var(--failed); }
.node.status-cancelled rect { stroke: var(--cancelled); }
.node.status-timed-out rect { stroke: var(--timed-out); }
.node.status-unfinished rect { stroke: var(--unfinished); }
.node.selected rect { stroke: #111827; stroke-width: 3; }
.node { cursor: pointer; }
.edge { fill: none; stroke: #64748b; stroke-width: 1.3; }
.edge.loop { stroke-width: 2.6; }
.edge-failed { stroke: var(--failed); stroke-dasharray: 5 3; }
text.edge-label { font-size: 10px; fill: #475569; text-anchor: middle; stroke: #fff; stroke-width: 3px;
  paint-order: stroke; }
text.edge-label.edge-failed { fill: var(--failed); }
marker path { fill: #64748b; }
#selection { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 8px 12px;
  margin-top: 8px; }
#selection:empty { display: none; }
#selection dd { white-space: pre-wrap; }
details.run { background: #fff; border: 1px solid var(--line); border-radius: 4px; margin: 4px 0;
  padding: 4px 10px; }
details.run[open] { border-color: #94a3b8; }
details.run summary { cursor: pointer; }
details.run summary i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 6px; }
details.run.selected { outline: 2px solid #111827; }
.muted { color: var(--muted); }
table.history { border-collapse: collapse; width: 100%; background: #fff; }
table.history td, table.history th { border-bottom: 1px solid var(--line); padding: 2px 8px;
  text-align: left; vertical-align: top; }
table.history td.payload { font-size: 12px; word-break: break-all; }
table.history td:first-child { white-space: nowrap; }
"""

SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var panel = document.getElementById("selection");

  function clearSelection() {
    document.querySelectorAll(".selected").forEach(function (element) {
      element.classList.remove("selected");
    });
  }

  function row(list, term, value) {
    if (value === null || value === undefined || value === "") { return; }
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = String(value);
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function showRun(place) {
    var run = data.runs[place];
    if (!run) { return; }
    clearSelection();
    document.querySelectorAll('.bar[data-run="' + place + '"]').forEach(function (bar) {
      bar.classList.add("selected");
    });
    var heading = document.createElement("h2");
    heading.textContent = run.label;
    var list = document.createElement("dl");
    list.className = "facts";
    row(list, "status", run.status);
    row(list, "started", run.started);
    row(list, "finished", run.finished);
    row(list, "took", run.took);
    row(list, "attempts", run.attempts);
    row(list, "error", run.error);
    panel.replaceChildren(heading, list);
    var details = document.getElementById("run-" + place);
    if (details) {
      details.open = true;
      details.classList.add("selected");
    }
  }

  function showNode(node) {
    clearSelection();
    node.classList.add("selected");
    var places = (node.getAttribute("data-runs") || "").split(" ").filter(Boolean);
    places.forEach(function (place) {
      document.querySelectorAll('.bar[data-run="' + place + '"]').forEach(function (bar) {
        bar.classList.add("selected");
      });
    });
    var heading = document.createElement("h2");
    heading.textContent = node.querySelector("title").textContent.split("\\n")[0];
    var list = document.createElement("dl");
    list.className = "facts";
    row(list, "runs", places.length ? places.map(function (place) {
      return data.runs[Number(place)].label + " (" + data.runs[Number(place)].status + ")";
    }).join(", ") : "none");
    panel.replaceChildren(heading, list);
  }

  function onActivate(element, action) {
    element.addEventListener("click", action);
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); action(); }
    });
  }

  document.querySelectorAll(".bar[data-run]").forEach(function (bar) {
    onActivate(bar, function () { showRun(Number(bar.getAttribute("data-run"))); });
  });
  document.querySelectorAll(".node[data-node]").forEach(function (node) {
    onActivate(node, function () { showNode(node); });
  });
  document.body.classList.add("scripted");
}());
"""
