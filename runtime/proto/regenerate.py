"""Regenerate the committed gRPC stubs from the ``.proto`` files beside this module.

``make proto`` runs ``python -m runtime.proto.regenerate``. protoc writes ``import service_pb2`` into
the ``*_grpc.py`` files, which only works with ``runtime/proto`` on ``sys.path``; the import is
rewritten to ``from runtime.proto import service_pb2`` so the stubs work as a package. The stubs are
committed (rather than generated at install time) so that the pipeline binary and ``oic`` need no
``grpcio-tools`` at run time; a test regenerates them into a temporary directory and fails when the
committed ones are stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROTO_DIR = Path(__file__).resolve().parent
PROTO_FILES = ("service.proto", "engine.proto")


def generate(output_dir: Path) -> list[Path]:
    """Write the stubs of every proto file into ``output_dir``; return the files written."""
    from grpc_tools import protoc  # only a development dependency: imported here, not at module load

    output_dir.mkdir(parents=True, exist_ok=True)
    include = str(Path(protoc.__file__).resolve().parent / "_proto")
    written: list[Path] = []
    for proto in PROTO_FILES:
        result = protoc.main(
            [
                "grpc_tools.protoc",
                f"-I{PROTO_DIR}",
                f"-I{include}",
                f"--python_out={output_dir}",
                f"--pyi_out={output_dir}",
                f"--grpc_python_out={output_dir}",
                str(PROTO_DIR / proto),
            ]
        )
        if result != 0:
            raise RuntimeError(f"protoc failed on {proto} (exit code {result})")
        stem = proto.removesuffix(".proto")
        grpc_file = output_dir / f"{stem}_pb2_grpc.py"
        grpc_file.write_text(_rewrite_imports(grpc_file.read_text()))
        written += [output_dir / f"{stem}_pb2.py", output_dir / f"{stem}_pb2.pyi", grpc_file]
    return written


def _rewrite_imports(text: str) -> str:
    return re.sub(r"^import (\w+_pb2) as ", r"from runtime.proto import \1 as ", text, flags=re.MULTILINE)


def main() -> int:
    try:
        written = generate(PROTO_DIR)
    except (ImportError, RuntimeError) as error:
        hint = "To fix this, install the dev extras: pip install -e '.[dev]'"
        print(f"error: {error}. {hint}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(PROTO_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
