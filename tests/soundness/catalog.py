"""What the generator knows about the farm's endpoints, read from the same schema files the services
and the checker read: each argument field's type and the constraints only literals may meet, and the
type of the output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from tests.soundness import gtypes as g
from tests.soundness.services import REPORT_DATA, SCHEMAS, SERVICE_NAMES

# The data of a reported event, and the payload of each task event, as the engine sends them.
REPORT_TYPE = g.from_schema(REPORT_DATA)
_TASK_FIELDS = (g.Field("task", g.STRING), g.Field("id", g.STRING))
PAYLOADS = {
    "started": g.TObj(_TASK_FIELDS, closed=False),
    "finished": g.TObj(
        (*_TASK_FIELDS, g.Field("status", g.STRING), g.Field("error", g.STRING)), closed=False
    ),
    "reported": g.TObj(
        (*_TASK_FIELDS, g.Field("event", g.STRING), g.Field("data", REPORT_TYPE)), closed=False
    ),
}
# What echo.loose answers whatever it is given.
LOOSE_ANSWER = g.TObj((g.Field("ok", g.BOOL), g.Field("n", g.INT)), closed=True)


@dataclass(frozen=True)
class Endpoint:
    """``service``/``name``; ``arguments``: the argument object's type (``any`` for ``loose``);
    ``ranges``: integer fields only literals in ``[low, high]`` may fill; ``secret_fields``: fields
    the schema marks ``writeOnly``; ``returns``: the output type."""

    service: str
    name: str
    arguments: g.GType
    ranges: tuple[tuple[str, int, int], ...]
    secret_fields: tuple[str, ...]
    returns: g.GType

    @property
    def label(self) -> str:
        return f"{self.service}.{self.name}"

    def range_of(self, field: str) -> tuple[int, int] | None:
        for name, low, high in self.ranges:
            if name == field:
                return low, high
        return None


@cache
def endpoints() -> tuple[Endpoint, ...]:
    found = []
    for service in SERVICE_NAMES:
        for directory in sorted(path for path in (SCHEMAS / service).iterdir() if path.is_dir()):
            arguments = json.loads((directory / "arguments.json").read_text(encoding="utf-8"))
            returns = json.loads((directory / "returns.json").read_text(encoding="utf-8"))
            properties = arguments.get("properties", {})
            ranges = tuple(
                (name, int(schema["minimum"]), int(schema["maximum"]))
                for name, schema in properties.items()
                if "minimum" in schema and "maximum" in schema
            )
            secret = tuple(name for name, schema in properties.items() if schema.get("writeOnly"))
            output = g.from_schema(returns)
            if directory.name == "loose":
                output = g.TAny(LOOSE_ANSWER)
            found.append(Endpoint(service, directory.name, g.from_schema(arguments), ranges, secret, output))
    return tuple(found)
