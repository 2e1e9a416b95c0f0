"""FSRS, the scheduler Anki runs, through its own Rust engine (fsrs-rs, as ``fsrs_rs_python``).

The app schedules whole study days, so FSRS runs on days elapsed, without learning steps in
minutes and without fuzz: the next state depends only on the state, the grade and the day.
SM-2's six grades map onto FSRS's four ratings: 0-2 Again, 3 Hard, 4 Good, 5 Easy. Same-day
answers are repeats, as under SM-2, and move neither repetitions nor lapses; FSRS's
short-term model still learns from them.

A card FSRS has not followed (new under FSRS, or answered under SM-2 since) gets its memory
from its own review log, replayed through the same model; where the log does not account
for the card's progress, from its SM-2 state (ease and interval), as Anki does when FSRS is
turned on.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from custserv_cards.scheduler.state import (
    AnswerKind,
    CardState,
    FsrsMemory,
    PastAnswer,
    SchedulerName,
    Weakness,
    add_days,
    clamp_interval,
)

if TYPE_CHECKING:
    import fsrs_rs_python

DEFAULT_RETENTION = 0.9
RETENTION_RANGE = (0.70, 0.97)
SM2_RETENTION = 0.9  # the recall SM-2's intervals are taken to aim at when seeding FSRS
_RATINGS = ("again", "hard", "good", "easy")


def rating(grade: int) -> int:
    """FSRS's rating for an SM-2 grade: 1 Again (0-2), 2 Hard (3), 3 Good (4), 4 Easy (5)."""
    if not 0 <= grade <= 5:
        raise ValueError(f"grade must be 0 to 5, not {grade}")
    return 1 if grade <= 2 else grade - 1


def default_parameters() -> tuple[float, ...]:
    import fsrs_rs_python

    return tuple(fsrs_rs_python.DEFAULT_PARAMETERS)


@cache
def _engine(parameters: tuple[float, ...]) -> fsrs_rs_python.FSRS:
    import fsrs_rs_python

    return fsrs_rs_python.FSRS(list(parameters))


def check_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    """The parameters, filled to the current model's length; ``ValueError`` if unusable."""
    import fsrs_rs_python

    filled = tuple(fsrs_rs_python.check_and_fill_parameters(list(parameters)))
    _engine(filled)
    return filled


def forgetting_curve(parameters: Sequence[float]) -> tuple[float, float]:
    """The power forgetting curve's (factor, decay) for these parameters."""
    decay = -parameters[20] if len(parameters) > 20 else -0.5
    return 0.9 ** (1 / decay) - 1, decay


def retrievability(stability: float, days: float, parameters: Sequence[float]) -> float:
    """FSRS's probability of recall ``days`` after the last answer, for a memory of the given
    stability: the power forgetting curve (1 + f t / S)^-d, with f chosen so that R(S) = 0.9."""
    factor, decay = forgetting_curve(parameters)
    return float((1 + factor * max(days, 0) / stability) ** decay)


def item(history: Sequence[PastAnswer]) -> fsrs_rs_python.FSRSItem:
    """A card's answers as an FSRS item: each rating with the days since the one before. A day
    before the latest one so far (a log written by a release that let the clock go back) is a
    further answer on that latest day, as the store counts such answers now."""
    import fsrs_rs_python

    reviews = []
    previous: date | None = None
    for answer in history:
        day = max(answer.day, previous) if previous else answer.day
        elapsed = (day - previous).days if previous else 0
        reviews.append(fsrs_rs_python.FSRSReview(rating(answer.grade), elapsed))
        previous = day
    return fsrs_rs_python.FSRSItem(reviews)


class FSRS:
    """FSRS behind the common scheduler interface."""

    name = SchedulerName.FSRS

    def __init__(
        self,
        parameters: Sequence[float] | None = None,
        desired_retention: float = DEFAULT_RETENTION,
    ) -> None:
        self.parameters = tuple(parameters) if parameters else default_parameters()
        self.desired_retention = desired_retention
        self.engine = _engine(self.parameters)
        self._curve = forgetting_curve(self.parameters)
        self._from_sm2: dict[tuple[int, int], tuple[float, float]] = {}

    def review(self, state: CardState, grade: int, day: date) -> tuple[CardState, AnswerKind]:
        import fsrs_rs_python

        choice = _RATINGS[rating(grade) - 1]
        memory = state.fsrs_current or self.memory_from_sm2(state)
        current = (
            fsrs_rs_python.MemoryState(memory.stability, memory.difficulty) if memory else None
        )
        elapsed = max((day - state.last_day).days, 0) if state.last_day else 0
        chosen = getattr(self.engine.next_states(current, self.desired_retention, elapsed), choice)
        interval = clamp_interval(chosen.interval)
        new_memory = FsrsMemory(chosen.memory.stability, chosen.memory.difficulty, day)
        new = replace(
            state, interval=interval, due=add_days(day, interval), again=grade < 4, fsrs=new_memory
        )
        if state.last_day == day:
            return new, AnswerKind.REPEAT
        passed = grade >= 3
        new = replace(
            new,
            repetitions=state.repetitions + 1 if passed else 0,
            lapses=state.lapses if passed else state.lapses + 1,
            last_day=day,
        )
        return new, AnswerKind.LEARN if state.is_new else AnswerKind.REVIEW

    def needs_history(self, state: CardState) -> bool:
        return not state.is_new and state.fsrs_current is None

    def with_history(self, state: CardState, history: Sequence[PastAnswer]) -> CardState:
        """The state with FSRS's memory rebuilt from the card's log, when the log accounts for
        the card's last answer; otherwise as it is (``review`` then seeds from SM-2)."""
        if state.is_new or not history or history[-1].day != state.last_day:
            return state
        return replace(state, fsrs=self.memory_from_history(history))

    def memory_from_history(self, history: Sequence[PastAnswer]) -> FsrsMemory:
        found = self.engine.memory_state(item(history))
        return FsrsMemory(found.stability, found.difficulty, history[-1].day)

    def memory_from_sm2(self, state: CardState) -> FsrsMemory | None:
        """A memory for a card learnt under SM-2, from its ease and interval (None if new)."""
        if state.last_day is None:
            return None
        stability, difficulty = self.sm2_seed(state.sm2.easiness, state.interval)
        return FsrsMemory(stability, difficulty, state.last_day)

    def sql_stability(self, conn: sqlite3.Connection) -> str:
        """The SQL expression of an answered card's stability over a ``state s`` row: the
        memory FSRS keeps when it knows the card's last answer, else the one seeded from SM-2's
        ease and interval (``memory_from_sm2``, as the SQL function ``sm2_stability`` this
        defines on ``conn``). The same choice as ``state.fsrs_current or memory_from_sm2``."""
        seeds: dict[tuple[int, int], float] = {}

        def sm2_stability(easiness: int, interval: int) -> float:
            try:  # called once a card: the pairs repeat
                return seeds[easiness, interval]
            except KeyError:
                found = seeds[easiness, interval] = self.sm2_seed(easiness, interval)[0]
                return found

        conn.create_function("sm2_stability", 2, sm2_stability, deterministic=True)
        return _SQL_STABILITY

    def sql_recall(self, conn: sqlite3.Connection, day: date) -> str:
        """The SQL expression of an answered card's probability of recall on study day ``day``
        (``recall``), over a ``state s`` row."""
        factor, decay = self._curve
        sql_pow(conn)
        elapsed = f"MAX(CAST(julianday('{day.isoformat()}') - julianday(s.last_day) AS INTEGER), 0)"
        return f"pow(1 + {factor!r} * {elapsed} / ({self.sql_stability(conn)}), {decay!r})"

    def sm2_seed(self, easiness: int, interval: int) -> tuple[float, float]:
        """The (stability, difficulty) FSRS gives a card of SM-2 ease ``easiness`` (EF x 100)
        and ``interval`` days (at least 1)."""
        key = (easiness, max(interval, 1))
        known = self._from_sm2.get(key)
        if known is None:  # many cards share an EF and an interval: convert each pair once
            found = self.engine.memory_state_from_sm2(key[0] / 100, float(key[1]), SM2_RETENTION)
            known = self._from_sm2[key] = (found.stability, found.difficulty)
        return known

    def weakness(self) -> Weakness:
        return Weakness("recall", "Lowest recall today", "recall")

    def figure(self, state: CardState, today: date) -> float | None:
        """FSRS's predicted recall of the card today."""
        memory = state.fsrs_current or self.memory_from_sm2(state)
        return None if memory is None else self.recall(memory, today)

    def recall(self, memory: FsrsMemory, day: date) -> float:
        """The probability of recalling the card on study day ``day``."""
        factor, decay = self._curve
        return float((1 + factor * max((day - memory.day).days, 0) / memory.stability) ** decay)


# Whether FSRS's memory in a ``state s`` row is current (``CardState.fsrs_current``): valid,
# of the card's last answer, with a numeric stability and difficulty.
_SQL_CURRENT = (
    "(json_valid(s.fsrs) AND json_extract(s.fsrs, '$.day') = s.last_day "
    "AND json_type(s.fsrs, '$.stability') IN ('real', 'integer') "
    "AND json_type(s.fsrs, '$.difficulty') IN ('real', 'integer'))"
)
_SQL_STABILITY = (
    f"CASE WHEN s.fsrs IS NOT NULL AND {_SQL_CURRENT} THEN json_extract(s.fsrs, '$.stability') "
    "ELSE sm2_stability(s.easiness, s.interval) END"
)


def sql_pow(conn: sqlite3.Connection) -> None:
    """SQLite's pow(), from Python's math when the library was built without its math
    functions."""
    try:
        conn.execute("SELECT pow(2, 0.5)")
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)
