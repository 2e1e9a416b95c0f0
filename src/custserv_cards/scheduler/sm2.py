"""SM-2 exactly as P. A. Wozniak published it (1990), read with SuperMemo's reference code.

* A new item: EF = 2.5, n = 0.
* Grade q >= 3: n += 1; interval 1 day (n = 1), 6 days (n = 2), else ceil(I x EF) with the EF
  from *before* this answer; then EF' = EF + (0.1 - (5 - q)(0.08 + (5 - q) 0.02)), at least 1.3.
* Grade q < 3: n = 0, interval 1 day, EF unchanged.
* The next due day is the answer's study day plus the interval.
* Rule 7: items graded below 4 are asked again the same day until they score 4 or more;
  those same-day answers change neither n, EF nor the interval.

Two limits the publication does not need, because it assumes answers on the due day:

* An early answer (before the due day, as ``grade`` or ``quiz --record`` allow) multiplies
  the days that actually passed since the last answer, not the whole interval:
  ceil(min(I, elapsed) x EF), and never less than I (a success never shortens the interval).
  An early success leaves EF as it was (a lower grade still lowers it): recalling a card
  before its spacing is up says little about how easy it is at that spacing. Daily early
  answers therefore compound neither the interval nor, through EF, the intervals after it.
* No interval exceeds 36,500 days, and no due date passes the last representable day.

EF is kept as a whole number of hundredths (every change is a multiple of 0.02), so ceil
never gains a day through floating-point error (a float EF of 3.0000000000000004 turns
140 days into 421). This module is pure: no clock, no database, no randomness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from custserv_cards.scheduler.state import (
    MAX_INTERVAL,
    MIN_EASINESS,
    AnswerKind,
    CardState,
    PastAnswer,
    SchedulerName,
    SM2Memory,
    Weakness,
    add_days,
)


def easiness_change(grade: int) -> int:
    """0.1 - (5 - q)(0.08 + (5 - q) 0.02), in hundredths: +10, 0, -14 for q = 5, 4, 3."""
    miss = 5 - grade
    return 10 - miss * (8 + miss * 2)


def review(state: CardState, grade: int, day: date) -> tuple[CardState, AnswerKind]:
    """Apply one answer given on study day ``day``; return the new state and the answer's kind.

    The kind is ``learn`` (a new card's first answer), ``review`` (a scheduled answer) or
    ``repeat`` (a further answer the same day, rule 7: it changes nothing but ``again``).
    """
    if not 0 <= grade <= 5:
        raise ValueError(f"grade must be 0 to 5, not {grade}")
    if state.last_day == day:
        return replace(state, again=grade < 4), AnswerKind.REPEAT
    kind = AnswerKind.LEARN if state.is_new else AnswerKind.REVIEW
    easiness = state.sm2.easiness
    if grade >= 3:
        repetitions = state.repetitions + 1
        if repetitions == 1:
            interval = 1
        elif repetitions == 2:
            interval = 6
        else:
            elapsed = (day - state.last_day).days if state.last_day else state.interval
            base = max(1, min(state.interval, elapsed))
            interval = max(state.interval, -(-base * easiness // 100))
        interval = min(interval, MAX_INTERVAL)
        early = state.due is not None and not state.is_new and day < state.due
        change = easiness_change(grade)
        easiness = max(MIN_EASINESS, easiness + (min(change, 0) if early else change))
        lapses = state.lapses
    else:
        repetitions, interval, lapses = 0, 1, state.lapses + 1
    new = replace(
        state,
        repetitions=repetitions,
        interval=interval,
        due=add_days(day, interval),
        lapses=lapses,
        last_day=day,
        again=grade < 4,
        sm2=SM2Memory(easiness),
    )
    return new, kind


class SM2:
    """SM-2 behind the common scheduler interface."""

    name = SchedulerName.SM2

    def review(self, state: CardState, grade: int, day: date) -> tuple[CardState, AnswerKind]:
        return review(state, grade, day)

    def needs_history(self, state: CardState) -> bool:
        return False

    def with_history(self, state: CardState, history: Sequence[PastAnswer]) -> CardState:
        return state

    def weakness(self) -> Weakness:
        return Weakness("ef", "Lowest EF", "EF", column="easiness")

    def figure(self, state: CardState, today: date) -> float | None:
        return None if state.is_new else state.sm2.ef
