"""Single key presses from the terminal, typed lines, and clean exits.

``Terminal`` puts the terminal in cbreak mode (no echo, no line buffering, signals kept) for
as long as a session runs and always restores it, on a normal exit, on Ctrl-C (which arrives
as ``KeyboardInterrupt``) and on SIGTERM or SIGHUP (turned into ``Interrupted``, a
``KeyboardInterrupt``). A typed answer is read in the terminal's normal line mode.
``shielded()`` holds those signals back while an answer is being written, so an interrupt
falls between answers, never inside one.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

ENTER = "enter"
SPACE = "space"
ESCAPE = "escape"
BACKSPACE = "backspace"
EOF = "eof"


class Interrupted(KeyboardInterrupt):
    """The session was stopped by a signal (SIGTERM, SIGHUP) rather than Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class KeySource(Protocol):
    """Where a session reads the user's input from."""

    def key(self) -> str:
        """One key press: a printable character, or ENTER, SPACE, ESCAPE, BACKSPACE, EOF."""
        ...

    def line(self, prompt: str) -> str | None:
        """One typed line (None at end of input)."""
        ...


def decode(data: bytes) -> str:
    """The key named by the bytes one key press sent."""
    if data in (b"\r", b"\n", b"\r\n"):
        return ENTER
    if data == b" ":
        return SPACE
    if data in (b"\x7f", b"\x08"):
        return BACKSPACE
    if data == b"\x04" or not data:
        return EOF
    if data == b"\x03":
        raise KeyboardInterrupt
    if data.startswith(b"\x1b"):
        return ESCAPE
    return data.decode("utf-8", errors="replace")[:1]


class Terminal:
    """The controlling terminal on file descriptor ``fd`` (standard input by default)."""

    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._saved: list[Any] | None = None

    # cbreak on / off ------------------------------------------------------------------------

    def _cbreak(self) -> None:
        import termios

        if self._saved is None:
            return
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ECHO | termios.ICANON)
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSADRAIN, mode)

    def _restore(self) -> None:
        import termios

        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    @contextmanager
    def session(self) -> Iterator[Terminal]:
        """cbreak mode, and SIGTERM/SIGHUP turned into ``Interrupted``; both undone on the
        way out, whatever the way out."""
        import termios

        self._saved = termios.tcgetattr(self.fd)
        previous = {
            signum: signal.signal(signum, _raise_interrupted)
            for signum in (signal.SIGTERM, signal.SIGHUP)
        }
        try:
            self._cbreak()
            yield self
        finally:
            self._restore()
            self._saved = None
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    # reading --------------------------------------------------------------------------------

    def key(self) -> str:
        data = os.read(self.fd, 1)
        if data == b"\x1b" or (data and data[0] >= 0xC0):
            # An escape sequence (arrow keys) or a multi-byte character: take the rest.
            while select.select([self.fd], [], [], 0.02)[0]:
                more = os.read(self.fd, 8)
                if not more:
                    break
                data += more
        return decode(data)

    def line(self, prompt: str) -> str | None:
        """A typed line, with the terminal's own line editing (and readline's when loaded)."""
        self._restore()
        try:
            return input(prompt)
        except EOFError:
            return None
        finally:
            self._cbreak()


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def shielded() -> Iterator[None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP until the block is done, then act on them."""
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    signums = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, hold) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            if caught[0] == signal.SIGINT:
                raise KeyboardInterrupt
            raise Interrupted(caught[0])


def stdin_is_terminal() -> bool:
    try:
        return os.isatty(sys.stdin.fileno())
    except (OSError, ValueError):
        return False
