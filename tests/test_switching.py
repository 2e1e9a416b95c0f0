"""Switching scheduler keeps each card's progress, both ways; undo is exact under both."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import Run, dump
from integrity import assert_sound
from real_collection import collection_from_revlog

from custserv_cards.scheduler import codec
from custserv_cards.scheduler.fsrs import FSRS
from custserv_cards.scheduler.state import CardState, SM2Memory
from custserv_cards.store import Store

CARD = "poor-service-causes"
START = date(2026, 1, 1)


def grade(cli: Run, value: int, day: date) -> dict[str, object]:
    result = cli("grade", CARD, str(value), now=f"{day.isoformat()}T10:00")
    assert result.code == 0, result
    shown = json.loads(cli("card", "show", CARD, "--json").out)
    state: dict[str, object] = shown["state"]
    return state


def test_switching_back_and_forth_keeps_progress(cli: Run, db_path: Path) -> None:
    day = START
    for _ in range(5):  # SM-2: 1, 6, 17, 48, 140 days
        state = grade(cli, 5, day)
        day = date.fromisoformat(str(state["due"]))
    assert state["interval"] == 140

    assert cli("config", "scheduler", "fsrs").code == 0
    state = grade(cli, 4, day)  # FSRS: memory from the card's own five answers
    fsrs_interval = int(str(state["interval"]))
    assert fsrs_interval > 140, state  # a long-interval card stays one (it was 2 days)
    assert state["repetitions"] == 6 and state["easiness"] == 3.0  # EF carried along
    day = date.fromisoformat(str(state["due"]))

    assert cli("config", "scheduler", "sm2").code == 0
    state = grade(cli, 4, day)  # SM-2: the interval FSRS gave carries over
    assert state["interval"] == -(-fsrs_interval * 300 // 100), state
    day = date.fromisoformat(str(state["due"]))

    assert cli("config", "scheduler", "fsrs").code == 0
    before = dump(db_path)
    state = grade(cli, 3, day)  # FSRS again: its memory is stale, rebuilt from all answers
    assert int(str(state["interval"])) > 140, state
    history = json.loads(cli("card", "show", CARD, "--json").out)["history"]
    assert [h["scheduler"] for h in history] == ["sm2"] * 5 + ["fsrs", "sm2", "fsrs"]
    assert json.loads(history[-1]["after"]["fsrs"])["day"] == day.isoformat()
    assert_sound(db_path)

    assert cli("undo").code == 0  # undo under FSRS
    assert [r for r in dump(db_path) if r[0] != "undone_reviews"] == [
        r for r in before if r[0] != "undone_reviews"
    ]
    assert cli("config", "scheduler", "sm2").code == 0
    assert cli("undo").code == 0  # undo of the SM-2 answer, under SM-2
    state = json.loads(cli("card", "show", CARD, "--json").out)["state"]
    assert state["interval"] == fsrs_interval
    assert_sound(db_path)


def test_a_card_whose_log_is_short_starts_fsrs_from_its_sm2_state() -> None:
    # Progress the log does not account for (its answers undone, say): FSRS reads the
    # card's EF and interval, as Anki does when FSRS is turned on.
    day = START + timedelta(days=212)
    state = CardState(
        repetitions=5, interval=140, due=day, last_day=day - timedelta(140), sm2=SM2Memory(300)
    )
    fsrs = FSRS()
    assert fsrs.needs_history(state)
    assert fsrs.with_history(state, []) == state
    after, kind = fsrs.review(state, 4, day)
    assert kind == "review" and after.interval > 140 and after.sm2 == state.sm2
    new_card, _ = fsrs.review(CardState(), 4, day)
    assert new_card.interval < 10


PY_FSRS_MEMORY = json.dumps(
    {"card_id": 0, "state": 2, "step": None, "stability": 3.2, "difficulty": 5.1,
     "due": "2026-01-05T10:00:00+00:00", "last_review": "2026-01-02T10:00:00+00:00"}
)  # fmt: skip


def test_memories_written_by_the_older_fsrs_library_are_rebuilt(cli: Run, db_path: Path) -> None:
    # Earlier versions kept py-fsrs's card JSON; it has no study day, so it reads as no memory
    # and FSRS rebuilds the card's memory from its log. doctor sees nothing wrong.
    import sqlite3

    assert cli("config", "scheduler", "fsrs").code == 0
    grade(cli, 4, START)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE state SET fsrs = ?", (PY_FSRS_MEMORY,))
        conn.execute("UPDATE reviews SET after = json_set(after, '$.fsrs', ?)", (PY_FSRS_MEMORY,))
    conn.close()
    assert "disagree" not in cli("doctor").out
    state = grade(cli, 4, START + timedelta(days=3))
    assert state["fsrs"] is not None and int(str(state["interval"])) > 3
    history = json.loads(cli("card", "show", CARD, "--json").out)["history"]
    assert json.loads(history[-1]["after"]["fsrs"])["day"] == "2026-01-04"
    assert_sound(db_path)


def states(db_path: Path) -> dict[str, CardState]:
    with Store.open(db_path) as store:
        rows = store.conn.execute(
            f"SELECT card_id, {codec.STATE_COLUMNS} FROM state WHERE last_day IS NOT NULL"
        ).fetchall()
    return {row[0]: codec.from_row(row[1:]) for row in rows}


def answer_each_on_its_due_day(db_path: Path, grade: int) -> dict[str, CardState]:
    """Every answered card answered ``grade`` on its due day, under the scheduler the settings
    choose; the states after."""
    with Store.open(db_path) as store:
        for card_id, state in states(db_path).items():
            assert state.due is not None
            store.record_answer(card_id, grade, datetime.combine(state.due, time(12)).astimezone())
    return states(db_path)


def test_switching_back_and_forth_on_a_collection_with_history(cli: Run, db_path: Path) -> None:
    cards, _ = collection_from_revlog(db_path, cli, limit=40)
    under_sm2 = states(db_path)
    assert len(under_sm2) == cards == 40

    # To FSRS: switching changes no card; each card's memory then comes from its own history.
    before = [r for r in dump(db_path) if r[0] != "settings"]
    assert cli("config", "scheduler", "fsrs").code == 0
    assert [r for r in dump(db_path) if r[0] != "settings"] == before
    with Store.open(db_path) as store:
        history = {card_id: store.past_answers(card_id) for card_id in under_sm2}
    under_fsrs = answer_each_on_its_due_day(db_path, 4)
    fsrs = FSRS()
    new_card, _ = fsrs.review(CardState(), 4, START)
    for card_id, state in under_fsrs.items():
        old = under_sm2[card_id]
        assert old.due is not None and state.last_day == old.due
        remembered = fsrs.memory_from_history(history[card_id])
        expected, _ = fsrs.review(replace(old, fsrs=remembered), 4, old.due)
        assert state == expected, card_id  # the memory its own answers give, not a new card's
        assert state.sm2 == old.sm2  # FSRS leaves SM-2's EF as it was
    mature = [s for c, s in under_fsrs.items() if under_sm2[c].interval >= 21]
    assert len(mature) >= 10
    assert min(s.interval for s in mature) > 4 * new_card.interval  # none starts again

    # Back to SM-2: interval and due date carry over; SM-2 goes on from FSRS's interval.
    assert cli("config", "scheduler", "sm2").code == 0
    assert states(db_path) == under_fsrs
    back = answer_each_on_its_due_day(db_path, 4)
    assert sum(w.repetitions >= 2 for w in under_fsrs.values()) >= 10
    for card_id, state in back.items():
        was = under_fsrs[card_id]
        if was.repetitions >= 2:  # a third success or later: I x EF, EF from before
            assert state.interval == -(-was.interval * was.sm2.easiness // 100), card_id
        assert state.sm2.easiness == max(130, was.sm2.easiness) and state.fsrs == was.fsrs

    # FSRS again: its memory is stale (SM-2 answered since) and is rebuilt from every answer.
    assert cli("config", "scheduler", "fsrs").code == 0
    before = dump(db_path)
    again = answer_each_on_its_due_day(db_path, 3)
    with Store.open(db_path) as store:
        for card_id, state in again.items():
            rebuilt = fsrs.memory_from_history(store.past_answers(card_id))
            assert state.fsrs is not None and state.fsrs.day == state.last_day
            assert state.fsrs.stability == pytest.approx(rebuilt.stability, rel=1e-5)
    assert_sound(db_path)
    # and undo under FSRS takes the whole round back exactly
    assert cli("undo", "--steps", str(len(again))).code == 0
    assert [r for r in dump(db_path) if r[0] != "undone_reviews"] == [
        r for r in before if r[0] != "undone_reviews"
    ]
    assert_sound(db_path)
