"""The session engine, driven directly (no terminal): keys and typed answers in, screens out,
answers in a real temporary database. The whole loop in a terminal is in
test_session_pty.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_deck

from custserv_cards.keys import ENTER, EOF, SPACE
from custserv_cards.session import (
    Phase,
    QuizEngine,
    QuizOptions,
    ReviewEngine,
    ReviewOptions,
    Screen,
)
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

NOW = datetime(2026, 11, 23, 12, 0).astimezone()
DECK = """\
topic: eng
title: Engine
description: Cards for the engine tests.
cards:
""" + "".join(
    f"  - id: e{n}\n    kind: basic\n    prompt: Question {n}?\n    answer: Answer {n}.\n"
    f"    source: 000_notes.txt:{n}\n" + ("    reverse: true\n" if n == 1 else "")
    for n in range(1, 5)
)


class Clock:
    """Now, a second later at each call."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    write_deck(tmp_path / "decks", "eng", DECK)
    with Store.open(tmp_path / "custserv.db") as opened:
        sync_paths(opened, [tmp_path / "decks"])
        yield opened


def review(store: Store, mode: str = "flip", new: int | None = None) -> tuple[ReviewEngine, Screen]:
    engine = ReviewEngine(store, ReviewOptions(topics=("eng",), new=new, mode=mode), Clock())
    return engine, engine.start()


def answer(engine: ReviewEngine, grade: int) -> Screen:
    screen = engine.press(SPACE)
    assert screen.phase == Phase.ANSWER
    return engine.press(str(grade))


def shown(screen: Screen) -> str:
    assert screen.card is not None, screen
    return screen.card.id


def log(store: Store) -> list[tuple[str, int]]:
    return store.conn.execute("SELECT card_id, grade FROM reviews ORDER BY id").fetchall()


# --- what the grade keys say, and the counts ------------------------------------------------


def test_each_grade_key_says_what_it_will_do(store: Store) -> None:
    engine, screen = review(store)
    assert screen.phase == Phase.FRONT and screen.outcomes is None
    screen = engine.press(SPACE)
    assert screen.outcomes is not None
    labels = {g: o.label() for g, o in screen.outcomes.items()}
    assert labels == {0: "again today", 1: "again today", 2: "again today", 3: "again today",
                      4: "in 1 day", 5: "in 1 day"}  # fmt: skip
    store.record_answer("e2", 5, NOW - timedelta(days=1))  # due today, second time
    later, first = review(store)
    assert shown(first) == "e2"
    outcomes = later.press(SPACE).outcomes
    assert outcomes is not None and outcomes[4].label() == "in 6 days"


def test_a_three_is_said_to_come_back_and_the_counts_agree(store: Store) -> None:
    engine, screen = review(store)
    assert (screen.status.done, screen.status.left) == (0, 5)
    screen = answer(engine, 3)
    assert screen.notice is not None and "comes back later today" in screen.notice.text
    assert (screen.status.done, screen.status.left) == (0, 5)  # e1 is still left: a repeat
    for _ in range(3):  # e2, e3, e4
        screen = answer(engine, 5)
    assert (screen.status.done, screen.status.left) == (3, 2)
    assert shown(screen) == "e1"  # the repeat, before the sibling e1:reverse
    screen = answer(engine, 4)
    assert (screen.status.done, screen.status.left) == (4, 1)
    assert shown(screen) == "e1:reverse"
    screen = engine.press("q")
    summary = screen.summary
    assert screen.phase == Phase.END and summary is not None
    assert (summary.cards, len(summary.answers), summary.repeats) == (4, 5, 1)
    assert (summary.remembered, summary.easily, summary.pending) == (4, 3, [])


def test_progress_and_time_left_come_from_the_users_own_answer_times(store: Store) -> None:
    for seconds in (4, 6, 8, 30, 10):  # earlier drill answers: median 8 s
        store.record_answer("e4", 5, NOW, duration_ms=seconds * 1000, practice=True)
    engine, screen = review(store)
    assert screen.status.left == 5
    assert screen.status.seconds_left == pytest.approx(8 * 5)
    assert screen.status.share == 0.0
    screen = answer(engine, 5)
    assert screen.status.share == pytest.approx(1 / 5)


# --- undo takes back the last action, and only this session's ---------------------------------


def test_undo_takes_back_a_suspension_not_the_grade_before_it(store: Store) -> None:
    engine, _ = review(store)
    answer(engine, 5)  # e1
    screen = engine.press("s")  # suspends e2
    assert store.card("e2").suspended
    screen = engine.press("u")
    assert not store.card("e2").suspended
    assert shown(screen) == "e2"
    assert screen.notice is not None and "Undid the suspension of e2" in screen.notice.text
    assert log(store) == [("e1", 5)]  # the grade stays
    screen = engine.press("b")  # bury e2
    assert store.card("e2").buried_until is not None
    screen = engine.press("u")
    assert store.card("e2").buried_until is None and shown(screen) == "e2"
    screen = engine.press("u")  # now the grade
    assert shown(screen) == "e1" and log(store) == []
    screen = engine.press("u")
    assert screen.notice is not None and screen.notice.text == "Nothing to undo in this session."


def test_undo_never_takes_back_another_terminals_answer(store: Store) -> None:
    engine, _ = review(store)
    answer(engine, 4)  # e1
    store.record_answer("e3", 5, NOW + timedelta(minutes=1))  # another terminal
    screen = engine.press("u")
    assert shown(screen) == "e1"
    assert log(store) == [("e3", 5)]
    answer(engine, 4)
    store.record_answer("e1", 2, NOW + timedelta(minutes=2))  # the same card, elsewhere
    screen = engine.press("u")
    assert screen.notice is not None and "was not undone" in screen.notice.text
    assert log(store) == [("e3", 5), ("e1", 4), ("e1", 2)]


# --- keys help, quitting, the end of the day ------------------------------------------------


def test_question_mark_shows_the_keys_and_the_next_key_only_closes_them(store: Store) -> None:
    engine, _ = review(store)
    screen = engine.press("?")
    assert screen.help and screen.phase == Phase.FRONT
    screen = engine.press("5")  # closes the help; grades nothing
    assert not screen.help and log(store) == []
    screen = engine.press("x")
    assert screen.notice is not None and "? lists the keys" in screen.notice.text


def test_the_end_of_the_day_offers_new_cards(store: Store) -> None:
    engine, screen = review(store, new=1)
    screen = answer(engine, 5)
    assert screen.phase == Phase.OFFER and screen.more_new
    assert screen.lines[0] == "All done for today."
    screen = engine.press("u")  # the last grade can still be taken back
    assert screen.phase == Phase.FRONT and shown(screen) == "e1" and log(store) == []
    screen = answer(engine, 5)
    assert screen.phase == Phase.OFFER
    screen = engine.press("n")
    assert screen.phase == Phase.FRONT and shown(screen) == "e2"
    screen = engine.press(EOF)
    assert screen.phase == Phase.END and engine.finished


def test_a_card_retired_elsewhere_is_skipped(store: Store, tmp_path: Path) -> None:
    engine, screen = review(store)
    assert shown(screen) == "e1"
    write_deck(tmp_path / "decks", "eng", DECK.replace("  - id: e1\n", "  - id: x1\n"))
    sync_paths(store, [tmp_path / "decks"])  # another terminal: e1 is gone
    screen = answer(engine, 4)
    assert screen.notice is not None and "e1 was removed from its deck" in screen.notice.text
    assert screen.phase == Phase.FRONT and shown(screen) != "e1"
    assert log(store) == []


# --- typed answers --------------------------------------------------------------------------


def test_typed_answer_is_marked_and_enter_accepts_the_suggestion(store: Store) -> None:
    engine, screen = review(store, mode="type")
    assert screen.wants_typing
    screen = engine.typed(["Answer 1."])
    assert screen.phase == Phase.MARKED and screen.suggested == 5
    assert screen.outcomes is not None and screen.outcomes[5].label() == "in 1 day"
    screen = engine.press(ENTER)
    assert log(store) == [("e1", 5)] and screen.wants_typing
    screen = engine.typed(None)  # Ctrl-D
    assert screen.phase == Phase.END


# --- drills ---------------------------------------------------------------------------------


def test_weakest_drill_goes_weakest_first_on_any_topic(store: Store) -> None:
    day = NOW - timedelta(days=30)
    for n, grades in enumerate([(5, 5, 5), (0, 4, 1), (4, 4, 2), (0, 0, 0)]):
        for k, grade in enumerate(grades):
            store.record_answer(f"e{n + 1}", grade, day + timedelta(days=7 * k))
    engine = QuizEngine(store, QuizOptions(topics=(), count=3, weakest=True), Clock())
    assert [c.id for c in engine.cards] == ["e4", "e2", "e3"]
    screen = engine.start()
    assert shown(screen) == "e4" and screen.status.extra == "card 1 of 3 · 0 right"
    assert "weakest cards" in screen.status.where
    for grade in (5, 1, 4):
        engine.press(SPACE)
        screen = engine.press(str(grade))
    assert screen.phase == Phase.END and screen.quiz is not None
    assert (screen.quiz.asked, screen.quiz.correct) == (3, 2)
    drills = store.conn.execute("SELECT card_id FROM reviews WHERE kind = 'drill'").fetchall()
    assert drills == [("e4",), ("e2",), ("e3",)]


def test_choice_drill_records_the_pick_then_waits(store: Store) -> None:
    engine = QuizEngine(
        store, QuizOptions(topics=("eng",), count=2, mode="choice", seed=4), Clock()
    )
    screen = engine.start()
    assert screen.phase == Phase.CHOICE and screen.choice is not None
    right = screen.choice.options.index(screen.choice.right) + 1
    screen = engine.press(str(right))
    assert screen.phase == Phase.CHOSEN and screen.choice is not None and screen.choice.correct
    assert store.conn.execute("SELECT grade, kind FROM reviews").fetchall() == [(4, "drill")]
    screen = engine.press(SPACE)
    assert screen.phase == Phase.CHOICE and screen.status.extra == "card 2 of 2 · 1 right"


def test_the_header_carries_the_exam_line_when_an_exam_is_set(store: Store) -> None:
    _, screen = review(store)
    assert screen.status.exam is None
    store.set_settings({"exam_date": "2026-12-11"})
    store.record_answer("e2", 5, NOW - timedelta(days=1))
    _, screen = review(store)
    assert screen.status.exam is not None and screen.status.exam.startswith("exam in 18 days")
