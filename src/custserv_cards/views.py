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
    from rich.table import Table
    from rich.text import Text

    from custserv_cards.marking import ListResult, TypedResult, Verdict
    from custserv_cards.scheduler import Outcome

MAX_WIDTH = 100  # panels stop growing here on wide terminals
FIT_STEPS = 5  # the ways a screen too tall for the terminal is squeezed (View.fit)
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
        self.compact = 0  # how much a screen too tall for the terminal is squeezed (FIT_STEPS)
        self.extra_lines: int | None = None  # lines left for an answer's extra note, if cut

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
        self.show(*self.fit(screen))

    def fit(self, screen: Screen) -> list[RenderableType | None]:
        """What a screen shows, squeezed until it fits the terminal's height (the last line
        stays free for the cursor): first the exam line goes, then the keys line shortens to
        '? keys   q quit', the progress bar leaves a narrow header, a marked cloze answer
        leaves out the whole sentence (the question above shows it), the grade keys lose
        their meanings (? still shows them), and last an answer's extra note is cut after a
        whole word. What is still too tall then scrolls, as a terminal does."""
        room = self.console.height - 1
        try:
            for self.compact in range(FIT_STEPS + 1):
                parts = self.parts(screen)
                height = self.height(parts)
                if height <= room:
                    return parts
            if screen.card is not None and screen.card.fields.get("extra"):
                self.extra_lines = len(
                    self._extra_text(screen.card).wrap(self.console, self.width - 4)
                )
                while height > room and self.extra_lines > 1:
                    self.extra_lines = max(1, self.extra_lines - (height - room))
                    parts = self.parts(screen)
                    height = self.height(parts)
            return parts
        finally:
            self.compact, self.extra_lines = 0, None

    def height(self, parts: Sequence[RenderableType | None]) -> int:
        options = self.console.options
        return sum(
            len(self.console.render_lines(part, options, pad=False))
            for part in parts
            if part is not None
        )

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
        actions = self.actions_line(screen.actions)
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
        legend = self.grade_legend(
            screen.outcomes, screen.suggested, screen.record, brief=self.compact >= 5
        )
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
        (the session's topics and mode) on the right, or on a line of their own when they do
        not fit beside it. On a narrow terminal the facts wrap between themselves, the bar
        gets its own line and where/how is left out."""
        from rich.cells import cell_len
        from rich.console import Group
        from rich.table import Table

        from custserv_cards.render import pack

        pieces = [status.title]
        if status.extra:  # a drill: 'card 3 of 10 · 2 right'
            pieces += status.extra.split(" · ")
        else:
            pieces += [
                f"{status.done} done",
                f"{status.left} left" + ("" if self.narrow else " today"),
            ]
        if status.seconds_left is not None and status.left:
            pieces.append(about(status.seconds_left))
        below: list[RenderableType] = []
        if status.exam and self.compact < 1:
            below.append(self.text(status.exam, "dim"))
        width = self.width
        if self.narrow:
            top: list[RenderableType] = [self.text(line, "bold") for line in pack(pieces, width)]
            if self.compact < 3:
                top.append(self.bar(status.share, width - 1))
            return Group(*top, *below)
        left = " · ".join(pieces)
        room = width - cell_len(left) - cell_len(status.where) - 2
        beside = room >= 10
        if not beside:  # where/how on a line of its own
            below.insert(0, self.text("\n".join(pack(status.where.split(" · "), width)), "dim"))
            room = width - cell_len(left) - 1
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, no_wrap=True)
        row: list[RenderableType] = [self.text(left, "bold"), self.bar(status.share, room)]
        if beside:
            grid.add_column(justify="right", no_wrap=True)
            row.append(self.text(status.where, "dim"))
        grid.add_row(*row)
        grid.width = width
        return Group(grid, *below) if below else grid

    def bar(self, share: float, width: int) -> Text:
        """A progress bar of ``width`` cells that shows without colour too: ███░░░."""
        from rich.text import Text

        width = max(0, min(width, 30))
        filled = round(share * width)
        bar = Text()
        bar.append("█" * filled, style="green")
        bar.append("░" * (width - filled), style="dim")
        return bar

    def card_title(self, card: Card) -> str | None:
        """'topic · kind · reverse', shortened to what fits on the panel's border (the kind
        goes first, the topic never is cut); None when the topic alone does not fit."""
        from rich.cells import cell_len

        reverse = ("reverse",) if card.reverse else ()
        for parts in ((card.topic, card.kind, *reverse), (card.topic, *reverse), (card.topic,)):
            title = " · ".join(parts)
            if cell_len(title) <= self.width - 6:
                return title
        return None

    def card_panel(self, card: Card) -> RenderableType:
        from rich.console import Group
        from rich.panel import Panel

        title = self.card_title(card)
        body: RenderableType = self.text(front_text(card))
        if title is None:  # a topic longer than the border: inside, whole
            body = Group(self.text(card.topic, "bold cyan"), body)
        return Panel(
            body,
            title=self.text(title, "bold cyan") if title else None,
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
        from rich.console import Group
        from rich.text import Text

        body = Text()
        if card.kind == "cloze":
            for i, part in enumerate(CLOZE_BLANK.split(str(card.fields["text"]))):
                body.append(self.text(part.strip() if i % 2 else part, "bold" if i % 2 else ""))
        elif card.kind == "list":  # each item wraps under itself, not under its bullet
            ordered = bool(card.fields.get("ordered"))
            grid = self._marks_grid()
            for n, item in enumerate(card.fields["items"], start=1):
                grid.add_row(Text(f"{n}." if ordered else "•", style="dim"), self.text(str(item)))
            if card.fields.get("extra"):
                return Group(grid, self._extra_text(card))
            return grid
        else:
            body.append(self.text(str(card.fields["answer"]), "bold"))
        return self._with_extra(body, card)

    def _with_extra(self, body: Text, card: Card) -> Text:
        if card.fields.get("extra"):
            body.append("\n")
            body.append(self._extra_text(card))
        return body

    def _extra_text(self, card: Card) -> Text:
        """An answer's extra note; cut after a whole word to ``extra_lines`` lines when the
        screen is too tall for the terminal (``fit``)."""
        from custserv_cards.render import clip

        extra = self.text(str(card.fields["extra"]), "dim italic")
        if self.extra_lines is None:
            return extra
        inner = self.width - 4
        lines = extra.wrap(self.console, inner)
        if len(lines) <= self.extra_lines:
            return extra
        kept = [line.plain for line in lines[: self.extra_lines]]
        kept[-1] = clip(kept[-1] + " " + lines[self.extra_lines].plain, inner)
        if not kept[-1].endswith("…"):
            kept[-1] = clip(kept[-1] + " …", inner)
        return self.text(" ".join(kept), "dim italic")

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
        if card.kind == "cloze" and self.compact < 4:  # squeezed: the question shows it
            grid.add_row("Sentence", self.answer_body(card))
        elif card.fields.get("extra"):
            grid.add_row("", self._extra_text(card))
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
        """How a typed list was marked: a mark beside each item (a long item wraps under
        itself, not under the mark), what was typed that matched nothing, and the share."""
        from rich.console import Group
        from rich.text import Text

        grid = self._marks_grid()
        ordered = result.ordered
        for n, (item, match) in enumerate(zip(result.items, result.matched, strict=True)):
            if match is None:
                grid.add_row(Text("✗ missed", style="red"), self.text(item, "bold"))
                continue
            in_place = result.in_order[n] or not ordered
            mark, style = ("✓ recalled", "green") if in_place else ("~ misplaced", "yellow")
            line = self.text(item)
            typed = result.typed[match]
            if typed.casefold() != item.casefold():
                line.append(self.text(f"  (you: {typed})", "dim"))
            grid.add_row(Text(mark, style=style), line)
        for n, extra in enumerate(result.extra):
            line = self.text(extra, "dim")
            if n < len(result.reasons) and result.reasons[n]:
                line.append(self.text(f"  ({result.reasons[n]})", "dim"))
            grid.add_row(Text("? no match", style="yellow"), line)
        for repeat in result.repeats:
            grid.add_row(Text("= repeated", style="yellow"), self.text(repeat, "dim"))
        share = f"Recalled {result.recalled} of {len(result.items)}"
        if ordered and result.credited != result.recalled:
            share += f", {result.credited} in the right order"
        parts: list[RenderableType] = [grid, Text(share + ".", style="bold")]
        if card.fields.get("extra"):
            parts.append(self._extra_text(card))
        return Group(*parts)

    def _marks_grid(self) -> Table:
        """Two columns: a mark ('•', '✓ recalled') and text that wraps beside it."""
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        return grid

    def grade_cell(
        self,
        value: int,
        outcome: Outcome | None,
        suggested: int | None,
        short: bool,
        brief: bool = False,
        room: int | None = None,
    ) -> Text:
        """' 4  right after hesitation · in 6 days ◀'; brief: ' 4  in 6 days ◀'. The
        suggested grade's mark goes inside its key ('▶4 ') when ' ◀' would pass ``room``."""
        from rich.text import Text

        body = Text()
        if not (brief and outcome is not None):
            body.append(" " + (SHORT_MEANINGS[value] if short or brief else Grade(value).meaning))
        if outcome is not None:
            body.append(" " if brief else " · ", style="dim")
            body.append(outcome.label(), style="bold" if not outcome.again else "yellow")
        mark_after = value == suggested and (room is None or 3 + body.cell_len + 2 <= room)
        key = f"▶{value} " if value == suggested and not mark_after else f" {value} "
        cell = Text(key, style=f"bold reverse {GRADE_STYLES[value]}")
        cell.append_text(body)
        if mark_after:
            cell.append(" ◀", style="bold")
        return cell

    def grade_legend(
        self,
        outcomes: Mapping[int, Outcome] | None,
        suggested: int | None,
        record: bool = True,
        width: int | None = None,
        brief: bool = False,
    ) -> RenderableType:
        """The six grade keys, each with its meaning and what it will do: two columns (5-3
        beside 2-0), or one key a line on a narrow terminal; brief (a screen too tall for
        the terminal): what each key will do, without the meanings, in two columns.
        ``width``: the room there is (less than the terminal's inside a panel)."""
        from rich.console import Group
        from rich.table import Table

        room = self.width if width is None else width

        def cells(short: bool, one_column: bool = False) -> dict[int, Text]:
            return {
                v: self.grade_cell(
                    v,
                    outcomes.get(v) if outcomes else None,
                    suggested,
                    short,
                    brief,
                    room if one_column else None,
                )
                for v in range(6)
            }

        note = None
        if not record and not brief:
            note = self.text("A drill leaves your schedule as it was.", "dim")
        for short in (False, True):
            made = cells(short)
            left = max(made[v].cell_len for v in (5, 4, 3))
            right = max(made[v].cell_len for v in (2, 1, 0))
            if left + 2 + right <= room and (brief or not self.narrow):
                grid = Table.grid(padding=(0, 2))
                grid.add_column(no_wrap=True)
                grid.add_column(no_wrap=True)
                for high, low in ((5, 2), (4, 1), (3, 0)):
                    grid.add_row(made[high], made[low])
                return Group(grid, note) if note else grid
        made = cells(True, one_column=True)
        lines: list[RenderableType] = [made[v] for v in (5, 4, 3, 2, 1, 0)]
        if note:
            lines.append(note)
        return Group(*lines)

    def actions_line(self, actions: Sequence[tuple[str, str]]) -> Text:
        """The keys of every card screen; only '? keys   q quit' when squeezed (``fit``)."""
        if self.compact >= 2:
            return self.keys_line(("?", "keys"), ("q", "quit"))
        return self.keys_line(*actions, ("e", "source"), ("?", "keys"), ("q", "quit"))

    def keys_line(self, *pairs: tuple[str, str]) -> Text:
        """'u undo   s suspend   q quit', breaking between keys, never inside one's words."""
        from rich.text import Text

        line = Text()
        column = 0
        for n, (key, what) in enumerate(pairs):
            size = len(key) + 1 + len(what)
            if n:
                wraps = column + 3 + size > self.console.width
                line.append("\n" if wraps else "   ")
                column = 0 if wraps else column + 3
            line.append(key, style="bold")
            line.append(f" {what}", style="dim")
            column += size
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
            inner = self.width if self.narrow else self.width - 4  # the frame and padding
            parts.append(self.grade_legend(screen.outcomes, None, screen.record, inner))
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

        from custserv_cards.render import pack

        today = summary.today
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
            days = [f"{_day(d, today)}: {n}" for d, n in summary.coming[:5]]
            room = self.width - 4 - len("Still to repeat") - 2  # beside the widest label
            grid.add_row("Due next", self.text(",\n".join(pack(days, room - 1, ", "))))
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

        from custserv_cards.render import clip

        share = f" ({result.correct / result.asked:.0%})" if result.asked else ""
        lines: list[RenderableType] = [
            self.text(f"Score: {result.correct} of {result.asked}{share}", "bold")
        ]
        if result.missed:
            lines.append(self.text("Missed:", "bold"))
            inner = self.width if self.narrow else self.width - 4
            for card in result.missed:  # the id whole; its question cut after a word
                if self.narrow:  # the id on a line of its own, the question under it
                    name = self.text(card.id, "red")
                    name.overflow = "fold"
                    lines.append(name)
                    lines.append(self.text(f"  {clip(front_text(card), inner - 3)}", "dim"))
                    continue
                line = Text("• ", overflow="fold")
                line.append(self.text(card.id, "red"))
                room = inner - line.cell_len - 3
                if room >= 12:
                    line.append(self.text(f" — {clip(front_text(card), room)}", "dim"))
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
        if self.narrow:  # without the frame, so that ids fit whole
            return Group(self.text("Drill finished", "bold"), *lines)
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
