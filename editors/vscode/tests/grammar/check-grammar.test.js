// scripts/check-grammar.js, which `make editor-test` runs over the examples: it must notice what
// the grammar gets wrong, or its silence on the examples would mean nothing.

"use strict";

const assert = require("node:assert/strict");
const test = require("node:test");
const { loadGrammar, problems } = require("../../scripts/check-grammar.js");

const grammar = loadGrammar();

test("a program the grammar reads whole has no problem", async () => {
  const text = 'pipeline "p" {}\non engine.started {\n  task "t" = s.e(A: "${x}") timeout 1s # done\n}\n';
  assert.deepEqual(problems(await grammar, text, "p.oi"), []);
});

test("a bracket still open at the end of the file is a problem", async () => {
  const found = problems(await grammar, 'on engine.started {\n  task "t" = s.e(\n', "open.oi");
  assert.equal(found.length, 1);
  assert.match(found[0], /^open\.oi: 2 region\(s\) still open at the end of the file \(meta\.braces\.oi meta\.parens\.oi\)$/);
});

test("a token scoped invalid is a problem, with its position", async () => {
  const found = problems(await grammar, 'let x = "a\\q" ; 1h30m\n', "bad.oi");
  assert.deepEqual(found, [
    'bad.oi:1:11: "\\\\q" is invalid.illegal.escape.oi',
    'bad.oi:1:15: ";" is invalid.illegal.character.oi',
    'bad.oi:1:17: "1h30m" is invalid.illegal.numeric.oi',
  ]);
});
