"""``custserv stats`` (a terminal dashboard) and ``custserv report`` (md, html, csv, json)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from custserv_cards.cli.common import console, open_store

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from custserv_cards.stats import ExamReadiness, Stats, WeakCard

TopicOpt = Annotated[
    str | None, typer.Option("--topic", "-t", metavar="TOPIC", help="Only this topic.")
]


def stats(
    topic: TopicOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """How you are doing: cards by state, retention, due cards, forecast, streak, weak cards.

    Learning: interval of 1 day or less; young: 2 to 20 days; mature: 21 days or more;
    leech: failed 8 times or more. Retention: the share of the last 30 days' reviews of cards
    answered before that were graded 3 or more.
    """
    from custserv_cards import stats as stats_mod

    with open_store() as store:
        today = store.today()
        result = stats_mod.compute(store, today, topic)
        exam = None if as_json else stats_mod.exam_forecast(store, today, topic)
    if as_json:  # the exam's figures are in 'custserv exam --json' and the JSON report
        from custserv_cards.render import json_text

        print(json_text(result.to_dict()))
        return
    out = console()
    for part in _dashboard(result, out.width):
        out.print(part)
    if exam is not None:
        out.print(_exam_lines(exam))


def _exam_lines(exam: ExamReadiness) -> str:
    """The exam's readiness in two lines: the days left and the forecast of the day."""
    from custserv_cards.report import exam_summary, percent

    total = exam.total
    if exam.days_left <= 0:
        return f"Exam {exam.exam_date}: the day has come or passed ('custserv exam clear')."
    return (
        f"Exam {exam.exam_date}: {exam.days_left} days left. Recall on the day: "
        f"{percent(total.predicted_recall)} if you stop now, "
        f"{percent(total.planned_recall)} with the plan.\n{exam_summary(exam)} "
        "Details: 'custserv exam'."
    )


def _dashboard(result: Stats, width: int) -> list[RenderableType]:
    """The dashboard for a terminal ``width`` columns wide. Topic names and card ids are
    never cut (they are what 'custserv quiz --topic', 'card show' and 'suspend' take): a
    table too wide for the terminal is split into several, each starting with the topic,
    and the legends wrap between words."""
    from rich.text import Text

    from custserv_cards.report import HEAT_COLOURS, figure_text, percent, sparkline
    from custserv_cards.stats import memory_figure

    parts: list[RenderableType] = []
    rows = [*result.topics, result.total]
    weakness = result.weakness
    states: list[tuple[str, list[str]]] = [
        (name, [str(getattr(t, attr)) for t in rows])
        for name, attr in (
            ("cards", "cards"), ("new", "new"), ("learn", "learning"), ("young", "young"),
            ("mature", "mature"), ("susp", "suspended"), ("leech", "leech"),
        )
    ]  # fmt: skip
    progress: list[tuple[str, list[str]]] = [
        ("ret 30d", [percent(t.retention_30d) for t in rows]),
        ("rev 30d", [str(t.reviews_30d) for t in rows]),
        (
            f"avg {weakness.label}",
            [figure_text(weakness.key, memory_figure(result, t)) for t in rows],
        ),
        ("today", [str(t.due_today) for t in rows]),
        ("tmrw", [str(t.due_tomorrow) for t in rows]),
        ("7 days", [str(t.due_7_days) for t in rows]),
    ]
    names = [t.topic for t in rows]
    for title, columns, legend in (
        (
            f"Cards by state on {result.today}",
            states,
            "learn: answered, interval of 1 day or less; young: 2 to 20 days; mature: 21 days "
            "or more; susp: suspended; leech: failed 8 times or more",
        ),
        (
            "Retention and due cards",
            progress,
            "ret: retention, the share of the last 30 days' reviews (rev) of cards answered "
            "before that were graded 3 or more; today: due today, overdue included; tmrw: due "
            "tomorrow; 7 days: due on or before a week from today",
        ),
    ):
        parts.append(_topic_table(title, names, columns, width))
        parts.append(Text(legend, style="dim"))

    due = [d.count for d in result.forecast]
    parts.append(Text(""))
    parts.append(
        Text.assemble(
            ("Due, next 30 days", "bold"),
            "  " if width >= 70 else "\n",
            (sparkline([float(c) for c in due]), "cyan"),
            "  " if width >= 70 else "\n",
            f"{due[0]} today, peak {max(due)}, total {sum(due)}",
        )
    )

    # As many whole weeks as fit: a row of the heatmap never wraps.
    weeks_all = (len(result.heatmap) + 6) // 7
    weeks = max(1, min(weeks_all, (width - 5) // 2))
    first = (weeks_all - weeks) * 7
    heat = Text()
    heat.append(f"Reviews, last {weeks} weeks\n", style="bold")
    peak = max((d.count for d in result.heatmap), default=0) or 1
    for row, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        heat.append(f"{name:<4}")
        for week in range(weeks_all - weeks, weeks_all):
            i = week * 7 + row
            if i >= len(result.heatmap):
                break
            count = result.heatmap[i].count
            level = 0 if not count else 1 + min(3, int(count / peak * 4 - 1e-9))
            heat.append("■ " if count else "· ", style=HEAT_COLOURS[level] if count else "dim")
        heat.append("\n")
    shown = result.heatmap[first:]
    days = sum(1 for d in shown if d.count)
    total_reviews = sum(d.count for d in shown)
    heat.append(
        f"{total_reviews} review{'' if total_reviews == 1 else 's'} on "
        f"{days} day{'' if days == 1 else 's'}. "
    )
    heat.append(f"Streak: {result.streak} day{'s' if result.streak != 1 else ''}", style="bold")
    if not result.studied_today:
        heat.append(" (nothing answered yet today)")
    parts.append(heat)

    for title, cards in (
        ("Most lapses", result.weakest.most_lapses),
        (weakness.title, result.weakest_by_memory()),
        ("Leeches", result.weakest.leeches),
    ):
        parts.append(_weak_table(title, cards, result, width))
    return parts


def _topic_table(
    title: str, names: list[str], columns: list[tuple[str, list[str]]], width: int
) -> RenderableType:
    """A table of the topics ``names`` and ``columns`` (the last row, the total, set apart).
    When it is wider than ``width``, each topic's name gets a line of its own and its
    numbers the line below, under the column names: a name is never cut."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from custserv_cards.render import safe

    key_width = max(5, *(len(n) for n in names))
    widths = [max(len(name), *(len(v) for v in values)) for name, values in columns]
    if key_width + sum(w + 2 for w in widths) <= width - 1:
        table = Table(
            title=title,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            show_edge=False,
            collapse_padding=True,
        )
        table.add_column("topic", no_wrap=True, min_width=key_width)
        for (name, _values), column_width in zip(columns, widths, strict=True):
            table.add_column(name, justify="right", no_wrap=True, min_width=column_width)
        for row, name in enumerate(names):
            table.add_row(
                safe(name),
                *(values[row] for _name, values in columns),
                end_section=row == len(names) - 2,
                style="bold" if row == len(names) - 1 else "",
            )
        return table

    def numbers(cells: list[str]) -> str:
        return " ".join(cell.rjust(w) for cell, w in zip(cells, widths, strict=True))

    header = numbers([name for name, _values in columns])
    lines: list[RenderableType] = [
        Text(title, style="bold italic"),
        Text("topic", style="bold"),
        Text(header, style="bold"),
        Text("─" * min(width - 1, len(header) + 2), style="dim"),
    ]
    for row, name in enumerate(names):
        last = row == len(names) - 1
        lines.append(safe(name, "bold" if last else ""))
        lines.append(Text(numbers([values[row] for _name, values in columns]).rjust(len(header))))
    return Group(*lines)


def _weak_table(title: str, cards: list[WeakCard], result: Stats, width: int) -> RenderableType:
    """The weakest cards: a table with each card's text cut to fit, or, on a terminal too
    narrow for that, each card on its own lines. The card id is never cut."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from custserv_cards.render import clip, safe
    from custserv_cards.report import figure_text
    from custserv_cards.stats import card_figure

    weakness = result.weakness
    if not cards:
        return Text(f"{title}: none.")
    numbers = (("lapses", 6), (weakness.label, 4), ("interval", 8), ("due", 10))
    id_width = max(4, *(len(c.card_id) for c in cards))
    # one cell to spare: rich 13.0 lays the table out a cell wider than later versions, and
    # then shortens the text and due columns inside their words
    text_room = width - 1 - id_width - sum(w + 3 for _, w in numbers) - 4
    if text_room < 16:
        lines: list[RenderableType] = [Text(title, style="bold italic")]
        for c in cards:
            lines.append(safe(c.card_id, "bold"))
            lines.append(
                _pieces(
                    (f"{c.lapses} lapse{'' if c.lapses == 1 else 's'}",
                     f"{weakness.label} {figure_text(weakness.key, card_figure(result, c))}",
                     f"interval {c.interval}",
                     f"due {c.due or '–'}"),
                    width,
                )
            )  # fmt: skip
            lines.append(safe("  " + clip(c.text, width - 3)))
        return Group(*lines)
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("card", no_wrap=True, min_width=id_width)
    table.add_column("text", overflow="ellipsis", no_wrap=True, max_width=text_room)
    for name, column_width in numbers:
        table.add_column(name, justify="right", no_wrap=True, min_width=column_width)
    for c in cards:
        table.add_row(
            safe(c.card_id),
            safe(clip(c.text, text_room)),
            str(c.lapses),
            figure_text(weakness.key, card_figure(result, c)),
            str(c.interval),
            c.due or "–",
        )
    return table


def _pieces(pieces: tuple[str, ...], width: int) -> Text:
    """Short facts joined by ' · ', indented, breaking between facts, never inside one."""
    from rich.text import Text

    from custserv_cards.render import pack

    return Text("\n".join("  " + line for line in pack(list(pieces), width - 3)), style="dim")


def report(
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="md, html, csv or json."),
    ] = "html",
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write ('-' for standard output; default custserv-report.FORMAT).",
        ),
    ] = None,
    topic: TopicOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Count reviews from this date (default: 26 weeks ago).",
        ),
    ] = None,
    reviews: Annotated[
        bool, typer.Option("--reviews", help="With --format csv: one row per review.")
    ] = False,
    student: Annotated[
        str | None,
        typer.Option(
            "--student",
            metavar="NAME",
            help="The student's name on this report (default: 'custserv config student').",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a progress report: md to paste, html to view or print, csv for spreadsheets,
    json for other tools.

    It names the student and the days it covers, and speaks plainly first.

    Name the student: custserv config student "Ann Lee" (or --student).

    Exam readiness and the recall predicted for the day appear once an exam is set:
    custserv exam set 2027-06-01.
    """
    from custserv_cards import clock
    from custserv_cards import report as report_mod
    from custserv_cards.store import check_student

    fmt = report_mod.check_format(fmt)
    name = None if student is None else check_student(student, "--student")
    target = output if output is not None else report_mod.default_output(fmt, reviews)
    path = report_mod.check_output(target, force, db=_db_path())
    with open_store() as store:
        today = store.today()
        start = report_mod.parse_since(since, today)
        text = report_mod.generate(
            store,
            fmt,
            today,
            clock.now().isoformat(timespec="seconds"),
            topic=topic,
            since=start,
            reviews=reviews,
            student=name,
        )
    report_mod.write_output(text, path, sys.stdout)
    if path is not None:
        size = len(text.encode())
        print(f"Wrote {path} ({size / 1024:.0f} KB).")


def _db_path() -> Path:
    from custserv_cards import paths
    from custserv_cards.cli import common

    return paths.db_path(common.options.db)


def register(app: typer.Typer) -> None:
    app.command()(stats)
    app.command()(report)
