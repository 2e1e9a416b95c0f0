"""Schedulers: pure functions from (state, grade, study day) to the next state.

Every scheduler implements ``Scheduler``; the store, undo, doctor and statistics use only this
interface and the one codec between a state and its database row (``scheduler.codec``).
``load`` builds the scheduler the settings choose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
