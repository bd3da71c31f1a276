"""``python -m runtime.catalog NAME``: serve built-in service NAME on ``$PORT`` (as the original
catalog binaries ran). Only that service is imported."""

from __future__ import annotations

import sys

from runtime.catalog import BUILTIN, UnknownBuiltinService, load_service


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        names = ", ".join(sorted(BUILTIN))
        print(
            f"usage: python -m runtime.catalog NAME  (PORT in the environment; NAME: {names})",
            file=sys.stderr,
        )
        return 2
    try:
        service = load_service(argv[0])
    except UnknownBuiltinService as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    service.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
