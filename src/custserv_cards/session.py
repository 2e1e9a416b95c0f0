"""The review session and topic drills, with no terminal in them.

An engine takes what the user does (a key press, or the lines of a typed answer) and answers
with a ``Screen``: what to show next. Everything it records goes through the store
(``Store.record_answer`` commits before the next card is drawn), and the next card is asked
of the database each time (``queue.Queue``), so nothing is held in memory that a crash or a
Ctrl-C could lose. ``views`` draws the screens with rich and reads the keys; ``marking``
marks typed answers and makes up multiple-choice options.

The rules a student sees:

* Each grade key says what it will do (``scheduler.preview``, the same computation as the
  answer): ``4 · in 6 days``, or ``again today`` below 4 (SM-2's rule 7: a card graded
  below 4 comes back the same day until it gets a 4 or 5).
* The counts follow the cards: ``done`` counts the cards finished for today, ``left`` the
  cards still to show, a card waiting for its same-day repeat included; the time estimate is
  ``left`` times the user's own median answer time.
* ``u`` takes back this session's last action, whatever it was (a grade, a suspension or a
  burial), and only this session's: never an answer given in another terminal.
* A card retired by a deck sync elsewhere while it is on screen is skipped with a notice.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from custserv_cards import keys, queue
from custserv_cards.errors import DataError
from custserv_cards.keys import ENTER, EOF, ESCAPE, REDRAW, SPACE
from custserv_cards.model import Card, Grade
from custserv_cards.scheduler.state import AnswerKind
from custserv_cards.store import Answer, Store

if TYPE_CHECKING:
    from random import Random

    from custserv_cards.marking import Verdict
    from custserv_cards.scheduler import Outcome

MODES = ("flip", "type")
QUIZ_MODES = ("flip", "type", "choice")
EXTRA_NEW = 10  # new cards offered when the day's work is done
QUIT_KEYS = ("q", EOF, ESCAPE)
GRADE_KEYS = "012345"
Clock = Callable[[], datetime]


class Phase(StrEnum):
    FRONT = "front"  # the question; Space or Enter shows the answer
    ANSWER = "answer"  # the answer and the grade keys
    TYPING = "typing"  # waiting for a typed answer (``Engine.typed``)
    MARKED = "marked"  # the typed answer marked, a grade suggested
    CHOICE = "choice"  # multiple choice: pick an option
    CHOSEN = "chosen"  # the option picked, right or wrong
    OFFER = "offer"  # nothing left today: extra new cards offered, or just the end
    END = "end"  # the session is over


class Tone(StrEnum):
    INFO = "info"
    GOOD = "good"
    WARN = "warn"
    BAD = "bad"


@dataclass(frozen=True)
class Notice:
    text: str
    tone: Tone = Tone.WARN


@dataclass(frozen=True)
class Status:
    """The header: what session this is, how far it has got and how long is left."""

    title: str  # "Review", "Drill"
    done: int  # cards done (review: finished for today; drill: asked)
    left: int  # cards still to show
    where: str  # "all topics · flip"
    seconds_left: float | None = None  # None: no answer times known yet
    extra: str = ""  # "2 right" in a drill
    exam: str | None = None  # days to the exam and recall now, when an exam date is set

    @property
    def share(self) -> float:
        total = self.done + self.left
        return self.done / total if total else 1.0


@dataclass(frozen=True)
class Choice:
    note: str
    options: tuple[str, ...]
    right: str
    picked: int | None = None  # 1-based

    @property
    def correct(self) -> bool:
        return self.picked is not None and self.options[self.picked - 1] == self.right


@dataclass
class Summary:
    """A review session's answers, and what they mean for today."""

    today: date  # the study day the session counts in
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0
    streak: int = 0
    coming: list[tuple[date, int]] = field(default_factory=list)
    next_due: date | None = None
    leeches: list[str] = field(default_factory=list)

    @property
    def first(self) -> list[Answer]:
        """Each card's first answer today (learn or review), the ones that move the schedule."""
        return [a for a in self.answers if a.kind != AnswerKind.REPEAT]

    @property
    def cards(self) -> int:
        return len({a.card_id for a in self.answers})

    @property
    def repeats(self) -> int:
        return sum(1 for a in self.answers if a.kind == AnswerKind.REPEAT)

    @property
    def remembered(self) -> int:
        return sum(1 for a in self.first if a.grade >= Grade.SERIOUS_DIFFICULTY)

    @property
    def easily(self) -> int:
        return sum(1 for a in self.first if a.grade >= Grade.HESITATION)

    @property
    def pending(self) -> list[str]:
        """Cards whose last answer here asks for a same-day repeat."""
        last: dict[str, bool] = {}
        for answer in self.answers:
            last[answer.card_id] = answer.after.again
        return [card for card, again in last.items() if again]


@dataclass
class QuizResult:
    asked: int = 0
    correct: int = 0
    missed: list[Card] = field(default_factory=list)
    pool: int = 0
    skipped: list[str] = field(default_factory=list)  # retired while on screen


@dataclass(frozen=True)
class Screen:
    """Everything a view needs to draw one screen."""

    phase: Phase
    status: Status
    card: Card | None = None
    notice: Notice | None = None
    outcomes: Mapping[int, Outcome] | None = None  # what each grade will do (None: drill)
    suggested: int | None = None
    verdict: Verdict | None = None
    choice: Choice | None = None
    actions: tuple[tuple[str, str], ...] = ()  # extra keys: ("u", "undo") ...
    help: bool = False
    lines: tuple[str, ...] = ()  # the offer's or the end's own lines
    more_new: bool = False  # the offer: 'n' learns EXTRA_NEW more new cards
    summary: Summary | None = None
    quiz: QuizResult | None = None
    record: bool = True  # answers move the schedule (False: a drill without --record)

    @property
    def wants_typing(self) -> bool:
        return self.phase == Phase.TYPING


# --- the shared engine ------------------------------------------------------------------------


class _Engine(ABC):
    """What the review and the drill share: showing one card (flip, typed or multiple
    choice), the keys every screen takes, and the notices."""

    ACTIONS: tuple[tuple[str, str], ...] = ()

    def __init__(self, store: Store, mode: str, clock: Clock) -> None:
        self.store = store
        self.mode = mode
        self.clock = clock
        self.phase = Phase.FRONT
        self.card: Card | None = None
        self.notice: Notice | None = None
        self.help = False
        self.outcomes: Mapping[int, Outcome] | None = None
        self.verdict: Verdict | None = None
        self.choice: Choice | None = None
        self.shown_at = time.monotonic()
        self.times = queue.answer_seconds(store)

    # what the view calls ---------------------------------------------------------------------

    def press(self, key: str) -> Screen:
        """A key press; the screen to show next."""
        if key == REDRAW:
            return self.screen()
        self.notice = None  # a notice is shown once
        if self.help:
            self.help = False
            return self.screen()
        if key == "?" and self.phase != Phase.END:
            self.help = True
            if self.outcomes is None and self.phase == Phase.FRONT:
                self._preview()  # the help shows what each grade will do
            return self.screen()
        handler = {
            Phase.FRONT: self._on_front,
            Phase.ANSWER: self._on_answer,
            Phase.MARKED: self._on_marked,
            Phase.CHOICE: self._on_choice,
            Phase.CHOSEN: self._on_chosen,
            Phase.OFFER: self._on_offer,
        }.get(self.phase)
        if handler is not None:
            handler(key)
        return self.screen()

    def typed(self, answers: Sequence[str] | None) -> Screen:
        """The lines of a typed answer (None: the user ended the input, Ctrl-D)."""
        if self.phase != Phase.TYPING or self.card is None:
            return self.screen()
        self.notice = None
        if answers is None:
            self._quit()
            return self.screen()
        from custserv_cards import marking

        self.verdict = marking.mark(
            self.card, marking.answer_parts(self.card, answers), marking.subject_of(self.store)
        )
        self.phase = Phase.MARKED
        self._preview()
        return self.screen()

    @property
    def finished(self) -> bool:
        return self.phase == Phase.END

    @abstractmethod
    def screen(self) -> Screen:
        """What to show now."""

    # showing a card ----------------------------------------------------------------------------

    def _show(self, card: Card) -> None:
        self.card = card
        self.verdict = None
        self.choice = None
        self.outcomes = None
        self.shown_at = time.monotonic()
        self.phase = Phase.TYPING if self.mode == "type" else Phase.FRONT

    def _preview(self) -> None:
        """What each grade would do, for the grade keys (nothing when it moves nothing)."""
        self.outcomes = None

    def _on_front(self, key: str) -> None:
        if key in (SPACE, ENTER):
            self.phase = Phase.ANSWER
            self._preview()
        elif not self._common(key):
            self.notice = Notice("Press Space or Enter to see the answer (? lists the keys).")

    def _on_answer(self, key: str) -> None:
        if len(key) == 1 and key in GRADE_KEYS:
            self._grade(int(key))
        elif not self._common(key):
            self.notice = Notice("Press a grade key, 0 to 5 (? lists the keys).")

    def _on_marked(self, key: str) -> None:
        if key == ENTER and self.verdict is not None:
            self._grade(self.verdict.grade)
        elif len(key) == 1 and key in GRADE_KEYS:
            self._grade(int(key))
        elif not self._common(key):
            self.notice = Notice("Press Enter to accept the suggested grade, or 0 to 5.")

    def _on_choice(self, key: str) -> None:
        choice = self.choice
        if choice is not None and key.isdigit() and 1 <= int(key) <= len(choice.options):
            picked = Choice(choice.note, choice.options, choice.right, int(key))
            self.choice = picked
            self.phase = Phase.CHOSEN
            self._grade(4 if picked.correct else 1)
        elif not self._common(key):
            self.notice = Notice(f"Press 1 to {len(choice.options) if choice else 4} to choose.")

    def _on_chosen(self, key: str) -> None:
        if key in (SPACE, ENTER):
            self._next()
        elif not self._common(key):
            self.notice = Notice("Press Space or Enter for the next card.")

    def _on_offer(self, key: str) -> None:
        if key in (*QUIT_KEYS, ENTER, SPACE):
            self._end()

    def _common(self, key: str) -> bool:
        """The keys of every card screen: the loop's actions, e (source) and q (quit)."""
        for action_key, _what in self.ACTIONS:
            if key == action_key:
                self._action(key)
                return True
        if key == "e" and self.card is not None:
            self.notice = Notice(source_line(self.card), Tone.INFO)
            return True
        if key in QUIT_KEYS:
            self._quit()
            return True
        return False

    def _duration_ms(self) -> int:
        seconds = time.monotonic() - self.shown_at
        self.times.insert(0, seconds)
        return int(seconds * 1000)

    def _estimate(self, cards: int) -> float | None:
        if not self.times:
            return None
        # the median of the last 200 answers' times (by hand: importing ``statistics`` costs
        # more before the first card than the whole estimate)
        recent = sorted(self.times[:200])
        middle = len(recent) // 2
        median = recent[middle] if len(recent) % 2 else (recent[middle - 1] + recent[middle]) / 2
        return median * cards

    def _retired(self, card_id: str) -> bool:
        try:
            return self.store.card(card_id).retired
        except DataError:
            return True

    def _skipped_notice(self, card_id: str) -> Notice:
        return Notice(
            f"{card_id} was removed from its deck (a deck sync elsewhere); nothing was "
            "recorded for it. On to the next card.",
        )

    # what each loop does -----------------------------------------------------------------------

    @abstractmethod
    def _grade(self, grade: int) -> None:
        """Record (or score) a grade for the card on screen."""

    @abstractmethod
    def _action(self, key: str) -> None:
        """A key of this loop's own (suspend, bury, ...)."""

    @abstractmethod
    def _next(self) -> None:
        """Move on to the next card, or to the end."""

    @abstractmethod
    def _quit(self) -> None:
        """End the loop at the student's request."""

    def _end(self) -> None:
        self.phase = Phase.END


# --- the review session -----------------------------------------------------------------------


@dataclass
class ReviewOptions:
    topics: tuple[str, ...] = ()
    new: int | None = None
    limit: int | None = None
    mode: str | None = None  # None: the answer_mode setting


@dataclass(frozen=True)
class _Done:
    """One action of this session, as ``u`` takes it back."""

    what: str  # grade, suspend, bury
    candidate: queue.Candidate
    answer: Answer | None = None
    buried_before: date | None = None


class ReviewEngine(_Engine):
    """Today's cards, one at a time, until they are done or the user quits."""

    ACTIONS = (("u", "undo"), ("s", "suspend"), ("b", "bury"))

    def __init__(self, store: Store, options: ReviewOptions, clock: Clock) -> None:
        super().__init__(store, options.mode or store.setting("answer_mode"), clock)
        self.options = options
        self.today = store.today_for(clock())
        self.summary = Summary(today=self.today)
        self.history: list[_Done] = []
        self.started = time.monotonic()
        self.candidate: queue.Candidate | None = None
        self.forced: queue.Candidate | None = None
        self.last_group: str | None = None
        self.lines: tuple[str, ...] = ()
        self.more_new = False
        counts = queue.counts_today(store, self.today)
        limits = queue.daily_limits(store, counts, options.new, options.limit, self.today)
        self.where = queue.Filter(options.topics)
        self.queue = queue.Queue(store, self.today, self.where, limits)
        self.done_today = queue.cards_done_today(store, self.today)
        self.exam_line: str | None = None  # days to the exam and recall now, when one is set
        if store.setting("exam_date"):
            from custserv_cards.exam import readiness_line

            self.exam_line = readiness_line(store, self.today)

    def start(self) -> Screen:
        self._next()
        return self.screen()

    def screen(self) -> Screen:
        left = self.queue.left() if self.phase != Phase.END else 0
        where = ", ".join(self.options.topics) if self.options.topics else "all topics"
        status = Status(
            "Review",
            self.done_today,
            left,
            f"{where} · {self.mode}",
            self._estimate(left),
            exam=self.exam_line,
        )
        return Screen(
            phase=self.phase,
            status=status,
            card=self.card if self.phase not in (Phase.OFFER, Phase.END) else None,
            notice=self.notice,
            outcomes=self.outcomes,
            suggested=self.verdict.grade if self.verdict else None,
            verdict=self.verdict,
            actions=self.ACTIONS,
            help=self.help,
            lines=self.lines,
            more_new=self.more_new,
            summary=self.summary if self.phase in (Phase.OFFER, Phase.END) else None,
        )

    # the next card -----------------------------------------------------------------------------

    def _next(self) -> None:
        while True:
            candidate = self.forced or self.queue.next(self.last_group)
            self.forced = None
            if candidate is None:
                self._offer()
                return
            if self._retired(candidate.card_id):
                self.queue.changed()
                self.notice = self._skipped_notice(candidate.card_id)
                continue
            self.candidate = candidate
            self._show(self.store.card(candidate.card_id).card)
            return

    def _preview(self) -> None:
        if self.card is not None:
            self.outcomes = self.store.outcomes(self.card.id, self.clock())

    def _offer(self) -> None:
        """Nothing left: say so, and offer extra new cards if there are any."""
        self.phase = Phase.OFFER
        self.card = None
        more = queue.new_available(self.store, self.today, self.where) > 0
        next_day = queue.next_due(self.store, self.today, self.where)
        lines: list[str] = []
        if self.summary.answers:
            self._finish()
            lines.append("All done for today.")
        else:
            scope = f" in {', '.join(self.options.topics)}" if self.options.topics else ""
            lines.append(f"Nothing is due today{scope}.")
        lines.append(
            f"The next card is due {when(next_day, self.today)}."
            if next_day
            else "No card is scheduled yet."
        )
        self.lines = tuple(lines)
        self.more_new = more
        if not more:
            self.phase = Phase.END

    def _on_offer(self, key: str) -> None:
        if key == "n" and self.more_new:
            self.queue.limits.new += EXTRA_NEW
            self.queue.changed()
            self.lines, self.more_new = (), False
            self._next()
        elif key == "u" and self.history:  # the last card's grade, say
            self._undo()
        elif key in (*QUIT_KEYS, ENTER, SPACE):
            self._end()

    # answers -----------------------------------------------------------------------------------

    def _grade(self, grade: int) -> None:
        candidate, card = self.candidate, self.card
        assert candidate is not None and card is not None
        duration = self._duration_ms()
        try:
            with keys.shielded():
                answer = self.store.record_answer(
                    candidate.card_id, grade, self.clock(), duration_ms=duration
                )
        except DataError:
            if not self._retired(candidate.card_id):
                raise
            self._skip(candidate)
            return
        self.history.append(_Done("grade", candidate, answer))
        self.queue.answered(candidate, answer.after.again)
        self.summary.answers.append(answer)
        self.done_today = queue.cards_done_today(self.store, self.today)
        self.notice = self._graded_notice(card, answer)
        if answer.after.leech and not answer.before.leech:
            self.summary.leeches.append(card.id)
        self.last_group = candidate.group
        self._next()

    def _graded_notice(self, card: Card, answer: Answer) -> Notice:
        after, grade = answer.after, answer.grade
        if after.leech and not answer.before.leech:
            return Notice(
                f"Leech: {card.id} has now been forgotten {after.lapses} times. "
                "Rewrite it in your own words, or press s to suspend it when it comes back.",
                Tone.BAD,
            )
        if after.again and grade >= Grade.SERIOUS_DIFFICULTY:
            return Notice(
                f"Graded {grade}: right, with difficulty, so it comes back later today; "
                "a 4 or 5 then ends it for today.",
            )
        if after.again:
            return Notice(f"Graded {grade}: it comes back later today, after a few other cards.")
        due = f"; next {when(after.due, self.today)}" if after.due else ""
        return Notice(f"Graded {grade}: done for today{due}.", Tone.GOOD)

    def _skip(self, candidate: queue.Candidate) -> None:
        self.queue.changed()
        self.notice = self._skipped_notice(candidate.card_id)
        self.last_group = None
        self._next()

    def _action(self, key: str) -> None:
        candidate = self.candidate
        if key == "u":
            self._undo()
            return
        assert candidate is not None
        card_id = candidate.card_id
        try:
            if key == "s":
                self.store.set_suspended(card_id, True)
                self.history.append(_Done("suspend", candidate))
                self.notice = Notice(
                    f"Suspended {card_id}: u brings it back now, "
                    f"'custserv unsuspend {card_id}' any time.",
                    Tone.INFO,
                )
            else:
                before = self.store.bury(card_id, self.today + timedelta(days=1))
                self.history.append(_Done("bury", candidate, buried_before=before))
                self.notice = Notice(
                    f"Buried {card_id} until tomorrow (u brings it back).", Tone.INFO
                )
        except DataError:
            if not self._retired(card_id):
                raise
            self._skip(candidate)
            return
        self.queue.changed()
        self.done_today = queue.cards_done_today(self.store, self.today)
        self._next()

    def _undo(self) -> None:
        """Take back this session's last action (grade, suspension or burial)."""
        if not self.history:
            self.notice = Notice("Nothing to undo in this session.")
            return
        done = self.history.pop()
        card_id = done.candidate.card_id
        try:
            if done.what == "grade":
                assert done.answer is not None
                with keys.shielded():
                    undone = self.store.undo_answer(done.answer, self.clock())
                if undone is None:
                    self.notice = Notice(
                        f"Your grade {done.answer.grade} on {card_id} was not undone: the card "
                        "was answered again since (in another custserv), or that answer was "
                        "undone there already.",
                        Tone.BAD,
                    )
                    return
                self.queue.unanswered(done.candidate)
                self.summary.answers.remove(done.answer)
                if card_id in self.summary.leeches and not done.answer.before.leech:
                    self.summary.leeches.remove(card_id)
                self.notice = Notice(f"Undid grade {undone.grade} on {card_id}; answer it again.")
            elif done.what == "suspend":
                self.store.set_suspended(card_id, False)
                self.notice = Notice(f"Undid the suspension of {card_id}; here it is again.")
            else:
                self.store.bury(card_id, done.buried_before)
                self.notice = Notice(f"Undid the burial of {card_id}; here it is again.")
        except DataError:
            if not self._retired(card_id):
                raise
            self.notice = Notice(f"{card_id} was removed from its deck; nothing to bring back.")
            return
        self.queue.changed()
        self.done_today = queue.cards_done_today(self.store, self.today)
        self.forced = done.candidate
        self.last_group = None
        self.lines, self.more_new = (), False
        self._next()

    # the end -----------------------------------------------------------------------------------

    def _quit(self) -> None:
        if self.summary.answers:
            self._finish()
        self.phase = Phase.END

    def _finish(self) -> None:
        from custserv_cards.stats import streak

        summary = self.summary
        summary.seconds = time.monotonic() - self.started
        summary.streak = streak(self.store.conn, self.today)
        summary.coming = queue.due_by_day(self.store, self.today, 7, self.where)
        summary.next_due = queue.next_due(self.store, self.today, self.where)


# --- drills -----------------------------------------------------------------------------------


@dataclass
class QuizOptions:
    topics: tuple[str, ...]
    count: int = 10
    mode: str = "flip"
    seed: int | None = None
    record: bool = False
    weakest: bool = False  # the ``count`` weakest cards (of the topics, or of all)


class QuizEngine(_Engine):
    """A drill: cards of one or more topics in random order whatever is due, or the weakest
    cards weakest first; ends with a score."""

    def __init__(self, store: Store, options: QuizOptions, clock: Clock) -> None:
        import random

        super().__init__(store, options.mode, clock)
        self.options = options
        self.rng: Random = random.Random(options.seed)
        self.result = QuizResult()
        if options.weakest:
            self.cards = queue.weakest_cards(store, options.topics, options.count)
            topics = options.topics or tuple(dict.fromkeys(c.topic for c in self.cards))
            self.pool = queue.topic_cards(store, topics)
        else:
            self.pool = queue.topic_cards(store, options.topics)
            order = list(self.pool)
            self.rng.shuffle(order)
            self.cards = order[: options.count]
        self.result.pool = len(self.pool)
        self.number = 0

    def start(self) -> Screen:
        self._next()
        return self.screen()

    def screen(self) -> Screen:
        total = len(self.cards)
        topics = ", ".join(self.options.topics) or "all topics"
        what = "weakest cards" if self.options.weakest else topics
        kind = "counts as reviews" if self.options.record else "schedule unchanged"
        asked = self.result.asked + len(self.result.skipped)
        left = total - asked
        status = Status(
            "Drill",
            asked,
            left,
            f"{what} · {self.mode} · {kind}",
            self._estimate(left),
            f"card {min(self.number, total)} of {total} · {self.result.correct} right",
        )
        return Screen(
            phase=self.phase,
            status=status,
            card=self.card if self.phase != Phase.END else None,
            notice=self.notice,
            outcomes=self.outcomes,
            suggested=self.verdict.grade if self.verdict else None,
            verdict=self.verdict,
            choice=self.choice,
            help=self.help,
            quiz=self.result if self.phase == Phase.END else None,
            record=self.options.record,
        )

    def _next(self) -> None:
        if self.number >= len(self.cards):
            self.phase = Phase.END
            return
        card = self.cards[self.number]
        self.number += 1
        self._show(card)
        if self.mode == "choice":
            from custserv_cards import marking

            made = marking.choices(card, self.pool, self.rng, marking.subject_of(self.store))
            if made is not None:
                note, options, right = made
                self.choice = Choice(note, tuple(options), right)
                self.phase = Phase.CHOICE
            else:  # too few answers in the topic to make up options: reveal and grade
                self.phase = Phase.FRONT

    def _preview(self) -> None:
        if self.options.record and self.card is not None:
            self.outcomes = self.store.outcomes(self.card.id, self.clock())

    def _grade(self, grade: int) -> None:
        card = self.card
        assert card is not None
        duration = self._duration_ms()
        try:
            with keys.shielded():
                self.store.record_answer(
                    card.id,
                    grade,
                    self.clock(),
                    duration_ms=duration,
                    practice=not self.options.record,
                )
        except DataError:
            if not self._retired(card.id):
                raise
            self.result.skipped.append(card.id)
            self.notice = self._skipped_notice(card.id)
            self.choice = None
            self._next()
            return
        self.result.asked += 1
        if grade >= Grade.SERIOUS_DIFFICULTY:
            self.result.correct += 1
        else:
            self.result.missed.append(card)
        if self.phase != Phase.CHOSEN:  # multiple choice shows its verdict first
            self._next()

    def _action(self, key: str) -> None:  # a drill has no extra actions
        return

    def _quit(self) -> None:
        self.phase = Phase.END


# --- text helpers shared with the views -------------------------------------------------------


def source_line(card: Card) -> str:
    source = card.source
    lines = (
        f"line {source.start}"
        if source.start == source.end
        else f"lines {source.start}-{source.end}"
    )
    return f"Source: {source.note}, {lines} (card {card.id})"


def when(day: date, today: date) -> str:
    """'tomorrow', 'in 6 days (Sun 29 Nov)'."""
    delta = (day - today).days
    if delta <= 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    return f"in {delta} days ({day:%a} {day.day} {day:%b})"
