"""Building a checked program into a pipeline binary: the phases of `oic build` after checking.

1. the target (the pipeline block's ``os``/``arch``, default the host's) and its base: an explicit
   ``--base``, a cached one, or one placed for a foreign target. A foreign target without a base fails
   here, before any work, with what to do;
2. the Python module (``oic.codegen``);
3. the base, frozen now when this machine has none yet (the only slow phase, once per runtime);
4. the path services to embed (``oic.binary.services``): their files, and, for Python services, a
   check that the base carries every module they import;
5. the binary: the base plus the module, its provenance and the embedded services as a payload.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path

import runtime
from oic import __version__ as compiler_version
from oic.binary import base as bases
from oic.binary import embed, service_imports, services, targets
from oic.binary.freeze import FreezeError
from oic.binary.progress import Progress
from oic.codegen import generate, source_sha256
from oic.diagnostics import display_path
from oic.sema.program import CheckedProgram
from runtime import bundles
from runtime.launcher import Payload


class BuildFailed(Exception):
    """The build could not finish; the message is one line that says what to do. ``log`` holds a
    tool's full output when a tool failed."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class BuildOptions:
    """``output_dir`` receives the binary; ``base`` is an explicit base binary (None: find or freeze);
    ``rebuild_base`` freezes again even when a base is cached; ``bases_root`` overrides where bases
    are kept (default: ``base.bases_root()``); ``not_embedded`` names path services the binary does
    not carry (it runs them from their path, or ``--service-path``)."""

    output_dir: Path = Path("dist")
    base: str | None = None
    rebuild_base: bool = False
    bases_root: Path | None = None
    not_embedded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BuildResult:
    """The ``binary`` written, its ``target``, the ``base`` used, the ``provenance`` embedded and what
    was done with each path service (``services``)."""

    binary: Path
    target: targets.Target
    base: bases.BaseChoice
    provenance: dict[str, object] = field(default_factory=dict)
    services: tuple[services.ServicePlan, ...] = ()


def provenance(program: CheckedProgram, target: targets.Target, base: bases.BaseChoice) -> dict[str, object]:
    """What the binary says about itself (``--version``)."""
    return {
        "pipeline": program.pipeline_name,
        "source": os.path.basename(program.source.path),
        "source_sha256": source_sha256(program),
        "compiler_version": compiler_version,
        "runtime_version": runtime.__version__,
        "os": target.os,
        "arch": target.arch,
        "built_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "base": base.path.parent.name if base.origin in ("cached", "frozen") else base.origin,
    }


def _obtain_base(target: targets.Target, options: BuildOptions, progress: Progress) -> bases.BaseChoice:
    try:
        return bases.ensure_base(
            target, root=options.bases_root, rebuild=options.rebuild_base, echo=progress.echo
        )
    except FreezeError as error:
        raise BuildFailed(f"freezing the base failed: {error}", error.log) from None


def build_program(program: CheckedProgram, options: BuildOptions, progress: Progress) -> BuildResult:
    """Generate, get or freeze the base, and write the binary. Raises ``BuildFailed``."""
    target = targets.resolve(program.os, program.arch)
    path_services = {
        alias: service.path for alias, service in program.services.items() if service.kind == "path"
    }
    try:
        plans = services.plan(path_services, options.not_embedded, options.output_dir)
    except services.EmbedError as error:
        raise BuildFailed(str(error)) from None
    choice: bases.BaseChoice | None = None
    with progress.phase(f"finding the base for {target}"):
        try:
            if not options.rebuild_base:
                choice = bases.find_base(target, options.base, options.bases_root)
            if choice is None:
                bases.require_freezable(target, options.bases_root)
        except bases.BaseError as error:
            raise BuildFailed(str(error)) from None
    with progress.phase("generating Python"):
        module = generate(program)
    if choice is None:
        with progress.phase(f"freezing the base for {target} (once per runtime version)", long=True):
            choice = _obtain_base(target, options, progress)
    else:
        progress.note(f"using the {choice.origin} base {display_path(str(choice.path))}")
    archive = _embed_services(plans, target, choice, progress)
    embedded = provenance(program, target, choice)
    destination = options.output_dir / embed.binary_file_name(program.pipeline_name, target.os)
    with progress.phase(f"writing {display_path(str(destination))}"):
        try:
            embed.write_binary(choice.path, Payload(module.text, embedded, archive), destination)
        except OSError as error:
            raise BuildFailed(f"could not write {destination}: {error.strerror or error}") from None
    return BuildResult(destination, target, choice, embedded, tuple(plans))


def _module_answers(base: bases.BaseChoice) -> Path | None:
    """Where the answers of a base about the modules it carries are kept: beside a base of the bases
    directory, which never changes once there (a base given with --base might: it is asked anew)."""
    if base.origin == "given":
        return None
    return base.path.with_name(base.path.name + ".modules.json")


def _embed_services(
    plans: list[services.ServicePlan], target: targets.Target, base: bases.BaseChoice, progress: Progress
) -> bytes:
    """The archive of the services to embed (empty when none), after checking that the base carries
    what the Python ones import (when the base runs on this machine)."""
    if not plans:
        return b""
    embedded = [entry.service for entry in plans if entry.embedded and entry.service is not None]
    python = any(entry.embedded and entry.python for entry in plans)
    if python and target == targets.host():
        with progress.phase("checking what the Python services import"):
            try:
                service_imports.check_python_imports(plans, base.path, _module_answers(base))
            except services.EmbedError as error:
                raise BuildFailed(str(error)) from None
    elif python:
        progress.note(f"the imports of the Python services are not checked: the base is for {target}")
    for entry in plans:
        progress.note(entry.describe())
    if not embedded:
        return b""
    with progress.phase("packing the embedded services"):
        try:
            return bundles.pack(embedded)
        except OSError as error:
            raise BuildFailed(f"could not read a service's files: {error}") from None


def build_base_only(options: BuildOptions, progress: Progress) -> Path:
    """Freeze (or reuse) this machine's base and copy it to ``output_dir/oi-base-<os>-<arch>``, ready
    to be copied to ``<bases root>/<os>-<arch>/oi-base`` on a machine that builds for this target."""
    target = targets.host()
    with progress.phase(f"getting the base for {target}", long=True):
        choice = _obtain_base(target, options, progress)
    destination = options.output_dir / f"oi-base-{target.slug}{'.exe' if target.os == 'windows' else ''}"
    with progress.phase(f"writing {display_path(str(destination))}"):
        embed.copy_base(choice.path, destination)
    return destination
