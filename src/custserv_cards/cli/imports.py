"""``custserv import csv|anki``: spreadsheets and Anki packages as deck files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custserv_cards.cli.commands import App

import_app = App(
    help="Turn a spreadsheet (CSV/TSV) or an Anki package into deck files.", no_args_is_help=True
)
OutOpt = Annotated[
    Path,
    typer.Option("--out", "-o", metavar="DIR", help="The folder for the deck files."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace deck files already there.")]
SOURCE_ARG = typer.Argument(metavar="FILE", help="The file to import.", show_default=False)


def _db() -> Path:
    from custserv_cards import paths
    from custserv_cards.cli import common

    return paths.db_path(common.options.db)


def _done(written: list[Path], cards: int, out: Path) -> None:
    names = ", ".join(p.name for p in written)
    count = f"{cards} card{'s' if cards != 1 else ''}"
    print(f"Wrote {names} ({count}). Load them with: custserv decks sync {out}")


@import_app.command("csv")
def csv(
    file: Annotated[Path, SOURCE_ARG],
    topic: Annotated[
        str,
        typer.Option(
            "--topic", "-t", metavar="SLUG", help="The new deck's topic, e.g. returns-policy."
        ),
    ],
    out: OutOpt = Path("."),
    force: ForceOpt = False,
) -> None:
    """A CSV or TSV file (columns prompt and answer, or text for cloze; optional kind, id,
    tags, extra, reverse) as the deck file DIR/SLUG.yaml. Nothing is written if a row is bad."""
    from custserv_cards.interop.csv_import import read_csv
    from custserv_cards.interop.files import write_decks

    deck = read_csv(file, topic)
    written = write_decks([deck], out, force=force, db=_db())
    cards = sum(2 if c.get("reverse") else 1 for c in deck["cards"])
    _done(written, cards, out)


@import_app.command("anki")
def anki(
    file: Annotated[Path, SOURCE_ARG], out: OutOpt = Path("."), force: ForceOpt = False
) -> None:
    """An Anki package (.apkg) as deck files in DIR, one per Anki deck: basic and cloze notes
    become cards, HTML plain text; images and sounds are left out."""
    from custserv_cards.interop.anki_import import import_package
    from custserv_cards.interop.files import write_decks

    result = import_package(file)
    written = write_decks(result.decks, out, force=force, db=_db())
    for reason, count in result.skipped.items():
        print(f"Skipped {count} note{'s' if count != 1 else ''}: {reason}.")
    if result.media:
        files = "file" if result.media == 1 else "files"
        print(f"Left out {result.media} media {files} (images and sounds): decks hold text only.")
    _done(written, result.cards, out)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
