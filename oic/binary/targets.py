"""Build targets: the operating system and architecture a binary is built for.

Names follow Go's (``linux``, ``darwin``, ``windows``; ``amd64``, ``arm64``), as the original
catalog's binary names did (``NAME-VERSION-OS-ARCH``); common spellings are accepted and normalised.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

_OS_ALIASES = {
    "linux": "linux",
    "darwin": "darwin",
    "macos": "darwin",
    "osx": "darwin",
    "mac": "darwin",
    "windows": "windows",
    "win32": "windows",
}
_ARCH_ALIASES = {
    "amd64": "amd64",
    "x86_64": "amd64",
    "x64": "amd64",
    "arm64": "arm64",
    "aarch64": "arm64",
    "386": "386",
    "i386": "386",
    "i686": "386",
    "x86": "386",
    "arm": "arm",
    "armv7l": "arm",
    "armv6l": "arm",
}


@dataclass(frozen=True)
class Target:
    """An ``os``/``arch`` pair in normalised form."""

    os: str
    arch: str

    def __str__(self) -> str:
        return f"{self.os}/{self.arch}"

    @property
    def slug(self) -> str:
        """The form used in file and directory names: ``linux-amd64``."""
        return f"{self.os}-{self.arch}"


def normalize_os(name: str) -> str:
    lowered = name.strip().lower()
    return _OS_ALIASES.get(lowered, lowered)


def normalize_arch(name: str) -> str:
    lowered = name.strip().lower()
    return _ARCH_ALIASES.get(lowered, lowered)


def host() -> Target:
    """The machine this process runs on."""
    return Target(normalize_os(platform.system()), normalize_arch(platform.machine()))


def resolve(os_name: str, arch: str) -> Target:
    """The target of a pipeline block: each of ``os``/``arch`` defaults to the host's when empty."""
    here = host()
    return Target(normalize_os(os_name) if os_name else here.os, normalize_arch(arch) if arch else here.arch)
