"""Finding bases without freezing: where they are kept, which one is chosen, and the fast failure for a
target this machine cannot freeze."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from oic.binary import base as bases
from oic.binary import targets
from oic.binary.targets import Target

FOREIGN = Target("windows" if targets.host().os != "windows" else "linux", "arm64")


def test_bases_root_honours_oi_base_dir_then_xdg_cache_home(tmp_path: Path):
    assert bases.bases_root({"OI_BASE_DIR": str(tmp_path / "b")}) == tmp_path / "b"
    assert bases.bases_root({"XDG_CACHE_HOME": str(tmp_path / "c")}) == tmp_path / "c" / "oi" / "bases"
    assert bases.bases_root({}).parts[-3:] == (".cache", "oi", "bases")


def test_targets_are_normalised():
    assert targets.resolve("macOS", "aarch64") == Target("darwin", "arm64")
    assert targets.resolve("", "") == targets.host()
    assert targets.resolve("linux", "x86_64").slug == "linux-amd64"


def test_the_key_names_runtime_python_and_target():
    key = bases.base_key(Target("linux", "amd64"))
    assert key.startswith("0.") and f"py{sys.version_info.major}{sys.version_info.minor}" in key
    assert "linux-amd64" in key
    assert bases.base_key(Target("linux", "arm64")) != key


def test_a_cached_base_is_reused_without_freezing(tmp_path: Path):
    cached = bases.cached_base_path(targets.host(), tmp_path)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"a base")
    choice = bases.ensure_base(targets.host(), root=tmp_path)
    assert choice == bases.BaseChoice(cached, "cached")
    assert not (cached.parent / "freeze.log").exists()


def test_a_placed_base_serves_a_foreign_target(tmp_path: Path):
    placed = bases.placed_base_path(FOREIGN, tmp_path)
    placed.parent.mkdir(parents=True)
    placed.write_bytes(b"a base from elsewhere")
    assert bases.find_base(FOREIGN, root=tmp_path) == bases.BaseChoice(placed, "placed")


def test_an_explicit_base_wins_and_must_exist(tmp_path: Path):
    given = tmp_path / "my-base"
    given.write_bytes(b"x")
    assert bases.find_base(FOREIGN, str(given), tmp_path) == bases.BaseChoice(given, "given")
    with pytest.raises(bases.BaseError, match="no such file"):
        bases.find_base(FOREIGN, str(tmp_path / "missing"), tmp_path)


def test_a_foreign_target_without_a_base_fails_before_freezing(tmp_path: Path):
    assert bases.find_base(FOREIGN, root=tmp_path) is None
    with pytest.raises(bases.BaseError) as caught:
        bases.ensure_base(FOREIGN, root=tmp_path)
    message = str(caught.value)
    assert str(FOREIGN) in message and "cannot build for another OS or architecture" in message
    assert "oic build --base-only" in message and "--base PATH" in message
    assert str(bases.placed_base_path(FOREIGN, tmp_path)) in message
    assert not any(tmp_path.iterdir())  # nothing was started or written


def test_a_build_waiting_on_the_lock_reuses_the_base_the_holder_froze(tmp_path: Path):
    """While another process holds the freeze lock, ``ensure_base`` waits; when the holder has put a
    base in place and let go, it is reused instead of frozen a second time."""
    target = targets.host()
    cached = bases.cached_base_path(target, tmp_path)
    lock_path = tmp_path / f"{cached.parent.name}.lock"
    holder_code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from oic.binary import base\n"
        f"with base._lock(Path({str(lock_path)!r})):\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.readline()\n"
        f"    Path({str(cached.parent)!r}).mkdir(parents=True)\n"
        f"    Path({str(cached)!r}).write_bytes(b'frozen by the holder')\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    results: list[bases.BaseChoice] = []
    waiter = threading.Thread(target=lambda: results.append(bases.ensure_base(target, root=tmp_path)))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        waiter.start()
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
        waiter.join(timeout=60)
        assert results == [bases.BaseChoice(cached, "cached")]
        assert cached.read_bytes() == b"frozen by the holder"
        assert not (cached.parent / "freeze.log").exists()  # PyInstaller never ran
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
