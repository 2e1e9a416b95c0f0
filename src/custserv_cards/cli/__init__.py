"""The ``custserv`` command: parses options, calls the library, turns errors into exit codes.

Each command group lives in its own module and imports the library inside its functions.
``main()`` registers only the group of the command being run (every group for help,
completion or an unknown command), so starting ``custserv`` loads and builds only what the
chosen command needs: the time to the first card of ``custserv review`` is a feature.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Sequence
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


# Which module registers each command (in the order help lists them).
GROUPS: dict[str, str] = {
    "review": "session",
    "quiz": "session",
    "stats": "progress",
    "report": "progress",
    "class": "classview",
    "decks": "decks",
    "topics": "decks",
    "card": "decks",
    "grade": "answers",
    "undo": "answers",
    "suspend": "answers",
    "unsuspend": "answers",
    "bury": "answers",
    "config": "answers",
    "backup": "data",
    "doctor": "data",
    "export": "export",
    "import": "imports",
    "eval": "memory",
    "fsrs": "memory",
}
_registered: set[str] = set()
_ROOT_OPTIONS_WITH_VALUES = ("--db",)


def build(args: Sequence[str] | None = None) -> typer.Typer:
    """The app with the commands ``args`` need registered (all of them when ``args`` is None,
    names no known command, or asks for help or shell completion)."""
    command = _command_name(args) if args is not None else None
    needed = [GROUPS[command]] if command in GROUPS else list(dict.fromkeys(GROUPS.values()))
    for group in needed:
        if group not in _registered:
            importlib.import_module(f"custserv_cards.cli.{group}").register(app)
            _registered.add(group)
    return app


def _command_name(args: Sequence[str]) -> str | None:
    if any(name.startswith("_CUSTSERV_COMPLETE") for name in os.environ):
        return None
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _ROOT_OPTIONS_WITH_VALUES:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Entry point of the ``custserv`` console script."""
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops as cleanly as Ctrl-C
    try:
        try:
            build(sys.argv[1:])(prog_name="custserv")
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
