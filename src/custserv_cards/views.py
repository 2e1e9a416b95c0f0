"""The screens of a study session, drawn with rich, and the loop that runs a session in a
terminal: draw the engine's ``Screen``, read a key or a typed answer, hand it to the engine.

Everything a session decides is in ``session`` (no terminal there); this module only draws
and reads. Panels stop growing at ``MAX_WIDTH``; below ``NARROW`` columns the grade keys go
one to a line and the header's progress bar gets its own line, so a 40-column terminal shows
every key and every interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

from custserv_cards.keys import KeySource
from custserv_cards.model import CLOZE_BLANK, Card, Grade, cloze_answers, cloze_display
from custserv_cards.session import (
    EXTRA_NEW,
    Choice,
    Notice,
    Phase,
    QuizResult,
    Screen,
    Status,
    Summary,
    Tone,
    when,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from custserv_cards.marking import ListResult, TypedResult, Verdict
    from custserv_cards.scheduler import Outcome

MAX_WIDTH = 100  # panels stop growing here on wide terminals
NARROW = 60  # below this width the grade keys go one to a line
GRADE_STYLES = {5: "green", 4: "green", 3: "yellow", 2: "red", 1: "red", 0: "red"}
TONES = {Tone.INFO: "cyan", Tone.GOOD: "green", Tone.WARN: "yellow", Tone.BAD: "bold red"}
# Shorter grade meanings, for when the full ones and the intervals do not fit side by side.
SHORT_MEANINGS = {
    5: "perfect",
    4: "right, hesitated",
    3: "right, with difficulty",
    2: "wrong, looked easy",
    1: "wrong, recognised",
    0: "complete blackout",
}


class Engine(Protocol):
    """What ``run`` drives: ``session.ReviewEngine`` or ``session.QuizEngine``."""

    def start(self) -> Screen: ...

    def press(self, key: str) -> Screen: ...

    def typed(self, answers: Sequence[str] | None) -> Screen: ...


def run(engine: Engine, console: Console, source: KeySource) -> Screen:
    """Run a session to its end in a terminal; the last screen."""
    view = View(console)
    screen = engine.start()
    while True:
        view.draw(screen)
        if screen.phase == Phase.END:
            return screen
        if screen.wants_typing and screen.card is not None:
            screen = engine.typed(read_answers(source, screen.card))
        else:
            screen = engine.press(source.key())


# --- typed answers ------------------------------------------------------------------------------


def read_answers(source: KeySource, card: Card) -> list[str] | None:
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


# --- drawing --------------------------------------------------------------------------------------


def front_text(card: Card) -> str:
    if card.kind == "cloze":
        return cloze_display(str(card.fields["text"]))
    return str(card.fields["prompt"])


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def about(seconds: float) -> str:
    """A rough time left: 'about 4 min', 'under a minute'."""
    if seconds < 60:
        return "under 1 min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes:02d} min"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class View:
    """Draws the screens of a session on a rich console."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @property
    def width(self) -> int:
        return min(self.console.width, MAX_WIDTH)

    @property
    def narrow(self) -> bool:
        return self.width < NARROW

    def show(self, *parts: RenderableType | None) -> None:
        self.console.clear()
        for part in parts:
            if part is not None:
                self.console.print(part)

    def draw(self, screen: Screen) -> None:
        self.show(*self.parts(screen))

    def parts(self, screen: Screen) -> list[RenderableType | None]:
        """What a screen shows, top to bottom."""
        notice = self.notice(screen.notice)
        if screen.phase == Phase.END:
            return self._end(screen, notice)
        if screen.phase == Phase.OFFER:
            return [
                *self._offer(screen),
                notice,
                self.keys_line(
                    *((("n", f"learn {EXTRA_NEW} extra new cards"),) if screen.more_new else ()),
                    *(
                        (("u", "undo the last action"),)
                        if screen.summary and screen.summary.answers
                        else ()
                    ),
                    ("q", "quit"),
                ),
            ]
        card = screen.card
        assert card is not None
        top: list[RenderableType | None] = [self.status(screen.status), self.card_panel(card)]
        if screen.help:
            return [*top, self.help_panel(screen)]
        actions = self.keys_line(*screen.actions, ("e", "source"), ("?", "keys"), ("q", "quit"))
        if screen.phase == Phase.FRONT:
            return [*top, notice, self.keys_line(("Space/Enter", "show the answer")), actions]
        if screen.phase == Phase.TYPING:
            hint = (
                "Type the items you recall, one per line; an empty line ends."
                if card.kind == "list"
                else "Type your answer and press Enter (an empty answer shows it)."
            )
            return [*top, notice, self.text(hint + "  Ctrl-D quits.", "dim")]
        if screen.phase in (Phase.CHOICE, Phase.CHOSEN) and screen.choice is not None:
            return [*top, *self._choice(screen.choice), notice]
        legend = self.grade_legend(screen.outcomes, screen.suggested, screen.record)
        if screen.phase == Phase.MARKED and screen.verdict is not None:
            suggested = screen.verdict.grade
            return [
                *top,
                self.answer_panel(self.check_body(card, screen.verdict), "Your answer"),
                notice,
                legend,
                self.keys_line(("Enter", f"accept {suggested} (suggested)"), ("0-5", "change")),
                actions,
            ]
        return [*top, self.answer_panel(self.answer_body(card)), notice, legend, actions]

    # pieces ------------------------------------------------------------------------------------

    def text(self, value: str, style: str = "") -> Text:
        from custserv_cards.render import safe

        return safe(value, style)

    def status(self, status: Status) -> RenderableType:
        """'Review · 12 done · 13 left today · about 4 min', a progress bar, and where/how
        (on a narrow terminal the bar goes on a line of its own, without the where/how)."""
        from rich.console import Group
        from rich.table import Table

        if status.extra:  # a drill: 'card 3 of 10 · 2 right'
            left = f"{status.title} · {status.extra}"
        else:
            left = f"{status.title} · {status.done} done · {status.left} left"
            left += "" if self.narrow else " today"
        if status.seconds_left is not None and status.left:
            left += f" · {about(status.seconds_left)}"
        exam = self.text(status.exam, "dim") if status.exam else None
        if self.narrow:
            bar = self.bar(status.share, self.width - 1)
            return Group(self.text(left, "bold"), bar, *([exam] if exam else []))
        where = self.text(status.where, "dim")
        room = self.width - len(left) - where.cell_len - 4
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(self.text(left, "bold"), self.bar(status.share, room), where)
        grid.width = self.width
        return Group(grid, exam) if exam else grid

    def bar(self, share: float, width: int) -> Text:
        """A progress bar of ``width`` cells that shows without colour too: ███░░░."""
        from rich.text import Text

        width = max(0, min(width, 30))
        filled = round(share * width)
        bar = Text()
        bar.append("█" * filled, style="green")
        bar.append("░" * (width - filled), style="dim")
        return bar

    def card_panel(self, card: Card) -> RenderableType:
        from rich.panel import Panel

        title = f"{card.topic} · {card.kind}" + (" · reverse" if card.reverse else "")
        return Panel(
            self.text(front_text(card)),
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

    def answer_body(self, card: Card) -> Text:
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

    def check_body(self, card: Card, verdict: Verdict) -> RenderableType:
        """How a typed answer was marked."""
        if verdict.items is not None:
            return self.list_body(card, verdict.items)
        return self.typed_body(card, verdict.answers)

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

    def grade_cell(
        self, value: int, outcome: Outcome | None, suggested: int | None, short: bool
    ) -> Text:
        """' 4  right after hesitation · in 6 days ◀'."""
        from rich.text import Text

        cell = Text()
        cell.append(f" {value} ", style=f"bold reverse {GRADE_STYLES[value]}")
        cell.append(" " + (SHORT_MEANINGS[value] if short else Grade(value).meaning))
        if outcome is not None:
            cell.append(" · ", style="dim")
            cell.append(outcome.label(), style="bold" if not outcome.again else "yellow")
        if value == suggested:
            cell.append(" ◀", style="bold")
        return cell

    def grade_legend(
        self, outcomes: Mapping[int, Outcome] | None, suggested: int | None, record: bool = True
    ) -> RenderableType:
        """The six grade keys, each with its meaning and what it will do: two columns (5-3
        beside 2-0), or one key a line on a narrow terminal."""
        from rich.console import Group
        from rich.table import Table

        def cells(short: bool) -> dict[int, Text]:
            return {
                v: self.grade_cell(v, outcomes.get(v) if outcomes else None, suggested, short)
                for v in range(6)
            }

        note = None
        if not record:
            note = self.text("A drill leaves your schedule as it was.", "dim")
        for short in (False, True):
            made = cells(short)
            left = max(made[v].cell_len for v in (5, 4, 3))
            right = max(made[v].cell_len for v in (2, 1, 0))
            if left + 2 + right <= self.width and not self.narrow:
                grid = Table.grid(padding=(0, 2))
                grid.add_column(no_wrap=True)
                grid.add_column(no_wrap=True)
                for high, low in ((5, 2), (4, 1), (3, 0)):
                    grid.add_row(made[high], made[low])
                return Group(grid, note) if note else grid
        made = cells(True)
        lines: list[RenderableType] = [made[v] for v in (5, 4, 3, 2, 1, 0)]
        if note:
            lines.append(note)
        return Group(*lines)

    def keys_line(self, *pairs: tuple[str, str]) -> Text:
        from rich.text import Text

        line = Text()
        for n, (key, what) in enumerate(pairs):
            if n:
                line.append("   ")
            line.append(key, style="bold")
            line.append(f" {what}", style="dim")
        return line

    def notice(self, notice: Notice | None) -> Text | None:
        return self.text(notice.text, TONES[notice.tone]) if notice else None

    def help_panel(self, screen: Screen) -> RenderableType:
        """The keys of this screen, what each does, and what each grade will do (on a narrow
        terminal without the frame and the note on grades, so that it fits)."""
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        rows: list[tuple[str, str]] = []
        if screen.choice is not None:
            rows.append((f"1-{len(screen.choice.options)}", "choose an answer"))
        else:
            rows.append(("Space", "show the answer (Enter too)"))
            rows.append(("0-5", "grade it, 5 best: see below"))
            if screen.phase == Phase.MARKED:
                rows.append(("Enter", "accept the suggested grade"))
        actions = dict(screen.actions)
        if "u" in actions:
            rows.append(("u", "undo the last grade, s or b"))
        if "s" in actions:
            rows.append(("s", "suspend (until unsuspended)"))
        if "b" in actions:
            rows.append(("b", "bury until tomorrow"))
        rows += [
            ("e", "where it is in the notes"),
            ("?", "this help; any key closes it"),
            ("q", "quit (answers are saved)"),
        ]
        for key, what in rows:
            grid.add_row(key, self.text(what))
        parts: list[RenderableType] = [grid]
        if screen.choice is None:
            if not self.narrow:
                parts.append(
                    self.text(
                        "0-2: wrong; 3: right with difficulty. A card graded below 4 comes "
                        "back later today, until it gets a 4 or 5 (SM-2).",
                        "dim",
                    )
                )
            parts.append(self.grade_legend(screen.outcomes, None, screen.record))
        if self.narrow:
            return Group(self.text("Keys", "bold"), *parts)
        return Panel(
            Group(*parts),
            title=self.text("Keys", "bold"),
            title_align="left",
            border_style="blue",
            width=self.width,
            padding=(0, 1),
        )

    def _choice(self, choice: Choice) -> list[RenderableType | None]:
        from rich.table import Table
        from rich.text import Text

        picked = choice.picked
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column()
        for n, option in enumerate(choice.options, start=1):
            style, mark = "", " "
            if picked is not None and option == choice.right:
                style, mark = "bold green", "✓"
            elif picked is not None and n == picked:
                style, mark = "red", "✗"
            grid.add_row(Text(mark, style=style), f"{n})", self.text(option, style))
        parts: list[RenderableType | None] = [self.text(choice.note, "bold"), grid]
        if picked is None:
            keys = self.keys_line(
                (f"1-{len(choice.options)}", "choose"), ("e", "source"), ("?", "keys"),
                ("q", "quit"),
            )  # fmt: skip
            return [*parts, keys]
        verdict = (
            self.text("Right.", "bold green")
            if choice.correct
            else self.text(f"Not quite: the answer is {choice.right}", "bold red")
        )
        return [*parts, verdict, self.keys_line(("Space/Enter", "next card"), ("q", "quit"))]

    def _offer(self, screen: Screen) -> list[RenderableType | None]:
        parts: list[RenderableType | None] = []
        if screen.summary is not None and screen.summary.answers:
            parts.append(self.summary_panel(screen.summary))
            parts.append(self.text(screen.lines[0], "bold green"))
            parts += [self.text(line) for line in screen.lines[1:]]
        else:
            parts.append(self.text(screen.lines[0], "bold green"))
            parts += [self.text(line) for line in screen.lines[1:]]
        return parts

    def _end(self, screen: Screen, notice: Text | None) -> list[RenderableType | None]:
        if screen.quiz is not None:
            return [self.score_panel(screen.quiz, screen.record), notice]
        if screen.lines:  # the day's end, with nothing more to offer
            return [*self._offer(screen), notice]
        if screen.summary is not None and screen.summary.answers:
            return [self.summary_panel(screen.summary), notice]
        return [notice]

    def summary_panel(self, summary: Summary) -> RenderableType:
        from rich.panel import Panel
        from rich.table import Table

        today = summary.today or date.today()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        cards, first = summary.cards, len(summary.first)
        answers = len(summary.answers)
        grid.add_row(
            "Cards answered",
            f"{cards} ({_plural(answers, 'answer')}"
            + (f", {summary.repeats} of them same-day repeats)" if summary.repeats else ")"),
        )
        if first:
            hard = summary.remembered - summary.easily
            grid.add_row(
                "Right",
                self.text(
                    f"{summary.remembered} of {first} ({summary.remembered / first:.0%}) at "
                    f"the first answer today: {summary.easily} with a 4 or 5"
                    + (f", {hard} with a 3 (asked again)" if hard else "")
                ),
            )
        pending = summary.pending
        if pending:
            grid.add_row(
                "Still to repeat",
                self.text(
                    f"{_plural(len(pending), 'card')} graded below 4 today: each comes back "
                    "until it gets a 4 or 5"
                ),
            )
        grid.add_row("Time", duration(summary.seconds))
        grid.add_row("Streak", _plural(summary.streak, "day"))
        if summary.coming:
            coming = ", ".join(f"{_day(d, today)}: {n}" for d, n in summary.coming[:5])
            grid.add_row("Due next", self.text(coming))
        elif summary.next_due:
            grid.add_row("Due next", when(summary.next_due, today))
        if summary.leeches:
            grid.add_row("New leeches", self.text(", ".join(summary.leeches), "red"))
        return Panel(
            grid,
            title=self.text("Session summary", "bold"),
            title_align="left",
            border_style="blue",
            width=self.width,
            padding=(0, 1),
        )

    def score_panel(self, result: QuizResult, record: bool) -> RenderableType:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        share = f" ({result.correct / result.asked:.0%})" if result.asked else ""
        lines: list[RenderableType] = [
            self.text(f"Score: {result.correct} of {result.asked}{share}", "bold")
        ]
        if result.missed:
            lines.append(self.text("Missed:", "bold"))
            for card in result.missed:
                line = Text("  • ")
                line.append(self.text(card.id, "red"))
                line.append(self.text(f" — {front_text(card)}", "dim"))
                line.truncate(self.width - 4, overflow="ellipsis")
                lines.append(line)
        elif result.asked:
            lines.append(self.text("Nothing missed.", "green"))
        if result.skipped:
            lines.append(
                self.text(f"Removed from their deck meanwhile: {', '.join(result.skipped)}", "dim")
            )
        lines.append(
            self.text(
                "These answers counted as reviews."
                if record
                else "A drill leaves your review schedule as it was (--record to count it).",
                "dim",
            )
        )
        return Panel(
            Group(*lines),
            title=self.text("Drill finished", "bold"),
            title_align="left",
            border_style="blue",
            width=self.width,
            padding=(0, 1),
        )


def _day(day: date, today: date) -> str:
    """'tomorrow', 'Mon 7 Dec'."""
    return "tomorrow" if (day - today).days == 1 else f"{day:%a} {day.day} {day:%b}"
