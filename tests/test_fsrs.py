"""The scheduler interface: SM-2 and FSRS through the same calls; FSRS chosen in the settings,
deterministic, undoable; the predicted recall of each card from its own history."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Run, dump
from hypothesis import given
from hypothesis import strategies as st
from integrity import assert_sound

from custserv_cards.memory import memories, recall_on
from custserv_cards.scheduler import Scheduler, codec, load
from custserv_cards.scheduler.fsrs import FSRS, rating, retrievability
from custserv_cards.scheduler.sm2 import SM2
from custserv_cards.scheduler.state import (
    MAX_INTERVAL,
    AnswerKind,
    CardState,
    PastAnswer,
    SchedulerName,
)
from custserv_cards.store import Store

DAY = date(2026, 11, 23)
SCHEDULERS: list[Scheduler] = [SM2(), FSRS()]


def test_grades_map_onto_fsrs_ratings() -> None:
    assert [rating(g) for g in range(6)] == [1, 1, 1, 2, 3, 4]


def test_the_settings_choose_the_scheduler() -> None:
    assert load({"scheduler": "sm2"}).name == SchedulerName.SM2
    fsrs = load({"scheduler": "fsrs", "desired_retention": "0.85"})
    assert isinstance(fsrs, FSRS) and fsrs.desired_retention == 0.85


@pytest.mark.parametrize("scheduler", SCHEDULERS, ids=lambda s: s.name)
def test_both_schedulers_keep_the_common_rules(scheduler: Scheduler) -> None:
    def run() -> list[tuple[CardState, AnswerKind]]:
        state, day, out = CardState(), DAY, []
        for grade in (4, 4, 5, 1, 4):
            state, kind = scheduler.review(state, grade, day)
            assert state.due == day + timedelta(days=state.interval) and state.interval >= 1
            assert state.last_day == day
            out.append((state, kind))
            day = state.due
        return out

    first = run()
    assert first == run()  # pure: the same answers give the same states
    states = [s for s, _ in first]
    assert [k for _, k in first] == ["learn", "review", "review", "review", "review"]
    assert [s.repetitions for s in states] == [1, 2, 3, 0, 1]
    assert [s.lapses for s in states] == [0, 0, 0, 1, 1]
    assert states[2].interval > states[1].interval > states[0].interval  # successes lengthen
    assert states[3].interval < states[2].interval  # a failure shortens
    # each scheduler keeps its own memory and carries the other's along
    if scheduler.name == SchedulerName.FSRS:
        assert states[-1].sm2 == CardState().sm2 and states[-1].fsrs is not None
    else:
        assert states[-1].fsrs is None and states[-1].sm2.easiness == 260


@pytest.mark.parametrize("scheduler", SCHEDULERS, ids=lambda s: s.name)
def test_each_schedulers_state_round_trips_through_the_codec(scheduler: Scheduler) -> None:
    # The one translation the store, undo, doctor and the log use, with either memory.
    state, day = CardState(), DAY
    for grade in (4, 1, 5, 3):
        state, _ = scheduler.review(state, grade, day)
        day = day + timedelta(days=state.interval)
    assert (state.fsrs is not None) == (scheduler.name == SchedulerName.FSRS)
    assert codec.from_row(codec.to_row(state)) == state
    assert codec.from_log(json.loads(codec.to_log_text(state))) == state


@pytest.mark.parametrize("scheduler", SCHEDULERS, ids=lambda s: s.name)
def test_same_day_answers_are_repeats(scheduler: Scheduler) -> None:
    state, _ = scheduler.review(CardState(), 2, DAY)
    again, kind = scheduler.review(state, 5, DAY)
    assert kind == "repeat" and not again.again
    assert (again.repetitions, again.lapses, again.last_day) == (0, 1, DAY)


def test_fsrs_learns_from_same_day_answers() -> None:
    state, _ = FSRS().review(CardState(), 2, DAY)
    again, _ = FSRS().review(state, 5, DAY)
    assert again.fsrs != state.fsrs and again.interval >= state.interval


def test_recall_is_ninety_percent_after_one_stability() -> None:
    fsrs = FSRS()
    assert retrievability(10.0, 0, fsrs.parameters) == 1.0
    assert retrievability(10.0, 10, fsrs.parameters) == pytest.approx(0.9)
    assert retrievability(10.0, 30, fsrs.parameters) < 0.9


def test_fsrs_memory_from_history_matches_answering_under_fsrs() -> None:
    fsrs, state, day, history = FSRS(), CardState(), DAY, []
    for grade in (4, 3, 5, 4):
        state, _ = fsrs.review(state, grade, day)
        history.append(PastAnswer(day, grade))
        day = day + timedelta(days=state.interval + 1)
    rebuilt = fsrs.memory_from_history(history)
    assert state.fsrs is not None
    assert rebuilt.stability == pytest.approx(state.fsrs.stability, rel=1e-4)
    assert rebuilt.difficulty == pytest.approx(state.fsrs.difficulty, rel=1e-4)


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
    assert_sound(db_path)


def test_recall_on_a_day_from_each_cards_history(cli: Run, db_path: Path) -> None:
    for day, grade in ((1, 4), (3, 4), (9, 5)):
        assert (
            cli("grade", "poor-service-causes", str(grade), now=f"2026-11-{day:02d}T10:00").code
            == 0
        )
    assert cli("grade", "def-customer-loyalty", "1", now="2026-11-09T10:00").code == 0
    with Store.open(db_path) as store:
        known = memories(store)
        assert set(known) == {"poor-service-causes", "def-customer-loyalty"}
        strong, weak = known["poor-service-causes"], known["def-customer-loyalty"]
        assert strong.last_day == date(2026, 11, 9) and strong.stability > weak.stability
        later = recall_on(store, date(2026, 12, 9))
    assert 0 < later["def-customer-loyalty"] < later["poor-service-causes"] < 1
    assert strong.recall(date(2026, 11, 9)) == 1.0
    assert strong.recall(date(2027, 11, 9)) < later["poor-service-causes"]


def test_desired_retention_is_validated_and_used(cli: Run, db_path: Path) -> None:
    assert cli("config", "desired_retention").out == "0.9\n"  # the default
    before = dump(db_path)
    for bad in ("0.69", "0.699", "0.971", "0.98", "abc", "90", "0,9", "²", "nan", "inf", ""):
        result = cli("config", "desired_retention", bad)
        assert result.code == 2 and "desired_retention must be" in result.err, result
        assert "Traceback" not in result.err
    assert dump(db_path) == before  # nothing stored changed
    for edge in ("0.70", "0.97"):  # the range's ends are allowed
        shown = cli("config", "desired_retention", edge).out
        assert shown == f"desired_retention = {float(edge)}\n"
    assert cli("config", "desired_retention", "0.800").out == "desired_retention = 0.8\n"
    assert cli("config", "scheduler", "fsrs").code == 0
    with Store.open(db_path) as store:
        chosen = store.scheduler()
        assert isinstance(chosen, FSRS) and chosen.desired_retention == 0.8
    # a lower target recall gives a longer interval for the same answers
    low, _ = FSRS(desired_retention=0.8).review(CardState(), 4, DAY)
    high, _ = FSRS(desired_retention=0.95).review(CardState(), 4, DAY)
    assert low.interval > high.interval


@given(
    st.sampled_from(SCHEDULERS),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 400)), min_size=1, max_size=25),
)
def test_both_schedulers_keep_the_invariants(
    scheduler: Scheduler, answers: list[tuple[int, int]]
) -> None:
    # Any grades, given any number of days apart (0: the same day; early or late): the
    # common rules hold whichever scheduler runs.
    state, day = CardState(), DAY
    for grade, gap in answers:
        day = day + timedelta(days=gap)
        before = state
        state, kind = scheduler.review(state, grade, day)
        assert 1 <= state.interval <= MAX_INTERVAL and state.due == day + timedelta(state.interval)
        assert state.again == (grade < 4) and state.last_day == day
        if kind == AnswerKind.REPEAT:
            assert before.last_day == day
            assert (state.repetitions, state.lapses) == (before.repetitions, before.lapses)
        elif grade >= 3:
            assert state.repetitions == before.repetitions + 1 and state.lapses == before.lapses
        else:
            assert state.repetitions == 0 and state.lapses == before.lapses + 1
