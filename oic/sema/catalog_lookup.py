"""Find a catalog service that oi does not ship, offline, where the engine will look for it.

The engine runs ``catalog "NAME" version "V"`` from the binary ``NAME-V-OS-ARCH`` in the services cache
or the catalog ``OI_CATALOG`` (``runtime.catalog.names`` holds those rules; this module reads the same
places through it). So ``oic check`` can tell that a name is misspelt (E0318, with a spelling hint over
the built-in and catalog names) or that a version is missing or unknown (E0309) before anything runs.

A catalog given as an http(s) URL is not asked at check time: a service it may hold is only a
warning, which says so. A service with an ``image`` clause may exist only as that image (Kubernetes
mode), so it is not required locally. A binary found for this machine is returned, to be asked for
its schemas like a path service.
"""

from __future__ import annotations

import os

from oic.records import Record, set_field
from oic.sema.hints import did_you_mean
from oic.sema.reporter import Reporter
from oic.syntax import ast


class CatalogFinding(Record):
    """``binary``: the file to ask for schemas ("" when there is none to ask); ``reported``: an error
    was reported (nothing more needs saying about the service); ``untyped_because``: why its schemas
    cannot be learned here, for the warning given when no schema directory types it either."""

    __slots__ = ("binary", "reported", "untyped_because")

    binary: str
    reported: bool
    untyped_because: str

    def __init__(self, binary: str = "", reported: bool = False, untyped_because: str = "") -> None:
        set_field(self, "binary", binary)
        set_field(self, "reported", reported)
        set_field(self, "untyped_because", untyped_because)


def find_catalog_service(
    declaration: ast.ServiceDecl,
    builtin_names: list[str],
    target: tuple[str, str],
    reporter: Reporter,
) -> CatalogFinding:
    """Look ``declaration`` (a catalog service oi does not ship) up for ``target`` (os, arch; "" for
    this machine's), reporting what makes it impossible to run."""
    from runtime.catalog import names

    name = declaration.source.value
    written = declaration.version.value if declaration.version is not None else None
    target_os, target_arch = target[0] or names.host_os(), target[1] or names.host_arch()
    platform = f"{target_os}-{target_arch}"
    location = names.catalog_location()
    online = bool(location) and names.is_url(location)
    offline = CatalogFinding(
        untyped_because=f"it comes from the catalog at {location}, which oic check does not reach, so "
        "neither its name nor its arguments and outputs are checked"
    )
    everything = names.local_binaries(location)
    binaries = [binary for binary in everything if binary.name == name]

    if not binaries and not online:
        if declaration.image is not None:
            return CatalogFinding()  # the image is where it comes from
        where = (
            f"the catalog ({names.CATALOG_ENV})"
            if location
            else f"a catalog ({names.CATALOG_ENV} is not set)"
        )
        reporter.report(
            declaration.source.span,
            "E0318",
            f"unknown catalog service {name!r}: it is not built in, and neither {where} nor the "
            "services cache holds it",
            did_you_mean(name, sorted({*builtin_names, *(binary.name for binary in everything)}))
            or f"the built-in services are {', '.join(sorted(builtin_names))}; another service is a "
            f"binary {name}-VERSION-OS-ARCH in the directory {names.CATALOG_ENV} names",
        )
        return CatalogFinding(reported=True)

    versions = sorted({binary.version for binary in binaries})
    if written is None:
        if declaration.image is not None:
            return CatalogFinding()
        known = f"available versions of {name!r}: {', '.join(versions)}; " if versions else ""
        reporter.report(
            declaration.span,
            "E0309",
            f"service {declaration.name.name!r} needs a version: only oi's built-in services have a "
            "known latest one",
            f'{known}write `version "{versions[-1] if versions else "X.Y.Z"}"`',
        )
        return CatalogFinding(reported=True)
    usable = [binary for binary in binaries if binary.version == written]
    matching = [binary for binary in usable if (binary.os, binary.arch) == (target_os, target_arch)]
    if not matching:
        if online:
            return offline
        if declaration.image is not None:
            return CatalogFinding()
        version_span = declaration.version.span if declaration.version is not None else declaration.span
        if usable:
            platforms = ", ".join(sorted(f"{binary.os}-{binary.arch}" for binary in usable))
            reporter.report(
                version_span,
                "E0309",
                f"the catalog has no {platform} binary of {name!r} version {written!r}",
                f"it has that version for {platforms}; publish {name}-{written}-{platform}",
            )
        else:
            reporter.report(
                version_span,
                "E0309",
                f"the catalog has no version {written!r} of service {name!r}",
                f"available versions: {', '.join(versions)}",
            )
        return CatalogFinding(reported=True)
    if (target_os, target_arch) != (names.host_os(), names.host_arch()):
        return CatalogFinding(
            untyped_because=f"its {platform} binary cannot run on this machine to be asked, so its "
            "arguments and outputs are unchecked"
        )
    # The engine prefers the cached copy; the cache comes first in the list.
    found = matching[0].path
    if not os.access(found, os.X_OK):
        # The engine installs a copy into the services cache and makes that executable; oic check
        # does not install anything, so it cannot run this one.
        return CatalogFinding(
            untyped_because=f"{found.name} in the catalog is not executable, so oic check cannot ask it "
            "for its schemas (the engine runs an executable copy from the services cache)"
        )
    return CatalogFinding(str(found))
