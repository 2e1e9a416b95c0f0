"""A card and its reverse (its siblings, one group) are not both shown on the same day while
other cards are waiting, in one session or across several the same day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_deck

from custserv_cards import queue
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

TODAY = date(2026, 11, 23)
DECK = """\
topic: sib
title: Siblings
description: Two cards with reverses, and three without.
cards:
""" + "".join(
    f"  - id: s{n}\n    kind: basic\n    prompt: Q{n}?\n    answer: A{n}.\n"
    f"    source: 000_notes.txt:{n}\n" + ("    reverse: true\n" if n in (1, 2) else "")
    for n in range(1, 6)
)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0).astimezone()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    write_deck(tmp_path / "decks", "sib", DECK)
    with Store.open(tmp_path / "custserv.db") as opened:
        sync_paths(opened, [tmp_path / "decks"])
        yield opened


def session(store: Store, answers: int, grade: int = 5) -> list[str]:
    """Answer up to ``answers`` cards of a new session; the ids in the order shown."""
    q = queue.Queue(store, TODAY, queue.Filter(("sib",)), queue.Limits(20, 200))
    shown: list[str] = []
    last: str | None = None
    for _ in range(answers):
        candidate = q.next(last)
        if candidate is None:
            break
        answer = store.record_answer(candidate.card_id, grade, at(TODAY))
        q.answered(candidate, answer.after.again)
        shown.append(candidate.card_id)
        last = candidate.group
    return shown


def test_reverses_wait_until_every_other_card_is_done(store: Store) -> None:
    assert session(store, 20) == ["s1", "s2", "s3", "s4", "s5", "s1:reverse", "s2:reverse"]


def test_a_second_session_the_same_day_keeps_siblings_apart(store: Store) -> None:
    assert session(store, 1) == ["s1"]
    assert session(store, 20) == ["s2", "s3", "s4", "s5", "s1:reverse", "s2:reverse"]


def test_due_siblings_wait_too(store: Store) -> None:
    for card in ("s1", "s1:reverse", "s3"):
        store.record_answer(card, 5, at(TODAY - timedelta(days=1)))  # all due today
    q = queue.Queue(store, TODAY, queue.Filter(("sib",)), queue.Limits(0, 200))
    first = q.next(None)
    assert first is not None and first.card_id == "s1"
    q.answered(first, store.record_answer("s1", 5, at(TODAY)).after.again)
    second = q.next(None)  # not the reverse, though it is due and was added first
    assert second is not None and second.card_id == "s3"


def test_undo_lets_the_sibling_come_back_in_order(store: Store) -> None:
    q = queue.Queue(store, TODAY, queue.Filter(("sib",)), queue.Limits(20, 200))
    first = q.next(None)
    assert first is not None and first.card_id == "s1"
    answer = store.record_answer("s1", 5, at(TODAY))
    q.answered(first, answer.after.again)
    store.undo_answer(answer, at(TODAY))
    q.unanswered(first)
    again = q.next(None)
    assert again is not None and again.card_id == "s1"
