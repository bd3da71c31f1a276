"""`oic build`: a cold build, a rebuild after a one-line edit, and the size of the binary.

Workload: the one-service, one-task pipeline of benchmark 4 (`pipelines.minimal_pipeline`). Cold: with
`OI_BASE_DIR` (where `oic build` keeps its frozen bases) and `XDG_CACHE_HOME` pointing into an empty
temporary directory, so the build freezes the runtime with PyInstaller as a first build on a new machine
does (once per runtime version). Rebuild: the command string of the task edited (one line of the `.oi`
file), then `oic build` again with that base cached; best of 3 edits. Each figure is the wall time of
the `oic build` process. The binary built last must answer `--version`.

Reference: `oic check` of the same file (a rebuild cannot be faster than checking); for the size, the
frozen base the binary is a copy of (the difference is the embedded pipeline).
Targets: a rebuild in under 5 s (the aim: 1 s).

Afterwards the base frozen by the cold build is moved into this machine's base cache when that has
none for the same runtime yet, where the next `oic build` (and benchmark 4, which `make bench` runs
after this one) would have frozen the same base again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from common import BIN, CaseFailed, Row, failed_row, ms, run_command, table, timed_command, verdict
from pipelines import minimal_pipeline

from oic.binary.base import bases_root

REBUILDS = 3
REBUILD_TARGET = 5.0
REBUILD_AIM = 1.0
BUILD_TIMEOUT = 900.0


def timed_build(pipeline: Path, output: Path, environment: dict[str, str]) -> float:
    command = [str(BIN / "oic"), "build", str(pipeline), "-o", str(output)]
    began = time.perf_counter()
    try:
        result = run_command(command, env=environment, timeout=BUILD_TIMEOUT)
    except Exception as error:
        raise CaseFailed(f"oic build: {error}") from None
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise CaseFailed(f"oic build failed (exit status {result.returncode}): {tail[0]}")
    return seconds


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oi-bench-build-") as directory:
        work = Path(directory)
        bases = work / "bases"
        environment = dict(os.environ, OI_BASE_DIR=str(bases), XDG_CACHE_HOME=str(work / "cache"))
        pipeline = work / "minimal.oi"
        output = work / "dist"
        pipeline.write_text(minimal_pipeline(), encoding="utf-8")
        try:
            cold = timed_build(pipeline, output, environment)
        except CaseFailed as error:
            return [failed_row("cold build", error)]
        rows.append(Row("cold build (freezes the base)", f"{cold:.1f} s", "empty base cache"))
        try:
            samples = []
            for edit in range(REBUILDS):
                pipeline.write_text(minimal_pipeline(f"edit {edit}"), encoding="utf-8")
                samples.append(timed_build(pipeline, output, environment))
            rebuild = min(samples)
            check = timed_command([str(BIN / "oic"), "check", str(pipeline)], repeat=REBUILDS)
        except (CaseFailed, RuntimeError) as error:
            return [*rows, failed_row("rebuild after a one-line edit", error)]
        rows.append(
            Row(
                "rebuild after a one-line edit",
                ms(rebuild),
                f"oic check: {ms(check)}",
                f"{rebuild / check:.1f}x",
                f"< {REBUILD_TARGET:g} s (aim {REBUILD_AIM:g} s)",
                verdict(rebuild < REBUILD_TARGET) + (" (aim met)" if rebuild <= REBUILD_AIM else ""),
            )
        )
        binary = output / "minimal"
        version = run_command([str(binary), "--version"])
        if version.returncode != 0:
            return [*rows, failed_row("binary size", CaseFailed(f"{binary} --version failed"))]
        frozen = sorted(bases.rglob("oi-base"))
        base_size = frozen[0].stat().st_size if frozen else 0
        size = binary.stat().st_size
        rows.append(
            Row(
                "binary size",
                megabytes(size),
                f"base: {megabytes(base_size)}" if base_size else "base not found",
                f"pipeline: +{(size - base_size) / 1e3:.0f} kB" if base_size else "",
            )
        )
        keep_bases(bases, bases_root())
    return rows


def keep_bases(frozen: Path, cache: Path) -> None:
    """Move each base under ``frozen`` into ``cache`` unless ``cache`` has one with its key: a copy
    under a temporary name, then a rename, so that a build looking at ``cache`` meanwhile sees a
    whole base or none (as ``oic build`` places the bases it freezes)."""
    for base in sorted(path for path in frozen.iterdir() if (path / "oi-base").is_file()):
        target = cache / base.name
        if target.exists():
            continue
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bench-", dir=cache))
        try:
            shutil.copytree(base, staging / base.name)
            os.rename(staging / base.name, target)
        except OSError:
            pass  # another build placed the same base meanwhile, or the cache is not writable
        finally:
            shutil.rmtree(staging, ignore_errors=True)


if __name__ == "__main__":
    print(table("Build", run()))
