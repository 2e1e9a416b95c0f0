"""The synthetic collection both tools are loaded with, generated deterministically.

Standard library plus custserv's pure SM-2 module only, so that both the project's Python
and the separate virtual environment that holds Anki can import it and get the very same
cards, grades, review times and final states from the same ``(size, seed, today)``.

Shape: ``size`` cards in 20 topics; about 8 % are new (never answered); the rest have
8 to 16 answers each (about 10 on average, as a history stops when the interval passes about three
years), replayed through SM-2 with a realistic grade mix. Each
answered card's history is then shifted in time so that its next due day lands around today:
about 12 % are overdue by 1 to 45 days (the backlog), the others fall due between today and
one interval from now, so nothing was answered later than yesterday.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from custserv_cards.scheduler.sm2 import review  # noqa: E402
from custserv_cards.scheduler.state import CardState  # noqa: E402

TOPICS = 20
MARKER = "bench card"
NEW_SHARE = 0.08
OVERDUE_SHARE = 0.12
GRADES = (5, 4, 3, 2, 1, 0)
GRADE_WEIGHTS = (10, 50, 28, 6, 4, 2)
DAY_START_HOUR = 4
MAX_INTERVAL = 1000  # a history stops once the interval passes this (about 3 years)


@dataclass(frozen=True)
class Answer:
    """One answer in a card's history."""

    day: date
    at: datetime  # local, timezone-aware
    grade: int
    kind: str  # learn | review
    before: CardState
    after: CardState
    duration_ms: int


@dataclass(frozen=True)
class SynthCard:
    index: int
    topic: str
    prompt: str
    answer: str
    answers: tuple[Answer, ...]

    @property
    def id(self) -> str:
        return f"bench-{self.index:06d}"

    @property
    def state(self) -> CardState:
        return self.answers[-1].after if self.answers else CardState()


def topic_of(index: int) -> str:
    return f"bench-topic-{index % TOPICS:02d}"


def texts(index: int) -> tuple[str, str]:
    """A card's prompt and answer: about the length of a real deck's."""
    prompt = f"{MARKER} {index}: what does the customer service term number {index} mean?"
    answer = f"Meaning {index}: how a business meets its customers' needs in case {index % 97}."
    return prompt, answer


def cards(size: int, seed: int, today: date) -> Iterator[SynthCard]:
    """The collection's cards in order, each with its full answer history."""
    rng = random.Random(seed)
    zone = datetime.now().astimezone().tzinfo
    for index in range(size):
        prompt, answer = texts(index)
        if rng.random() < NEW_SHARE:
            yield SynthCard(index, topic_of(index), prompt, answer, ())
            continue
        count = rng.randint(8, 16)
        history: list[tuple[int, int, str, CardState, CardState]] = []
        state = CardState()
        day = 0
        for _ in range(count):
            grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
            after, kind = review(state, grade, date(2000, 1, 1) + timedelta(days=day))
            history.append((day, grade, kind, state, after))
            state = after
            if after.interval > MAX_INTERVAL:
                break
            delay = 0 if rng.random() < 0.7 else rng.randint(1, 5)
            day = day + after.interval + delay
        final = history[-1][4]
        if rng.random() < OVERDUE_SHARE:
            offset = -rng.randint(1, 45)
        else:
            offset = rng.randint(0, max(0, final.interval - 1))
        # the last answer was given `interval` days before the due day
        last_day = today + timedelta(days=offset - final.interval)
        shift = last_day - (date(2000, 1, 1) + timedelta(days=history[-1][0]))
        answers = []
        for rel_day, grade, kind, before, after in history:
            real_day = date(2000, 1, 1) + timedelta(days=rel_day) + shift
            seconds = rng.randint(8 * 3600, 22 * 3600 - 1)
            at = datetime.combine(real_day, time(0), zone) + timedelta(
                seconds=seconds, milliseconds=rng.randint(0, 999)
            )
            answers.append(
                Answer(
                    day=real_day,
                    at=at,
                    grade=grade,
                    kind=kind,
                    before=_shifted(before, shift),
                    after=_shifted(after, shift),
                    duration_ms=rng.randint(1500, 25000),
                )
            )
        yield SynthCard(index, topic_of(index), prompt, answer, tuple(answers))


def _shifted(state: CardState, shift: timedelta) -> CardState:
    return replace(
        state,
        due=state.due + shift if state.due else None,
        last_day=state.last_day + shift if state.last_day else None,
    )


def study_today() -> date:
    """Today's study day (it starts at 04:00, for both tools)."""
    return (datetime.now() - timedelta(hours=DAY_START_HOUR)).date()
