"""Progress through the rewrite of the bundled decks: a database that studied the decks as they
were (tests/data/cards_before_rewrite.txt) keeps every answer on the cards that survive, and
the cards that were merged or dropped are retired with their history."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Run

from custserv_cards import paths
from custserv_cards.store import Store

BEFORE = Path(__file__).parent / "data" / "cards_before_rewrite.txt"

# Each review item the rewrite retired, and the card that now teaches what it taught (its
# wording, example or figure is in that card's prompt, answer or extra), or None where nothing
# replaces it one for one.
RETIRED: dict[str, str | None] = {
    "app-complaints-resolve": "complaints-tell-resolved",
    "app-currys-laptop-guidance": "def-good-customer-service",
    "b2b-every-brand": "b2b-care-processes",
    "benefits-expectations-cards": None,  # eight bare headings: now eight app-benefit-* cards
    "benefits-greater-sales-cloze": None,  # a blank on "sales"
    "benefits-lecture-slides": "benefits-flashcards",
    "benefits-revision-notes": "benefits-flashcards",
    "complaints-data-source": "complaints-tell-unresolved",
    "customer-not-for-profit-managers": "customer-substitute-why",
    "customer-purchase-or-rent": "def-customer",
    "def-customer-satisfaction-scott": "def-customer-satisfaction-expectations-cards",
    "def-product-bundling:reverse": "app-product-bundling",
    "external-customers-exchange": "def-external-customers",
    "ics-priorities-count": "ics-priorities",
    "ict-self-service-example": "def-self-service",
    "poor-service-effects": "poor-service-dangers",
    "poor-service-external-factor": "poor-service-causes",
    "retention-above-competitors": None,  # circular, on a lead-in whose list is missing
    "sales-engage-two-way": "sales-engage",
    "total-cvm-cva": None,  # jargon the notes never explain
    "total-cvm-voice-of-employee": "total-cvm-practices",
}


def _old_items() -> list[tuple[str, str, str, bool]]:
    """(topic, card id, kind, reverse) of each card before the rewrite."""
    rows = []
    for line in BEFORE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            topic, cid, kind, *rest = line.split()
            rows.append((topic, cid, kind, rest == ["reverse"]))
    return rows


def _old_decks(folder: Path) -> None:
    """Decks with the old topics, ids, kinds and reverses (the wording does not matter: an
    edit keeps a card's progress)."""
    decks: dict[str, list[dict[str, object]]] = {}
    for topic, cid, kind, reverse in _old_items():
        card: dict[str, object] = {"id": cid, "kind": kind, "source": "old.txt:1"}
        if kind == "basic":
            card.update(prompt=f"Old question {cid}?", answer="Old answer", reverse=reverse)
        elif kind == "cloze":
            card["text"] = f"Old sentence {cid} with a {{{{blank}}}}."
        else:
            card.update(prompt=f"Name the two parts of {cid}.", items=["First", "Second"])
        decks.setdefault(topic, []).append(card)
    folder.mkdir()
    for topic, cards in decks.items():
        deck = {"topic": topic, "title": topic, "description": "Before.", "cards": cards}
        (folder / f"{topic}.yaml").write_text(yaml.safe_dump(deck), encoding="utf-8")


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _state(db: Path) -> dict[str, tuple[object, ...]]:
    rows = _rows(
        db,
        "SELECT c.id, c.retired, s.repetitions, s.easiness, s.interval, s.due, "
        "(SELECT COUNT(*) FROM reviews r WHERE r.card_id = c.id) "
        "FROM cards c JOIN state s ON s.card_id = c.id",
    )
    return {row[0]: row[1:] for row in rows}


def test_an_old_database_keeps_its_progress_through_the_rewrite(
    cli: Run, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = paths.bundled_decks_dir()
    old = tmp_path / "old-bundled"
    _old_decks(old)
    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: old)
    assert cli("decks", "sync", now="2026-11-20T09:00").code == 0
    items = [
        cid + suffix for _, cid, _, rev in _old_items() for suffix in ["", ":reverse"][: 1 + rev]
    ]
    with Store.open(db_path) as store:  # an answer to every item, as `custserv grade` gives it
        for n, item in enumerate(items):
            store.record_answer(item, 3 + n % 3, datetime(2026, 11, 20, 10, n % 60))
    before = _state(db_path)
    assert sorted(before) == sorted(items) and all(row[5] == 1 for row in before.values())

    monkeypatch.setattr(paths, "bundled_decks_dir", lambda: bundled)
    result = cli("decks", "sync", now="2026-11-21T09:00")
    assert result.code == 0, result
    after = _state(db_path)
    retired = {cid for cid, row in after.items() if row[0] == 1}
    assert retired == set(RETIRED), "a card of the old decks was retired: add it to RETIRED"
    for item, row in before.items():
        # the same schedule and the same answer on record, retired or not
        assert after[item][1:] == row[1:], item
    for kept in filter(None, RETIRED.values()):
        assert after[kept][0] == 0, f"{kept} replaces a retired card but is not in the decks"
    topics = dict(_rows(db_path, "SELECT id, topic FROM cards"))
    # cards that moved deck (the expectation and satisfaction definitions to the glossary)
    assert topics["def-customer-expectations"] == "glossary"
    assert topics["def-customer-satisfaction-expectations-cards"] == "glossary"
    assert topics["def-kpi"] == "customer-support"


def _asked(content: str) -> str:
    """What a card asks and expects (not its extra or accepted alternatives), in lower case."""
    fields = json.loads(content)["fields"]
    keys = ("prompt", "answer", "text", "items")
    return json.dumps([fields.get(k) for k in keys]).lower()


def test_expectations_and_satisfaction_are_defined_before_cards_use_them(
    cli: Run, db_path: Path
) -> None:
    assert cli("topics").code == 0  # a new database: the bundled decks, new cards in course order
    rows = _rows(
        db_path,
        "SELECT c.grp, c.content FROM state s JOIN cards c ON c.id = s.card_id ORDER BY s.rowid",
    )
    groups = list(dict.fromkeys(group for group, _ in rows))
    for word, definition in [
        ("expectation", "def-customer-expectations"),
        ("satisf", "def-customer-satisfaction-expectations-cards"),
    ]:
        users = [g for g, content in rows if word in _asked(content) and g != definition]
        assert groups.index(definition) < groups.index(users[0]), (word, users[0])
        assert groups.index(definition) < 3  # among the first cards of the course
