"""Revising toward an exam: scheduling that aims every card at a target recall on the exam
day, new cards paced to be ready in time, a daily time cap, and a forecast of the day.

The memory model is FSRS's (with personal parameters when ``custserv fsrs optimize`` has
fitted them), whichever scheduler runs the reviews: its forgetting curve says how likely a
card is to be recalled on any day, from the card's own history.

The rule, applied to each card (see docs/exam.md):

* A card whose predicted recall on the exam day is at or above the target, if it were not
  reviewed again, keeps its schedule: another review would cost time and change nothing the
  exam measures.
* Any other card is due no later than its *final review day*: the first day on which a review
  secures the target, ``exam - floor(k(target) * S)``, where S is its stability now and
  k(target) how many stabilities may pass before recall falls to the target. A successful
  review never lowers stability, so a review on that day or any day after it, up to the day
  before the exam, leaves recall on the day at or above the target. Reviews are only ever
  brought forward, never put off.
* New cards are introduced evenly up to a lead time before the exam (a fifth of the time
  left, at least two days), so that each has several reviews before the day.
* With a daily cap in minutes, the session shows no more than the cap allows, estimated from
  the student's own answer times; the forecast says when the plan does not fit, and what
  would make it fit.

The exam's settings are ``exam_date``, ``exam_target`` and ``exam_minutes``. On and after the
exam day nothing here applies: every card goes on from its own memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from custserv_cards.errors import UsageError
from custserv_cards.scheduler.state import (
    AnswerKind,
    CardState,
    FsrsMemory,
    PastAnswer,
    Weakness,
)

if TYPE_CHECKING:
    from custserv_cards.scheduler import Scheduler
    from custserv_cards.scheduler.fsrs import FSRS
    from custserv_cards.store import Store

TARGET_RANGE = (0.50, 0.99)
DEFAULT_TARGET = 0.90
MAX_MINUTES = 24 * 60
DEFAULT_REVIEW_SECONDS = 10.0  # before the student has answered anything
DEFAULT_NEW_SECONDS = 25.0
MIN_LEAD_DAYS = 2  # new cards are all introduced at least this many days before the exam
LEAD_SHARE = 0.2  # ... or this share of the days left, whichever is more
AT_RISK_SHOWN = 10


# --- settings -------------------------------------------------------------------------------


MAINTENANCE_GAP = 0.10  # before its final review, a card is reviewed at the target minus this
FINAL_BUFFER = 2
SAFETY = 0.5  # the planner aims this share of the way from the target to certain recall


PLANNED_ON = "exam_planned_on"  # meta key: the study day the exam was set on


@dataclass(frozen=True)
class Exam:
    day: date
    target: float = DEFAULT_TARGET
    minutes: int | None = None  # the daily cap; None for no cap
    planned_on: date | None = None  # the day the exam was set (None: unknown, take today)

    @property
    def aim(self) -> float:
        """The recall the planner aims at: above the target by a margin for what the memory
        model cannot know (a student's memory is not the model's average), so that the target
        itself is met for nearly every card (0.90 -> 0.95, 0.95 -> 0.975)."""
        return self.target + (1 - self.target) * SAFETY

    @property
    def maintenance(self) -> float:
        """The recall at which a card is reviewed before its final review: low enough that
        reviews in between stay few, high enough that a card is seldom forgotten before its
        final review (0.90 -> 0.80, 0.95 -> 0.85)."""
        return self.target - MAINTENANCE_GAP


def from_settings(settings: Mapping[str, str], planned_on: str | None = None) -> Exam | None:
    """The exam the settings hold, or None."""
    text = settings.get("exam_date") or ""
    if not text:
        return None
    minutes = settings.get("exam_minutes") or ""
    return Exam(
        date.fromisoformat(text),
        float(settings.get("exam_target") or DEFAULT_TARGET),
        int(minutes) if minutes else None,
        date.fromisoformat(planned_on) if planned_on else None,
    )


def of(store: Store) -> Exam | None:
    """The exam set in ``store``, or None."""
    return from_settings(store.settings(), store.meta(PLANNED_ON))


def check_date(text: str, today: date | None = None) -> str:
    """An exam date in ISO form; ``UsageError`` for an impossible date or one in the past."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"the exam date must be a real date written YYYY-MM-DD, like 2027-06-01, not {text!r}"
        ) from None
    if today is not None and day < today:
        raise UsageError(f"the exam date {day} is in the past (today is {today}); give a later one")
    return day.isoformat()


def check_target(text: str) -> str:
    from custserv_cards.store import check_share

    return f"{check_share('the exam target', text, *TARGET_RANGE):.2f}"


def check_minutes(text: str) -> str:
    if text == "":
        return ""
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit() and 0 < int(stripped) <= MAX_MINUTES):
        raise UsageError(
            f"the daily minutes must be a whole number from 1 to {MAX_MINUTES}, not {text!r}"
        )
    return str(int(stripped))


# --- the rule ---------------------------------------------------------------------------------


def gap_factor(target: float, parameters: Sequence[float]) -> float:
    """k(target): how many stabilities may pass after a review before predicted recall falls
    to ``target`` (1.0 at 0.9, by the definition of stability)."""
    decay = -parameters[20] if len(parameters) > 20 else -0.5
    factor = 0.9 ** (1 / decay) - 1
    return float((target ** (1 / decay) - 1) / factor)


def final_review_day(memory: FsrsMemory, exam: Exam, parameters: Sequence[float]) -> date | None:
    """The first day a review secures the target on the exam day, or None if the card
    reaches the target without another review."""
    # Recall on the exam day is at least the aim while no more than k(aim) stabilities pass
    # (the same test as retrievability >= aim, written so that SQL can make it too: see
    # ``prepare_pull_forward``).
    reach = gap_factor(exam.aim, parameters) * memory.stability
    if (exam.day - memory.day).days <= reach:
        return None
    slack = math.floor(reach)
    latest = exam.day - timedelta(days=FINAL_BUFFER)
    return max(min(exam.day - timedelta(days=slack), latest), memory.day + timedelta(days=1))


def planned_due(memory: FsrsMemory, exam: Exam, parameters: Sequence[float]) -> date:
    """When a card answered on ``memory.day`` is next due under the plan: when its predicted
    recall falls to the maintenance level (the target less ``MAINTENANCE_GAP``), or on its
    final review day if that comes first."""
    from custserv_cards.scheduler.state import add_days, clamp_interval

    interval = clamp_interval(gap_factor(exam.maintenance, parameters) * memory.stability)
    due = add_days(memory.day, interval)
    final = final_review_day(memory, exam, parameters)
    return min(due, final) if final is not None else due


class ExamScheduler:
    """A scheduler (SM-2 or FSRS) working toward an exam: it answers as the scheduler does,
    keeps FSRS's memory of the card up to date (under SM-2 too), and brings the next review
    forward to the card's final review day when the schedule would let recall on the exam
    day fall below the target. On and after the exam day it is the scheduler alone."""

    def __init__(self, base: Scheduler, exam: Exam, fsrs: FSRS) -> None:
        self.base = base
        self.exam = exam
        self.fsrs = fsrs
        self.name = base.name

    def review(self, state: CardState, grade: int, day: date) -> tuple[CardState, AnswerKind]:
        after, kind = self.base.review(state, grade, day)
        if day >= self.exam.day:
            return after, kind
        if after.fsrs_current is None:
            tracked, _ = self.fsrs.review(state, grade, day)
            after = replace(after, fsrs=tracked.fsrs)
        if after.due is None or after.fsrs is None:
            return after, kind
        due = planned_due(after.fsrs, self.exam, self.fsrs.parameters)
        if due > self.exam.day:  # after the exam the scheduler's own dates resume
            due = min(due, max(after.due, self.exam.day + timedelta(days=1)))
        return replace(after, due=due), kind

    def needs_history(self, state: CardState) -> bool:
        return self.base.needs_history(state) or self.fsrs.needs_history(state)

    def weakness(self) -> Weakness:
        return self.base.weakness()

    def figure(self, state: CardState, today: date) -> float | None:
        return self.base.figure(state, today)

    def with_history(self, state: CardState, history: Sequence[PastAnswer]) -> CardState:
        return self.fsrs.with_history(self.base.with_history(state, history), history)


def memory_of(state: CardState, fsrs: FSRS) -> FsrsMemory | None:
    """FSRS's memory of a card from its state alone: the one FSRS keeps (current under FSRS,
    and under SM-2 while an exam is set), else one seeded from SM-2's ease and interval."""
    return state.fsrs_current or fsrs.memory_from_sm2(state)


def is_active(exam: Exam | None, today: date) -> bool:
    return exam is not None and today < exam.day


def exam_fsrs(store: Store) -> FSRS:
    from custserv_cards.scheduler.fsrs import DEFAULT_RETENTION, FSRS

    retention = float(store.setting("desired_retention") or DEFAULT_RETENTION)
    return FSRS(store.fsrs_parameters(), retention)


def prepare_pull_forward(store: Store, today: date) -> bool:
    """Fill ``temp.exam_due`` with the cards whose final review day has come although their
    stored due date is later (cards last answered before the exam was set or changed), with
    the day of their last answer; the queue treats them as due until they are answered again.
    Returns whether an exam is active (if not, the table is not made).

    One query decides it for every card (``final_review_day``'s rule in SQL): a card is
    brought forward when recall on the exam day would fall below the aim (more than k(aim)
    stabilities pass from its last answer to the exam), its final review day is today or
    earlier (k(aim) stabilities reach back to today, or the exam is at most ``FINAL_BUFFER``
    days away) and it was last answered before today."""
    conn = store.conn
    exam = of(store)
    if exam is None or not is_active(exam, today):
        return False
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS exam_due (card_id TEXT PRIMARY KEY, last_day TEXT, "
        "due TEXT, state_row INTEGER)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS temp.exam_due_order ON exam_due (due, state_row)")
    conn.execute("DELETE FROM temp.exam_due")
    fsrs = exam_fsrs(store)
    params = {
        "today": today.isoformat(),
        "exam": exam.day.isoformat(),
        "k": gap_factor(exam.aim, fsrs.parameters),
        "left": (exam.day - today).days,
        "buffer": FINAL_BUFFER,
    }
    stability = fsrs.sql_stability(conn)
    conn.execute(
        f"""
        WITH memory AS MATERIALIZED (  -- each card's stability worked out once
            SELECT s.card_id, s.last_day, s.due, s.rowid AS state_row,
                :k * ({stability}) AS reach,
                CAST(julianday(:exam) - julianday(s.last_day) AS INTEGER) AS gap
            FROM state s NOT INDEXED  -- about half the states: a scan beats the due index
            WHERE s.last_day IS NOT NULL AND s.due > :today AND s.due >= :exam
                AND s.suspended = 0 AND s.last_day < :today
        )
        INSERT INTO temp.exam_due
        SELECT card_id, last_day, due, state_row FROM memory
        WHERE reach IS NOT NULL AND gap > reach
            AND (reach >= :left OR :left <= :buffer)
        """,
        params,
    )
    return True


# --- pace and load ------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerTimes:
    review: float  # seconds a review takes this student (median)
    new: float  # seconds a new card's first answer takes

    @property
    def measured(self) -> bool:
        return (self.review, self.new) != (DEFAULT_REVIEW_SECONDS, DEFAULT_NEW_SECONDS)


def answer_times(store: Store, recent: int = 1000) -> AnswerTimes:
    """The student's own median answer times (the last ``recent`` answers of each kind)."""

    import statistics

    def median(kinds: str) -> float | None:
        rows = store.conn.execute(
            f"SELECT duration_ms FROM reviews WHERE kind IN ({kinds}) AND duration_ms > 0 "
            "AND duration_ms < 600000 ORDER BY id DESC LIMIT ?",
            (recent,),
        ).fetchall()
        return statistics.median(r[0] for r in rows) / 1000 if len(rows) >= 5 else None

    review = median("'review', 'repeat'")
    new = median("'learn'")
    if review is None and new is None:
        return AnswerTimes(DEFAULT_REVIEW_SECONDS, DEFAULT_NEW_SECONDS)
    if review is None:
        review = (new or DEFAULT_NEW_SECONDS) * DEFAULT_REVIEW_SECONDS / DEFAULT_NEW_SECONDS
    if new is None:
        new = review * DEFAULT_NEW_SECONDS / DEFAULT_REVIEW_SECONDS
    return AnswerTimes(review, new)


def intro_deadline(exam: Exam, today: date) -> date:
    """The last day new cards are introduced on: a fifth of the time from the day the exam
    was set (at least ``MIN_LEAD_DAYS``) before the exam, so that each has several reviews."""
    start = min(exam.planned_on or today, today)
    lead = max(MIN_LEAD_DAYS, math.ceil(LEAD_SHARE * (exam.day - start).days))
    return max(today, exam.day - timedelta(days=lead))


def new_per_day(new_left: int, exam: Exam, today: date) -> int:
    """How many new cards today, so that all ``new_left`` are introduced by the deadline."""
    days = (intro_deadline(exam, today) - today).days + 1
    return math.ceil(new_left / max(days, 1))


@dataclass(frozen=True)
class Allowance:
    new: int
    reviews: int


def daily_allowance(store: Store, today: date) -> Allowance | None:
    """Today's new cards and reviews under the exam plan (what is left of them after today's
    answers), or None when no exam is active. Counts only, so it is cheap at any size."""
    exam = of(store)
    if exam is None or not is_active(exam, today):
        return None
    day = today.isoformat()
    learned, reviewed, spent_ms = store.conn.execute(
        "SELECT TOTAL(kind = 'learn'), TOTAL(kind = 'review'), "
        "TOTAL(CASE WHEN kind != 'drill' THEN duration_ms END) FROM reviews WHERE day = ?",
        (day,),
    ).fetchone()
    new_now = store.conn.execute(
        # the narrow states first (CROSS JOIN keeps that order), then each new card's row
        "SELECT COUNT(*) FROM state s CROSS JOIN cards c ON c.id = s.card_id "
        "WHERE s.last_day IS NULL AND s.suspended = 0 AND c.retired = 0"
    ).fetchone()[0]
    pace = new_per_day(int(new_now) + int(learned), exam, today)
    new = max(0, pace - int(learned))
    reviews = max(0, int(store.setting("reviews_per_day")) - int(reviewed))
    if exam.minutes is not None:
        times = answer_times(store)
        budget = max(0.0, exam.minutes * 60 - spent_ms / 1000)
        reviews = min(reviews, int(budget // times.review))
        budget_after_reviews = budget - min(reviews, _due_today(store, today)) * times.review
        new = min(new, max(0, int(budget_after_reviews // times.new)))
    return Allowance(new=new, reviews=reviews)


def _due_today(store: Store, today: date) -> int:
    day = today.isoformat()
    row = store.conn.execute(
        "SELECT COUNT(*) FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.due <= ? AND s.suspended = 0 AND c.retired = 0",
        (day,),
    ).fetchone()
    return int(row[0])


# --- the forecast --------------------------------------------------------------------------


@dataclass
class _Card:
    card_id: str
    topic: str
    memory: FsrsMemory | None  # None: new
    due: date | None
    now_recall: float = 0.0  # recall on the exam day if the student stops now


@dataclass(frozen=True)
class TopicForecast:
    topic: str
    cards: int
    new: int
    predicted_recall: float  # mean recall on the exam day if the student stops now (new = 0)
    planned_recall: float  # ... if the student follows the plan
    at_target: float  # share of cards at or above the target under the plan


@dataclass(frozen=True)
class DayLoad:
    day: date
    reviews: int
    new: int
    minutes: float


@dataclass(frozen=True)
class Simulation:
    recall: dict[str, float]  # card -> recall on the exam day
    days: list[DayLoad]
    left_new: int  # new cards never introduced
    left_due: int  # reviews still owed on the exam day

    def feasible(self, cards: Iterable[str], target: float) -> bool:
        return self.left_new == 0 and all(self.recall.get(c, 0.0) >= target for c in cards)


@dataclass
class Forecast:
    exam: Exam
    today: date
    days_left: int
    times: AnswerTimes
    topics: list[TopicForecast]
    total: TopicForecast
    plan: Simulation
    feasible: bool
    minutes_needed: int | None  # the daily minutes the plan needs (None: no cap needed)
    suggestions: list[str] = field(default_factory=list)
    at_risk: list[tuple[str, str, float]] = field(default_factory=list)  # id, topic, recall

    def to_dict(self) -> dict[str, Any]:
        def topic(t: TopicForecast) -> dict[str, Any]:
            return {
                "topic": t.topic,
                "cards": t.cards,
                "new": t.new,
                "predicted_recall": round(t.predicted_recall, 4),
                "planned_recall": round(t.planned_recall, 4),
                "at_target": round(t.at_target, 4),
            }

        return {
            "exam_date": self.exam.day.isoformat(),
            "target": self.exam.target,
            "minutes": self.exam.minutes,
            "today": self.today.isoformat(),
            "days_left": self.days_left,
            "feasible": self.feasible,
            "minutes_needed": self.minutes_needed,
            "seconds_per_review": round(self.times.review, 1),
            "seconds_per_new_card": round(self.times.new, 1),
            "predicted_recall": round(self.total.predicted_recall, 4),
            "planned_recall": round(self.total.planned_recall, 4),
            "topics": [topic(t) for t in self.topics],
            "at_risk": [
                {"card_id": c, "topic": t, "predicted_recall": round(r, 4)}
                for c, t, r in self.at_risk
            ],
            "plan": [
                {
                    "day": d.day.isoformat(),
                    "reviews": d.reviews,
                    "new": d.new,
                    "minutes": round(d.minutes, 1),
                }
                for d in self.plan.days
            ],
            "suggestions": self.suggestions,
        }


def _cards(store: Store, fsrs: FSRS, exam: Exam) -> list[_Card]:
    from custserv_cards.memory import memories
    from custserv_cards.scheduler.fsrs import retrievability

    known = memories(store)
    rows = store.conn.execute(
        "SELECT s.card_id, c.topic, s.due FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.suspended = 0 AND c.retired = 0 ORDER BY c.topic, s.rowid"
    ).fetchall()
    cards: list[_Card] = []
    for card_id, topic, due in rows:
        found = known.get(card_id)
        memory = FsrsMemory(found.stability, found.difficulty, found.last_day) if found else None
        card = _Card(card_id, topic, memory, date.fromisoformat(due) if due else None)
        if memory is not None:
            card.now_recall = retrievability(
                memory.stability, (exam.day - memory.day).days, fsrs.parameters
            )
        cards.append(card)
    return cards


def simulate(
    cards: Sequence[_Card],
    exam: Exam,
    today: date,
    fsrs: FSRS,
    times: AnswerTimes,
    minutes: int | None,
) -> Simulation:
    """The plan, played forward day by day with every answer a success ("good"): each day's
    reviews in order of their final review day, then the day's new cards, within ``minutes``.
    The recall each card then has on the exam day is the plan's forecast."""
    import heapq

    import fsrs_rs_python

    from custserv_cards.scheduler.fsrs import retrievability
    from custserv_cards.scheduler.state import add_days, clamp_interval

    parameters = fsrs.parameters
    memory: dict[str, FsrsMemory] = {}
    queue: list[tuple[date, date, str]] = []  # (due, deadline, card)

    def plan(card_id: str, mem: FsrsMemory, natural: date) -> None:
        memory[card_id] = mem
        final = final_review_day(mem, exam, parameters)
        due = min(natural, final) if final is not None else natural
        if due < exam.day:
            heapq.heappush(queue, (max(due, today), final or due, card_id))

    new_ids: list[str] = []
    for card in cards:
        if card.memory is None:
            new_ids.append(card.card_id)
        else:
            plan(card.card_id, card.memory, card.due or today)
    capacity = minutes * 60 if minutes is not None else math.inf
    days: list[DayLoad] = []
    introduced = 0
    day = today
    while day < exam.day:
        spent = 0.0
        reviews = 0
        postponed: list[tuple[date, date, str]] = []
        todays: list[tuple[date, date, str]] = []
        while queue and queue[0][0] <= day:
            todays.append(heapq.heappop(queue))
        todays.sort(key=lambda entry: entry[1])  # earliest deadline first
        for entry in todays:
            card_id = entry[2]
            if spent + times.review > capacity:
                postponed.append((day + timedelta(days=1), entry[1], card_id))
                continue
            spent += times.review
            reviews += 1
            mem = memory[card_id]
            current = fsrs_rs_python.MemoryState(mem.stability, mem.difficulty)
            good = fsrs.engine.next_states(
                current, fsrs.desired_retention, (day - mem.day).days
            ).good
            new_mem = FsrsMemory(good.memory.stability, good.memory.difficulty, day)
            plan(card_id, new_mem, add_days(day, clamp_interval(good.interval)))
        for entry in postponed:
            heapq.heappush(queue, entry)
        pace = new_per_day(len(new_ids) - introduced, exam, day)
        new_today = 0
        while new_today < pace and introduced < len(new_ids):
            if spent + times.new > capacity:
                break
            spent += times.new
            card_id = new_ids[introduced]
            introduced += 1
            new_today += 1
            good = fsrs.engine.next_states(None, fsrs.desired_retention, 0).good
            new_mem = FsrsMemory(good.memory.stability, good.memory.difficulty, day)
            plan(card_id, new_mem, add_days(day, clamp_interval(good.interval)))
        days.append(DayLoad(day, reviews, new_today, spent / 60))
        day += timedelta(days=1)
    recall = {
        card_id: retrievability(mem.stability, (exam.day - mem.day).days, parameters)
        for card_id, mem in memory.items()
    }
    left_due = sum(1 for entry in queue if entry[0] < exam.day)
    return Simulation(recall, days, len(new_ids) - introduced, left_due)


def forecast(store: Store, today: date) -> Forecast:
    """The plan and the forecast for the exam the settings hold (``UsageError`` if none)."""
    exam = of(store)
    if exam is None:
        raise UsageError("no exam is set; set one with 'custserv exam set YYYY-MM-DD'")
    fsrs = exam_fsrs(store)
    times = answer_times(store)
    cards = _cards(store, fsrs, exam)
    ids = [c.card_id for c in cards]
    active = is_active(exam, today)
    if active:
        plan = simulate(cards, exam, today, fsrs, times, exam.minutes)
    else:
        plan = Simulation({c.card_id: c.now_recall for c in cards}, [], 0, 0)
    feasible = plan.feasible(ids, exam.target)
    minutes_needed: int | None = None
    suggestions: list[str] = []
    if active and not feasible:
        minutes_needed, suggestions = _what_would_fit(cards, exam, today, fsrs, times)
    topics = _by_topic(cards, plan, exam.target)
    total = _summary("all", cards, plan, exam.target)
    at_risk = sorted(
        ((c.card_id, c.topic, c.now_recall) for c in cards if c.memory is not None),
        key=lambda item: item[2],
    )
    at_risk = [item for item in at_risk if item[2] < exam.target][:AT_RISK_SHOWN]
    return Forecast(
        exam,
        today,
        (exam.day - today).days,
        times,
        topics,
        total,
        plan,
        feasible,
        minutes_needed,
        suggestions,
        at_risk,
    )


def _summary(name: str, cards: Sequence[_Card], plan: Simulation, target: float) -> TopicForecast:
    count = len(cards)
    if count == 0:
        return TopicForecast(name, 0, 0, 0.0, 0.0, 0.0)
    planned = [plan.recall.get(c.card_id, 0.0) for c in cards]
    return TopicForecast(
        name,
        count,
        sum(1 for c in cards if c.memory is None),
        sum(c.now_recall for c in cards) / count,
        sum(planned) / count,
        sum(1 for r in planned if r >= target) / count,
    )


def _by_topic(cards: Sequence[_Card], plan: Simulation, target: float) -> list[TopicForecast]:
    groups: dict[str, list[_Card]] = {}
    for card in cards:
        groups.setdefault(card.topic, []).append(card)
    return [_summary(name, group, plan, target) for name, group in sorted(groups.items())]


def _what_would_fit(
    cards: Sequence[_Card], exam: Exam, today: date, fsrs: FSRS, times: AnswerTimes
) -> tuple[int | None, list[str]]:
    """The daily minutes the plan needs, and what else would make it fit within the cap."""
    ids = [c.card_id for c in cards]
    suggestions: list[str] = []
    uncapped = simulate(cards, exam, today, fsrs, times, None)
    if not uncapped.feasible(ids, exam.target):
        suggestions.append(
            "even without a time limit the exam is too close for every card to reach the "
            "target; lower the target or study the cards at risk first"
        )
        return None, suggestions
    peak = max((d.minutes for d in uncapped.days), default=0.0)
    low, high = 1, max(1, math.ceil(peak))
    while low < high:  # the fewest whole minutes a day that fit
        middle = (low + high) // 2
        if simulate(cards, exam, today, fsrs, times, middle).feasible(ids, exam.target):
            high = middle
        else:
            low = middle + 1
    needed = low
    suggestions.append(f"study {needed} minutes a day instead of {exam.minutes}")
    if exam.minutes is not None:
        for target in (0.85, 0.80, 0.75, 0.70, 0.60, 0.50):
            if target >= exam.target:
                continue
            lower = replace(exam, target=target)
            if simulate(cards, lower, today, fsrs, times, exam.minutes).feasible(ids, target):
                suggestions.append(f"or aim at {target:.2f} instead of {exam.target:.2f}")
                break
        load: dict[str, int] = {}
        for card in cards:
            load[card.topic] = load.get(card.topic, 0) + (2 if card.memory is None else 1)
        kept = list(cards)
        cut: list[str] = []
        for topic, _ in sorted(load.items(), key=lambda item: -item[1]):
            kept = [c for c in kept if c.topic != topic]
            cut.append(topic)
            if not kept:
                break
            plan = simulate(kept, exam, today, fsrs, times, exam.minutes)
            if plan.feasible([c.card_id for c in kept], exam.target):
                suggestions.append(
                    "or leave out " + ", ".join(cut) + f" ({len(cards) - len(kept)} cards)"
                )
                break
    return needed, suggestions


def readiness_line(store: Store, today: date) -> str | None:
    """One line for a session's header while an exam is set: days left and the predicted
    recall of the cards studied so far, today (averaged in one query)."""
    exam = of(store)
    if exam is None:
        return None
    if not is_active(exam, today):
        return f"exam {exam.day} passed"
    recall_now = exam_fsrs(store).sql_recall(store.conn, today)
    total, count = store.conn.execute(
        f"""
        WITH memory AS MATERIALIZED (  -- each card's recall worked out once
            SELECT {recall_now} AS recall
            FROM state s WHERE s.last_day IS NOT NULL AND s.suspended = 0
        )
        SELECT TOTAL(recall), COUNT(recall) FROM memory
        """
    ).fetchone()
    days = (exam.day - today).days
    recall = f" · recall now {total / count:.0%}" if count else ""
    return f"exam in {days} day{'s' * (days != 1)}{recall} · target {exam.target:.0%}"
