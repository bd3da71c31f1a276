"""The Trello endpoints: read a board's cards (with their lists), add a card, archive cards.

Trello authenticates with ``key`` and ``token`` query parameters, so every URL carries a credential:
``remote.request`` masks both wherever a URL is shown. Board cards are not paged by Trello (one
request returns every open card), so there is no pagination to follow here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runtime.catalog import remote

DEFAULT_BASE_URL = "https://api.trello.com"

Log = Callable[[str], None]


def _auth(arguments: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    auth = arguments["Auth"]
    return {"key": auth["App"], "token": auth["Token"]}, [auth["Token"]]


def _base(arguments: Mapping[str, Any]) -> str:
    return str(arguments.get("Base_URL") or DEFAULT_BASE_URL)


def _card(card: Mapping[str, Any], lists: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    list_id = str(card.get("idList", ""))
    trello_list = lists.get(list_id, {})
    return {
        "id": str(card.get("id", "")),
        "name": str(card.get("name", "")),
        "desc": str(card.get("desc") or ""),
        "idBoard": str(card.get("idBoard", "")),
        "idList": list_id,
        "List": {
            "id": list_id,
            "name": str(trello_list.get("name", "")),
            "closed": bool(trello_list.get("closed", False)),
            "pos": trello_list.get("pos") if isinstance(trello_list.get("pos"), (int, float)) else 0,
        },
        "closed": bool(card.get("closed", False)),
        "due": card.get("due") if isinstance(card.get("due"), str) else None,
        "url": str(card.get("url", "")),
        "shortUrl": str(card.get("shortUrl", "")),
        "labels": [
            {
                "id": str(label.get("id", "")),
                "name": str(label.get("name") or ""),
                "color": label.get("color") if isinstance(label.get("color"), str) else None,
            }
            for label in card.get("labels") or []
            if isinstance(label, Mapping)
        ],
        "dateLastActivity": str(card.get("dateLastActivity") or ""),
    }


def getcards(arguments: Mapping[str, Any], log: Log) -> list[dict[str, Any]]:
    """The board's open cards, each with the list it is in (``List.name`` is what pipelines test)."""
    credentials, secrets = _auth(arguments)
    board = arguments["Board"]
    base = _base(arguments)
    quoted = remote.quote_segment(board)
    # filter=all: a card can sit in an archived list and still needs its list's name.
    lists = remote.request(
        "GET",
        remote.join_url(base, f"/1/boards/{quoted}/lists", {**credentials, "filter": "all"}),
        secrets=secrets,
    ).json()
    cards = remote.request(
        "GET", remote.join_url(base, f"/1/boards/{quoted}/cards", credentials), secrets=secrets
    ).json()
    if not isinstance(lists, list) or not isinstance(cards, list):
        raise remote.RemoteError(f"Trello answered board {board} with something that is not a list of cards")
    by_id = {str(item.get("id")): item for item in lists if isinstance(item, Mapping)}
    result = [_card(card, by_id) for card in cards if isinstance(card, Mapping)]
    log(f"board {board}: {len(result)} cards in {len(by_id)} lists")
    return result


def addcard(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    """Create a card at the bottom of ``List``."""
    credentials, secrets = _auth(arguments)
    fields: dict[str, Any] = {"idList": arguments["List"], "name": arguments["Name"], "pos": "bottom"}
    if arguments.get("Description"):
        fields["desc"] = arguments["Description"]
    if arguments.get("Labels"):
        fields["idLabels"] = ",".join(arguments["Labels"])
    created = remote.request(
        "POST", remote.join_url(_base(arguments), "/1/cards", credentials), json_body=fields, secrets=secrets
    ).json()
    if not isinstance(created, Mapping) or "id" not in created:
        raise remote.RemoteError("Trello did not answer with the created card")
    log(f"created card {created['id']} in list {arguments['List']}")
    return {"id": str(created["id"]), "url": str(created.get("url", ""))}


def archivecards(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    """Close every card of ``CardIDs``, in order; the first failure stops and names the card."""
    credentials, secrets = _auth(arguments)
    base = _base(arguments)
    done = 0
    total = len(arguments["CardIDs"])
    for card_id in arguments["CardIDs"]:
        url = remote.join_url(
            base, f"/1/cards/{remote.quote_segment(card_id)}", {**credentials, "closed": "true"}
        )
        try:
            remote.request("PUT", url, secrets=secrets)
        except remote.RemoteError as error:
            raise remote.RemoteError(
                f"archiving card {card_id} failed after {done} of {total} archived: {error}",
                status=error.status,
            ) from None
        done += 1
        log(f"archived card {card_id}")
    return {}
