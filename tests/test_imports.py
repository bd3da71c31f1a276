"""Every module imports alone, in a fresh interpreter, and `runtime` never pulls in `oic`.

Import cycles and hidden import-order dependencies show up only when a module is the first one
imported; a test suite that imports everything in one process never sees them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":  # runs a program when imported: not a library module
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
leaked = sorted(name for name in sys.modules if name == "oic" or name.startswith("oic."))
if sys.argv[1].startswith("runtime") and leaked:
    print("runtime imported the compiler: " + ", ".join(leaked))
    sys.exit(1)
"""


@pytest.mark.parametrize("module", _modules("runtime") + _modules("oic"))
def test_module_imports_alone(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
