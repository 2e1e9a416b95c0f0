"""The exam planner: settings and their checks, the rule that aims each card at the target on
the exam day (under SM-2 and FSRS alike), the pace of new cards, the daily cap, the forecast
and its JSON, and scheduling after the exam."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run, dump

from custserv_cards import exam
from custserv_cards.memory import memories
from custserv_cards.queue import (
    Counts,
    Filter,
    Limits,
    Queue,
    daily_limits,
    due_reviews,
    left_today,
)
from custserv_cards.scheduler import load
from custserv_cards.scheduler.fsrs import FSRS, default_parameters
from custserv_cards.scheduler.sm2 import SM2
from custserv_cards.scheduler.state import CardState
from custserv_cards.store import Store

TODAY = date(2026, 12, 1)
NOW = "2026-12-01T10:00"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0)


def _settings(scheduler: str, exam_day: date, target: str = "0.90") -> dict[str, str]:
    return {
        "scheduler": scheduler,
        "desired_retention": "0.9",
        "exam_date": exam_day.isoformat(),
        "exam_target": target,
        "exam_minutes": "",
    }


# --- the command and its checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["2026-11-30"], "in the past"),
        (["2026-02-30"], "real date"),
        (["next friday"], "real date"),
        (["2027-01-10", "--target", "0.49"], "0.50 to 0.99"),
        (["2027-01-10", "--target", "1"], "0.50 to 0.99"),
        (["2027-01-10", "--target", "high"], "0.50 to 0.99"),
        (["2027-01-10", "--minutes", "0"], "from 1 to"),
        (["2027-01-10", "--minutes", "-5"], "from 1 to"),
        (["2027-01-10", "--minutes", "2.5"], "from 1 to"),
    ],
)
def test_bad_exam_settings_are_refused_and_change_nothing(
    cli: Run, db_path: Path, args: list[str], words: str
) -> None:
    assert cli("exam", "set", "2027-03-01", "--target", "0.8", now=NOW).code == 0
    before = dump(db_path)
    settings_before = Store.open(db_path).settings()
    result = cli("exam", "set", *args, now=NOW)
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result
    assert "Traceback" not in result.out + result.err
    assert dump(db_path) == before
    assert Store.open(db_path).settings() == settings_before


def test_exam_json_has_the_documented_shape(cli: Run) -> None:
    assert (
        cli("exam", "set", "2027-01-15", "--target", "0.85", "--minutes", "30", now=NOW).code == 0
    )
    result = cli("exam", "--json", now=NOW)
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["exam_date"] == "2027-01-15"
    assert data["target"] == 0.85
    assert data["minutes"] == 30
    assert isinstance(data["feasible"], bool)
    topics = data["topics"]
    assert topics and all(set(t) >= {"topic", "predicted_recall"} for t in topics)
    # Nothing has been studied: every card counts 0 if the student stopped now.
    assert all(t["predicted_recall"] == 0 for t in topics)
    assert all(0 <= t["planned_recall"] <= 1 for t in topics)
    assert sum(t["cards"] for t in topics) == sum(t["new"] for t in topics)


def test_no_exam_and_clear(cli: Run) -> None:
    assert "No exam is set" in cli("exam", now=NOW).out
    assert json.loads(cli("exam", "--json", now=NOW).out)["exam_date"] is None
    cli("exam", "set", "2027-01-15", now=NOW)
    result = cli("exam", "clear", now=NOW)
    assert result.code == 0 and "2027-01-15" in result.out
    assert cli("config", "exam_date").out.strip() == ""


def test_feasibility_and_what_would_fit(cli: Run) -> None:
    tight = cli("exam", "set", "2026-12-09", "--minutes", "2", now=NOW)
    assert tight.code == 0, tight
    data = json.loads(cli("exam", "--json", now=NOW).out)
    assert data["feasible"] is False
    assert data["minutes_needed"] > 2
    assert any(f"study {data['minutes_needed']} minutes a day" in s for s in data["suggestions"])
    shown = cli("exam", now=NOW).out
    assert "cannot be reached" in shown and f"{data['minutes_needed']} minutes a day" in shown
    cli("exam", "set", "2026-12-09", "--minutes", str(data["minutes_needed"]), now=NOW)
    assert json.loads(cli("exam", "--json", now=NOW).out)["feasible"] is True


def test_after_the_exam_the_forecast_says_so(cli: Run) -> None:
    cli("exam", "set", "2026-12-05", now=NOW)
    result = cli("exam", now="2026-12-07T10:00")
    assert result.code == 0 and "2 days ago" in result.out


# --- the rule ---------------------------------------------------------------------------------


def test_gap_factor_matches_the_definition_of_stability() -> None:
    parameters = default_parameters()
    assert exam.gap_factor(0.9, parameters) == pytest.approx(1.0)
    assert exam.gap_factor(0.95, parameters) < 1 < exam.gap_factor(0.8, parameters)


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_every_answer_keeps_the_card_on_target_for_the_exam(scheduler: str) -> None:
    """Through the same scheduler interface: a long run of good answers under the planner
    never leaves a card due after the exam unless its predicted recall on the day reaches
    the target; once the exam has passed, the scheduler alone decides."""
    exam_day = date(2027, 3, 1)
    planner = load(_settings(scheduler, exam_day))
    base = load({"scheduler": scheduler, "desired_retention": "0.9"})
    assert isinstance(planner, exam.ExamScheduler)
    fsrs = FSRS()
    state = CardState()
    day = TODAY
    answers = 0
    while day < exam_day:
        state, _ = planner.review(state, 5, day)
        answers += 1
        assert state.due is not None and state.fsrs is not None
        recall = fsrs.recall(state.fsrs, exam_day)
        assert state.due < exam_day or recall >= exam.Exam(exam_day).aim - 1e-9, (day, state)
        day = state.due
    assert answers >= 3
    after_exam = exam_day + timedelta(days=3)
    assert planner.review(state, 4, after_exam) == base.review(state, 4, after_exam)


def test_a_card_past_the_exam_below_target_is_brought_forward() -> None:
    exam_day = date(2027, 1, 20)
    params = default_parameters()
    from custserv_cards.scheduler.state import FsrsMemory

    memory = FsrsMemory(stability=20.0, difficulty=5.0, day=TODAY)
    planned = exam.Exam(exam_day, 0.95)
    final = exam.final_review_day(memory, planned, params)
    assert final is not None and TODAY < final < exam_day
    # A review on the final day (or any later day before the exam) reaches the aim, since a
    # successful review never lowers stability.
    for day in (final, exam_day - timedelta(days=1)):
        from custserv_cards.scheduler.fsrs import retrievability

        assert retrievability(20.0, (exam_day - day).days, params) >= planned.aim
    # A card already safe for the day has no final review day.
    safe = FsrsMemory(stability=400.0, difficulty=5.0, day=TODAY)
    assert exam.final_review_day(safe, planned, params) is None


def test_sm2_memory_is_tracked_while_an_exam_is_set() -> None:
    planner = load(_settings("sm2", date(2027, 2, 1)))
    state, _ = planner.review(CardState(), 4, TODAY)
    state, _ = planner.review(state, 4, TODAY + timedelta(days=1))
    alone, _ = SM2().review(SM2().review(CardState(), 4, TODAY)[0], 4, TODAY + timedelta(days=1))
    assert state.sm2 == alone.sm2 and state.repetitions == alone.repetitions
    assert state.fsrs_current is not None  # FSRS's memory follows every answer


def test_a_date_past_the_exam_is_never_later_than_the_schedulers_own() -> None:
    """A card the plan leaves past the exam (safe for the day) is due no later than the
    scheduler alone would have it, so that normal scheduling resumes after the exam."""
    exam_day = TODAY + timedelta(days=80)  # after the answers below
    planner = load(_settings("sm2", exam_day, "0.60"))
    state = CardState()
    for gap in (0, 1, 6, 15, 40):  # easy answers: long intervals, a stable memory
        day = (state.last_day or TODAY) + timedelta(days=gap)
        state, _ = planner.review(state, 5, day)
    assert day + timedelta(days=1) < exam_day
    alone = SM2().review(replace(state, due=None), 5, day + timedelta(days=1))[0]
    with_plan, _ = planner.review(state, 5, day + timedelta(days=1))
    assert with_plan.due is not None and alone.due is not None and with_plan.fsrs is not None
    resume = max(alone.due, exam_day + timedelta(days=1))
    plan = exam.Exam(exam_day, 0.60)
    assert isinstance(planner, exam.ExamScheduler)
    uncapped = exam.planned_due(with_plan.fsrs, plan, planner.fsrs.parameters)
    assert uncapped > resume  # the plan's maintenance level alone would set it later
    assert with_plan.due == resume


def test_grade_says_when_the_exam_plan_set_the_date(cli: Run, db_path: Path) -> None:
    cli("topics", now=NOW)
    card = Store.open(db_path)
    card_id = card.conn.execute("SELECT card_id FROM state ORDER BY rowid LIMIT 1").fetchone()[0]
    card.close()
    for offset in (0, 1, 7):
        cli("grade", card_id, "5", now=f"{TODAY + timedelta(days=offset)}T10:00")
    assert cli("exam", "set", str(TODAY + timedelta(days=30)), now="2026-12-08T10:00").code == 0
    shown = cli("grade", card_id, "5", now="2026-12-24T10:00")
    due = re.search(r"next due (\S+) \(in (\d+) days?(, set by the exam plan)?\)", shown.out)
    assert due, shown.out
    assert (date.fromisoformat(due[1]) - date(2026, 12, 24)).days == int(due[2])
    plain = cli("card", "show", card_id, "--json", now="2026-12-24T10:00")
    assert json.loads(plain.out)["state"]["due"] == due[1]


# --- the store, the queue and the pace ---------------------------------------------------


def _study(store: Store, start: date, end: date, grade: int = 5) -> None:
    """Answer every card the queue offers, day by day from ``start`` until ``end``."""
    day = start
    while day < end:
        counts = Counts()
        limits = daily_limits(store, counts, None, None, day)
        queue = Queue(store, day, Filter(), limits)
        shown = 0
        while (candidate := queue.next(None)) is not None and shown < 400:
            store.record_answer(candidate.card_id, grade, _at(day))
            queue.answered(candidate, again=False)
            shown += 1
        day += timedelta(days=1)


def test_nothing_due_after_the_exam_is_left_below_target(cli: Run, db_path: Path) -> None:
    """Cards learnt before the exam was set, with long intervals, are brought forward to
    their final review day; after a month of following the plan every card that is due
    after the exam reaches the target on the day."""
    cli("topics", now=NOW)
    store = Store.open(db_path)
    store.set_settings({"new_per_day": "40"})
    start = TODAY + timedelta(days=30)
    _study(store, TODAY, start)  # long intervals, no exam yet
    exam_day = start + timedelta(days=40)
    store.set_settings({"exam_date": exam_day.isoformat(), "exam_target": "0.95"})
    long_before = [
        r[0]
        for r in store.conn.execute(
            "SELECT card_id FROM state WHERE due >= ?", (exam_day.isoformat(),)
        )
    ]
    _study(store, start, exam_day)
    known = memories(store)
    target = exam.Exam(exam_day, 0.95)
    left_behind = [
        (card_id, due, known[card_id].recall(exam_day))
        for card_id, due in store.conn.execute(
            "SELECT card_id, due FROM state WHERE last_day IS NOT NULL AND suspended = 0"
        )
        if date.fromisoformat(due) >= exam_day and known[card_id].recall(exam_day) < target.target
    ]
    assert left_behind == []
    answered_late = {
        r[0]
        for r in store.conn.execute(
            "SELECT card_id FROM reviews WHERE day >= ?", (start.isoformat(),)
        )
    }
    assert long_before and set(long_before) <= answered_late | {
        c for c in long_before if known[c].recall(exam_day) >= target.target
    }
    store.close()


def test_cards_brought_forward_are_offered_as_if_their_due_date_had_come(
    cli: Run, db_path: Path
) -> None:
    """The queue reads brought-forward cards along their own index (a session's next card
    never reads every state); what it offers, and in which order, is what the plain rule
    gives: due today, or brought forward and not answered since."""
    cli("topics", now=NOW)
    store = Store.open(db_path)
    store.set_settings({"new_per_day": "40"})
    start = TODAY + timedelta(days=30)
    _study(store, TODAY, start)
    store.set_settings(
        {"exam_date": (start + timedelta(days=40)).isoformat(), "exam_target": "0.95"}
    )
    start += timedelta(days=35)  # final review days have come; due dates are after the exam
    store.conn.execute(  # some cards due by their own date, most overdue first
        "UPDATE state SET due = date(?, '-' || (rowid % 5) || ' days') WHERE rowid % 7 = 0",
        (start.isoformat(),),
    )
    assert exam.prepare_pull_forward(store, start)
    store.conn.execute(  # one brought-forward card answered since: no longer offered
        "UPDATE state SET last_day = ? WHERE card_id = (SELECT card_id FROM temp.exam_due "
        "ORDER BY due DESC LIMIT 1)",
        (start.isoformat(),),
    )
    day = start.isoformat()
    plain = [
        r[0]
        for r in store.conn.execute(
            "SELECT s.card_id FROM state s JOIN cards c ON c.id = s.card_id "
            "WHERE (s.due <= ? OR EXISTS (SELECT 1 FROM temp.exam_due e "
            "WHERE e.card_id = s.card_id AND e.last_day = s.last_day)) "
            "AND s.suspended = 0 AND c.retired = 0 ORDER BY s.due, s.rowid",
            (day,),
        )
    ]
    pulled = store.conn.execute("SELECT COUNT(*) FROM temp.exam_due").fetchone()[0]
    assert pulled > 100 and len(plain) == pulled - 1 + 239 // 7
    for limit in (1, 7, len(plain), len(plain) + 5):
        offered = due_reviews(store, start, Filter(), limit, pulled=True)
        assert [c.card_id for c in offered] == plain[:limit]
        counted = left_today(store, start, Filter(), Limits(new=0, reviews=limit), pulled=True)
        assert counted[0] == min(limit, len(plain))
    store.close()


def test_new_cards_are_paced_to_be_in_by_the_deadline(cli: Run, db_path: Path) -> None:
    cli("topics", now=NOW)
    store = Store.open(db_path)
    new_total = store.conn.execute("SELECT COUNT(*) FROM state WHERE last_day IS NULL").fetchone()[
        0
    ]
    exam_day = TODAY + timedelta(days=30)
    store.set_settings({"exam_date": exam_day.isoformat()}, meta={exam.PLANNED_ON: "2026-12-01"})
    allowance = exam.daily_allowance(store, TODAY)
    assert allowance is not None
    planned = exam.of(store)
    assert planned is not None and planned.planned_on == TODAY
    deadline = exam.intro_deadline(planned, TODAY)
    assert exam.intro_deadline(planned, TODAY + timedelta(days=9)) == deadline  # no drift
    assert deadline == exam_day - timedelta(days=6)  # a fifth of 30 days
    assert allowance.new == -(-new_total // ((deadline - TODAY).days + 1))
    _study(store, TODAY, deadline + timedelta(days=1))
    assert store.conn.execute("SELECT COUNT(*) FROM state WHERE last_day IS NULL").fetchone() == (
        0,
    )
    store.close()


def test_the_daily_cap_bounds_the_session(cli: Run, db_path: Path) -> None:
    cli("topics", now=NOW)
    store = Store.open(db_path)
    store.set_settings({"exam_date": "2027-01-10", "exam_minutes": "1"})
    allowance = exam.daily_allowance(store, TODAY)
    assert allowance is not None
    # No answer times yet: 25 s a new card, so one minute holds two new cards.
    assert allowance.new == 2
    store.set_settings({"exam_minutes": ""})
    uncapped = exam.daily_allowance(store, TODAY)
    assert uncapped is not None and uncapped.new > 2
    store.close()


def test_answer_times_are_the_students_own(cli: Run, db_path: Path) -> None:
    cli("topics", now=NOW)
    store = Store.open(db_path)
    ids = [r[0] for r in store.conn.execute("SELECT card_id FROM state LIMIT 12")]
    for card_id in ids:
        store.record_answer(card_id, 4, _at(TODAY), duration_ms=6000)
    for card_id in ids[:6]:
        store.record_answer(card_id, 4, _at(TODAY + timedelta(days=1)), duration_ms=3000)
    times = exam.answer_times(store)
    assert times.new == pytest.approx(6.0)
    assert times.review == pytest.approx(3.0)
    store.close()


def test_after_the_exam_scheduling_resumes(cli: Run, db_path: Path) -> None:
    cli("topics", now=NOW)
    store = Store.open(db_path)
    exam_day = TODAY + timedelta(days=10)
    store.set_settings({"exam_date": exam_day.isoformat()})
    card = store.conn.execute("SELECT card_id FROM state LIMIT 1").fetchone()[0]
    store.record_answer(card, 5, _at(TODAY))
    after = exam_day + timedelta(days=1)
    assert exam.daily_allowance(store, after) is None
    assert not exam.prepare_pull_forward(store, after)
    answer = store.record_answer(card, 5, _at(after))
    plain, _ = SM2().review(answer.before, 5, after)
    assert answer.after == plain
    store.close()


def test_the_session_header_line(cli: Run, db_path: Path) -> None:
    cli("topics", now=NOW)
    store = Store.open(db_path)
    assert exam.readiness_line(store, TODAY) is None
    store.set_settings({"exam_date": "2026-12-11"})
    card = store.conn.execute("SELECT card_id FROM state LIMIT 1").fetchone()[0]
    store.record_answer(card, 5, _at(TODAY))
    line = exam.readiness_line(store, TODAY + timedelta(days=1))
    assert line is not None and line.startswith("exam in 9 days · recall now")
    store.close()


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_the_pull_forward_query_picks_what_the_rule_picks_card_by_card(
    cli: Run, db_path: Path, scheduler: str
) -> None:
    """``prepare_pull_forward`` decides in one query; over states of every kind (memories
    FSRS keeps, stale ones, SM-2 eases and intervals of all sizes, a damaged memory) it
    brings forward exactly the cards ``final_review_day`` names, on every day up to the
    exam; and the header's recall is the mean of each card's own."""
    import random

    from custserv_cards.scheduler import codec
    from custserv_cards.scheduler.fsrs import retrievability

    cli("topics", now=NOW)
    store = Store.open(db_path)
    rng = random.Random(7)
    rows = store.conn.execute("SELECT card_id FROM state").fetchall()
    for i, (card_id,) in enumerate(rows):
        last = TODAY - timedelta(days=rng.randint(0, 60))
        interval = rng.choice([1, 2, 5, 12, 30, 75, 150, 400])
        fsrs = None
        if i % 3 == 0:
            stability = rng.choice([0.5, 3.0, 11.0, 40.0, 120.0, 365.0]) * rng.uniform(0.8, 1.2)
            day = last if i % 6 == 0 else last - timedelta(days=3)  # current, or stale
            fsrs = json.dumps({"day": day.isoformat(), "difficulty": 5.0, "stability": stability})
        elif i % 11 == 0:
            fsrs = "{damaged"
        store.conn.execute(
            "UPDATE state SET repetitions = 3, easiness = ?, interval = ?, due = ?, "
            "last_day = ?, fsrs = ?, suspended = ? WHERE card_id = ?",
            (
                rng.choice([130, 180, 250, 290]),
                interval,
                (last + timedelta(days=interval)).isoformat(),
                last.isoformat(),
                fsrs,
                int(i % 17 == 0),
                card_id,
            ),
        )
    exam_day = TODAY + timedelta(days=25)
    store.set_settings({"scheduler": scheduler, "exam_date": exam_day.isoformat()})
    planned = exam.of(store)
    assert planned is not None
    fsrs_model = exam.exam_fsrs(store)
    states = [
        (r[0], codec.from_row(r[1:]))
        for r in store.conn.execute(
            f"SELECT card_id, {codec.STATE_COLUMNS} FROM state WHERE suspended = 0"
        )
    ]
    pulled_days = 0
    for day in (TODAY + timedelta(days=n) for n in (0, 5, 12, 20, 23, 24)):
        expected = set()
        for card_id, state in states:
            memory = exam.memory_of(state, fsrs_model)
            if (
                memory is None
                or state.due is None
                or not (state.due > day and state.due >= exam_day)
            ):
                continue
            final = exam.final_review_day(memory, planned, fsrs_model.parameters)
            if final is not None and final <= day:
                expected.add(card_id)
        assert exam.prepare_pull_forward(store, day)
        got = {r[0] for r in store.conn.execute("SELECT card_id FROM temp.exam_due")}
        assert got == expected, day
        pulled_days += bool(got)
    assert pulled_days >= 3  # the case is not empty

    recalls = [
        retrievability(m.stability, (TODAY - m.day).days, fsrs_model.parameters)
        for _, s in states
        if (m := exam.memory_of(s, fsrs_model)) is not None
    ]
    line = exam.readiness_line(store, TODAY)
    assert line is not None
    assert f"recall now {sum(recalls) / len(recalls):.0%}" in line
    store.close()
