"""``custserv stats`` (a terminal dashboard) and ``custserv report`` (md, html, csv, json)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from custserv_cards.cli.common import console, open_store

if TYPE_CHECKING:
    from rich.console import RenderableType

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
    for part in _dashboard(result):
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


def _dashboard(result: Stats) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from custserv_cards.render import safe
    from custserv_cards.report import HEAT_COLOURS, figure_text, percent, sparkline
    from custserv_cards.stats import memory_figure

    parts: list[RenderableType] = []
    rows = [*result.topics, result.total]
    weakness = result.weakness

    def make_table(title: str, columns: tuple[str, ...], caption: str) -> Table:
        table = Table(
            title=title,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            caption=caption,
            caption_justify="left",
        )
        for n, name in enumerate(columns):
            if n == 0:  # the topic: cut short with an ellipsis rather than split mid-word
                table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=24)
            else:
                table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
        return table

    states = make_table(
        f"Cards by state on {result.today}",
        ("topic", "cards", "new", "learn", "young", "mature", "susp", "leech"),
        "learn: answered, interval of 1 day or less; young: 2 to 20 days; mature: 21 days or more; "
        "susp: suspended; leech: failed 8 times or more",
    )
    progress = make_table(
        "Retention and due cards",
        ("topic", "ret 30d", "rev 30d", f"avg {weakness.label}", "today", "tmrw", "7 days"),
        "ret: retention, the share of the last 30 days' reviews (rev) of cards answered before "
        "that were graded 3 or more; today: due today, overdue included; tmrw: due tomorrow; "
        "7 days: due on or before a week from today",
    )
    for n, topic in enumerate(rows):
        style = "bold" if topic is result.total else ""
        end_section = n == len(rows) - 2
        counts = (topic.cards, topic.new, topic.learning, topic.young, topic.mature,
                  topic.suspended, topic.leech)  # fmt: skip
        states.add_row(safe(topic.topic), *map(str, counts), end_section=end_section, style=style)
        progress.add_row(
            safe(topic.topic),
            percent(topic.retention_30d),
            str(topic.reviews_30d),
            figure_text(weakness.key, memory_figure(result, topic)),
            *map(str, (topic.due_today, topic.due_tomorrow, topic.due_7_days)),
            end_section=end_section,
            style=style,
        )
    parts += [states, progress]

    due = [d.count for d in result.forecast]
    parts.append(Text(""))
    parts.append(
        Text.assemble(
            ("Due, next 30 days  ", "bold"),
            (sparkline([float(c) for c in due]), "cyan"),
            f"  {due[0]} today, peak {max(due)}, total {sum(due)}",
        )
    )

    heat = Text()
    heat.append("Reviews, 26 weeks\n", style="bold")
    peak = max((d.count for d in result.heatmap), default=0) or 1
    weeks = (len(result.heatmap) + 6) // 7
    for row, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        heat.append(f"{name:<4}")
        for week in range(weeks):
            i = week * 7 + row
            if i >= len(result.heatmap):
                break
            count = result.heatmap[i].count
            level = 0 if not count else 1 + min(3, int(count / peak * 4 - 1e-9))
            heat.append("■ " if count else "· ", style=HEAT_COLOURS[level] if count else "dim")
        heat.append("\n")
    days = sum(1 for d in result.heatmap if d.count)
    total_reviews = sum(d.count for d in result.heatmap)
    heat.append(f"{total_reviews} reviews on {days} days. ")
    heat.append(f"Streak: {result.streak} day{'s' if result.streak != 1 else ''}", style="bold")
    if not result.studied_today:
        heat.append(" (nothing answered yet today)")
    parts.append(heat)

    for title, cards in (
        ("Most lapses", result.weakest.most_lapses),
        (weakness.title, result.weakest_by_memory()),
        ("Leeches", result.weakest.leeches),
    ):
        parts.append(_weak_table(title, cards, result))
    return parts


def _weak_table(title: str, cards: list[WeakCard], result: Stats) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from custserv_cards.render import safe
    from custserv_cards.report import figure_text
    from custserv_cards.stats import card_figure

    weakness = result.weakness
    if not cards:
        return Text(f"{title}: none.")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("card", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("text", overflow="ellipsis")
    for name, width in (("lapses", 6), (weakness.label, 4), ("interval", 8), ("due", 10)):
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    for c in cards:
        text = safe(c.text)
        text.no_wrap = True  # one line, cut with an ellipsis: 'custserv card show' has it all
        table.add_row(
            safe(c.card_id),
            text,
            str(c.lapses),
            figure_text(weakness.key, card_figure(result, c)),
            str(c.interval),
            c.due or "–",
        )
    return table


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
