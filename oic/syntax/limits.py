"""The limits of the language: how deep and how long a `.oi` file may nest and chain.

The checker enforces every one of them with a diagnostic that names the limit (E0002, E0107, E0110),
and everything under them generates Python that CPython compiles and that runs. Each figure is chosen
from a constraint of the generated code, with a margin; ``tests/frontend/test_limits.py`` generates
programs exactly at each limit (they check, generate, compile, import and, where they recurse at run
time, run) and one past it (the diagnostic). ``docs/language.md`` ("Limits") lists them for users.

What constrains the generated code (CPython 3.10 to 3.13):

- the tokenizer accepts at most 200 nested parentheses, brackets and braces in one expression; the
  code for one level of `.oi` nesting opens at most two (``fold(A, (add, B, site))``,
  ``(x if truthy(c) else y)``), inside at most six of a task statement's own;
- a function may nest at most 20 loops ("too many statically nested blocks") and 100 indentation
  levels; `.oi` blocks become Python blocks one for one; since CPython 3.12 a comprehension is a
  loop of the function it is in, and 3.12.1 and 3.13.0 crash (SIGSEGV) compiling 21 nested ones;
- an ``elif`` is an ``If`` nested in the ``orelse`` of the one before it, and CPython 3.10 and 3.11
  compile nested statements and expressions with a budget of 3 x (the recursion limit - the depth
  of the compiling frame), about 2,900 levels from a shallow stack: the whole depth of a generated
  function (``else if`` branches, blocks, expressions) must fit in it wherever the module is compiled
  (by ``oic``, by a test, by the binary at start-up);
- builders call each other as Python functions, and the engine evaluates conditions (``all_of``,
  ``any_of``, ``not_``, ``guarded``) recursively, about three frames per level, on its own thread and
  on its workers: both stay far below the default recursion limit of 1,000 frames.

Flat chains are not nesting: ``a + b - c + ...``, ``a * b / c``, ``a and b and c``, ``a or b``, and
member and index chains ``x.a.b[0].c`` generate flat Python (``fold`` in ``runtime.expressions``,
one Python ``and``/``or``), so their length is bounded only by the file size.
"""

from __future__ import annotations

# The largest file `oic` reads (E0002): ten times the largest pipeline a person writes, and a bound on
# the time and memory one check can take (the front end is linear: see docs/performance.md).
MAX_SOURCE_BYTES = 8 * 1024 * 1024

# How deep expressions and conditions nest (E0107): brackets, braces, parentheses, interpolations,
# unary operators, conditional-expression chains (`a if c else b if d else e`), comprehensions (which
# MAX_BLOCK_DEPTH bounds further), operators whose operands nest, `and`/`or`/`not` in conditions; also
# written types and the values built through `let` bindings. At most 2 x 64 + 6 = 134 of the
# tokenizer's 200 parentheses.
MAX_NESTING = 64

# How deep a condition nests counting through the named conditions it uses (E0107): the depth of the
# condition object the engine evaluates recursively, about three Python frames per level.
MAX_CONDITION_DEPTH = MAX_NESTING

# How deep statement blocks and comprehensions nest, together (E0107): `for`, `if` and `else` bodies,
# `[for ...]` and `{for ...}`. CPython allows 20 nested loops in one function, and comprehensions are
# loops of their function since 3.12.
MAX_BLOCK_DEPTH = 16

# How many `else if` branches lead to a statement (E0110), counting those of every `if` chain it sits
# in: each is one more level of CPython's compiler budget (about 2,900 from a shallow stack, less
# from a deeper one), which the blocks and expressions inside need too.
MAX_ELSE_IF = 500

# How deep builders call builders (E0107): a reaction calling b1 calling b2 ... calling b64 runs 64
# nested Python calls, far below the recursion limit on any engine thread.
MAX_BUILDER_CHAIN = 64

# A backstop in the lexer (E0107): brackets and interpolations open at once in one declaration.
# Above any program within the limits above (a reaction's braces, 16 blocks, a call's parentheses
# and 64 levels of expression), it stops input like 20,000 `[` before the parser stacks them.
MAX_BRACKETS = 128
