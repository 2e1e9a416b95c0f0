"""SM-2 exactly as P. A. Wozniak published it (1990), read with SuperMemo's reference code.

* A new item: EF = 2.5, n = 0.
* Grade q >= 3: n += 1; interval 1 day (n = 1), 6 days (n = 2), else ceil(I x EF) with the EF
  from *before* this answer; then EF' = EF + (0.1 - (5 - q)(0.08 + (5 - q) 0.02)), at least 1.3.
* Grade q < 3: n = 0, interval 1 day, EF unchanged.
* The next due day is the answer's study day plus the interval.
* Rule 7: items graded below 4 are asked again the same day until they score 4 or more;
  those same-day answers change neither n, EF nor the interval.

EF is kept as a whole number of hundredths (every change is a multiple of 0.02), so ceil
never gains a day through floating-point error (a float EF of 3.0000000000000004 turns
140 days into 421). This module is pure: no clock, no database, no randomness.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

INITIAL_EASINESS = 250
MIN_EASINESS = 130
LEECH_LAPSES = 8


@dataclass(frozen=True)
class SM2State:
    """A card's SM-2 state. ``easiness`` is EF x 100; ``due`` is None for a new card."""

    repetitions: int = 0
    easiness: int = INITIAL_EASINESS
    interval: int = 0
    due: date | None = None
    lapses: int = 0
    last_day: date | None = None
    again: bool = False

    @property
    def ef(self) -> float:
        return self.easiness / 100

    @property
    def is_new(self) -> bool:
        return self.last_day is None

    @property
    def leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        data["last_day"] = self.last_day.isoformat() if self.last_day else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SM2State:
        return cls(
            repetitions=int(data["repetitions"]),
            easiness=int(data["easiness"]),
            interval=int(data["interval"]),
            due=date.fromisoformat(data["due"]) if data.get("due") else None,
            lapses=int(data["lapses"]),
            last_day=date.fromisoformat(data["last_day"]) if data.get("last_day") else None,
            again=bool(data["again"]),
        )


def easiness_change(grade: int) -> int:
    """0.1 - (5 - q)(0.08 + (5 - q) 0.02), in hundredths: +10, 0, -14 for q = 5, 4, 3."""
    miss = 5 - grade
    return 10 - miss * (8 + miss * 2)


def review(state: SM2State, grade: int, day: date) -> tuple[SM2State, str]:
    """Apply one answer given on study day ``day``; return the new state and the answer's kind.

    The kind is ``learn`` (a new card's first answer), ``review`` (a scheduled answer) or
    ``repeat`` (a further answer the same day, rule 7: it changes nothing but ``again``).
    """
    if not 0 <= grade <= 5:
        raise ValueError(f"grade must be 0 to 5, not {grade}")
    if state.last_day == day:
        return replace(state, again=grade < 4), "repeat"
    kind = "learn" if state.is_new else "review"
    if grade >= 3:
        repetitions = state.repetitions + 1
        if repetitions == 1:
            interval = 1
        elif repetitions == 2:
            interval = 6
        else:
            interval = -(-state.interval * state.easiness // 100)
        easiness = max(MIN_EASINESS, state.easiness + easiness_change(grade))
        lapses = state.lapses
    else:
        repetitions, interval, easiness, lapses = 0, 1, state.easiness, state.lapses + 1
    new = SM2State(
        repetitions=repetitions,
        easiness=easiness,
        interval=interval,
        due=day + timedelta(days=interval),
        lapses=lapses,
        last_day=day,
        again=grade < 4,
    )
    return new, kind
