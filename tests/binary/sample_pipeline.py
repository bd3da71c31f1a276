"""A hand-written pipeline module that follows the generated-code contract (``ProgramSpec`` + ``main``).

It lets the build tests run a binary without the compiler's front end: no services, one reaction that
never builds a task, and params of every type so ``--help`` and param binding have something to show.
"""

from __future__ import annotations

from runtime.model import Pipeline, PipelineMetadata, PipelineSpec
from runtime.program import ParamSpec, ProgramSpec, main


def _build(params):
    return Pipeline(PipelineMetadata(name="sample"), PipelineSpec(services=(), reactions=()))


PROGRAM = ProgramSpec(
    name="sample",
    params=(
        ParamSpec("who", "string", False, lambda bound: "world"),
        ParamSpec("limit", "number", False, lambda bound: 10),
        ParamSpec("dry", "bool", False, lambda bound: False),
        ParamSpec("labels", "list", False, lambda bound: []),
        ParamSpec("extra", "object", False, lambda bound: {}),
        ParamSpec("token", "secret", False, lambda bound: "s3cret-" + bound["who"]),
        ParamSpec("greeting", "string", False, lambda bound: "hello, " + bound["who"]),
    ),
    build=_build,
    source_path="sample.oi",
    source_sha256="0" * 64,
    compiler_version="0.1.0",
    os="",
    arch="",
    parallelism=None,
    timeout=None,
)

if __name__ == "__main__":
    main(PROGRAM)
