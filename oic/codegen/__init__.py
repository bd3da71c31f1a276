"""Code generation: a checked program -> a Python module on the runtime's exported names.

``generate(program)`` returns a ``GeneratedModule`` whose ``text`` is a module that imports only
``runtime.exported``, builds the pipeline and hands it to ``runtime.program.main``. ``oic emit`` prints
it, ``oic run`` runs it from a temporary file, ``oic build`` embeds it in a binary.
"""

from __future__ import annotations

from oic.codegen.generator import GeneratedModule, generate, source_sha256
from oic.codegen.scope import CodegenError

__all__ = ["CodegenError", "GeneratedModule", "generate", "source_sha256"]
