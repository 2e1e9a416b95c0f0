"""``custserv backup`` and ``custserv doctor``: looking after the database file."""

from __future__ import annotations

from typing import Annotated

import typer

from custserv_cards.cli.common import open_store


def backup(
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="Where to write the copy: a new file, or a folder to put it in "
            "(default: the backups folder beside the database).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a consistent copy of your database, even while a review is running."""
    from custserv_cards.backup import backup_command

    with open_store(sync_bundled=False) as store:
        dest = backup_command(store, path)
    print(f"Backed up to {dest}")


def doctor(
    check_only: Annotated[
        bool, typer.Option("--check", help="Only check; repair nothing.")
    ] = False,
) -> None:
    """Check the database (integrity, states against the log) and repair what can be repaired."""
    from custserv_cards import paths
    from custserv_cards.cli import common
    from custserv_cards.doctor import examine

    report = examine(paths.db_path(common.options.db), repair=not check_only)
    print(f"Checked {report.path}")
    for line in report.checks:
        print(f"  {line}")
    for line in report.repairs:
        print(f"  repaired: {line}")
    for line in report.notes:
        print(f"  note: {line}")
    for line in report.problems:
        common.fail_line(line)
    if not report.healthy:
        raise typer.Exit(1)
    print("Repaired what was wrong; your data is in order." if report.repairs else "All good.")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(doctor)
