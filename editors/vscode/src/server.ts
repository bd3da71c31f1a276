// Where the language server is: the `oi.server.path` and `oi.server.args` settings turned into a
// command to start, or the reason it cannot be started. No `vscode` import, so that the lookup can
// be tested with plain node (tests/client).

import * as fs from "fs";
import * as path from "path";

export interface ServerSettings {
  /** A name to look up on PATH (`oic`), or a path; `~`, `${userHome}` and `${workspaceFolder}` are expanded. */
  path: string;
  /** The arguments the executable is started with (`["lsp"]`). */
  args: string[];
}

export interface Environment {
  platform: NodeJS.Platform;
  /** The PATH of the editor's process. */
  searchPath: string;
  /** Windows: the extensions an executable may have (PATHEXT). */
  executableExtensions: string;
  home: string;
  /** The first workspace folder, when one is open. */
  workspaceFolder?: string;
}

export type Resolution = { command: string; args: string[] } | { problem: string };

const SETTING_HINT =
  'set "oi.server.path" to the oic executable (for an oi checkout: its .venv/bin/oic, after `make venv`)';

export function environment(workspaceFolder?: string): Environment {
  return {
    platform: process.platform,
    searchPath: process.env.PATH ?? "",
    executableExtensions: process.env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD",
    home: process.env.HOME ?? process.env.USERPROFILE ?? "",
    workspaceFolder,
  };
}

/** The command that starts the server, or why there is none. */
export function resolveServer(settings: ServerSettings, env: Environment): Resolution {
  const written = settings.path.trim() || "oic";
  const expanded = expand(written, env);
  if ("problem" in expanded) {
    return expanded;
  }
  const value = expanded.value;
  const isPath = value.includes("/") || (env.platform === "win32" && value.includes("\\"));
  if (isPath) {
    const absolute = path.isAbsolute(value) ? value : path.resolve(env.workspaceFolder ?? ".", value);
    const found = executableVariants(absolute, env).find((candidate) => fs.existsSync(candidate));
    if (found === undefined) {
      return { problem: `the oi language server "${written}" does not exist (${absolute}): ${SETTING_HINT}` };
    }
    if (!isExecutable(found, env)) {
      return { problem: `the oi language server "${found}" is not executable: ${SETTING_HINT}` };
    }
    return { command: found, args: [...settings.args] };
  }
  const found = searchPath(value, env);
  if (found === undefined) {
    return { problem: `the oi language server "${value}" was not found on PATH: install oi, or ${SETTING_HINT}` };
  }
  return { command: found, args: [...settings.args] };
}

function expand(value: string, env: Environment): { value: string } | { problem: string } {
  let result = value.replace(/\$\{userHome\}/g, env.home);
  if (result === "~" || result.startsWith("~/") || result.startsWith("~\\")) {
    result = env.home + result.slice(1);
  }
  if (result.includes("${workspaceFolder}")) {
    if (env.workspaceFolder === undefined) {
      return { problem: `"oi.server.path" uses \${workspaceFolder} but no folder is open: ${SETTING_HINT}` };
    }
    result = result.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  return { value: result };
}

/** The first executable called `name` in a directory of PATH. */
function searchPath(name: string, env: Environment): string | undefined {
  const delimiter = env.platform === "win32" ? ";" : ":";
  for (const directory of env.searchPath.split(delimiter)) {
    if (directory === "") {
      continue;
    }
    for (const candidate of executableVariants(path.join(directory, name), env)) {
      if (isExecutable(candidate, env)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** `file` as written, and on Windows with each executable extension too (oic.exe, oic.cmd). */
function executableVariants(file: string, env: Environment): string[] {
  if (env.platform !== "win32" || path.extname(file) !== "") {
    return [file];
  }
  return [file, ...env.executableExtensions.split(";").filter((ext) => ext !== "").map((ext) => file + ext)];
}

function isExecutable(file: string, env: Environment): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, env.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
