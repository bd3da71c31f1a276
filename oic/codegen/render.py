"""Rendering the module template, and checking what comes out.

The jinja environment is locked down for code: ``StrictUndefined`` (a missing variable is an error, not
an empty string), no autoescaping (this is Python, not HTML) and a ``finalize`` hook through which every
``{{ ... }}`` passes: it lets through only the marker types of ``markers.py`` and raises for anything
else, a plain ``str`` above all. So a template cannot print user text by mistake.

The rendered text is then parsed and compiled (``ast.parse`` + ``compile``): a module that is not
valid Python is an internal error of the compiler, caught here rather than when the binary starts.
"""

from __future__ import annotations

import ast
import functools
from typing import Any

import jinja2

from oic.codegen.markers import PyCode
from oic.codegen.scope import CodegenError


def _finalize(value: Any) -> str:
    if isinstance(value, PyCode):
        return value.text
    raise CodegenError(f"a template tried to print a {type(value).__name__}, not a generated code marker")


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("oic.codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render(template_name: str, context: dict[str, Any]) -> str:
    try:
        return environment().get_template(template_name).render(**context)
    except jinja2.TemplateError as error:
        raise CodegenError(f"template {template_name}: {error}") from None


def verify(text: str, filename: str) -> None:
    """Parse and compile ``text``; raise ``CodegenError`` when it is not valid Python."""
    try:
        ast.parse(text, filename=filename)
        compile(text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise CodegenError(f"the generated module is not valid Python: {error}") from None
