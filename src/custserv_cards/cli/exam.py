"""``custserv exam``: set an exam date, see the plan toward it and the forecast of the day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from custserv_cards.cli.commands import App
from custserv_cards.cli.common import console, open_store

if TYPE_CHECKING:
    from custserv_cards.exam import Forecast

exam_app = App(
    name="exam",
    help="Revise toward an exam: set its date, see the plan and the forecast of the day.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@exam_app.callback()
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """The plan toward the exam and the forecast of the day (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    from custserv_cards import exam
    from custserv_cards.render import json_text

    with open_store() as store:
        today = store.today()
        if exam.of(store) is None:
            if as_json:
                print(
                    json_text({"exam_date": None, "target": None, "feasible": None, "topics": []})
                )
            else:
                print(
                    "No exam is set. Set one with 'custserv exam set YYYY-MM-DD' "
                    "[--target 0.90] [--minutes 30]."
                )
            return
        result = exam.forecast(store, today)
    if as_json:
        print(json_text(result.to_dict()))
    else:
        _print(result)


@exam_app.command("set")
def set_exam(
    day: Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The day of the exam.")],
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            metavar="R",
            help="The share of cards to recall on the day, 0.50 to 0.99 (default 0.90).",
            show_default=False,
        ),
    ] = None,
    minutes: Annotated[
        str | None,
        typer.Option(
            "--minutes",
            metavar="N",
            help="At most this many minutes of study a day (default: no limit).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Set the exam: scheduling then works toward it until the day."""
    from custserv_cards import exam

    with open_store() as store:
        today = store.today()
        values = {
            "exam_date": exam.check_date(day, today),
            "exam_target": exam.check_target(target if target is not None else "0.90"),
            "exam_minutes": exam.check_minutes(minutes if minutes is not None else ""),
        }
        store.set_settings(values, meta={exam.PLANNED_ON: today.isoformat()})
        result = exam.forecast(store, today)
    _print(result)


@exam_app.command("clear")
def clear_exam() -> None:
    """Remove the exam: scheduling goes back to normal, from each card's own memory."""
    from custserv_cards import exam

    with open_store(sync_bundled=False) as store:
        had = store.setting("exam_date")
        store.set_settings(
            {"exam_date": "", "exam_target": "0.90", "exam_minutes": ""},
            meta={exam.PLANNED_ON: None},
        )
    print(f"The exam on {had} is cleared." if had else "No exam was set.")


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _print(result: Forecast) -> None:
    from rich.table import Table

    from custserv_cards.render import safe

    out = console()
    exam = result.exam
    cap = f" · at most {exam.minutes} min a day" if exam.minutes else ""
    if result.days_left <= 0:
        passed = "today" if result.days_left == 0 else f"{-result.days_left} days ago"
        out.print(
            f"The exam on {exam.day} was {passed}: reviews follow each card's memory again. "
            "'custserv exam clear' removes it."
        )
        return
    out.print(
        f"[bold]Exam on {exam.day}[/] · {result.days_left} days left · "
        f"target {_percent(exam.target)} recalled{cap}"
    )
    total = result.total
    out.print(
        f"Predicted recall on the day: {_percent(total.predicted_recall)} if you stop now, "
        f"{_percent(total.planned_recall)} if you follow the plan "
        f"({_percent(total.at_target)} of cards at the target)."
    )
    times = result.times
    timing = (
        f"your answers take {times.review:.0f} s (reviews) and {times.new:.0f} s (new cards)"
        if times.measured
        else f"assuming {times.review:.0f} s a review and {times.new:.0f} s a new card "
        "until you have answered some"
    )
    peak = max((d.minutes for d in result.plan.days), default=0.0)
    if result.feasible:
        out.print(f"The plan fits: at most {peak:.0f} minutes a day ({timing}).")
    else:
        out.print(
            f"[bold]The target cannot be reached[/] within "
            f"{exam.minutes or 'the'} minutes a day ({timing}):"
        )
        for line in result.suggestions:
            out.print(f"  - {line}")
    table = Table(title="By topic", title_justify="left", expand=False)
    table.add_column("topic", overflow="fold")
    table.add_column("cards", justify="right")
    table.add_column("new", justify="right")
    table.add_column("if you stop", justify="right")
    table.add_column("with plan", justify="right")
    for topic in [*result.topics, total]:
        table.add_row(
            safe(topic.topic),
            str(topic.cards),
            str(topic.new),
            _percent(topic.predicted_recall),
            _percent(topic.planned_recall),
        )
    out.print(table)
    upcoming = Table(title="The next 7 days of the plan", title_justify="left")
    for name in ("day", "reviews", "new", "minutes"):
        upcoming.add_column(name, justify="right" if name != "day" else "left")
    for load in result.plan.days[:7]:
        upcoming.add_row(
            load.day.isoformat(), str(load.reviews), str(load.new), f"{load.minutes:.0f}"
        )
    out.print(upcoming)
    if result.at_risk:
        out.print("Most at risk if you stop now (predicted recall on the day):")
        for card_id, slug, recall in result.at_risk:
            out.print(safe(f"  {_percent(recall):>4}  {card_id} ({slug})"))


def register(app: typer.Typer) -> None:
    app.add_typer(exam_app)
