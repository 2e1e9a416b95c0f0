"""SM-2 exactly: golden sequences, properties, and the same through ``custserv grade``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Run, dump, write_deck
from hypothesis import given
from hypothesis import strategies as st

from custserv_cards.scheduler import codec
from custserv_cards.scheduler.sm2 import easiness_change, review
from custserv_cards.scheduler.state import CardState, SM2Memory

DAY = date(2026, 11, 23)

GOLDEN = [
    ([4, 4, 4, 4, 4, 4], [1, 6, 15, 38, 95, 238], [250] * 6),
    ([5, 5, 5, 5, 5, 5], [1, 6, 17, 48, 140, 420], [260, 270, 280, 290, 300, 310]),
    ([4, 4, 4, 1, 4, 4, 4], [1, 6, 15, 1, 1, 6, 15], [250] * 7),
]


def run_sequence(grades: list[int]) -> list[CardState]:
    state, day, states = CardState(), DAY, []
    for grade in grades:
        state, kind = review(state, grade, day)
        assert kind in ("learn", "review")
        states.append(state)
        day = state.due  # type: ignore[assignment]
    return states


@pytest.mark.parametrize(("grades", "intervals", "easiness"), GOLDEN)
def test_golden_sequences(grades: list[int], intervals: list[int], easiness: list[int]) -> None:
    states = run_sequence(grades)
    assert [s.interval for s in states] == intervals
    assert [s.sm2.easiness for s in states] == easiness


def test_float_ef_would_be_a_day_late() -> None:
    # The reason EF is kept in hundredths: 2.5 + 5 x 0.1 in floats is not 3.0.
    import math

    ef = 2.5
    for _ in range(5):
        ef += 0.1
    assert math.ceil(140 * ef) == 421
    assert run_sequence([5] * 6)[-1].interval == 420


def test_easiness_changes() -> None:
    assert [easiness_change(q) for q in (5, 4, 3)] == [10, 0, -14]
    state = CardState(
        sm2=SM2Memory(135), repetitions=3, interval=10, due=DAY, last_day=DAY - timedelta(10)
    )
    after, _ = review(state, 3, DAY)
    assert after.sm2.easiness == 130  # never below 1.3


def test_failure_restarts_without_changing_ef() -> None:
    state = CardState(
        repetitions=4, sm2=SM2Memory(270), interval=40, due=DAY, last_day=DAY - timedelta(40)
    )
    after, kind = review(state, 2, DAY)
    assert (after.repetitions, after.interval, after.sm2.easiness, after.lapses) == (0, 1, 270, 1)
    assert after.due == DAY + timedelta(days=1) and kind == "review"


def test_due_is_counted_from_the_answer_day_not_the_old_due_date() -> None:
    state = CardState(repetitions=2, interval=6, due=DAY, last_day=DAY - timedelta(6))
    late = DAY + timedelta(days=10)
    after, _ = review(state, 4, late)
    assert after.interval == 15 and after.due == late + timedelta(days=15)


def test_rule_7_same_day_repeats_change_nothing_but_again() -> None:
    first, _ = review(CardState(), 3, DAY)
    assert first.again  # graded below 4: ask again today
    repeat, kind = review(first, 2, DAY)
    assert kind == "repeat" and repeat == first
    done, kind = review(repeat, 4, DAY)
    assert kind == "repeat" and not done.again
    assert (done.repetitions, done.interval, done.sm2.easiness) == (1, 1, first.sm2.easiness)


def test_grade_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        review(CardState(), 6, DAY)


states = st.builds(
    CardState,
    repetitions=st.integers(0, 30),
    sm2=st.builds(SM2Memory, st.integers(130, 400)),
    interval=st.integers(1, 3000),
    due=st.just(DAY),
    lapses=st.integers(0, 20),
    last_day=st.just(DAY - timedelta(days=1)),
    again=st.booleans(),
)


@given(states, st.integers(0, 5))
def test_properties(state: CardState, grade: int) -> None:
    after, _ = review(state, grade, DAY)
    assert after.sm2.easiness >= 130
    assert after.interval >= 1
    assert after.due == DAY + timedelta(days=after.interval)
    if grade >= 3:
        if state.repetitions >= 2:
            assert after.interval >= state.interval  # a success never shortens the interval
        assert after.repetitions == state.repetitions + 1
    else:
        assert (after.repetitions, after.interval) == (0, 1)  # a failure always restarts
        assert after.sm2.easiness == state.sm2.easiness


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_sequences_keep_invariants(grades: list[int]) -> None:
    for state in run_sequence(grades):
        assert state.sm2.easiness >= 130 and state.interval >= 1


def test_state_round_trips_through_json() -> None:
    state = run_sequence([5, 3, 1, 4])[-1]
    assert codec.from_log(json.loads(codec.to_log_text(state))) == state
    assert codec.from_row(codec.to_row(state)) == state


# --- through the real command -----------------------------------------------------------


@pytest.fixture
def deck(cli: Run, tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    write_deck(folder)
    assert cli("decks", "sync", str(folder)).code == 0
    assert cli("topics").code == 0  # the bundled decks sync on first use
    return folder


@pytest.mark.parametrize(("grades", "intervals", "easiness"), GOLDEN)
def test_golden_sequences_through_custserv_grade(
    cli: Run, deck: Path, grades: list[int], intervals: list[int], easiness: list[int]
) -> None:
    day = DAY
    for grade, interval, ef in zip(grades, intervals, easiness, strict=True):
        result = cli("grade", "t-cloze", str(grade), now=f"{day.isoformat()}T09:30")
        assert result.code == 0, result
        due = day + timedelta(days=interval)
        assert f"next due {due.isoformat()} (in {interval} day" in result.out, result
        shown = json.loads(cli("card", "show", "t-cloze", "--json").out)
        assert shown["state"]["interval"] == interval
        assert shown["state"]["easiness"] == ef / 100
        assert shown["state"]["due"] == due.isoformat()
        day = due


def test_study_day_starts_at_four(cli: Run, deck: Path) -> None:
    result = cli("grade", "t-cloze", "4", now="2026-11-24T02:30")
    assert "next due 2026-11-24 (in 1 day)" in result.out, result  # counted as 23 November


def test_undo_restores_state_and_log_exactly(cli: Run, deck: Path, db_path: Path) -> None:
    cli("grade", "t-basic", "5", now="2026-11-23T09:00")
    before = dump(db_path)
    cli("grade", "t-basic", "3", now="2026-11-24T09:00")
    cli("grade", "t-list", "1", now="2026-11-24T09:01")
    result = cli("undo", "--steps", "2")
    assert result.code == 0, result
    assert "Undid t-list: grade 1 (learn)" in result.out
    assert "Undid t-basic: grade 3 (review)" in result.out
    after = [row for row in dump(db_path) if row[0] != "undone_reviews"]
    assert after == [row for row in before if row[0] != "undone_reviews"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM undone_reviews").fetchone()[0] == 2
    conn.close()
    assert "Nothing to undo." not in cli("undo").out
    assert cli("undo").out.strip() == "Nothing to undo."


def test_grade_errors_write_nothing(cli: Run, deck: Path, db_path: Path) -> None:
    before = dump(db_path)
    for args, code, message in (
        (("grade", "t-basic", "6"), 2, "GRADE"),
        (("grade", "t-basic", "-1"), 2, ""),
        (("grade", "t-basic", "four"), 2, "GRADE"),
        (("grade", "t-basc", "4"), 1, "no card with id 't-basc' (did you mean 't-basic'?)"),
    ):
        result = cli(*args)
        assert result.code == code, result
        assert message in result.err and "Traceback" not in result.err
    assert dump(db_path) == before


def test_leech_after_eight_failures(cli: Run, deck: Path) -> None:
    day = DAY
    for number in range(1, 9):
        result = cli("grade", "t-list", "0", now=f"{day.isoformat()}T09:00")
        assert ("is now a leech (failed 8 times)" in result.out) == (number == 8), result
        day += timedelta(days=1)
    shown = json.loads(cli("card", "show", "t-list", "--json").out)
    assert shown["leech"] is True and shown["state"]["lapses"] == 8


def test_suspend_unsuspend_bury(cli: Run, deck: Path) -> None:
    assert cli("suspend", "t-basic").out.strip() == "t-basic suspended."
    assert cli("suspend", "t-basic").out.strip() == "t-basic was already suspended."
    assert '"suspended": true' in cli("card", "show", "t-basic", "--json").out
    assert cli("unsuspend", "t-basic").out.strip() == "t-basic unsuspended."
    result = cli("bury", "t-basic", now="2026-11-23T10:00")
    assert result.out.strip() == "t-basic buried until 2026-11-24."
    assert cli("suspend", "nope").code == 1


def test_undo_after_a_sync_and_in_a_new_process(cli: Run, deck: Path, db_path: Path) -> None:
    before = [row for row in dump(db_path) if row[0] in ("state", "reviews")]
    cli("grade", "t-cloze", "5", now="2026-11-23T09:00")
    (deck / "test-topic.yaml").write_text(
        (deck / "test-topic.yaml").read_text().replace("nine or ten", "about ten")
    )
    assert "1 updated" in cli("decks", "sync", str(deck)).out
    env = {**os.environ, "CUSTSERV_DB": str(db_path), "NO_COLOR": "1"}
    undone = subprocess.run(
        [sys.executable, "-m", "custserv_cards", "undo"], capture_output=True, text=True, env=env
    )
    assert undone.returncode == 0, undone.stderr
    assert "Undid t-cloze: grade 5 (learn)" in undone.stdout
    assert [row for row in dump(db_path) if row[0] in ("state", "reviews")] == before


def test_early_answers_do_not_compound_intervals_until_the_date_overflows(cli: Run) -> None:
    # Fifteen daily 5s to one card, each before its due day: the interval follows the days
    # that actually passed, so it stays at 6 days instead of reaching the year 7994.
    for day in range(2, 17):
        result = cli("grade", "def-customer-service-revision-notes", "5", now=f"2026-01-{day:02d}")
        assert result.code == 0, result
    shown = json.loads(cli("card", "show", "def-customer-service-revision-notes", "--json").out)
    assert shown["state"]["repetitions"] == 15
    assert shown["state"]["interval"] == 6 and shown["state"]["due"] == "2026-01-22"


def test_an_early_answer_multiplies_the_days_that_passed() -> None:
    state = CardState(repetitions=4, interval=100, due=DAY, last_day=DAY - timedelta(100))
    on_time, _ = review(state, 4, DAY)
    assert on_time.interval == 250
    early, _ = review(state, 4, DAY - timedelta(days=40))  # 60 days after the last answer
    assert early.interval == 150  # ceil(60 x 2.5), more than the 100 days it had
    very_early, _ = review(state, 4, DAY - timedelta(days=90))  # 10 days after
    assert very_early.interval == 100  # ceil(10 x 2.5) = 25, but a success never shortens


def test_no_interval_or_due_date_overflows() -> None:
    from custserv_cards.scheduler.fsrs import FSRS
    from custserv_cards.scheduler.state import MAX_INTERVAL

    end = date(9999, 12, 1)
    state = CardState(repetitions=9, interval=30_000, due=end, last_day=end - timedelta(30_000))
    for scheduler_review in (review, FSRS().review):
        after, _ = scheduler_review(state, 5, end)
        assert after.interval <= MAX_INTERVAL and after.due == date.max
