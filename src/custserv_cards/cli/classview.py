"""``custserv class``: students' JSON reports merged into one class view."""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer


def class_(
    reports: Annotated[
        list[str] | None,
        typer.Argument(metavar="REPORT.json...", help="Students' 'custserv report -f json' files."),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write: class.html, class.md or class.csv ('-', the default: "
            "standard output).",
        ),
    ] = "-",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="md, html or csv (default: from --output)."
        ),
    ] = None,
    target: Annotated[
        float,
        typer.Option(
            "--target",
            metavar="PERCENT",
            min=1,
            max=100,
            help="The share of cards to recall on the exam day, for reports that set none.",
        ),
    ] = 80,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Merge students' JSON reports into a class view: readiness per student and topic, who
    is falling behind or at risk of missing the exam target, the cards the class misses
    most, and each student's recent activity.

    Make each student's report with 'custserv report -f json'.

    Reports from different deck versions are merged on the cards they share.
    """
    from custserv_cards import classview, paths
    from custserv_cards.cli import common
    from custserv_cards.outputs import check_output, write_text

    path = (
        None
        if output == "-"
        else check_output(output, db=paths.db_path(common.options.db), overwrite=force)
    )
    chosen = classview.check_format(fmt, output)
    # The reports are tens of thousands of small, acyclic objects: the cyclic garbage
    # collector would walk them again and again while they are read, and free nothing.
    gc.disable()
    try:
        students = classview.read_reports(reports or [])
        text = classview.render(classview.merge(students, target / 100), chosen)
    finally:
        gc.enable()
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    write_text(path, text)
    print(f"Wrote {path} ({len(students)} reports, {len(text.encode()) / 1024:.0f} KB).")


def register(app: typer.Typer) -> None:
    app.command(name="class")(class_)
