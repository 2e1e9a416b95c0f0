"""The command line as typer defines it: every command, its options, help and completion.

``cli.main`` comes here for everything but a plain ``custserv review`` (``cli.fast`` starts
that one without building this). Each command group lives in its own module and imports the
library inside its functions; ``build`` registers only the group of the command being run
(every group for help, completion or an unknown command).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from click import exceptions as click_errors
else:
    # The exceptions typer raises: newer typer releases carry their own copy of click
    # (typer._click), older ones use click itself.
    try:
        click_errors = importlib.import_module("typer._click.exceptions")
    except ModuleNotFoundError:
        click_errors = importlib.import_module("click.exceptions")

from custserv_cards import __version__
from custserv_cards.cli import common

# A negative number on the command line is a value ('grade ID -1'), never an option: no option
# of custserv looks like one. It then meets the value's own check ("must be 0 to 5").
NEGATIVE_NUMBER = re.compile(r"-[0-9][0-9_.]*")


def _negatives_are_values(parser: Any) -> Any:
    process: Callable[[str, Any], None] = parser._process_opts

    def process_opts(arg: str, state: Any) -> None:
        if NEGATIVE_NUMBER.fullmatch(arg):
            state.largs.append(arg)
        else:
            process(arg, state)

    parser._process_opts = process_opts
    return parser


def _paragraphs(text: str | None) -> str | None:
    """Help text with each paragraph on one line, for the terminal to wrap: the source's line
    breaks inside a paragraph would otherwise show mid-sentence (typer keeps them in rich
    mode). A paragraph starting with ``\\b`` keeps its lines, as in click."""
    if not text:
        return text
    parts = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split("\n")) for p in parts)


class _Behaviour:
    """What custserv's commands and groups add to typer's: the parser reads negative numbers
    as values, and help paragraphs wrap to the terminal."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _paragraphs(self.help)

    def make_parser(self, ctx: Any) -> Any:
        return _negatives_are_values(super().make_parser(ctx))  # type: ignore[misc]


class Command(_Behaviour, TyperCommand):
    """A typer command with custserv's behaviour."""


class Group(_Behaviour, TyperGroup):
    """A typer group with custserv's behaviour."""


CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


class App(typer.Typer):
    """``typer.Typer`` whose groups and commands read negative numbers as values; every
    command group of custserv is one of these."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(cls=Group, **settings)

    def command(
        self, name: str | None = None, **settings: Any
    ) -> Callable[[CommandFunction], CommandFunction]:
        settings.setdefault("cls", Command)
        return super().command(name, **settings)


app = App(
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
    "check": "check",
    "grade": "answers",
    "undo": "answers",
    "suspend": "answers",
    "unsuspend": "answers",
    "bury": "answers",
    "config": "answers",
    "exam": "exam",
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


def run(args: Sequence[str]) -> int:
    """Parse ``args`` with the typer app and run the command; returns its exit code. Usage
    errors end as one line on stderr and exit code 2, never as click's own text."""
    command = typer.main.get_command(build(args))
    if _command_name(args) is None and any(n.startswith("_CUSTSERV_COMPLETE") for n in os.environ):
        command.main(list(args), prog_name="custserv")  # shell completion: typer answers, exits
    try:
        with command.make_context("custserv", list(args)) as ctx:
            command.invoke(ctx)
    except typer.Exit as done:
        return done.exit_code
    except click_errors.NoArgsIsHelpError as error:
        message = error.format_message()  # typer has printed the help already when empty
        if message.strip():
            print(message)
        return 2
    except click_errors.UsageError as error:
        common.fail_line(usage_line(error))
        return 2
    except click_errors.ClickException as error:
        common.fail_line(" ".join(error.format_message().split()))
        return error.exit_code
    except typer.Abort:
        raise KeyboardInterrupt from None
    return 0


_RANGE = re.compile(r"'?(?P<value>.*?)'? is not in the range (?P<range>\S+?)\.?$")
_NOT_A_NUMBER = re.compile(r"(?P<value>'.*') is not a valid (int|integer|int range)\.?$")


def usage_line(error: click_errors.UsageError) -> str:
    """A usage error as one line: which command, what is wrong, how to fix it."""
    ctx: Any = error.ctx
    path = ctx.command_path if ctx is not None else "custserv"
    command = path.removeprefix("custserv").strip()
    where = f"{command}: " if command else ""
    help_hint = f"see '{path} --help'"
    if isinstance(error, click_errors.NoSuchOption):
        import difflib

        close = difflib.get_close_matches(error.option_name, error.possibilities or [], n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        return f"{where}no option '{error.option_name}'; {guess}{help_hint} for the options"
    if isinstance(error, click_errors.BadParameter) and error.param is not None:
        name = error.param_hint or error.param.get_error_hint(ctx)
        name = str(name).replace("'", "").replace('"', "")
        if isinstance(error, click_errors.MissingParameter):
            return f"{where}{name} is missing; {help_hint}"
        in_range = _RANGE.match(error.message)
        if in_range:
            bounds = _range_words(in_range["range"])
            return f"{where}{name} must be {bounds}, not {in_range['value']}; {help_hint}"
        number = _NOT_A_NUMBER.match(error.message)
        if number:
            return f"{where}{name} must be a whole number, not {number['value']}; {help_hint}"
        return f"{where}bad value for {name}: {error.message.rstrip('.')}; {help_hint}"
    message = " ".join(error.format_message().split())
    sentences = [part.rstrip(".") for part in re.split(r"(?<=[.?])\s+", message) if part]
    text = "; ".join(part[:1].lower() + part[1:] for part in sentences)
    if "did you mean" not in text.lower():
        text += f"; {help_hint}"
    return f"{where}{text}"


def _range_words(bounds: str) -> str:
    """click's range ('0<=x<=5', 'x>=1') in words."""
    low = re.search(r"(-?\d+)<=x|x>=(-?\d+)", bounds)
    high = re.search(r"x<=(-?\d+)|(-?\d+)>=x", bounds)
    low_value = low and (low[1] or low[2])
    high_value = high and (high[1] or high[2])
    if low_value and high_value:
        return f"a whole number from {low_value} to {high_value}"
    if low_value:
        return f"a whole number of {low_value} or more"
    if high_value:
        return f"a whole number of {high_value} or less"
    return f"in the range {bounds}"
