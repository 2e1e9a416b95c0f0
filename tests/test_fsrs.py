"""FSRS as the other scheduler: chosen in the settings, deterministic, undoable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import Run, dump

from custserv_cards.scheduler import fsrs_adapter
from custserv_cards.scheduler.sm2 import SM2State

DAY = date(2026, 11, 23)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_grades_map_onto_fsrs_ratings() -> None:
    assert [int(fsrs_adapter.rating(g)) for g in range(6)] == [1, 1, 1, 2, 3, 4]


def test_fsrs_is_deterministic_and_day_based() -> None:
    def run() -> list[SM2State]:
        state, memory, day, out = SM2State(), None, DAY, []
        for grade in (4, 4, 5, 1, 4):
            state, memory, kind = fsrs_adapter.review(state, memory, grade, day, noon(day))
            assert kind in ("learn", "review")
            assert state.due == day + timedelta(days=state.interval) and state.interval >= 1
            out.append(state)
            day = state.due
        return out

    first, second = run(), run()
    assert first == second
    assert first[1].interval > first[0].interval  # successes lengthen the interval
    assert first[3].repetitions == 0 and first[3].lapses == 1  # a failure restarts
    assert first[2].interval > first[3].interval


def test_same_day_answers_are_repeats_that_fsrs_learns_from() -> None:
    state, memory, _ = fsrs_adapter.review(SM2State(), None, 2, DAY, noon(DAY))
    later = noon(DAY) + timedelta(minutes=10)
    again, new_memory, kind = fsrs_adapter.review(state, memory, 5, DAY, later)
    assert kind == "repeat" and not again.again
    assert (again.repetitions, again.lapses, again.last_day) == (0, 1, DAY)
    assert new_memory != memory and again.interval >= state.interval


def test_fsrs_through_the_command_line(cli: Run, db_path: Path) -> None:
    assert cli("config", "scheduler", "fsrs").code == 0
    first = cli("grade", "poor-service-causes", "4", now="2026-11-23T10:00")
    assert first.code == 0 and "EF" not in first.out, first
    before = dump(db_path)
    second = cli("grade", "poor-service-causes", "5", now="2026-11-25T10:00")
    assert second.code == 0, second
    shown = json.loads(cli("card", "show", "poor-service-causes", "--json").out)
    assert shown["history"][-1]["scheduler"] == "fsrs"
    assert json.loads(shown["history"][-1]["after"]["fsrs"])["stability"] > 0
    assert cli("undo").code == 0
    assert [r for r in dump(db_path) if r[0] != "undone_reviews"] == [
        r for r in before if r[0] != "undone_reviews"
    ]
