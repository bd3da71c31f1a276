"""A fake Trello REST API (api.trello.com/1): board cards and lists, card creation, archiving.

Authentication is Trello's: ``key`` and ``token`` query parameters, a 401 with the plain text
``invalid key`` / ``invalid token`` otherwise. Cards carry the fields Trello sends (a subset of
them: the ones the catalog reads, plus a few it must ignore).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.base import Answer, FakeServer, RecordedRequest


@dataclass
class TrelloBoard:
    id: str
    lists: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)


class FakeTrello(FakeServer):
    """Boards are added with ``add_board``/``add_list``/``add_card``; ``archived`` lists the ids of
    cards closed through the API, ``created`` the cards made by POST /1/cards."""

    def __init__(self, key: str = "app-key", token: str = "trello-token") -> None:
        super().__init__()
        self.key = key
        self.token = token
        self.boards: dict[str, TrelloBoard] = {}
        self.archived: list[str] = []
        self.created: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.route("GET", r"/1/boards/(?P<board>[^/]+)/cards", self._board_cards)
        self.route("GET", r"/1/boards/(?P<board>[^/]+)/lists", self._board_lists)
        self.route("POST", r"/1/cards", self._create_card)
        self.route("PUT", r"/1/cards/(?P<card>[^/]+)", self._update_card)

    # -- building the board ---------------------------------------------------------------------------

    def add_board(self, board_id: str) -> TrelloBoard:
        self.boards[board_id] = TrelloBoard(board_id)
        return self.boards[board_id]

    def add_list(self, board_id: str, list_id: str, name: str) -> dict[str, Any]:
        board = self.boards[board_id]
        trello_list = {
            "id": list_id,
            "name": name,
            "closed": False,
            "idBoard": board_id,
            "pos": 16384 * (len(board.lists) + 1),
            "subscribed": False,
        }
        board.lists.append(trello_list)
        return trello_list

    def add_card(
        self, board_id: str, list_id: str, card_id: str, name: str, desc: str = ""
    ) -> dict[str, Any]:
        board = self.boards[board_id]
        card = {
            "id": card_id,
            "name": name,
            "desc": desc,
            "idBoard": board_id,
            "idList": list_id,
            "closed": False,
            "due": None,
            "dueComplete": False,
            "pos": 16384 * (len(board.cards) + 1),
            "url": f"https://trello.com/c/{card_id}/{name.lower().replace(' ', '-')}",
            "shortUrl": f"https://trello.com/c/{card_id}",
            "shortLink": card_id,
            "idShort": len(board.cards) + 1,
            "labels": [{"id": "l1", "idBoard": board_id, "name": "ops", "color": "green"}],
            "idLabels": ["l1"],
            "dateLastActivity": "2024-05-01T10:00:00.000Z",
            "badges": {"votes": 0, "comments": 0},
            "subscribed": False,
        }
        board.cards.append(card)
        return card

    def card(self, card_id: str) -> dict[str, Any] | None:
        for board in self.boards.values():
            for card in board.cards:
                if card["id"] == card_id:
                    return card
        return None

    # -- routes -------------------------------------------------------------------------------------

    def _unauthorized(self, request: RecordedRequest) -> Answer | None:
        if request.query.get("key") != self.key:
            return Answer(401, "invalid key", content_type="text/plain; charset=utf-8")
        if request.query.get("token") != self.token:
            return Answer(401, "invalid token", content_type="text/plain; charset=utf-8")
        return None

    def _board(self, board_id: str) -> TrelloBoard | None:
        return self.boards.get(board_id)

    def _board_cards(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._unauthorized(request)
        if denied:
            return denied
        board = self._board(match["board"])
        if board is None:
            return Answer(400, "invalid id", content_type="text/plain; charset=utf-8")
        # Trello's default filter for board cards is "visible": archived cards are left out.
        return Answer(200, [c for c in board.cards if not c["closed"]])

    def _board_lists(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._unauthorized(request)
        if denied:
            return denied
        board = self._board(match["board"])
        if board is None:
            return Answer(400, "invalid id", content_type="text/plain; charset=utf-8")
        wanted = request.query.get("filter", "open")
        return Answer(200, [item for item in board.lists if wanted == "all" or not item["closed"]])

    def _fields(self, request: RecordedRequest) -> dict[str, Any]:
        fields: dict[str, Any] = dict(request.query)
        content_type = request.headers.get("Content-Type", "")
        if request.body and content_type.startswith("application/json"):
            fields.update(request.json())
        elif request.body:
            fields.update(request.form())
        return fields

    def _create_card(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._unauthorized(request)
        if denied:
            return denied
        fields = self._fields(request)
        list_id = fields.get("idList", "")
        board = next((b for b in self.boards.values() if any(x["id"] == list_id for x in b.lists)), None)
        if board is None:
            return Answer(400, "invalid value for idList", content_type="text/plain; charset=utf-8")
        card_id = f"new{next(self._ids)}"
        card = self.add_card(
            board.id, list_id, card_id, str(fields.get("name", "")), str(fields.get("desc", ""))
        )
        labels = fields.get("idLabels", "")
        card["idLabels"] = labels if isinstance(labels, list) else [x for x in str(labels).split(",") if x]
        self.created.append(card)
        return Answer(200, card)

    def _update_card(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._unauthorized(request)
        if denied:
            return denied
        card = self.card(match["card"])
        if card is None:
            return Answer(
                404, "The requested resource was not found.", content_type="text/plain; charset=utf-8"
            )
        fields = self._fields(request)
        if str(fields.get("closed", "")).lower() == "true":
            card["closed"] = True
            self.archived.append(card["id"])
        return Answer(200, card)
