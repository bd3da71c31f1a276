"""`oic image`: the files that take a pipeline to a Kubernetes cluster, written for that pipeline.

``oic image PIPELINE.oi -o DIR`` checks the pipeline and writes, into DIR, what
``oic.commands.image_files`` makes of it: the Dockerfiles of its binary (run as a Job) and of each
catalog service it uses, ``job.yaml``, ``rbac.yaml`` and ``build.sh``, which builds the images under
the names the runner asks for and loads them into kind or minikube. Docker is not run.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from oic import exit_codes
from oic.commands.image_files import DEFAULT_REGISTRY, DEFAULT_TIMEOUT, pipeline_files

if TYPE_CHECKING:
    from oic.sema.program import CheckedProgram

_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# A registry host (with a port) and path components, as an image reference may start.
_REGISTRY = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "image",
        help="write the Dockerfiles, Job, RBAC and build script that run a pipeline in Kubernetes",
        description="Check PIPELINE.oi and write into DIR the Dockerfiles of the pipeline's binary (run as "
        "a Job) and of the catalog services it uses, job.yaml, rbac.yaml and build.sh, which builds the "
        "images with the names the runner asks for and loads them into kind or minikube. Docker is not "
        "run. See docs/kubernetes.md.",
    )
    parser.add_argument("file", metavar="PIPELINE.oi", help="the pipeline")
    parser.add_argument("-o", "--output", default="image", metavar="DIR", help="where to write (image)")
    parser.add_argument(
        "--registry",
        default=DEFAULT_REGISTRY,
        metavar="REGISTRY",
        help=f"the registry part of every image name ({DEFAULT_REGISTRY}; what --kube-image-registry gets)",
    )
    parser.add_argument(
        "-n", "--namespace", default="default", metavar="NAMESPACE", help="where the Job runs (default)"
    )
    parser.add_argument(
        "--timeout",
        metavar="DURATION",
        help="the run's --timeout in the Job (the pipeline's own timeout, else "
        f"{DEFAULT_TIMEOUT}); the Job's deadline is 5 minutes more",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from runtime.program import UsageError, parse_duration

    try:
        given = None if args.timeout is None else parse_duration(args.timeout, "--timeout")
    except UsageError as error:
        print(f"oic image: error: {error}", file=sys.stderr)
        return exit_codes.USAGE
    if not _REGISTRY.fullmatch(args.registry.rstrip("/")):
        print(
            f"oic image: error: --registry {args.registry!r} is not a registry such as oi.local or "
            "registry.example.com:5000/team",
            file=sys.stderr,
        )
        return exit_codes.USAGE
    if not _DNS_LABEL.fullmatch(args.namespace):
        print(f"oic image: error: --namespace {args.namespace!r} is not a namespace name", file=sys.stderr)
        return exit_codes.USAGE
    program = _checked(args.file)
    if isinstance(program, int):
        return program
    if given is not None:
        timeout_text, timeout = args.timeout, given
    elif program.timeout_seconds is not None:
        timeout_text, timeout = f"{program.timeout_seconds:g}s", program.timeout_seconds
    else:
        timeout_text, timeout = DEFAULT_TIMEOUT, parse_duration(DEFAULT_TIMEOUT, "--timeout")
    files = pipeline_files(program, args.registry.rstrip("/"), args.namespace, timeout_text, timeout)
    output = Path(args.output)
    try:
        output.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (output / name).write_text(text, encoding="utf-8")
        os.chmod(output / "build.sh", 0o755)
    except OSError as error:
        print(f"oic image: error: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return exit_codes.USAGE
    for name in files:
        print(output / name)
    if program.os not in ("", "linux"):
        print(
            f"oic image: warning: the pipeline is built for {program.os}; "
            "the Job's image needs a Linux binary",
            file=sys.stderr,
        )
    for service in program.services.values():
        if service.kind == "path" and not service.image:
            print(
                f"oic image: warning: service {service.alias!r} is a path service without an image; "
                "build one for it and name it in the pipeline (`image`), or the run refuses it",
                file=sys.stderr,
            )
    return exit_codes.OK


def _checked(path: str) -> CheckedProgram | int:
    """The checked program, or the exit code after printing why there is none."""
    from oic.diagnostics import render_text
    from oic.frontend import check_file

    result = check_file(path)
    if result.unreadable:
        print(f"oic image: error: {result.unreadable}", file=sys.stderr)
        return exit_codes.USAGE
    for diagnostic in result.diagnostics:
        print(render_text(diagnostic, result.source), file=sys.stderr)
    if result.program is None or result.has_errors:
        return exit_codes.DIAGNOSTICS
    return result.program
