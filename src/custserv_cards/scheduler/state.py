"""A card's scheduling state, as every scheduler reads and writes it. Plain values, no I/O.

The common fields (repetitions, interval, due, lapses, last day, again) are what the rest of
the app reads, whichever scheduler runs. Each scheduler's own memory of the card is a typed
value beside them: SM-2's ease factor (``SM2Memory``) and FSRS's stability and difficulty
(``FsrsMemory``). A scheduler changes only its own memory and carries the other's along, so
switching back and forth keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

INITIAL_EASINESS = 250
MIN_EASINESS = 130
LEECH_LAPSES = 8
MAX_INTERVAL = 36_500  # days (100 years): no schedule reaches further, whatever the answers


class SchedulerName(StrEnum):
    SM2 = "sm2"
    FSRS = "fsrs"


class AnswerKind(StrEnum):
    """What an answer was, as the review log records it."""

    LEARN = "learn"  # a new card's first answer
    REVIEW = "review"  # the first answer of a study day to a card already learnt
    REPEAT = "repeat"  # a further answer to the card the same study day
    DRILL = "drill"  # a practice answer (quiz without --record): the schedule is unchanged


@dataclass(frozen=True)
class SM2Memory:
    """SM-2's memory of a card: its E-Factor, kept as a whole number of hundredths."""

    easiness: int = INITIAL_EASINESS

    @property
    def ef(self) -> float:
        return self.easiness / 100


@dataclass(frozen=True)
class FsrsMemory:
    """FSRS's memory of a card after its answer on study day ``day``: stability (days until
    recall falls to 90 %) and difficulty (1 to 10)."""

    stability: float
    difficulty: float
    day: date


@dataclass(frozen=True)
class CardState:
    """A card's state. ``due`` and ``last_day`` are None for a new card."""

    repetitions: int = 0
    interval: int = 0
    due: date | None = None
    lapses: int = 0
    last_day: date | None = None
    again: bool = False
    sm2: SM2Memory = SM2Memory()
    fsrs: FsrsMemory | None = None

    @property
    def is_new(self) -> bool:
        return self.last_day is None

    @property
    def leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES

    @property
    def fsrs_current(self) -> FsrsMemory | None:
        """FSRS's memory if it knows the card's latest answer (not stale from before answers
        given under another scheduler)."""
        if self.fsrs is not None and self.fsrs.day == self.last_day:
            return self.fsrs
        return None


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days``, held at the last representable date instead of overflowing."""
    if days >= (date.max - day).days:
        return date.max
    return day + timedelta(days=days)


def clamp_interval(days: float) -> int:
    """A whole number of days from 1 to ``MAX_INTERVAL``."""
    return int(min(max(round(days), 1), MAX_INTERVAL))


@dataclass(frozen=True)
class Weakness:
    """What "weakest" means for a scheduler: the figure, lowest first."""

    key: str  # "ef" or "recall": the figure's name in the statistics
    title: str  # e.g. "Lowest EF"
    label: str  # the figure's short name in a table, e.g. "EF"
    column: str | None = None  # a ``state`` column ordering the weakest first, if one does


@dataclass(frozen=True)
class PastAnswer:
    """One logged answer that moved the schedule: its study day and grade."""

    day: date
    grade: int
