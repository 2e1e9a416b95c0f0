"""``custserv stats`` at 120, 80 and 40 columns: topic names and card ids (what a user types
into --topic, 'card show' or 'suspend') are never cut, no line is wider than the terminal,
no column is dropped, and the legends wrap between words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run

from custserv_cards.render import stdout_console
from custserv_cards.store import Store

NOW = "2026-11-23T12:00"
COLUMNS = ("cards", "new", "learn", "young", "mature", "susp", "leech")
COLUMNS += ("ret 30d", "rev 30d", "avg EF", "today", "tmrw", "7 days")


@pytest.fixture
def history(cli: Run, db_path: Path) -> tuple[list[str], list[str]]:
    """The bundled decks, with lapses on the cards whose ids are longest; (topics, ids)."""
    assert cli("topics", now=NOW).code == 0
    with Store.open(db_path) as store:
        ids = sorted(
            (r[0] for r in store.conn.execute("SELECT id FROM cards")), key=len, reverse=True
        )[:5]
        start = datetime(2026, 11, 10, 12)
        for day in range(10):
            for card_id in ids:
                store.record_answer(card_id, 0 if day % 2 else 4, start + timedelta(days=day))
        topics = store.topic_slugs()
    return topics, ids


@pytest.mark.parametrize("width", [120, 80, 40])
def test_stats_names_are_never_cut(
    cli: Run, history: tuple[list[str], list[str]], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics, ids = history
    monkeypatch.setenv("COLUMNS", str(width))
    stdout_console.cache_clear()
    try:
        result = cli("stats", now=NOW)
    finally:
        stdout_console.cache_clear()
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= width
    words = {word for line in lines for word in line.split()}
    for topic in topics:
        assert topic in words, f"{topic} cut or missing at {width} columns"
    for card_id in ids:
        if len(card_id) < width:
            assert card_id in words, f"{card_id} cut or missing at {width} columns"
        else:  # longer than the terminal is wide: folded onto the next line, not cut
            assert card_id in result.out.replace("\n", ""), f"{card_id} cut at {width}"
    flat = " ".join(result.out.split())
    for column in COLUMNS:
        assert f" {column} " in f" {flat} ", f"column {column} dropped at {width} columns"
    # a card's text is shortened after a whole word, never inside one
    assert not re.search(r"\w…", result.out), result.out
    # the legends end with whole words, after wrapping
    assert "leech: failed 8 times or more" in flat
    assert "7 days: due on or before a week from today" in flat
