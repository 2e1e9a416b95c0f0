"""What each grade key says it will do (the next interval, or 'again today') is what
recording that grade then does, with SM-2 and with FSRS; one answer can be taken back by
its id without touching anything else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_deck

from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

NOW = datetime(2026, 11, 23, 12, 0).astimezone()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    write_deck(tmp_path / "decks", "alpha")
    with Store.open(tmp_path / "custserv.db") as opened:
        sync_paths(opened, [tmp_path / "decks"])
        yield opened


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
@pytest.mark.parametrize("history", [(), (4,), (5, 5), (1,)])
def test_preview_matches_what_is_recorded(
    store: Store, scheduler: str, history: tuple[int, ...]
) -> None:
    if scheduler == "fsrs":
        pytest.importorskip("fsrs_rs_python")
    store.set_setting("scheduler", scheduler)
    for n, grade in enumerate(history):  # earlier days
        store.record_answer("t-basic", grade, NOW - timedelta(days=10 * (len(history) - n)))
    for same_day in (False, True):
        if same_day:  # a card answered today: further answers are same-day repeats
            store.record_answer("t-basic", 3, NOW)
        outcomes = store.outcomes("t-basic", NOW + timedelta(minutes=1))
        assert sorted(outcomes) == [0, 1, 2, 3, 4, 5]
        for grade, outcome in outcomes.items():
            answer = store.record_answer("t-basic", grade, NOW + timedelta(minutes=1))
            assert answer.after.due is not None
            assert outcome.days == (answer.after.due - NOW.date()).days
            assert outcome.again == answer.after.again
            assert outcome.kind == answer.kind
            assert store.undo_answer(answer, NOW) is not None


def test_sm2_labels_for_a_new_card(store: Store) -> None:
    labels = {g: o.label() for g, o in store.outcomes("t-basic", NOW).items()}
    assert labels == {
        0: "again today",
        1: "again today",
        2: "again today",
        3: "again today",
        4: "in 1 day",
        5: "in 1 day",
    }
    store.record_answer("t-basic", 5, NOW - timedelta(days=1))
    assert store.outcomes("t-basic", NOW)[4].label() == "in 6 days"


def test_undo_answer_takes_back_that_answer_only(store: Store) -> None:
    mine = store.record_answer("t-basic", 4, NOW)
    theirs = store.record_answer("t-cloze", 5, NOW + timedelta(seconds=1))
    undone = store.undo_answer(mine, NOW + timedelta(seconds=2))
    assert undone is not None and (undone.card_id, undone.grade) == ("t-basic", 4)
    rows = store.conn.execute("SELECT id, card_id FROM reviews").fetchall()
    assert rows == [(theirs.review_id, "t-cloze")]
    assert store.card("t-basic").state.last_day is None
    assert store.undo_answer(mine, NOW) is None  # already undone: nothing happens


def test_undo_answer_refuses_when_the_card_was_answered_again_since(store: Store) -> None:
    mine = store.record_answer("t-basic", 2, NOW)
    store.record_answer("t-basic", 5, NOW + timedelta(minutes=5))  # another process
    assert store.undo_answer(mine, NOW + timedelta(minutes=6)) is None
    assert store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (2,)
