"""The ``custserv`` command: every error a user can cause ends as one line and an exit code.

``main`` starts a plain ``custserv review`` at once (``cli.fast`` reads its options exactly
as typer would), without importing typer: the time to the first card is a feature. Every
other command line goes to the typer app in ``cli.commands``, the one definition of the
command line (help, completion, errors).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from typing import Any

from custserv_cards.cli import common
from custserv_cards.errors import CustservError, DeckError


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
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write(INTERRUPTED)
        sys.exit(130)
    except OutputError as failed:
        sys.exit(_output_failed(failed.error, stdout))
    finally:
        if sys.stdout is output:
            sys.stdout = stdout


def run(args: list[str]) -> int:
    """Run the command ``args`` and return its exit code: a plain ``custserv review`` through
    ``cli.fast`` (tests/test_fast_review.py checks that it reads exactly what typer reads),
    anything else through the typer app."""
    from custserv_cards.cli import fast

    quick = fast.parse(args)
    if quick is not None:
        common.options.db = quick.db
        fast.review(quick)
        return 0
    from custserv_cards.cli import commands

    return commands.run(args)


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
