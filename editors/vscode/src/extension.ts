// The oi extension: starts `oic lsp` (the language server: diagnostics, hover, completion,
// formatting...) over standard input and output, and restarts it when its settings change or on
// the "oi: Restart Language Server" command. Highlighting comes from the TextMate grammar and works
// without the server.

import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { environment, resolveServer } from "./server";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
// Starts and stops in the order they were asked for: a restart while the server is starting waits.
let pending: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("oi");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("oi.restartServer", () => restart()),
    vscode.commands.registerCommand("oi.showOutput", () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("oi.server")) {
        void restart();
      }
    }),
  );
  return queue(start);
}

export function deactivate(): Promise<void> {
  return queue(stop);
}

function restart(): Promise<void> {
  return queue(async () => {
    await stop();
    await start();
  });
}

function queue(step: () => Promise<void>): Promise<void> {
  pending = pending.then(step, step);
  return pending;
}

async function start(): Promise<void> {
  const settings = vscode.workspace.getConfiguration("oi");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const resolution = resolveServer(
    { path: settings.get<string>("server.path", "oic"), args: settings.get<string[]>("server.args", ["lsp"]) },
    environment(folder),
  );
  if ("problem" in resolution) {
    report(resolution.problem);
    return;
  }
  output.appendLine(`starting ${[resolution.command, ...resolution.args].join(" ")}`);
  const serverOptions: ServerOptions = {
    command: resolution.command,
    args: resolution.args,
    options: { cwd: folder },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "oi" },
      { scheme: "untitled", language: "oi" },
    ],
    outputChannel: output,
    traceOutputChannel: output,
  };
  const started = new LanguageClient("oi", "oi language server", serverOptions, clientOptions);
  try {
    await started.start();
    client = started;
  } catch (error) {
    // The executable was found but did not answer as a language server: an oic without `lsp`, or
    // one that exits at once. What it printed is in the output channel.
    report(`the oi language server (${resolution.command}) did not start: ${describe(error)}`);
    await started.dispose().catch(() => undefined);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.dispose().catch((error: unknown) => output.appendLine(`stopping the server: ${describe(error)}`));
  }
}

function report(problem: string): void {
  output.appendLine(problem);
  void vscode.window.showErrorMessage(`oi: ${problem}`, "Open Settings", "Show Output").then((choice) => {
    if (choice === "Open Settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", "oi.server");
    } else if (choice === "Show Output") {
      output.show(true);
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
