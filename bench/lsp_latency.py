"""`oic lsp`: from a change to its diagnostics, through a real client over stdio, on a 1,000-line file.

A pygls client starts `python -m oic lsp`, opens a generated 1,000-line pipeline (`pipelines.py`),
then makes 30 edits of one word in the middle of the file, alternately breaking a name (`greeting`
-> `greting`: an error with a spelling hint) and mending it, each sent as an incremental
`didChange`. Each edit's latency is the time from sending it to receiving the `publishDiagnostics`
of its version. After each answer the client makes the same check in its own process (the
reference), then waits out the rest of a 100 ms pause before the next edit: a pause longer than the
server's debounce delay (50 ms), so each edit comes after a quiet moment and the server checks it at
once, as it does an edit made in an editor after a pause (typing, edits closer than the delay, waits
for the pause: see `docs/lsp.md`). Reference: the same check in process (`check_file` on the edited
text, with a parse cache of its own as the server has one per document, no server, no messages),
made right after each edit's answer, so that a slow minute of the machine slows both; the median of
the 30.
Target: the median and the 95th percentile, whole, at most 100 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import Row, ms, table, verdict
from lsprotocol import types
from pipelines import chain_pipeline
from pygls.lsp.client import LanguageClient

LINES = 1_000
EDITS = 30
DEBOUNCE = 0.050
PAUSE = 0.100
TARGET = 0.100


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _latencies(text: str, path: Path) -> tuple[list[float], list[float]]:
    """The latency of each edit through the server, and the time of the same check in this
    process, made right after it (so that both see the machine in the same state)."""
    from oic.frontend import check_file
    from oic.source import SourceFile
    from oic.syntax.incremental import ParseCache

    uri = path.as_uri()
    parse_cache = ParseCache()  # the reference's own, as the server keeps one per document
    check_file(SourceFile(str(path), text), parse_cache=parse_cache)
    client = LanguageClient("oi-bench", "1")
    published: dict[int, float] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            published[params.version] = time.perf_counter()
            arrived.set()

    async def answered(version: int) -> float:
        while version not in published:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), timeout=30)
        return published[version]

    await client.start_io(sys.executable, "-m", "oic", "lsp")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": DEBOUNCE * 1000}
        )
    )
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="oi", version=1, text=text)
        )
    )
    await answered(1)
    lines = text.split("\n")
    middle = next(i for i in range(len(lines) // 2, len(lines)) if "${greeting}" in lines[i])
    start = lines[middle].index("greeting")
    latencies: list[float] = []
    reference: list[float] = []
    current = lines[:]
    for version in range(2, EDITS + 2):
        broken = version % 2 == 0
        old, new = ("greeting", "greting") if broken else ("greting", "greeting")
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=middle, character=start),
                end=types.Position(line=middle, character=start + len(old)),
            ),
            text=new,
        )
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        latencies.append(await answered(version) - sent)
        current[middle] = current[middle][:start] + new + current[middle][start + len(old) :]
        began = time.perf_counter()
        check_file(SourceFile(str(path), "\n".join(current)), parse_cache=parse_cache)
        reference.append(time.perf_counter() - began)
        await asyncio.sleep(max(0.0, PAUSE - reference[-1]))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies, reference


def run() -> list[Row]:
    text = chain_pipeline(LINES)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "p1000.oi"
        latencies, checks = asyncio.run(_latencies(text, path))
        reference = statistics.median(checks)
    median, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
    rows = [Row("check in process (no server), median", ms(reference))]
    for name, value in (("median", median), ("p95", p95)):
        rows.append(
            Row(
                f"didChange -> publishDiagnostics, {LINES:,} lines, {name}",
                ms(value),
                ms(reference),
                f"{value / reference:.1f}x",
                f"<= {ms(TARGET)}",
                verdict(value <= TARGET),
            )
        )
    return rows


if __name__ == "__main__":
    print(table("oic lsp: change to diagnostics", run()))
