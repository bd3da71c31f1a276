// How the extension finds the language server (src/server.ts, compiled to out/server.js): real
// files in a temporary directory, looked up the way the extension does it in VS Code.

"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const test = require("node:test");
const { resolveServer } = require("../../out/server.js");

function scratch() {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "oi-vscode-"));
  test.after(() => fs.rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function file(directory, name, mode) {
  const location = path.join(directory, name);
  fs.mkdirSync(path.dirname(location), { recursive: true });
  fs.writeFileSync(location, "#!/bin/sh\n");
  fs.chmodSync(location, mode);
  return location;
}

function env(overrides) {
  return { platform: "linux", searchPath: "", executableExtensions: "", home: "/nonexistent-home", ...overrides };
}

test("a name is looked up on PATH, in order, skipping what is not executable", () => {
  const root = scratch();
  file(root, "first/oic", 0o644);
  const second = file(root, "second/oic", 0o755);
  file(root, "third/oic", 0o755);
  const searchPath = ["", path.join(root, "missing"), path.join(root, "first"), path.join(root, "second"), path.join(root, "third")].join(":");
  assert.deepEqual(resolveServer({ path: "oic", args: ["lsp"] }, env({ searchPath })), {
    command: second,
    args: ["lsp"],
  });
});

test("an empty setting means oic", () => {
  const root = scratch();
  const oic = file(root, "bin/oic", 0o755);
  const resolution = resolveServer({ path: "  ", args: ["lsp"] }, env({ searchPath: path.join(root, "bin") }));
  assert.equal(resolution.command, oic);
});

test("a name missing from PATH is reported with the setting to change", () => {
  const root = scratch();
  const resolution = resolveServer({ path: "oic", args: ["lsp"] }, env({ searchPath: root }));
  assert.match(resolution.problem, /"oic" was not found on PATH/);
  assert.match(resolution.problem, /oi\.server\.path/);
});

test("a path is taken as it is, relative to the workspace folder, with its arguments", () => {
  const root = scratch();
  const oic = file(root, ".venv/bin/oic", 0o755);
  assert.deepEqual(
    resolveServer({ path: ".venv/bin/oic", args: ["lsp", "--verbose"] }, env({ workspaceFolder: root })),
    { command: oic, args: ["lsp", "--verbose"] },
  );
  assert.deepEqual(resolveServer({ path: "${workspaceFolder}/.venv/bin/oic", args: [] }, env({ workspaceFolder: root })), {
    command: oic,
    args: [],
  });
});

test("~ and ${userHome} are the home directory", () => {
  const root = scratch();
  const oic = file(root, "tools/oic", 0o755);
  assert.equal(resolveServer({ path: "~/tools/oic", args: [] }, env({ home: root })).command, oic);
  assert.equal(resolveServer({ path: "${userHome}/tools/oic", args: [] }, env({ home: root })).command, oic);
});

test("a path that does not exist, is not executable or is a directory is reported", () => {
  const root = scratch();
  file(root, "plain/oic", 0o644);
  fs.mkdirSync(path.join(root, "folder"));
  assert.match(resolveServer({ path: path.join(root, "nope/oic"), args: [] }, env()).problem, /does not exist/);
  assert.match(resolveServer({ path: path.join(root, "plain/oic"), args: [] }, env()).problem, /is not executable/);
  assert.match(resolveServer({ path: path.join(root, "folder"), args: [] }, env()).problem, /is not executable/);
});

test("${workspaceFolder} without an open folder is reported", () => {
  const resolution = resolveServer({ path: "${workspaceFolder}/.venv/bin/oic", args: [] }, env());
  assert.match(resolution.problem, /no folder is open/);
});

test("Windows: PATH is split on ; and PATHEXT gives the executable's extension", () => {
  const root = scratch();
  const oic = file(root, "Scripts/oic.EXE", 0o644);
  const resolution = resolveServer(
    { path: "oic", args: ["lsp"] },
    env({ platform: "win32", searchPath: `${path.join(root, "none")};${path.join(root, "Scripts")}`, executableExtensions: ".COM;.EXE" }),
  );
  assert.equal(resolution.command, oic);
});
