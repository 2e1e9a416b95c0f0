"""Today's queue: due reviews first, new cards mixed in within limits, repeats, siblings kept
apart, the streak and the next due days; on real databases built by the migrations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_deck

from custserv_cards import queue
from custserv_cards.errors import UsageError
from custserv_cards.stats import streak
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

TODAY = date(2026, 11, 23)

DECK = """\
topic: alpha
title: Alpha
description: Cards for the queue tests.
cards:
  - id: a1
    kind: basic
    prompt: One?
    answer: One.
    reverse: true
    source: 000_notes.txt:1
  - id: a2
    kind: basic
    prompt: Two?
    answer: Two.
    source: 000_notes.txt:2
  - id: a3
    kind: basic
    prompt: Three?
    answer: Three.
    source: 000_notes.txt:3
  - id: a4
    kind: basic
    prompt: Four?
    answer: Four.
    source: 000_notes.txt:4
  - id: a5
    kind: basic
    prompt: Five?
    answer: Five.
    source: 000_notes.txt:5
"""


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0).astimezone()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    write_deck(tmp_path / "decks", "alpha", DECK)
    write_deck(tmp_path / "decks", "beta")
    with Store.open(tmp_path / "custserv.db") as opened:
        sync_paths(opened, [tmp_path / "decks"])
        yield opened


def make_queue(
    store: Store, new: int = 20, reviews: int = 200, topics: tuple[str, ...] = ()
) -> queue.Queue:
    return queue.Queue(store, TODAY, queue.Filter(topics), queue.Limits(new, reviews))


def drain(store: Store, q: queue.Queue, grade: int = 5, steps: int = 50) -> list[str]:
    """Answer every card the queue offers; the ids in the order shown."""
    shown: list[str] = []
    last: str | None = None
    for _ in range(steps):
        candidate = q.next(last)
        if candidate is None:
            return shown
        answer = store.record_answer(candidate.card_id, grade, at(TODAY))
        q.answered(candidate, answer.after.again)
        shown.append(candidate.card_id)
        last = candidate.group
    raise AssertionError("the queue never ended")


def test_new_cards_in_deck_order_a_sibling_after_everything_else(store: Store) -> None:
    shown = drain(store, make_queue(store, topics=("alpha",)))
    assert shown == ["a1", "a2", "a3", "a4", "a5", "a1:reverse"]


def test_new_limit_and_topic_filter(store: Store) -> None:
    shown = drain(store, make_queue(store, new=2, topics=("beta",)))
    assert shown == ["t-basic", "t-cloze"]  # the reverse is not shown right after t-basic


def test_due_reviews_first_most_overdue_first_then_new_mixed_in(store: Store) -> None:
    store.record_answer("a3", 5, at(TODAY - timedelta(days=3)))  # due 2 days ago
    store.record_answer("a2", 5, at(TODAY - timedelta(days=1)))  # due today
    store.record_answer("a4", 5, at(TODAY - timedelta(days=5)))  # due 4 days ago
    q = make_queue(store, new=2, topics=("alpha",))
    assert queue.left_today(store, TODAY, q.where, q.limits) == (3, 2, 0)
    shown = drain(store, q)
    assert shown[0] == "a4"
    assert [s for s in shown if s in ("a2", "a3", "a4")] == ["a4", "a3", "a2"]
    assert len(shown) == 5
    assert shown.index("a1") < shown.index("a2")  # new cards are mixed in, not kept to the end


def test_reviews_limit(store: Store) -> None:
    for card in ("a2", "a3", "a4"):
        store.record_answer(card, 5, at(TODAY - timedelta(days=2)))
    shown = drain(store, make_queue(store, new=0, reviews=2, topics=("alpha",)))
    assert shown == ["a2", "a3"]


def test_a_failed_card_comes_back_after_others_until_it_scores_four(store: Store) -> None:
    q = make_queue(store, topics=("alpha",))
    first = q.next(None)
    assert first is not None and first.card_id == "a1"
    answer = store.record_answer("a1", 2, at(TODAY))
    q.answered(first, answer.after.again)
    assert [c.card_id for c in queue.pending_repeats(store, TODAY, q.where)] == ["a1"]
    order = drain(store, q)
    # a1 returns after REPEAT_GAP other cards; graded 5 the repeat ends it.
    assert order.index("a1") == queue.REPEAT_GAP
    kinds = store.conn.execute(
        "SELECT kind FROM reviews WHERE card_id = 'a1' ORDER BY id"
    ).fetchall()
    assert kinds == [("learn",), ("repeat",)]
    assert queue.pending_repeats(store, TODAY, q.where) == []


def test_suspended_buried_and_undone_cards(store: Store) -> None:
    store.set_suspended("a1", True)
    store.bury("a2", TODAY + timedelta(days=1))
    q = make_queue(store, topics=("alpha",))
    first = q.next(None)
    assert first is not None and first.card_id == "a1:reverse"
    store.record_answer("a1:reverse", 4, at(TODAY))
    q.answered(first, False)
    store.undo(1, at(TODAY))
    q.unanswered(first)
    again = q.next(None)
    assert again is not None and again.card_id == "a1:reverse"


def test_counts_and_daily_limits(store: Store) -> None:
    store.record_answer("a1", 5, at(TODAY))
    store.record_answer("a2", 1, at(TODAY))
    store.record_answer("a2", 5, at(TODAY))
    store.record_answer("a3", 5, at(TODAY), practice=True)
    counts = queue.counts_today(store, TODAY)
    assert (counts.learned, counts.reviewed, counts.repeated, counts.done) == (2, 0, 1, 3)
    store.set_setting("new_per_day", "5")
    limits = queue.daily_limits(store, counts, None, None)
    assert (limits.new, limits.reviews) == (3, 200)
    assert queue.daily_limits(store, counts, 7, 1) == queue.Limits(7, 1)


def test_next_due_and_due_by_day(store: Store) -> None:
    assert queue.next_due(store, TODAY) is None
    store.record_answer("a1", 5, at(TODAY))  # due tomorrow
    store.record_answer("a2", 5, at(TODAY))
    store.record_answer("a3", 5, at(TODAY - timedelta(days=1)))  # due today: not "next"
    assert queue.next_due(store, TODAY) == TODAY + timedelta(days=1)
    assert queue.due_by_day(store, TODAY) == [(TODAY + timedelta(days=1), 2)]
    assert queue.new_available(store, TODAY, queue.Filter(("alpha",))) == 1


def test_session_streak_counts_study_days_and_skips_days_with_nothing_due(store: Store) -> None:
    assert streak(store.conn, TODAY) == 0
    d = TODAY - timedelta(days=10)
    store.record_answer("a1", 5, at(d))  # due d+1
    store.record_answer("a1", 5, at(d + timedelta(days=1)))  # due d+7
    # nothing due from d+2 to d+6: those days without answers do not break the streak
    store.record_answer("a1", 5, at(d + timedelta(days=7)))  # answered on time
    assert streak(store.conn, d + timedelta(days=7)) == 3
    # Yesterday's answers count while today has none yet.
    assert streak(store.conn, d + timedelta(days=8)) == 3


def test_streak_breaks_on_a_missed_day_with_work(store: Store) -> None:
    d = TODAY - timedelta(days=10)
    store.record_answer("a1", 5, at(d))  # due d+1, answered late on d+3
    store.record_answer("a1", 5, at(d + timedelta(days=3)))
    store.record_answer("a2", 5, at(d + timedelta(days=4)))
    assert streak(store.conn, d + timedelta(days=4)) == 2
    # A card left overdue breaks it too.
    store.record_answer("a3", 2, at(d + timedelta(days=4)))  # due d+5, never answered
    assert streak(store.conn, d + timedelta(days=7)) == 0


def test_unknown_topic_names_the_closest(store: Store) -> None:
    assert queue.check_topics(store, ["beta", "alpha", "beta"]) == ("beta", "alpha")
    with pytest.raises(UsageError, match=r"unknown topic 'alpah'.*did you mean 'alpha'\?"):
        queue.check_topics(store, ["alpah"])
    with pytest.raises(UsageError, match="topics: alpha, beta"):
        queue.check_topics(store, ["zzz"])


def test_topic_cards_for_drills(store: Store) -> None:
    store.set_suspended("a5", True)
    ids = [card.id for card in queue.topic_cards(store, ["alpha"])]
    assert ids == ["a1", "a1:reverse", "a2", "a3", "a4"]


def test_counts_kept_answer_by_answer_equal_a_recount(store: Store) -> None:
    import random

    rng = random.Random(3)
    for card in ("a2", "a3", "a4"):  # some reviews due today, the rest new
        store.record_answer(card, 5, at(TODAY - timedelta(days=1)))
    limits = queue.Limits(new=3, reviews=10)
    picker = queue.Queue(store, TODAY, queue.Filter(), limits)
    last: str | None = None
    for _ in range(12):
        candidate = picker.next(last)
        if candidate is None:
            break
        answer = store.record_answer(candidate.card_id, rng.choice((1, 3, 4, 5)), at(TODAY))
        picker.answered(candidate, answer.after.again)
        last = candidate.group
        kept = picker.left()
        picker.changed()
        assert kept == picker.left(), candidate
    assert picker.left() == 0


def test_the_next_new_cards_are_read_along_the_new_cards_index(store: Store) -> None:
    """Suspended new cards are not stepped over one by one before each answer: the query of
    the next new cards (whatever groups it avoids) reads the new cards' own index, and
    still returns them in deck order, suspended ones left out."""
    store.conn.execute("UPDATE state SET suspended = 1 WHERE card_id IN ('a1', 'a2')")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    found = queue.new_cards(store, TODAY, queue.Filter(), 3, avoid=["a4"])
    store.conn.set_trace_callback(None)
    assert [c.card_id for c in found] == ["a1:reverse", "a3", "a5"]
    (query,) = [s for s in statements if s.startswith("SELECT")]
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "USING INDEX state_new" in plan, plan


def test_the_queue_queries_keep_their_text_as_answered_groups_grow(store: Store) -> None:
    """The groups a session has answered go in as one parameter: the statements' text is the
    same after every answer, so SQLite prepares each once a session (a placeholder per group
    made a new statement after every answer)."""
    texts: list[set[str]] = []
    for avoided in ([], ["a1"], ["a1", "a2", "a3"]):
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        reviews = queue.due_reviews(store, TODAY, queue.Filter(), 6, avoid=avoided)
        new = queue.new_cards(store, TODAY, queue.Filter(), 6, avoid=avoided)
        store.conn.set_trace_callback(None)
        assert not {c.group for c in [*reviews, *new]} & set(avoided)
        texts.append({re.sub(r"'[^']*'", "?", s) for s in statements})
    assert texts[1] == texts[2]
