"""The review session and topic drills: show a card, take the answer, save it, go on.

The loops get their console (rich) and their key source (``keys.KeySource``) from the
caller, so they run the same in a terminal and under a test. Every answer goes through
``Store.record_answer``, which commits before the next card is drawn; the next card is asked
of the database each time (``queue.Queue``), so nothing is held in memory that a crash or a
Ctrl-C could lose.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from custserv_cards import keys, queue
from custserv_cards.keys import ENTER, EOF, ESCAPE, SPACE, KeySource
from custserv_cards.model import CLOZE_BLANK, Card, Grade, cloze_answers, cloze_display
from custserv_cards.store import Answer, Store

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from custserv_cards.marking import ListResult, TypedResult, Verdict

MODES = ("flip", "type")
QUIZ_MODES = ("flip", "type", "choice")
EXTRA_NEW = 10  # new cards offered when the day's work is done
MAX_WIDTH = 100  # panels stop growing here on wide terminals
GRADE_STYLES = {5: "green", 4: "green", 3: "yellow", 2: "red", 1: "red", 0: "red"}
Clock = Callable[[], datetime]


# --- what a card shows ------------------------------------------------------------------------


def front_text(card: Card) -> str:
    if card.kind == "cloze":
        return cloze_display(str(card.fields["text"]))
    return str(card.fields["prompt"])


def source_line(card: Card) -> str:
    source = card.source
    lines = (
        f"line {source.start}"
        if source.start == source.end
        else (f"lines {source.start}-{source.end}")
    )
    return f"Source: {source.note}, {lines} (card {card.id})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _when(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 1:
        return "tomorrow"
    return f"{day:%a} {day.day} {day:%b}" + (f" (in {delta} days)" if delta > 1 else "")


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# --- rendering ------------------------------------------------------------------------------


class View:
    """Draws the screens of a session on a rich console."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @property
    def width(self) -> int:
        return min(self.console.width, MAX_WIDTH)

    def show(self, *parts: RenderableType | None) -> None:
        self.console.clear()
        for part in parts:
            if part is not None:
                self.console.print(part)

    def text(self, value: str, style: str = "") -> Text:
        from custserv_cards.render import safe

        return safe(value, style)

    def status(self, left: str, right: str) -> RenderableType:
        from rich.table import Table

        grid = Table.grid(expand=True)
        grid.add_column(ratio=1)
        grid.add_column(justify="right")
        grid.add_row(self.text(left, "bold"), self.text(right, "dim"))
        grid.width = self.width
        return grid

    def card_panel(self, card: Card, note: str = "") -> RenderableType:
        from rich.panel import Panel

        title = f"{card.topic} · {card.kind}" + (" · reverse" if card.reverse else "")
        body = self.text(front_text(card))
        if note:
            body.append("\n\n")
            body.append(self.text(note, "italic dim"))
        return Panel(
            body,
            title=self.text(title, "bold cyan"),
            title_align="left",
            border_style="cyan",
            width=self.width,
            padding=(0, 1),
        )

    def answer_panel(self, body: RenderableType, title: str = "Answer") -> RenderableType:
        from rich.panel import Panel

        return Panel(
            body,
            title=self.text(title, "bold"),
            title_align="left",
            border_style="green",
            width=self.width,
            padding=(0, 1),
        )

    def answer_body(self, card: Card) -> RenderableType:
        from rich.text import Text

        body = Text()
        if card.kind == "cloze":
            for i, part in enumerate(CLOZE_BLANK.split(str(card.fields["text"]))):
                body.append(self.text(part.strip() if i % 2 else part, "bold" if i % 2 else ""))
        elif card.kind == "list":
            ordered = bool(card.fields.get("ordered"))
            for n, item in enumerate(card.fields["items"], start=1):
                if n > 1:
                    body.append("\n")
                body.append(f"{n}. " if ordered else "• ", style="dim")
                body.append(self.text(str(item)))
        else:
            body.append(self.text(str(card.fields["answer"]), "bold"))
        return self._with_extra(body, card)

    def _with_extra(self, body: Text, card: Card) -> Text:
        extra = card.fields.get("extra")
        if extra:
            body.append("\n")
            body.append(self.text(str(extra), "dim italic"))
        return body

    def typed_body(self, card: Card, results: Sequence[TypedResult]) -> RenderableType:
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        many = len(results) > 1
        for n, result in enumerate(results, start=1):
            label = f"Blank {n}: " if many else ""
            typed = result.typed.strip() or "(nothing)"
            grid.add_row(f"{label}You typed", self.text(typed))
            grid.add_row(f"{label}Answer", self.text(result.expected, "bold"))
            if result.diff and not result.exact and result.grade >= 1:
                grid.add_row("Difference", self.diff_text(result))
            for i, idea in enumerate(result.ideas):
                mark, style = ("✓ found ", "green") if idea.found else ("✗ missed", "red")
                line = self.text(f"{mark}  ", style)
                line.append(self.text(idea.text))
                grid.add_row("" if i else "Key ideas", line)
            verdict = self.text(result.label, GRADE_STYLES[result.grade])
            if result.reason:
                verdict.append(self.text(f" ({result.reason})", "dim"))
            grid.add_row("", verdict)
        if card.kind == "cloze":
            grid.add_row("Sentence", self.answer_body(card))
        elif card.fields.get("extra"):
            grid.add_row("", self.text(str(card.fields["extra"]), "dim italic"))
        return grid

    def diff_text(self, result: TypedResult) -> Text:
        from rich.text import Text

        out = Text()
        for n, segment in enumerate(result.diff):
            if n:
                out.append(" ")
            if segment.op == "same":
                out.append(self.text(segment.text))
            elif segment.op == "wrong":
                out.append(self.text(f"[-{segment.text}-]", "red strike"))
            else:
                out.append(self.text(f"{{+{segment.text}+}}", "green underline"))
        return out

    def list_body(self, card: Card, result: ListResult) -> RenderableType:
        from rich.text import Text

        body = Text()
        ordered = result.ordered
        for n, (item, match) in enumerate(zip(result.items, result.matched, strict=True)):
            if n:
                body.append("\n")
            if match is None:
                body.append("✗ missed    ", style="red")
                body.append(self.text(item, "bold"))
                continue
            in_place = result.in_order[n] or not ordered
            mark, style = ("✓ recalled  ", "green") if in_place else ("~ misplaced ", "yellow")
            body.append(mark, style=style)
            body.append(self.text(item))
            typed = result.typed[match]
            if typed.casefold() != item.casefold():
                body.append(self.text(f"  (you: {typed})", "dim"))
        for n, extra in enumerate(result.extra):
            body.append("\n")
            body.append("? no match  ", style="yellow")
            body.append(self.text(extra, "dim"))
            if n < len(result.reasons) and result.reasons[n]:
                body.append(self.text(f"  ({result.reasons[n]})", "dim"))
        for repeat in result.repeats:
            body.append("\n")
            body.append("= repeated  ", style="yellow")
            body.append(self.text(repeat, "dim"))
        body.append("\n")
        share = f"Recalled {result.recalled} of {len(result.items)}"
        if ordered and result.credited != result.recalled:
            share += f", {result.credited} in the right order"
        body.append(share + ".", style="bold")
        return self._with_extra(body, card)

    def grade_legend(self, suggested: int | None = None) -> RenderableType:
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 2))
        grid.add_column()
        grid.add_column()
        for high, low in ((5, 2), (4, 1), (3, 0)):
            cells = []
            for value in (high, low):
                cell = Text()
                cell.append(f" {value} ", style=f"bold reverse {GRADE_STYLES[value]}")
                cell.append(" " + Grade(value).meaning)
                if value == suggested:
                    cell.append(" ◀", style="bold")
                cells.append(cell)
            grid.add_row(*cells)
        return grid

    def keys_line(self, *pairs: tuple[str, str]) -> Text:
        from rich.text import Text

        line = Text()
        for n, (key, what) in enumerate(pairs):
            if n:
                line.append("   ")
            line.append(key, style="bold")
            line.append(f" {what}", style="dim")
        return line

    def notice(self, message: str | None, style: str = "yellow") -> Text | None:
        return self.text(message, style) if message else None


# --- the review session -----------------------------------------------------------------------


@dataclass
class ReviewOptions:
    topics: tuple[str, ...] = ()
    new: int | None = None
    limit: int | None = None
    mode: str | None = None  # None: the answer_mode setting


@dataclass
class Summary:
    answered: int = 0
    correct: int = 0
    seconds: float = 0.0
    streak: int = 0
    coming: list[tuple[date, int]] = field(default_factory=list)
    next_due: date | None = None
    leeches: list[str] = field(default_factory=list)
    today: date | None = None

    @property
    def share(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass
class _Step:
    """What the user chose for the card on screen."""

    action: str  # grade, undo, suspend, bury, quit
    grade: int = 0


class _Quit(Exception):
    pass


class _CardLoop:
    """What the review and the drill share: the screen, the keys, and asking one card (flip
    or typed) until the user grades it or acts on it. ``ACTIONS`` are the extra keys a loop
    offers besides ``e`` (source) and ``q`` (quit)."""

    ACTIONS: tuple[tuple[str, str], ...] = ()

    def __init__(self, store: Store, console: Console, source: KeySource, clock: Clock) -> None:
        self.store = store
        self.view = View(console)
        self.keys = source
        self.clock = clock
        self.notice: str | None = None

    def _status(self) -> RenderableType:
        return self.view.text("")

    def _draw(self, card: Card, *below: RenderableType | None) -> None:
        self.view.show(self._status(), self.view.card_panel(card), *below)

    def _actions(self) -> RenderableType:
        return self.view.keys_line(*self.ACTIONS, ("e", "source"), ("q", "quit"))

    def _common_key(self, key: str, card: Card) -> _Step | None:
        for action_key, action in self.ACTIONS:
            if key == action_key:
                return _Step(action)
        if key == "e":
            self.notice = source_line(card)
            return None
        if key in ("q", EOF, ESCAPE):
            return _Step("quit")
        return None

    def _ask_flip(self, card: Card) -> _Step:
        revealed = False
        while True:
            notice = self.view.notice(self.notice)
            self.notice = None
            if revealed:
                self._draw(
                    card,
                    self.view.answer_panel(self.view.answer_body(card)),
                    notice,
                    self.view.grade_legend(),
                    self._actions(),
                )
            else:
                self._draw(
                    card,
                    notice,
                    self.view.keys_line(("Space/Enter", "show the answer")),
                    self._actions(),
                )
            key = self.keys.key()
            if not revealed and key in (SPACE, ENTER):
                revealed = True
                continue
            if revealed and key in "012345" and len(key) == 1:
                return _Step("grade", int(key))
            step = self._common_key(key, card)
            if step is not None:
                return step
            if self.notice is None:
                self.notice = (
                    "Press a grade key, 0 to 5."
                    if revealed
                    else "Press Space or Enter to see the answer."
                )

    def _ask_typed(self, card: Card) -> _Step:
        notice = self.view.notice(self.notice)
        self.notice = None
        hint = (
            "Type the items you recall, one per line; an empty line ends."
            if card.kind == "list"
            else "Type your answer and press Enter (an empty answer shows it)."
        )
        self._draw(card, notice, self.view.text(hint + "  Ctrl-D quits.", "dim"))
        answers = _read_answers(self.keys, card)
        if answers is None:
            return _Step("quit")
        from custserv_cards import marking

        verdict = marking.mark(card, answers, marking.subject_of(self.store))
        body, suggested = verdict_body(self.view, card, verdict), verdict.grade
        while True:
            notice = self.view.notice(self.notice)
            self.notice = None
            self._draw(
                card,
                self.view.answer_panel(body, "Your answer"),
                notice,
                self.view.grade_legend(suggested),
                self.view.keys_line(
                    ("Enter", f"accept {suggested} (suggested)"), ("0-5", "change")
                ),
                self._actions(),
            )
            key = self.keys.key()
            if key == ENTER:
                return _Step("grade", suggested)
            if key in "012345" and len(key) == 1:
                return _Step("grade", int(key))
            step = self._common_key(key, card)
            if step is not None:
                return step


class ReviewSession(_CardLoop):
    """Today's cards, one at a time, until they are done or the user quits."""

    ACTIONS = (("u", "undo"), ("s", "suspend"), ("b", "bury"))

    def __init__(
        self,
        store: Store,
        console: Console,
        source: KeySource,
        options: ReviewOptions,
        clock: Clock,
    ) -> None:
        super().__init__(store, console, source, clock)
        self.options = options
        self.mode = options.mode or store.setting("answer_mode")
        self.summary = Summary()
        self.history: list[tuple[queue.Candidate, Answer]] = []
        self.started = time.monotonic()
        self.shown_at = self.started
        self.ended_on_offer = False
        self.exam_line: str | None = None  # days to the exam and recall now, when one is set

    def run(self) -> Summary:
        store = self.store
        today = store.today_for(self.clock())
        self.summary.today = today
        counts = queue.counts_today(store, today)
        self.done_today = counts.done
        limits = queue.daily_limits(store, counts, self.options.new, self.options.limit, today)
        self.queue = queue.Queue(store, today, queue.Filter(self.options.topics), limits)
        from custserv_cards.exam import readiness_line

        self.exam_line = readiness_line(store, today)
        forced: queue.Candidate | None = None
        last_group: str | None = None
        while True:
            candidate = forced or self.queue.next(last_group)
            forced = None
            if candidate is None:
                if self._offer_more(today):
                    continue
                break
            record = store.card(candidate.card_id)
            step = self._ask(record.card)
            if step.action == "quit":
                break
            if step.action == "grade":
                self._record(candidate, record.card, step.grade)
                last_group = candidate.group
            elif step.action == "undo":
                forced = self._undo(candidate)
                last_group = None
            elif step.action == "suspend":
                store.set_suspended(candidate.card_id, True)
                self.queue.changed()
                self.notice = (
                    f"Suspended {candidate.card_id}; 'custserv unsuspend {candidate.card_id}' "
                    "brings it back."
                )
            elif step.action == "bury":
                store.bury(candidate.card_id, today + timedelta(days=1))
                self.queue.changed()
                self.notice = f"Buried {candidate.card_id} until tomorrow."
        return self.finish()

    # one card ---------------------------------------------------------------------------------

    def _status(self) -> RenderableType:
        left = self.queue.left()
        where = ", ".join(self.options.topics) if self.options.topics else "all topics"
        status = self.view.status(
            f"Review · {self.done_today} done · {left} left today", f"{where} · {self.mode}"
        )
        if not self.exam_line:
            return status
        from rich.console import Group

        return Group(status, self.view.text(self.exam_line, "dim"))

    def _ask(self, card: Card) -> _Step:
        self.shown_at = time.monotonic()
        if self.mode == "type":
            return self._ask_typed(card)
        return self._ask_flip(card)

    # answers ---------------------------------------------------------------------------------

    def _record(self, candidate: queue.Candidate, card: Card, grade: int) -> None:
        duration = int((time.monotonic() - self.shown_at) * 1000)
        with keys.shielded():
            answer = self.store.record_answer(
                candidate.card_id, grade, self.clock(), duration_ms=duration
            )
        self.history.append((candidate, answer))
        self.queue.answered(candidate, answer.after.again)
        self.done_today += 1
        self.summary.answered += 1
        self.summary.correct += grade >= Grade.SERIOUS_DIFFICULTY
        if answer.after.leech and not answer.before.leech:
            self.summary.leeches.append(card.id)
            self.notice = (
                f"Leech: {card.id} has now been forgotten {answer.after.lapses} times. "
                f"Rewrite it in your own words, or press s to suspend it when it comes back."
            )
        elif answer.after.again:
            self.notice = f"Graded {grade}: it comes back later today."

    def _undo(self, current: queue.Candidate) -> queue.Candidate:
        if not self.history:
            self.notice = "Nothing to undo in this session."
            return current
        candidate, answer = self.history.pop()
        with keys.shielded():
            undone = self.store.undo(1, self.clock())
        self.queue.unanswered(candidate)
        self.done_today -= 1
        self.summary.answered -= 1
        self.summary.correct -= answer.grade >= Grade.SERIOUS_DIFFICULTY
        if candidate.card_id in self.summary.leeches and not answer.before.leech:
            self.summary.leeches.remove(candidate.card_id)
        grade = undone[0].grade if undone else answer.grade
        self.notice = f"Undid grade {grade} on {candidate.card_id}; answer it again."
        return candidate

    # the end ---------------------------------------------------------------------------------

    def _offer_more(self, today: date) -> bool:
        """Nothing left: say so and offer extra new cards. True to go on with more."""
        where = queue.Filter(self.options.topics)
        more = queue.new_available(self.store, today, where) > 0
        next_day = queue.next_due(self.store, today, where)
        parts: list[RenderableType | None] = []
        if self.summary.answered:
            parts.append(self.summary_panel(self.finish(final=False)))
            parts.append(self.view.text("All done for today.", "bold green"))
        else:
            scope = f" in {', '.join(self.options.topics)}" if self.options.topics else ""
            parts.append(self.view.text(f"Nothing is due today{scope}.", "bold green"))
        parts.append(
            self.view.text(
                f"The next card is due {_when(next_day, today)}."
                if next_day
                else "No card is scheduled yet."
            )
        )
        parts.append(self.view.notice(self.notice))
        self.notice = None
        self.ended_on_offer = True
        if not more:
            self.view.show(*parts)
            return False
        parts.append(
            self.view.keys_line(("n", f"learn {EXTRA_NEW} extra new cards"), ("q", "quit"))
        )
        self.view.show(*parts)
        while True:
            key = self.keys.key()
            if key == "n":
                self.queue.limits.new += EXTRA_NEW
                self.queue.changed()
                self.ended_on_offer = False
                return True
            if key in ("q", EOF, ESCAPE, ENTER, SPACE):
                return False

    def finish(self, final: bool = True) -> Summary:
        summary = self.summary
        today = summary.today or self.store.today()
        summary.seconds = time.monotonic() - self.started
        from custserv_cards.stats import streak

        summary.streak = streak(self.store.conn, today)
        where = queue.Filter(self.options.topics)
        summary.coming = queue.due_by_day(self.store, today, 7, where)
        summary.next_due = queue.next_due(self.store, today, where)
        if final and not self.ended_on_offer and summary.answered:
            self.view.show(self.summary_panel(summary))
        return summary

    def summary_panel(self, summary: Summary) -> RenderableType:
        return summary_panel(self.view, summary)


def summary_panel(view: View, summary: Summary) -> RenderableType:
    from rich.panel import Panel
    from rich.table import Table

    today = summary.today or date.today()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("Cards answered", str(summary.answered))
    if summary.answered:
        grid.add_row(
            "Correct", f"{summary.correct} of {summary.answered} ({summary.share:.0%}, grade 3+)"
        )
    grid.add_row("Time", _duration(summary.seconds))
    grid.add_row("Streak", _plural(summary.streak, "day"))
    if summary.coming:
        coming = ", ".join(f"{_when(d, today).split(' (')[0]}: {n}" for d, n in summary.coming[:5])
        grid.add_row("Due next", view.text(coming))
    elif summary.next_due:
        grid.add_row("Due next", _when(summary.next_due, today))
    if summary.leeches:
        grid.add_row("New leeches", view.text(", ".join(summary.leeches), "red"))
    return Panel(
        grid,
        title=view.text("Session summary", "bold"),
        title_align="left",
        border_style="blue",
        width=view.width,
        padding=(0, 1),
    )


# --- typed answers ------------------------------------------------------------------------


def _read_answers(source: KeySource, card: Card) -> list[str] | None:
    """Read a typed answer: one line, one per blank, or list items until an empty line.

    Lines that arrive together (pasted) go to the next blanks or items; for a one-line
    answer they are joined by spaces. No pasted line is ever read as a key press."""
    pending: list[str] = []

    def read(prompt: str) -> str | None:
        if not pending:
            text = source.line(prompt)
            if text is None:
                return None
            pending.extend(text.split("\n"))
        return pending.pop(0)

    if card.kind == "list":
        lines: list[str] = []
        while True:
            line = read(f"  {len(lines) + 1}. ")
            if line is None:
                return lines or None
            if not line.strip():
                return lines
            lines.append(line)
    if card.kind == "cloze":
        blanks = cloze_answers(str(card.fields["text"]))
        typed: list[str] = []
        for n in range(len(blanks)):
            label = f"  Blank {n + 1} of {len(blanks)}: " if len(blanks) > 1 else "  Blank: "
            line = read(label)
            if line is None:
                return None
            typed.append(line)
        if pending and typed:
            typed[-1] = " ".join([typed[-1], *pending])
        return typed
    line = source.line("  Answer: ")
    return None if line is None else [" ".join(line.split("\n"))]


def verdict_body(view: View, card: Card, verdict: Verdict) -> RenderableType:
    """The screen body showing how a typed answer was marked."""
    if verdict.items is not None:
        return view.list_body(card, verdict.items)
    return view.typed_body(card, verdict.answers)


# --- drills ---------------------------------------------------------------------------------------


@dataclass
class QuizOptions:
    topics: tuple[str, ...]
    count: int = 10
    mode: str = "flip"
    seed: int | None = None
    record: bool = False


@dataclass
class QuizResult:
    asked: int = 0
    correct: int = 0
    missed: list[Card] = field(default_factory=list)
    pool: int = 0


class QuizSession(_CardLoop):
    """A drill of one or more topics, in random order, whatever is due."""

    def __init__(
        self,
        store: Store,
        console: Console,
        source: KeySource,
        options: QuizOptions,
        clock: Clock,
    ) -> None:
        import random

        super().__init__(store, console, source, clock)
        self.options = options
        self.rng = random.Random(options.seed)
        self.result = QuizResult()
        self.position = (0, 0)  # (this card's number, cards in the drill)

    def run(self) -> QuizResult:
        pool = queue.topic_cards(self.store, self.options.topics)
        self.pool = pool
        self.result.pool = len(pool)
        order = list(pool)
        self.rng.shuffle(order)
        cards = order[: self.options.count]
        try:
            for number, card in enumerate(cards, start=1):
                self._one(card, number, len(cards))
        except _Quit:
            pass
        self.view.show(self.score_panel())
        return self.result

    def _status(self) -> RenderableType:
        number, total = self.position
        topics = ", ".join(self.options.topics)
        kind = "counts as reviews" if self.options.record else "schedule unchanged"
        return self.view.status(
            f"Drill · card {number} of {total} · {self.result.correct} right",
            f"{topics} · {self.options.mode} · {kind}",
        )

    def _one(self, card: Card, number: int, total: int) -> None:
        started = time.monotonic()
        mode = self.options.mode
        self.position = (number, total)
        choice = self._choices(card) if mode == "choice" else None
        if choice is not None:
            grade = self._ask_choice(card, *choice)
        else:
            step = self._ask_typed(card) if mode == "type" else self._ask_flip(card)
            if step.action == "quit":
                raise _Quit
            grade = step.grade
        duration = int((time.monotonic() - started) * 1000)
        with keys.shielded():
            self.store.record_answer(
                card.id,
                grade,
                self.clock(),
                duration_ms=duration,
                practice=not self.options.record,
            )
        self.result.asked += 1
        if grade >= Grade.SERIOUS_DIFFICULTY:
            self.result.correct += 1
        else:
            self.result.missed.append(card)

    # multiple choice ---------------------------------------------------------------------------

    def _choices(self, card: Card) -> tuple[str, list[str], str] | None:
        """(question note, options, right option) or None when the topic has too few answers
        to make up distractors."""
        from custserv_cards import marking

        return marking.choices(card, self.pool, self.rng, marking.subject_of(self.store))

    def _ask_choice(self, card: Card, note: str, options: list[str], right: str) -> int:
        from rich.table import Table
        from rich.text import Text

        def listing(picked: int | None = None) -> RenderableType:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column(no_wrap=True, style="bold")
            grid.add_column()
            for n, option in enumerate(options, start=1):
                style, mark = "", " "
                if picked is not None and option == right:
                    style, mark = "bold green", "✓"
                elif picked is not None and n == picked:
                    style, mark = "red", "✗"
                grid.add_row(Text(mark, style=style), f"{n})", self.view.text(option, style))
            return grid

        keys_allowed = [str(n) for n in range(1, len(options) + 1)]
        while True:
            notice = self.view.notice(self.notice)
            self.notice = None
            self._draw(
                card,
                self.view.text(note, "bold"),
                listing(),
                notice,
                self.view.keys_line(
                    (f"1-{len(options)}", "choose"), ("e", "source"), ("q", "quit")
                ),
            )
            key = self._choice_key(card)
            if key in keys_allowed:
                picked = int(key)
                break
        correct = options[picked - 1] == right
        verdict = (
            self.view.text("Right.", "bold green")
            if correct
            else self.view.text(f"Not quite: the answer is {right}", "bold red")
        )
        while True:
            self._draw(
                card,
                self.view.text(note, "bold"),
                listing(picked),
                verdict,
                self.view.notice(self.notice),
                self.view.keys_line(("Space/Enter", "next card"), ("q", "quit")),
            )
            self.notice = None
            if self._choice_key(card) in (SPACE, ENTER):
                return 4 if correct else 1

    def _choice_key(self, card: Card) -> str:
        key = self.keys.key()
        step = self._common_key(key, card)
        if step is not None and step.action == "quit":
            raise _Quit
        return key

    def score_panel(self) -> RenderableType:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        result = self.result
        share = f" ({result.correct / result.asked:.0%})" if result.asked else ""
        lines: list[Any] = [
            self.view.text(f"Score: {result.correct} of {result.asked}{share}", "bold")
        ]
        if result.missed:
            lines.append(self.view.text("Missed:", "bold"))
            for card in result.missed:
                line = Text("  • ")
                line.append(self.view.text(card.id, "red"))
                line.append(self.view.text(f" — {front_text(card)}", "dim"))
                line.truncate(self.view.width - 4, overflow="ellipsis")
                lines.append(line)
        elif result.asked:
            lines.append(self.view.text("Nothing missed.", "green"))
        lines.append(
            self.view.text(
                "These answers counted as reviews."
                if self.options.record
                else "A drill leaves your review schedule as it was (--record to count it).",
                "dim",
            )
        )
        return Panel(
            Group(*lines),
            title=self.view.text("Drill finished", "bold"),
            title_align="left",
            border_style="blue",
            width=self.view.width,
            padding=(0, 1),
        )
