"""``custserv review`` without building the typer app first: the time to the first card.

Typer (with click) is the one definition of the command line: its help, completion and
error messages. Building its command (and importing the modules that define it) costs time
before the first card, so ``cli.run`` first asks ``parse`` whether the command line is a
plain ``review`` whose every option this module reads exactly as typer would. If so, the
review starts at once; anything else (help, completion, an option it does not know, a value
it would read differently, a mistake to report) returns None and goes through typer as
before. tests/test_fast_review.py derives the options below from typer's own ``review``
command and checks, over many command lines, that whatever this module accepts, typer
accepts with the same values.

This module imports nothing heavy itself (the session loads rich when it draws).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# The options read here: option -> (parameter, kind, largest value). Kind "int" is typer's
# ``int`` from 0 to the largest value, "text" a plain string; "multiple" collects every use.
ROOT_OPTIONS = {"--db": "db"}
REVIEW_OPTIONS: dict[str, tuple[str, str, int | None]] = {
    "--topic": ("topic", "multiple", None),
    "-t": ("topic", "multiple", None),
    "--new": ("new", "int", 10_000),
    "--limit": ("limit", "int", 100_000),
    "--mode": ("mode", "text", None),
}


@dataclass
class ReviewArgs:
    db: str | None = None
    topic: list[str] | None = None
    new: int | None = None
    limit: int | None = None
    mode: str | None = None


def parse(argv: list[str]) -> ReviewArgs | None:
    """The options of ``custserv [--db PATH] review [OPTIONS]`` as typer would read them, or
    None when the command line is anything else or anything this module does not read."""
    if any(name.startswith("_CUSTSERV_COMPLETE") for name in os.environ):
        return None
    args = ReviewArgs()
    rest = iter(argv)
    for token in rest:  # the root options, up to the command
        if token == "review":
            break
        name, value = _split(token)
        if name not in ROOT_OPTIONS:
            return None
        value = value if value is not None else next(rest, None)
        if not _plain(value):
            return None
        args.db = value
    else:
        return None  # no command
    for token in rest:
        name, value = _split(token)
        if name not in REVIEW_OPTIONS:
            return None  # --help, '--', an argument, an unknown or abbreviated option ...
        value = value if value is not None else next(rest, None)
        if not _plain(value):
            return None
        assert value is not None
        field, kind, largest = REVIEW_OPTIONS[name]
        if kind == "multiple":
            args.topic = [*(args.topic or []), value]
        elif kind == "int":
            if not (value.isascii() and value.isdigit()) or int(value) > (largest or 0):
                return None  # typer explains a bad number
            setattr(args, field, int(value))
        else:
            setattr(args, field, value)
    return args


def _split(token: str) -> tuple[str, str | None]:
    """``--name=value`` as its two parts; any other token as itself and no value."""
    if token.startswith("--") and "=" in token:
        name, value = token.split("=", 1)
        return name, value
    return token, None


def _plain(value: str | None) -> bool:
    """A value read the same way whatever the parser: present, not empty, not option-like."""
    return bool(value) and not value.startswith("-")  # type: ignore[union-attr]


def check_mode(mode: str | None, allowed: tuple[str, ...]) -> None:
    from custserv_cards.errors import UsageError

    if mode is not None and mode not in allowed:
        raise UsageError(f"--mode must be one of {', '.join(allowed)}, not {mode!r}")


def need_terminal(command: str) -> None:
    from custserv_cards.errors import UsageError
    from custserv_cards.keys import stdin_is_terminal

    if not stdin_is_terminal():
        raise UsageError(
            f"'custserv {command}' needs a terminal to read key presses, and standard input "
            "is not one; to record answers from a script use 'custserv grade CARD_ID GRADE'"
        )


def review(args: ReviewArgs) -> None:
    """The review session (``custserv review``), with the options typer or ``parse`` read."""
    from custserv_cards.session import MODES, ReviewEngine, ReviewOptions

    check_mode(args.mode, MODES)
    from custserv_cards import clock, queue, views
    from custserv_cards.cli.common import console, open_store
    from custserv_cards.keys import Terminal

    with open_store() as store:
        topics = queue.check_topics(store, args.topic or [])
        need_terminal("review")
        options = ReviewOptions(topics=topics, new=args.new, limit=args.limit, mode=args.mode)
        terminal = Terminal()
        engine = ReviewEngine(store, options, clock.now)
        # Ctrl-C (or SIGTERM) ends the session: the terminal is restored on the way out and
        # cli.main() says that every answer given is saved (each was committed as given).
        with terminal.session():
            views.run(engine, console(), terminal)
