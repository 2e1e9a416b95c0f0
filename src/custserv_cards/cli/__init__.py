"""The ``custserv`` command: parses options, calls the library, turns errors into exit codes.

Each command group lives in its own module and imports the library inside its functions,
so starting ``custserv`` loads only typer and what the chosen command needs.
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from custserv_cards import __version__
from custserv_cards.cli import common
from custserv_cards.errors import CustservError, DeckError

app = typer.Typer(
    name="custserv",
    help="Flashcards with spaced repetition for revising customer service.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"custserv-cards {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="The database file (default: $CUSTSERV_DB, else custserv.db in your data folder).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Flashcards with spaced repetition for revising customer service.

    Start with 'custserv review'. Your progress is kept in a SQLite database in your data
    folder; '--db PATH' or CUSTSERV_DB chooses another.
    """
    common.options.db = db


def _register() -> None:
    from custserv_cards.cli import answers, data, decks, progress, session

    for group in (session, progress, decks, answers, data):
        group.register(app)


_register()


def main() -> None:
    """Entry point of the ``custserv`` console script."""
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops as cleanly as Ctrl-C
    try:
        try:
            app(prog_name="custserv")
        finally:
            common.after_command()
    except SystemExit as exit_:
        if exit_.code == 130:  # typer's exit for Ctrl-C inside a command
            sys.stderr.write(INTERRUPTED)
        raise
    except DeckError as error:
        shown = error.problems[:20]
        for problem in shown:
            common.fail_line(problem)
        if len(error.problems) > len(shown):
            common.fail_line(
                f"... and {len(error.problems) - len(shown)} more; "
                "run 'custserv decks validate' to see them all"
            )
        sys.exit(error.exit_code)
    except CustservError as error:
        common.fail_line(str(error))
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED)
        sys.exit(130)


INTERRUPTED = "\nInterrupted; everything answered so far is saved.\n"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
