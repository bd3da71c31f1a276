"""Hostile strings go through a pipeline unchanged, and change nothing else in the generated program.

Each string is written into a `.oi` file as a string literal (escaped the way the language escapes),
and also given as a param value; the pipeline runs on the real engine and calls a real SDK service
(``recorder/service.py``) that writes down the exact arguments it got.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from runtime.engine import Engine, EngineOptions
from tests.codegen.support import compile_text, load

RECORDER = Path(__file__).parent / "recorder"
PLACEHOLDER = "PLACEHOLDER"
HOSTILE = "'\"\"\"''' \\ \\\\ {x} {{y}} ${z} \\${w} \n\r\t \x00 \u2028\u2029 \x1b[31m #) ; __import__('os')"
_SHA_LINE = re.compile(r"^SOURCE_SHA256 = '[0-9a-f]{64}'$", re.MULTILINE)


def oi_string(value: str) -> str:
    """``value`` as a `.oi` string literal."""
    pieces = []
    for character in value:
        if character == "\\":
            pieces.append("\\\\")
        elif character == '"':
            pieces.append('\\"')
        elif character == "$":
            pieces.append("\\$")
        elif character == "\n":
            pieces.append("\\n")
        elif character == "\t":
            pieces.append("\\t")
        elif character == "\r":
            pieces.append("\\r")
        elif not character.isprintable():
            pieces.append(f"\\u{{{ord(character):X}}}")
        else:
            pieces.append(character)
    return '"' + "".join(pieces) + '"'


def pipeline_text(literal_value: str, out: Path) -> str:
    return (
        'pipeline "hostile" {}\n'
        "param value: string\n"
        'service recorder = path "./service.py" schemas "./schemas"\n'
        "on engine.started {\n"
        f'  task "record" = recorder.record(Literal: {oi_string(literal_value)}, Param: value, '
        f"Out: {oi_string(str(out))})\n"
        "}\n"
    )


def _without_hash(text: str) -> str:
    return _SHA_LINE.sub("SOURCE_SHA256 = ...", text)


text_values = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(literal_value=text_values, param_value=text_values)
@example(literal_value=HOSTILE, param_value=HOSTILE)
@example(literal_value="x" * 20_000 + HOSTILE, param_value="\x00" * 3 + "\u2028")
def test_hostile_strings_arrive_byte_for_byte(literal_value: str, param_value: str) -> None:
    with tempfile.TemporaryDirectory(prefix="oi-hostile-") as directory:
        out = Path(directory) / "received.json"
        baseline = compile_text(
            pipeline_text(PLACEHOLDER, out), path="hostile.oi", base_directory=str(RECORDER)
        )
        generated = compile_text(
            pipeline_text(literal_value, out), path="hostile.oi", base_directory=str(RECORDER)
        )
        # Nothing but the literal changed in the generated program.
        assert baseline.text.count(repr(PLACEHOLDER)) == 1
        expected_text = _without_hash(baseline.text).replace(repr(PLACEHOLDER), repr(literal_value))
        assert _without_hash(generated.text) == expected_text

        pipeline = load(generated).PROGRAM.build({"value": param_value})
        options = EngineOptions(pipeline, logs_directory=directory, handle_signals=False)
        result = Engine(options).run()
        assert result.exit_code == 0, result
        received = json.loads(out.read_text(encoding="utf-8"))
        assert received == {"Literal": literal_value, "Param": param_value, "Out": str(out)}
