"""Schedulers: pure functions from (state, grade, study day) to the next state.

Every scheduler implements ``Scheduler``; the store, undo, doctor and statistics use only this
interface and the one codec between a state and its database row (``scheduler.codec``).
``load`` builds the scheduler the settings choose. ``preview`` says what each grade would do
to a card (the interval shown on each grade key) through the same ``review`` an answer goes
through, so the preview always agrees with what is then recorded, whichever scheduler.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from custserv_cards.scheduler.state import (
    AnswerKind,
    CardState,
    PastAnswer,
    SchedulerName,
    Weakness,
)


class Scheduler(Protocol):
    name: SchedulerName

    def review(self, state: CardState, grade: int, day: date) -> tuple[CardState, AnswerKind]:
        """The state after an answer of ``grade`` (0-5) on study day ``day``, and its kind."""
        ...

    def needs_history(self, state: CardState) -> bool:
        """Whether ``review`` wants the card's logged answers first (``with_history``)."""
        ...

    def with_history(self, state: CardState, history: Sequence[PastAnswer]) -> CardState:
        """The state, with this scheduler's memory rebuilt from the card's logged answers."""
        ...

    def weakness(self) -> Weakness:
        """What the weakest cards are under this scheduler (statistics list them)."""
        ...

    def figure(self, state: CardState, today: date) -> float | None:
        """The card's memory figure on study day ``today`` (None for a new card): the one
        ``weakness`` names, lower is weaker."""
        ...


def load(settings: Mapping[str, str], parameters: Sequence[float] | None = None) -> Scheduler:
    """The scheduler ``settings`` choose, with FSRS's personal ``parameters`` if fitted,
    working toward the exam when one is set (``exam.ExamScheduler``)."""
    from custserv_cards.exam import ExamScheduler, from_settings

    exam = from_settings(settings)
    use_fsrs = settings.get("scheduler") == SchedulerName.FSRS
    fsrs = None
    if use_fsrs or exam is not None:
        from custserv_cards.scheduler.fsrs import DEFAULT_RETENTION, FSRS

        retention = float(settings.get("desired_retention") or DEFAULT_RETENTION)
        fsrs = FSRS(parameters, retention)
    base: Scheduler
    if use_fsrs and fsrs is not None:
        base = fsrs
    else:
        from custserv_cards.scheduler.sm2 import SM2

        base = SM2()
    if exam is not None and fsrs is not None:
        return ExamScheduler(base, exam, fsrs)
    return base


@dataclass(frozen=True)
class Outcome:
    """What one grade would do to a card: back later today (``again``) and due in ``days``
    study days."""

    grade: int
    again: bool
    days: int
    kind: AnswerKind

    def label(self) -> str:
        """A few words for the grade key: 'again today', 'in 1 day', 'in 6 days'."""
        if self.again:
            return "again today"
        return "in 1 day" if self.days == 1 else f"in {self.days} days"


def preview(scheduler: Scheduler, state: CardState, day: date) -> dict[int, Outcome]:
    """What each grade 0-5 would do to a card in ``state`` answered on study day ``day``
    (``state`` as ``review`` takes it: with its history when the scheduler needs it)."""
    outcomes: dict[int, Outcome] = {}
    for grade in range(6):
        after, kind = scheduler.review(state, grade, day)
        days = (after.due - day).days if after.due else 0
        outcomes[grade] = Outcome(grade, after.again, days, kind)
    return outcomes
