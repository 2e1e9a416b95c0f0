"""``custserv export anki|reviews``: the cards and the review log for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custserv_cards.cli.commands import App
from custserv_cards.cli.common import open_store

export_app = App(
    help="Write the cards as an Anki package, or the review log as CSV.", no_args_is_help=True
)
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]


def _target(file: str, force: bool) -> Path:
    """The checked file to write; ``file`` stays text so that a trailing ``/`` (a folder)
    reaches the check instead of being dropped by ``Path``."""
    from custserv_cards import paths
    from custserv_cards.cli import common
    from custserv_cards.interop.files import check_output

    return check_output(file, force=force, db=paths.db_path(common.options.db))


@export_app.command("anki")
def anki(
    file: Annotated[
        str, typer.Argument(metavar="FILE.apkg", help="The package to write.", show_default=False)
    ],
    topics: Annotated[
        list[str] | None,
        typer.Option("--topic", "-t", metavar="TOPIC", help="Only this topic (repeatable)."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Write the active cards as an Anki package (.apkg) for Anki or AnkiDroid.

    One subdeck of "Customer service" per topic. Exporting again and importing the new file
    into Anki updates the notes already there instead of adding copies.
    """
    from custserv_cards.errors import UsageError
    from custserv_cards.interop.anki_export import export_anki
    from custserv_cards.interop.files import write_bytes
    from custserv_cards.stats import check_topic

    target = _target(file, force)
    if target.suffix.lower() != ".apkg":
        raise UsageError(f"{file}: an Anki package's name ends in .apkg; e.g. cards.apkg")
    with open_store() as store:
        for topic in topics or []:
            check_topic(store, topic)
        data, result = export_anki(store.conn, topics or [])
    if not result.notes:
        raise UsageError("there are no active cards to export; run 'custserv decks sync'")
    write_bytes(target, data)
    print(
        f"Wrote {target}: {result.notes} notes ({result.cards} cards) in {result.decks} decks. "
        "In Anki: File > Import."
    )


@export_app.command("reviews")
def reviews(
    file: Annotated[
        str, typer.Argument(metavar="FILE.csv", help="The CSV file to write.", show_default=False)
    ],
    force: ForceOpt = False,
) -> None:
    """Write the review log as CSV in the FSRS tools' schema
    (card_id, review_rating, review_time, review_duration)."""
    from custserv_cards.interop.files import write_bytes
    from custserv_cards.interop.revlog import review_log_csv

    target = _target(file, force)
    with open_store(sync_bundled=False) as store:
        text, count = review_log_csv(store.conn)
    write_bytes(target, text.encode("utf-8"))
    print(f"Wrote {target}: {count} answers.")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
