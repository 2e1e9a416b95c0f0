"""Switching scheduler keeps each card's progress, both ways; undo is exact under both."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from conftest import Run, dump
from integrity import assert_sound

from custserv_cards.scheduler.fsrs import FSRS
from custserv_cards.scheduler.state import CardState, SM2Memory

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
