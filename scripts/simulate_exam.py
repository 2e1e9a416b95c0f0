"""Simulated students revising the bundled decks for an exam, under five ways of scheduling.

Each student has their own memory: FSRS-6's forgetting curve with parameters drawn around the
published defaults (initial stabilities, the growth of stability and the curve's decay each
scaled by a random factor), and every answer's outcome drawn from the recall that memory
predicts, with noise per card. The schedulers never see those parameters: they schedule from
the answers alone, as they would for a real student.

Strategies, on the same students and the same exams:
  planner        custserv's exam planner (FSRS at 0.90 working toward the exam), daily cap
  sm2            SM-2, 20 new cards a day
  fsrs-0.90      FSRS at desired retention 0.90, 20 new cards a day
  fsrs-target    FSRS with desired retention raised to the exam target, 20 new cards a day
  cram           nothing until the last week, then every card once a day

Printed per exam (days away) and strategy: the mean recall on the exam day (the students' true
recall), the share of cards at or above the target, total reviews per student and the peak
day's reviews and minutes (medians over students).

    python scripts/simulate_exam.py [--students 20] [--days 14 30 60] [--target 0.9]
                                    [--minutes 30] [--seed 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import fsrs_rs_python

from custserv_cards import exam as exam_module
from custserv_cards.decks import load_decks
from custserv_cards.paths import deck_files
from custserv_cards.scheduler import Scheduler
from custserv_cards.scheduler.fsrs import FSRS, retrievability
from custserv_cards.scheduler.sm2 import SM2
from custserv_cards.scheduler.state import CardState

START = date(2027, 1, 4)
REVIEW_SECONDS = 10.0
NEW_SECONDS = 25.0
NEW_PER_DAY = 20  # the app's default, for the strategies without a planner
CRAM_DAYS = 7
MAX_REPEATS = 3  # same-day repeats of a failed card, at most


@dataclass
class Student:
    parameters: list[float]
    engine: fsrs_rs_python.FSRS
    rng: random.Random
    card_noise: list[float]  # per card: a factor on the stability each answer gives


def make_student(rng: random.Random, cards: int) -> Student:
    parameters = list(fsrs_rs_python.DEFAULT_PARAMETERS)
    for i in range(4):  # initial stabilities after Again, Hard, Good, Easy
        parameters[i] *= math.exp(rng.gauss(0, 0.3))
    parameters[8] *= math.exp(rng.gauss(0, 0.1))  # how fast stability grows
    parameters[20] *= math.exp(rng.gauss(0, 0.15))  # the curve's decay
    parameters = list(fsrs_rs_python.check_and_fill_parameters(parameters))
    noise = [math.exp(rng.gauss(0, 0.2)) for _ in range(cards)]
    return Student(parameters, fsrs_rs_python.FSRS(parameters), rng, noise)


@dataclass
class TrueMemory:
    stability: float
    difficulty: float
    day: date


@dataclass
class Outcome:
    recall: list[float]
    reviews: int
    per_day: dict[date, int] = field(default_factory=dict)
    seconds: dict[date, float] = field(default_factory=dict)

    def tally(self, day: date, answers: int, seconds: float) -> None:
        self.per_day[day] = answers
        self.seconds[day] = seconds
        self.reviews += answers

    def finish(
        self, truth: Sequence[TrueMemory | None], exam: exam_module.Exam, student: Student
    ) -> None:
        """Each card's true recall on the exam day (0 for a card never studied)."""
        self.recall = [
            retrievability(m.stability, (exam.day - m.day).days, student.parameters) if m else 0.0
            for m in truth
        ]


def answer(
    student: Student, card: int, memory: TrueMemory | None, day: date
) -> tuple[int, TrueMemory]:
    """The student's answer (a 0-5 grade) and their memory after it."""
    if memory is None:
        recalled = False
        rating = student.rng.choices((1, 2, 3, 4), weights=(0.15, 0.15, 0.6, 0.1))[0]
        elapsed = 0
        state = None
    else:
        elapsed = (day - memory.day).days
        chance = retrievability(memory.stability, elapsed, student.parameters)
        recalled = student.rng.random() < chance
        rating = student.rng.choices((2, 3, 4), weights=(0.15, 0.75, 0.1))[0] if recalled else 1
        state = fsrs_rs_python.MemoryState(memory.stability, memory.difficulty)
    chosen = [None, "again", "hard", "good", "easy"][rating]
    after = getattr(student.engine.next_states(state, 0.9, elapsed), str(chosen)).memory
    stability = after.stability * (student.card_noise[card] if rating > 1 else 1.0)
    grade = {1: 1, 2: 3, 3: 4, 4: 5}[rating]
    return grade, TrueMemory(stability, after.difficulty, day)


def study(
    student: Student,
    card: int,
    truth: list[TrueMemory | None],
    day: date,
    scheduler: Scheduler | None = None,
    states: list[CardState] | None = None,
) -> tuple[int, float]:
    """The student answers ``card`` until they recall it (at most ``MAX_REPEATS`` repeats the
    same day), the scheduler, if any, following each answer; returns answers and seconds."""
    seconds = 0.0
    for repeat in range(MAX_REPEATS + 1):
        first = truth[card] is None and repeat == 0
        seconds += NEW_SECONDS if first else REVIEW_SECONDS
        grade, truth[card] = answer(student, card, truth[card], day)
        if scheduler is not None and states is not None:
            states[card], _ = scheduler.review(states[card], grade, day)
        if grade >= 4:
            return repeat + 1, seconds
    return MAX_REPEATS + 1, seconds


def run_scheduler(
    student: Student,
    cards: int,
    exam: exam_module.Exam,
    scheduler: Scheduler,
    new_per_day: Callable[[int, date], int],
    minutes: int | None,
) -> Outcome:
    states = [CardState() for _ in range(cards)]
    truth: list[TrueMemory | None] = [None] * cards
    outcome = Outcome([], 0)
    next_new = 0
    day = START
    capacity = minutes * 60 if minutes is not None else math.inf
    while day < exam.day:
        spent = 0.0
        done = 0
        due = sorted(
            (i for i, s in enumerate(states) if s.due is not None and s.due <= day),
            key=lambda i: (states[i].due, i),
        )
        todo: list[int] = list(due)
        new_today = new_per_day(cards - next_new, day)
        for _ in range(new_today):
            if next_new >= cards:
                break
            todo.append(next_new)
            next_new += 1
        for card in todo:
            is_new = truth[card] is None
            cost = NEW_SECONDS if is_new else REVIEW_SECONDS
            if spent + cost > capacity:
                if is_new:
                    next_new = min(next_new, card)  # not introduced after all
                    break
                continue
            answers, seconds = study(student, card, truth, day, scheduler, states)
            spent += seconds
            done += answers
        outcome.tally(day, done, spent)
        day += timedelta(days=1)
    outcome.finish(truth, exam, student)
    return outcome


def run_cram(student: Student, cards: int, exam: exam_module.Exam) -> Outcome:
    truth: list[TrueMemory | None] = [None] * cards
    outcome = Outcome([], 0)
    day = exam.day - timedelta(days=CRAM_DAYS)
    while day < exam.day:
        done = 0
        spent = 0.0
        for card in range(cards):
            answers, seconds = study(student, card, truth, day)
            spent += seconds
            done += answers
        outcome.tally(day, done, spent)
        day += timedelta(days=1)
    outcome.finish(truth, exam, student)
    return outcome


def _fixed_pace(left: int, day: date) -> int:
    return NEW_PER_DAY


def _planned_pace(exam: exam_module.Exam, left: int, day: date) -> int:
    return exam_module.new_per_day(left, exam, day)


STRATEGIES = ("planner", "sm2", "fsrs-0.90", "fsrs-target", "cram")


def simulate(
    students: int, days_away: Sequence[int], target: float, minutes: int, seed: int
) -> list[dict[str, object]]:
    cards = len([c for deck in load_decks(deck_files()) for c in deck.cards])
    results: list[dict[str, object]] = []
    for days in days_away:
        exam = exam_module.Exam(START + timedelta(days=days), target, minutes, START)
        outcomes: dict[str, list[Outcome]] = {name: [] for name in STRATEGIES}
        for number in range(students):
            for name in STRATEGIES:
                # The same student (parameters and answers' randomness) under every strategy.
                student = make_student(random.Random(seed * 1_000_003 + number), cards)
                fixed = _fixed_pace
                if name == "planner":
                    fsrs = FSRS(None, 0.9)
                    planner = exam_module.ExamScheduler(fsrs, exam, fsrs)
                    paced = partial(_planned_pace, exam)
                    outcome = run_scheduler(student, cards, exam, planner, paced, minutes)
                elif name == "sm2":
                    outcome = run_scheduler(student, cards, exam, SM2(), fixed, None)
                elif name == "fsrs-0.90":
                    outcome = run_scheduler(student, cards, exam, FSRS(None, 0.9), fixed, None)
                elif name == "fsrs-target":
                    outcome = run_scheduler(
                        student, cards, exam, FSRS(None, min(target, 0.97)), fixed, None
                    )
                else:
                    outcome = run_cram(student, cards, exam)
                outcomes[name].append(outcome)
        for name in STRATEGIES:
            runs = outcomes[name]
            results.append(
                {
                    "days": days,
                    "strategy": name,
                    "cards": cards,
                    "mean_recall": statistics.mean(statistics.mean(o.recall) for o in runs),
                    "share_at_target": statistics.mean(
                        sum(r >= target for r in o.recall) / cards for o in runs
                    ),
                    "total_reviews": statistics.median(o.reviews for o in runs),
                    "peak_reviews": statistics.median(max(o.per_day.values()) for o in runs),
                    "peak_minutes": statistics.median(max(o.seconds.values()) / 60 for o in runs),
                }
            )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--days", type=int, nargs="+", default=[14, 30, 60])
    parser.add_argument("--target", type=float, default=0.90)
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    results = simulate(args.students, args.days, args.target, args.minutes, args.seed)
    print(
        f"{args.students} simulated students, target {args.target:.2f}, planner capped at "
        f"{args.minutes} min a day ({REVIEW_SECONDS:.0f} s a review, "
        f"{NEW_SECONDS:.0f} s a new card)"
    )
    header = ("days", "strategy", "mean recall", "at target", "reviews", "peak/day", "peak min")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in results:
        print(
            f"| {row['days']} | {row['strategy']} | {row['mean_recall']:.3f} | "
            f"{row['share_at_target']:.1%} | {row['total_reviews']:.0f} | "
            f"{row['peak_reviews']:.0f} | {row['peak_minutes']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
