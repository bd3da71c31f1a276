"""Check what the extension package holds: the files VS Code needs are there, sources and tests
are not. Reads a .vsix (a zip whose files are under extension/), or, with `-`, the file list that
`vsce ls` prints (what `vsce package` would put in it). Exit status 1 names what is wrong."""

from __future__ import annotations

import sys
import zipfile

REQUIRED = (
    "package.json",
    "language-configuration.json",
    "syntaxes/oi.tmLanguage.json",
    "out/extension.js",
    "out/server.js",
    "node_modules/vscode-languageclient/package.json",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
)
FORBIDDEN_PREFIXES = ("src/", "tests/", "scripts/", "node_modules/typescript/", "node_modules/@vscode/vsce/")


def members(source: str) -> set[str]:
    if source == "-":
        return {line.strip() for line in sys.stdin if line.strip()}
    with zipfile.ZipFile(source) as archive:
        names = {
            name.removeprefix("extension/") for name in archive.namelist() if name.startswith("extension/")
        }
    # vsce stores the license as LICENSE.txt and lower-cases the README and CHANGELOG.
    renamed = {"LICENSE.txt": "LICENSE", "readme.md": "README.md", "changelog.md": "CHANGELOG.md"}
    return {renamed.get(name, name) for name in names}


def problems(names: set[str]) -> list[str]:
    found = [f"missing: {name}" for name in REQUIRED if name not in names]
    found += [
        f"should not be packaged: {name}" for name in sorted(names) if name.startswith(FORBIDDEN_PREFIXES)
    ]
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: check-vsix.py FILE.vsix | -", file=sys.stderr)
        return 2
    try:
        names = members(argv[0])
    except (OSError, zipfile.BadZipFile) as error:
        print(f"check-vsix: {argv[0]}: {error}", file=sys.stderr)
        return 1
    found = problems(names)
    for problem in found:
        print(f"check-vsix: {argv[0]}: {problem}", file=sys.stderr)
    if not found:
        print(f"check-vsix: {argv[0]}: {len(names)} files, the grammar, configuration and client among them")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
