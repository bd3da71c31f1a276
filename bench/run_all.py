"""Run every benchmark and write the report to docs/performance.md (`make bench`).

Each benchmark module has ``run() -> list[Row]`` and a module docstring that states its method; the
report keeps both, with the machine and the date, so a figure is never read without its context.
"""

from __future__ import annotations

import datetime
import importlib
import sys
import time
import traceback

from common import ROOT, machine, table

# (module, title), in report order. Each is runnable alone as `python bench/<module>.py`.
BENCHMARKS = [
    ("check_speed", "1. `oic check` speed"),
    ("engine_overhead", "2. Engine overhead against raw gRPC calls"),
    ("prefect_compare", "3. The same workload in Prefect"),
    ("startup", "4. Start-up"),
    ("build_speed", "5. Build"),
    ("state_files", "6. State files"),
    ("frontend_scaling", "7. The front end on large files"),
    ("report_page", "8. The run report"),
    ("lsp_latency", "9. `oic lsp`: change to diagnostics"),
]
# The order they run in: the build benchmark's cold build freezes a base that it then leaves in the
# base cache, so that the start-up benchmark, run after it, does not freeze another.
RUN_ORDER = [
    "check_speed",
    "engine_overhead",
    "prefect_compare",
    "build_speed",
    "startup",
    "state_files",
    "frontend_scaling",
    "report_page",
    "lsp_latency",
]


def main() -> int:
    only = set(sys.argv[1:])
    titles = dict(BENCHMARKS)
    sections: dict[str, str] = {}
    failed = False
    for module_name in RUN_ORDER:
        title = titles[module_name]
        if only and module_name not in only:
            continue
        print(f"== {title}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            rows = module.run()
        except Exception:
            failed = True
            detail = traceback.format_exc(limit=3)
            print(detail, file=sys.stderr)
            sections[module_name] = f"### {title}\n\nThe benchmark failed in this run:\n\n```\n{detail}```\n"
            continue
        text = table(title, rows)
        print(text, flush=True)
        method = (module.__doc__ or "").strip()
        elapsed = time.perf_counter() - started
        sections[module_name] = f"{text}\n{method}\n\n(took {elapsed:.0f} s)\n"
    generated = "\n".join(
        [
            f"- date: {datetime.date.today().isoformat()}",
            f"- machine: {machine()}",
            "",
            *(sections[name] for name, _ in BENCHMARKS if name in sections),
        ]
    )
    if not only:
        write_report(generated)
    return 1 if failed else 0


BEGIN = "<!-- bench:begin (written by make bench; edit outside these markers) -->"
END = "<!-- bench:end -->"


def write_report(generated: str) -> None:
    """Replace the part of docs/performance.md between the markers, keeping the analysis around it."""
    path = ROOT / "docs" / "performance.md"
    text = path.read_text() if path.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{generated}\n{END}{tail}")


if __name__ == "__main__":
    sys.exit(main())
