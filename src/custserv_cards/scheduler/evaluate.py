"""Replaying a real review log through the schedulers, to check and compare them.

Each card's answers are replayed in time order through SM-2 and through FSRS (as the app
runs them: study days from 04:00, same-day answers as repeats). Before every scheduled
answer, FSRS's predicted probability of recall is set against what happened, so the
replay measures how well FSRS predicts recall on real data (log loss, against a constant
guess of the overall recall rate). SM-2 gives no probabilities; for it the replay reports
how often the answers given on or after the due day were recalled, and checks its rules.
Ratings on Anki's four-button scale map onto SM-2 grades as Again 1, Hard 3, Good 4, Easy 5.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from custserv_cards.clock import DEFAULT_DAY_START_HOUR, study_day
from custserv_cards.scheduler import sm2
from custserv_cards.scheduler.fsrs import FSRS
from custserv_cards.scheduler.state import MIN_EASINESS, AnswerKind, CardState

ANKI_RATING_TO_GRADE = {1: 1, 2: 3, 3: 4, 4: 5}


@dataclass(frozen=True)
class Review:
    card: str
    rating: int  # Anki's 1 Again, 2 Hard, 3 Good, 4 Easy
    at: datetime


@dataclass
class Evaluation:
    reviews: int = 0
    cards: int = 0
    scheduled: int = 0  # first answers of a study day (the ones that move the schedule)
    predictions: list[tuple[float, bool]] = field(default_factory=list)  # FSRS p, recalled
    on_time: int = 0  # SM-2: scheduled answers given on or after the due day
    on_time_recalled: int = 0

    @property
    def recall_rate(self) -> float:
        return sum(r for _, r in self.predictions) / len(self.predictions)

    @property
    def fsrs_log_loss(self) -> float:
        return _log_loss(self.predictions)

    @property
    def constant_log_loss(self) -> float:
        rate = self.recall_rate
        return _log_loss([(rate, r) for _, r in self.predictions])

    @property
    def sm2_on_time_recall(self) -> float:
        return self.on_time_recalled / self.on_time if self.on_time else math.nan


def _log_loss(pairs: list[tuple[float, bool]]) -> float:
    eps = 1e-6
    total = 0.0
    for p, recalled in pairs:
        p = min(max(p, eps), 1 - eps)
        total -= math.log(p if recalled else 1 - p)
    return total / len(pairs)


def read_revlog(path: Path) -> list[Review]:
    """A review log in the CSV shape of the open-spaced-repetition data sets
    (``card_id, review_rating, review_time, ...``)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Review(
                row["card_id"],
                int(row["review_rating"]),
                datetime.fromisoformat(row["review_time"]),
            )
            for row in csv.DictReader(handle)
        ]


def replay(reviews: Iterable[Review], day_start_hour: int = DEFAULT_DAY_START_HOUR) -> Evaluation:
    """Replay every card's answers through SM-2 and FSRS; raises ``AssertionError`` naming
    the rule if SM-2 ever breaks one of its rules."""
    by_card: dict[str, list[Review]] = defaultdict(list)
    for review in reviews:
        by_card[review.card].append(review)
    result = Evaluation(cards=len(by_card))
    fsrs = FSRS()
    for answers in by_card.values():
        answers.sort(key=lambda r: r.at)
        state, fstate = CardState(), CardState()
        for review in answers:
            result.reviews += 1
            grade = ANKI_RATING_TO_GRADE[review.rating]
            day = study_day(review.at, day_start_hour)
            recalled = review.rating > 1
            first_today = state.last_day != day
            if first_today and fstate.fsrs is not None:
                result.predictions.append((fsrs.recall(fstate.fsrs, day), recalled))
            if first_today and state.due is not None and day >= state.due:
                result.on_time += 1
                result.on_time_recalled += recalled
            new, kind = sm2.review(state, grade, day)
            _check_sm2(state, new, grade, day, kind)
            state = new
            fstate, _ = fsrs.review(fstate, grade, day)
            result.scheduled += kind != AnswerKind.REPEAT
    return result


def _check_sm2(before: CardState, after: CardState, grade: int, day: date, kind: str) -> None:
    """Raise ``AssertionError`` naming the rule when an answer broke one of SM-2's rules."""
    broken = []
    if after.sm2.easiness < MIN_EASINESS or after.interval < 1:
        broken.append("EF >= 1.3 and interval >= 1")
    if kind == "repeat":
        if (after.repetitions, after.sm2, after.interval) != (
            before.repetitions,
            before.sm2,
            before.interval,
        ):
            broken.append("a same-day repeat changes neither n, EF nor the interval")
    elif after.last_day != day:
        broken.append("the answer's day is recorded")
    elif grade < 3 and (after.repetitions, after.interval, after.sm2) != (0, 1, before.sm2):
        broken.append("a failure restarts without changing EF")
    elif grade >= 3 and before.repetitions >= 2 and after.interval < before.interval:
        broken.append("a success never shortens the interval")
    if broken:
        raise AssertionError(f"SM-2 broke '{broken[0]}' at {day}: {before} -> {after}")
