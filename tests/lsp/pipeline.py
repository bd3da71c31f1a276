"""The pipeline most LSP tests edit: catalog services (their schemas ship with oi, so nothing is
built), params, a condition, a builder, reactions, ``let`` names and task names."""

PIPELINE = """pipeline "lsp" {}

param board: string = "b1"
param token: secret = env("TRELLO_TOKEN")
param url: string = "https://api.trello.com"

service trello = catalog "trello" version "0.1.0"
service sh = catalog "exec"

condition fetched(name: string) = task(name).finished(success)

builder archive(card: object) {
  task "archive-${card.id}" = trello.archivecards(
    Auth: {App: "app", Token: token},
    CardIDs: [card.id],
    Base_URL: url,
  )
}

on engine.started {
  task "fetch" = trello.getcards(Auth: {App: "app", Token: token}, Board: board, Base_URL: url)
  task "hello" = sh.command(Args: ["echo", board])
}

on fetched("fetch") {
  let cards = tasks["fetch"].output
  for c in cards {
    archive(c)
  }
}

on task("hello").finished(success) {
  let code = tasks["hello"].output.ExitCode
  task "report" = sh.command(Args: ["echo", "${code}"])
}
"""
