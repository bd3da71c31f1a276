"""`oic new pipeline NAME` / `oic new service NAME`: start a project that already checks and runs.

``pipeline`` writes ``NAME/pipeline.oi`` (built-in services only, so it runs anywhere) and a README;
``service`` writes a Python service on the SDK (``service.py``, its endpoint schemas in the catalog
layout, a pytest test that calls it over real gRPC) and a README showing how a pipeline uses it.
NAME is the directory to create; its last component, which must be a lowercase identifier with
dashes, names the pipeline or service. Nothing is ever overwritten.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from oic import exit_codes

_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new",
        help="scaffold a pipeline or a service",
        description="Create a new pipeline or service directory that passes `oic check` and runs.",
    )
    parser.add_argument("kind", choices=("pipeline", "service"), help="what to create")
    parser.add_argument("path", metavar="NAME", help="directory to create; its last part is the name")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    target = Path(args.path)
    name = target.name
    if not _NAME.fullmatch(name):
        print(
            f"oic: error: '{name}' is not a valid name: use lowercase letters, digits and dashes, "
            "starting with a letter (e.g. trello-sync)",
            file=sys.stderr,
        )
        return exit_codes.USAGE
    if target.exists():
        print(f"oic: error: {target} already exists: choose another name or remove it", file=sys.stderr)
        return exit_codes.USAGE
    files = pipeline_files(name) if args.kind == "pipeline" else service_files(name)
    try:
        for relative, content in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    except OSError as error:
        print(f"oic: error: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return exit_codes.USAGE
    for relative in files:
        print(f"created {target / relative}")
    print(_next_steps(args.kind, target))
    return exit_codes.OK


def _next_steps(kind: str, target: Path) -> str:
    if kind == "pipeline":
        return f"\nnext: oic check {target / 'pipeline.oi'} && oic run {target / 'pipeline.oi'}"
    return (
        f"\nnext: python -m pytest {target / 'test_service.py'}, then use it from a pipeline: "
        f'service {target.name.replace("-", "_")} = path "./{target.name}/service.py"'
    )


# -- pipeline ---------------------------------------------------------------------------------------------

_PIPELINE = """\
# The __NAME__ pipeline. Check it with `oic check`, run it with `oic run`, build it with `oic build`.
pipeline "__NAME__" {
  timeout = 5m
}

param greeting: string = "hello from __NAME__"

service shell = catalog "exec"

on engine.started {
  task "hello" = shell.command(Command: "echo hello") timeout 30s
}

# Outputs are typed from the endpoint's returns.json: a typo in `Stdout` is a compile-time error.
on task("hello").finished(success) if len(tasks["hello"].output.Stdout) > 0 {
  # Args runs printf without a shell: the greeting is printed as it is, whatever it holds.
  task "report" = shell.command(Args: ["printf", "%s\\n", greeting])
}

on task("hello").finished(failed) {
  task "explain" = shell.command(Command: "echo the hello task failed >&2; exit 1")
}
"""

_PIPELINE_README = """\
# __NAME__

A pipeline: on start it runs `hello`; when that succeeds it runs `report`, which prints the
`greeting` parameter; when it fails, `explain` says so and the run fails.

| param | type | default |
|---|---|---|
| `greeting` | string | `hello from __NAME__` |

Run it:

```
oic check pipeline.oi
oic run pipeline.oi -- --param greeting="hi there"
oic build pipeline.oi && ./dist/__NAME__ --param greeting="hi there"
```

Logs and state go to `logs/` (`logs/state.yaml`, `logs/tasks/*.log`).
See the built-in services with `oic catalog`, and an endpoint's fields with `oic catalog show exec.command`.
"""


def pipeline_files(name: str) -> dict[str, str]:
    return {
        "pipeline.oi": _PIPELINE.replace("__NAME__", name),
        "README.md": _PIPELINE_README.replace("__NAME__", name),
    }


# -- service ----------------------------------------------------------------------------------------------

_SERVICE = '''\
"""The __NAME__ service: an oi service written with the SDK.

Its endpoints are typed by schemas/<endpoint>/arguments.json and returns.json; pipelines are checked
against them at compile time, and every call is validated against them at run time.
Run it standalone with `PORT=50051 python service.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.sdk import CallContext, EndpointError, Service

service = Service(__NAME_LITERAL__, version="0.1.0")
service.load_schema_dir(Path(__file__).resolve().parent / "schemas")


@service.endpoint("greet")
def greet(arguments: dict[str, Any], context: CallContext) -> dict[str, Any]:
    name = arguments["Name"].strip()
    if not name:
        # An expected failure: the task fails with this message, no traceback is logged.
        raise EndpointError("Name is blank: give a name to greet")
    context.log(f"greeting {name}")  # goes to the task's log file
    return {"Greeting": f"hello, {name}"}


if __name__ == "__main__":
    service.serve()
'''

_SERVICE_TEST = '''\
"""Calls the service over real gRPC, as the engine does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from runtime.model import Service
from runtime.services.base import CallFailed
from runtime.services.client import GrpcConnection

_SPEC = importlib.util.spec_from_file_location("__MODULE__", Path(__file__).with_name("service.py"))
assert _SPEC is not None and _SPEC.loader is not None
_MODULE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MODULE)


@pytest.fixture
def connection():
    running = _MODULE.service.start(0)
    client = GrpcConnection(Service(alias="under_test", path="service.py"), running.address)
    yield client
    client.close()
    running.stop()


def test_greet(connection, tmp_path):
    log = tmp_path / "task.log"
    assert connection.call("greet", {"Name": "Ada"}, str(log), 10.0) == {"Greeting": "hello, Ada"}
    assert "greeting Ada" in log.read_text()


def test_greet_refuses_a_blank_name(connection):
    with pytest.raises(CallFailed, match="Name is blank"):
        connection.call("greet", {"Name": "  "}, "", 10.0)


def test_arguments_are_validated(connection):
    with pytest.raises(CallFailed, match="Name"):
        connection.call("greet", {}, "", 10.0)
'''

_SERVICE_README = """\
# __NAME__

An oi service written with the Python SDK (`runtime.sdk`). Endpoint `greet`:

| field | type | |
|---|---|---|
| `Name` | string | required: who to greet |
| returns `Greeting` | string | |

Use it from a pipeline next to this directory:

```
service greeter = path "./__NAME__/service.py"

on engine.started {
  task "greet" = greeter.greet(Name: "Ada")
}
```

`oic check` starts the service once to ask it for its schemas (and caches the answer), so the
pipeline is checked against `schemas/`; `oic run` runs it. A `.py` service runs with the Python that
runs `oic`, which has the SDK: it needs no shebang and no exec bit.

Test it with `python -m pytest test_service.py`; run it alone with `PORT=50051 python service.py`.
To add an endpoint, add `schemas/<endpoint>/arguments.json` and `returns.json` and a function
decorated with `@service.endpoint("<endpoint>")`.

`oic build` embeds this directory in the pipeline's binary, which serves the service on its own
Python: the binary runs where oi is not installed. Keep files that should not ship out of it.
"""

_ARGUMENTS = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "greet arguments",
    "description": "Greet someone.",
    "type": "object",
    "properties": {"Name": {"type": "string", "description": "who to greet"}},
    "required": ["Name"],
    "additionalProperties": False,
}

_RETURNS = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "greet returns",
    "type": "object",
    "properties": {"Greeting": {"type": "string", "description": "the greeting"}},
    "required": ["Greeting"],
    "additionalProperties": False,
}


def service_files(name: str) -> dict[str, str]:
    module = name.replace("-", "_") + "_service"
    return {
        "service.py": _SERVICE.replace("__NAME_LITERAL__", repr(name)).replace("__NAME__", name),
        "schemas/greet/arguments.json": json.dumps(_ARGUMENTS, indent=2) + "\n",
        "schemas/greet/returns.json": json.dumps(_RETURNS, indent=2) + "\n",
        "test_service.py": _SERVICE_TEST.replace("__MODULE__", module),
        "README.md": _SERVICE_README.replace("__NAME__", name),
    }
