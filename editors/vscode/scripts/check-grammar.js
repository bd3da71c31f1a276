#!/usr/bin/env node
// Tokenizes .oi files with the extension's grammar, through the same engine VS Code uses
// (vscode-textmate on the Oniguruma WebAssembly build), and fails when a file that oic accepts is
// not fully understood by the grammar:
//
//   - a region (string, interpolation, bracket, declaration) is still open at the end of the file;
//   - a token is scoped invalid.*;
//   - a token other than white space got no scope of its own (only source.oi).
//
// Usage: node scripts/check-grammar.js PATH...      check the files, and the .oi files under the
//                                                   directories (exit status 1 on a problem)
//        node scripts/check-grammar.js --dump FILE  print every token with its scopes

"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "oi.tmLanguage.json");

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "source.oi" ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
  });
  return registry.loadGrammar("source.oi");
}

// Every token of `text`, each {line, column (1-based), text, scopes}, and the rule stack at the end.
function tokenize(grammar, text) {
  const tokens = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      tokens.push({
        line: index + 1,
        column: token.startIndex + 1,
        text: line.slice(token.startIndex, token.endIndex),
        scopes: token.scopes,
      });
    }
    stack = result.ruleStack;
  });
  return { tokens, stack };
}

// What the grammar does not understand in `text` (from `file`): one message each.
function problems(grammar, text, file) {
  const { tokens, stack } = tokenize(grammar, text);
  const found = [];
  for (const token of tokens) {
    const where = `${file}:${token.line}:${token.column}`;
    const invalid = token.scopes.find((scope) => scope.startsWith("invalid."));
    if (invalid) {
      found.push(`${where}: ${JSON.stringify(token.text)} is ${invalid}`);
    } else if (token.scopes.length === 1 && token.text.trim() !== "") {
      found.push(`${where}: ${JSON.stringify(token.text)} has no scope of its own`);
    }
  }
  if (stack.depth !== 1) {
    const last = tokens[tokens.length - 1];
    const open = last ? last.scopes.slice(1).join(" ") : "";
    found.push(`${file}: ${stack.depth - 1} region(s) still open at the end of the file (${open})`);
  }
  return found;
}

// The files named, and the .oi files under the directories named, in order.
function expand(paths) {
  return paths.flatMap((name) => {
    if (!fs.statSync(name).isDirectory()) {
      return [name];
    }
    return fs
      .readdirSync(name, { recursive: true })
      .filter((entry) => entry.endsWith(".oi"))
      .sort()
      .map((entry) => path.join(name, entry));
  });
}

async function main(argv) {
  const dump = argv[0] === "--dump";
  const files = expand(dump ? argv.slice(1) : argv);
  if (files.length === 0) {
    console.error("usage: check-grammar.js [--dump] PATH...");
    return 2;
  }
  const grammar = await loadGrammar();
  if (dump) {
    for (const file of files) {
      for (const token of tokenize(grammar, fs.readFileSync(file, "utf8")).tokens) {
        console.log(`${token.line}:${token.column}\t${JSON.stringify(token.text)}\t${token.scopes.slice(1).join(" ")}`);
      }
    }
    return 0;
  }
  const found = files.flatMap((file) => problems(grammar, fs.readFileSync(file, "utf8"), file));
  for (const problem of found) {
    console.error(problem);
  }
  console.log(`check-grammar: ${files.length} file(s), ${found.length} problem(s)`);
  return found.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
      console.error(`check-grammar: ${error.message}`);
      process.exit(2);
    },
  );
}

module.exports = { loadGrammar, tokenize, problems };
