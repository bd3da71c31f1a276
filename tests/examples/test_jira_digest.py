from __future__ import annotations

from pathlib import Path

from tests.examples.harness import run_example
from tests.fakes.jira import FakeJira
from tests.fakes.slack import FakeSlack
from tests.fakes.trello import FakeTrello


def test_digest_goes_to_slack_and_each_issue_becomes_a_card(tmp_path: Path) -> None:
    with FakeJira(page_cap=2) as jira, FakeSlack() as slack, FakeTrello() as trello:
        jira.add_issue("OPS-1", "Disk full on db-2", priority="High")
        jira.add_issue("OPS-2", "Renew the TLS certificate")
        jira.add_issue("OPS-3", "Rotate API keys", priority="Low")
        trello.add_board("triage")
        trello.add_list("triage", "l-inbox", "Inbox")
        run = run_example(
            "jira-digest",
            tmp_path,
            {
                "jira_url": jira.url,
                "jira_user": jira.user,
                "jql": "project = OPS",
                "trello_app": trello.key,
                "trello_list": "l-inbox",
                "trello_url": trello.url,
            },
            env={
                "OI_PARAM_JIRA_TOKEN": jira.api_token,
                "OI_PARAM_SLACK_WEBHOOK": slack.webhook_url,
                "OI_PARAM_TRELLO_TOKEN": trello.token,
            },
        )
        assert run.code == 0, run.explain()
        assert slack.texts() == [
            "3 open issues\n"
            "• OPS-1 Disk full on db-2 (High)\n"
            "• OPS-2 Renew the TLS certificate (Medium)\n"
            "• OPS-3 Rotate API keys (Low)"
        ]
        assert sorted((c["name"], c["desc"], c["idList"]) for c in trello.created) == [
            ("OPS-1: Disk full on db-2", f"{jira.url}/browse/OPS-1", "l-inbox"),
            ("OPS-2: Renew the TLS certificate", f"{jira.url}/browse/OPS-2", "l-inbox"),
            ("OPS-3: Rotate API keys", f"{jira.url}/browse/OPS-3", "l-inbox"),
        ]
        assert jira.searches == ["project = OPS ORDER BY priority desc, key"] * 2
        everything = run.all_text()
        assert jira.api_token not in everything and trello.token not in everything
        assert slack.hook_path not in everything
