"""The ``custserv`` command: parses options, calls the library, turns errors into exit codes.

Each command group lives in its own module and imports the library inside its functions.
``main()`` registers only the group of the command being run (every group for help,
completion or an unknown command), so starting ``custserv`` loads and builds only what the
chosen command needs: the time to the first card of ``custserv review`` is a feature.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import re
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
from custserv_cards.errors import CustservError, DeckError

app = common.App(
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


def main() -> None:
    """Entry point of the ``custserv`` console script: every error a user can cause ends here
    as one line on stderr and an exit code (1 data or files, 2 usage), never a traceback."""
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops as cleanly as Ctrl-C
    _plain_output_when_not_unicode()
    stdout = sys.stdout
    output = sys.stdout = _Output(stdout)
    try:
        try:
            code = run(sys.argv[1:])
            sys.stdout.flush()  # a full disk behind stdout shows here, not at exit
        finally:
            common.after_command()
        if code:
            sys.exit(code)
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
    except click_errors.NoArgsIsHelpError as error:
        message = error.format_message()  # typer has printed the help already when empty
        if message.strip():
            print(message)
        sys.exit(2)
    except click_errors.UsageError as error:
        common.fail_line(usage_line(error))
        sys.exit(2)
    except click_errors.ClickException as error:
        common.fail_line(" ".join(error.format_message().split()))
        sys.exit(error.exit_code)
    except (KeyboardInterrupt, EOFError, typer.Abort):
        sys.stderr.write(INTERRUPTED)
        sys.exit(130)
    except OutputError as failed:
        sys.exit(_output_failed(failed.error, stdout))
    finally:
        if sys.stdout is output:
            sys.stdout = stdout


def run(args: list[str]) -> int:
    """Parse ``args`` with the typer app and run the command; returns its exit code. Usage
    errors are raised (for ``main`` to put on one line), not printed.

    A plain ``custserv review`` skips building typer's command (``cli.fast`` reads its
    options exactly as typer would; tests/test_fast_review.py checks that)."""
    from custserv_cards.cli import fast

    quick = fast.parse(args)
    if quick is not None:
        common.options.db = quick.db
        fast.review(quick)
        return 0
    command = typer.main.get_command(build(args))
    if _command_name(args) is None and any(n.startswith("_CUSTSERV_COMPLETE") for n in os.environ):
        command.main(args, prog_name="custserv")  # shell completion: typer answers and exits
    try:
        with command.make_context("custserv", list(args)) as ctx:
            command.invoke(ctx)
    except typer.Exit as done:
        return done.exit_code
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


class OutputError(Exception):
    """Standard output could not be written (a full disk, a closed pipe)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Output:
    """Standard output, whose write errors are raised as ``OutputError`` so that they are
    told apart from errors with files."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self.stream.write(text))
        except OSError as error:
            raise OutputError(error) from error

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputError(error) from error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _output_failed(error: OSError, stream: Any) -> int:
    """After an error writing standard output: one line, or nothing when the reader just
    stopped reading (``custserv stats | head -1``); what is still buffered goes nowhere, so
    that Python's own flush at exit does not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    if error.errno == errno.EPIPE:
        return 0
    common.fail_line(
        f"cannot write the output ({error.strerror or error}); free some space or send the "
        "output elsewhere (anything the command recorded is saved)"
    )
    return 1


_LOOKALIKES = {
    "\u2026": "...", "\u2013": "-", "\u2014": "--", "\u00b7": "-", "\u2018": "'",
    "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2022": "*", "\u2192": "->",
    "\u2190": "<-", "\u2265": ">=", "\u2264": "<=", "\u00d7": "x", "\u2713": "v",
    "\u2717": "x", "\u2588": "#", "\u2591": ".", "\u2592": ":", "\u2593": "%",
}  # fmt: skip


def _ascii_lookalike(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(_lookalike(char) for char in text), error.end


def _lookalike(char: str) -> str:
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing
        return "-" if code in (0x2500, 0x2501, 0x2504, 0x2505, 0x254C, 0x254D) else "+"
    if 0x2580 <= code <= 0x259F or 0x2800 <= code <= 0x28FF:  # blocks and braille sparkline
        return "#"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _plain_output_when_not_unicode() -> None:
    """On a terminal or file whose encoding is not UTF-8 (latin-1, ASCII), characters it lacks
    are written as ASCII look-alikes ('...' for an ellipsis) or escapes, never as a crash."""
    import codecs

    codecs.register_error("custserv-lookalike", _ascii_lookalike)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and encoding not in ("utf-8", "utf8"):
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="custserv-lookalike")


INTERRUPTED = "\nInterrupted; everything answered so far is saved.\n"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
