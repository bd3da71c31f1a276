"""The parts of the soundness harness on their own: the services answer what their schemas say, over
gRPC; the generator is reproducible and covers the language and the standard library; the type
model, the classification of runs and the triage files say what they should."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from runtime.model import Service
from runtime.services.base import CallFailed
from runtime.services.client import GrpcConnection
from runtime.services.schemas import validator_for
from tests.soundness import gtypes as g
from tests.soundness.catalog import endpoints
from tests.soundness.choices import BufferChoices, SeededChoices, replay_choices
from tests.soundness.harness import Outcome, class_of, classify
from tests.soundness.library import GENERATED, runtime_functions, usable_functions
from tests.soundness.programs import generate
from tests.soundness.reduce import reduce_lines
from tests.soundness.scope import SWARM
from tests.soundness.services import PLANNED_FAILURE, SCHEMAS, ServiceFarm
from tests.soundness.triage import PROPERTY_1, PROPERTY_2, Tally
from tests.soundness.values import instance, seeded

pytestmark = pytest.mark.soundness

SAMPLE = 120


@pytest.fixture(scope="module")
def sample() -> list:
    functions = usable_functions()
    return [generate(SeededChoices(seed), functions, str(seed)) for seed in range(SAMPLE)]


# -- services ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [e.label for e in endpoints()])
def test_answers_drawn_from_a_schema_are_valid_against_it(endpoint: str) -> None:
    service, name = endpoint.split(".")
    schema = json.loads((SCHEMAS / service / name / "returns.json").read_text(encoding="utf-8"))
    validator = validator_for(schema)
    shapes = set()
    for seed in range(200):
        value = instance(schema, seeded(endpoint, seed))
        validator.validate(value, "payload")
        shapes.add(json.dumps(value, sort_keys=True))
    assert len(shapes) > 1, "the answers should vary with the seed"


def test_a_schema_outside_the_supported_vocabulary_is_refused() -> None:
    for schema in ({"type": "string", "pattern": "^x"}, {"type": "tuple"}, {"format": "email"}):
        with pytest.raises(ValueError, match="unsupported"):
            instance(schema, seeded(1))


def test_the_farm_answers_over_grpc_and_fails_when_asked(farm: ServiceFarm) -> None:
    declaration = Service("rec", path="./records")
    connection = GrpcConnection(declaration, farm.addresses["records"])
    try:
        arguments = {"name": "n", "count": 2, "tags": ["a"]}
        first = connection.call("make", arguments, "", 10)
        assert first == connection.call("make", arguments, "", 10), "answers are seeded by the arguments"
        assert {"id", "count", "items", "status", "label", "shape", "if"} <= set(first)
        with pytest.raises(CallFailed, match=PLANNED_FAILURE):
            connection.call("make", {**arguments, "fail": True}, "", 10)
        with pytest.raises(CallFailed, match="count"):
            connection.call("make", {"name": "n"}, "", 10)
    finally:
        connection.close()


# -- the generator -----------------------------------------------------------------------------------


def test_a_program_is_made_again_from_its_seed() -> None:
    functions = usable_functions()
    first = generate(SeededChoices(42), functions, "42")
    assert generate(replay_choices("42"), functions).text == first.text
    buffer = BufferChoices(bytes(range(256)) * 8)
    from_buffer = generate(buffer, functions, buffer.key())
    assert generate(replay_choices(from_buffer.seed), functions).text == from_buffer.text


def test_every_function_of_the_standard_library_is_generated(sample: list) -> None:
    missing = runtime_functions() - GENERATED
    assert not missing, f"the generator does not know how to call {sorted(missing)}: add a producer"
    used = Counter(feature for program in sample for feature in program.features if feature.startswith("fn:"))
    unused = sorted(name for name in usable_functions() if f"fn:{name}" not in used)
    assert not unused, f"never called in {SAMPLE} programs: {unused}"


def test_the_generator_covers_the_language(sample: list) -> None:
    seen = Counter(feature for program in sample for feature in program.features)
    constructs = {
        "task", "reusable", "for", "if", "else-if", "list-comprehension", "object-comprehension", "builder",
        "named-condition", "guard", "narrowing", "planned-failure", "param-default", *SWARM,
    }  # fmt: skip
    constructs |= {
        f"param:{kind}" for kind in ("string", "secret", "number", "bool", "list", "object", "any")
    }
    missing = sorted(construct for construct in constructs if not seen[construct])
    assert not missing, f"never generated in {SAMPLE} programs: {missing}"
    kinds = Counter(kind for program in sample for kind in program.near_misses)
    assert len(kinds) >= 12, kinds


def test_a_near_miss_differs_from_its_program(sample: list) -> None:
    program = next(p for p in sample if p.near_misses)
    for index in range(len(program.near_misses)):
        assert program.near_miss(index) != program.text
        assert "\x00" not in program.near_miss(index)


# -- the type model ----------------------------------------------------------------------------------


def test_a_union_fits_only_when_every_member_fits() -> None:
    assert not g.fits(g.nullable(g.STRING), g.STRING)
    assert g.fits(g.nullable(g.STRING), g.nullable(g.STRING))
    assert g.fits(g.INT, g.NUM) and not g.fits(g.NUM, g.INT)
    assert not g.fits(g.SECRET, g.STRING) and g.fits(g.STRING, g.SECRET)
    assert g.fits(g.TAny(g.INT), g.INT) and not g.fits(g.ANY, g.INT)
    assert not g.fits(g.TEnum((True,)), g.TEnum((1, 2)))
    assert g.fits(g.TList(g.NEVER), g.TList(g.INT))


def test_optional_and_keyed_fields_read_as_nullable() -> None:
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "additionalProperties": {"type": "boolean"},
    }
    kind = g.from_schema(schema)
    assert g.read_field(kind, "a") == g.INT
    assert g.read_field(kind, "b") == g.nullable(g.STRING)
    assert g.read_field(kind, "other") == g.nullable(g.BOOL)
    comprehension = g.TObj((), closed=False, extra=g.STRING)
    assert g.read_field(comprehension, "other") is None


# -- classification and triage -----------------------------------------------------------------------


def _task(status: str, error: str = "") -> SimpleNamespace:
    return SimpleNamespace(finished=True, succeeded=status == "Success", error=error)


def test_a_planned_failure_is_allowed_and_anything_else_is_a_violation() -> None:
    state = SimpleNamespace(
        tasks={
            "1": _task("Success"),
            "2": _task("failed", f"{PLANNED_FAILURE}: asked"),
            "3": _task("failed", "arguments: $.count: not an integer"),
        }
    )
    outcome = Outcome()
    failed = SimpleNamespace(status="failed", message="2 task(s) failed: ...", failed_tasks=("2", "3"))
    classify(failed, state, outcome)
    assert outcome.allowed == ["planned failure"]
    assert outcome.violations == [("task failed", "arguments: $.count: not an integer")]
    raised = Outcome()
    message = "reaction 2 on x raised PipelineError: p.oi:3:4: no field 'a' in the object (fields: b)"
    classify(
        SimpleNamespace(status="failed", message=message, failed_tasks=()), SimpleNamespace(tasks={}), raised
    )
    assert raised.violations[0][0] == "reaction raised"
    ended = Outcome()
    classify(
        SimpleNamespace(status="timed-out", message="late", failed_tasks=()), SimpleNamespace(tasks={}), ended
    )
    assert ended.violations == [("run did not end", "late")]


def test_a_class_leaves_out_positions_names_and_numbers() -> None:
    first = class_of("reaction raised", "PipelineError: a.oi:3:4: no field 'x' in task 'y' (fields: a, b)")
    second = class_of("reaction raised", "PipelineError: b.oi:9:1: no field 'z' in task 'w' (fields: c)")
    assert first == second == "reaction raised: no field '...' in task '...' (fields: ...)"
    assert class_of("E0106", "invalid number or duration `1e2s`") == class_of(
        "E0106", "invalid number or duration `2E-3s`"
    )


def test_the_tally_keeps_counterexamples_with_their_seed(tmp_path: Path) -> None:
    tally = Tally(tmp_path)
    rejected = Outcome(errors=[("E0101", 2, "unexpected `:`")])
    assert tally.add("7", 'pipeline "p" {}\n', {}, rejected) == [f"{PROPERTY_2}: E0101: unexpected `...`"]
    broken = Outcome(ran=True, violations=[("task failed", "arguments: $.a: wrong")])
    tally.add("8", "text\n", {"p": "1"}, broken, near_miss="wrong-field")
    assert tally.broken(PROPERTY_1) == 1 and tally.broken(PROPERTY_2) == 1
    kept = sorted(tmp_path.rglob("*.oi"))
    assert [path.relative_to(tmp_path).parts[0] for path in kept] == [PROPERTY_2, PROPERTY_1]
    assert [path.name for path in kept] == ["7.oi", "8-wrong-field.oi"]
    assert kept[1].read_text(encoding="utf-8").startswith("text\n")
    assert "# seed: 8 (near-miss: wrong-field)" in kept[1].read_text(encoding="utf-8")
    assert any("property 1" in line and "broken by 1 program" in line for line in tally.summary())


def test_reducing_keeps_only_the_lines_the_failure_needs() -> None:
    text = "a\nblock {\n  inner\n  needle\n}\nother {\n  x\n}\nz\n"

    def keeps_failing(candidate: str) -> bool:
        return "needle" in candidate and candidate.count("{") == candidate.count("}")

    assert reduce_lines(text, keeps_failing) == "block {\n  needle\n}\n"
