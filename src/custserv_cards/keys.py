"""Single key presses from the terminal, typed lines, and clean exits.

``Terminal`` puts the terminal in cbreak mode (no echo, no line buffering, signals kept) for
as long as a session runs and always restores it, on a normal exit, on Ctrl-C (which arrives
as ``KeyboardInterrupt``) and on SIGTERM or SIGHUP (turned into ``Interrupted``, a
``KeyboardInterrupt``). A typed answer is read in the terminal's normal line mode.
``shielded()`` holds those signals back while an answer is being written, so an interrupt
falls between answers, never inside one.

A terminal that goes away (hang-up) reads as the end of input and is never written to again;
Ctrl-Z hands the terminal back in its normal mode, and ``fg`` puts cbreak mode back and
asks for a redraw (the ``REDRAW`` key). Several lines pasted at a typed answer are taken as
text, all of them, never as key presses.
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
REDRAW = "redraw"  # not a key: the screen needs drawing again (after Ctrl-Z and fg)
PASTE_WAIT = 0.03  # seconds: input arriving this soon after a typed line is part of a paste


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
        self._line_mode = False  # reading a typed line: leave the terminal's own mode on
        self._reading = False  # waiting for a key press (a redraw may interrupt the wait)
        self._gone = False  # the terminal hung up: never touch it again

    # cbreak on / off ------------------------------------------------------------------------

    def _cbreak(self) -> None:
        import termios

        if self._saved is None or self._gone:
            return
        try:
            mode = termios.tcgetattr(self.fd)
            mode[3] &= ~(termios.ECHO | termios.ICANON)
            mode[6][termios.VMIN] = 1
            mode[6][termios.VTIME] = 0
            termios.tcsetattr(self.fd, termios.TCSADRAIN, mode)
        except termios.error:
            self._gone = True

    def _restore(self) -> None:
        import termios

        if self._saved is not None and not self._gone:
            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            except termios.error:
                self._gone = True

    @contextmanager
    def session(self) -> Iterator[Terminal]:
        """cbreak mode, and SIGTERM/SIGHUP turned into ``Interrupted``; both undone on the
        way out, whatever the way out. Ctrl-Z and ``fg`` keep the terminal usable."""
        import termios

        self._saved = termios.tcgetattr(self.fd)
        previous = {
            signum: signal.signal(signum, _raise_interrupted)
            for signum in (signal.SIGTERM, signal.SIGHUP)
        }
        previous[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, self._on_stop)
        previous[signal.SIGCONT] = signal.signal(signal.SIGCONT, self._on_continue)
        try:
            self._cbreak()
            yield self
        finally:
            self._restore()
            self._saved = None
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_stop(self, signum: int, _frame: FrameType | None) -> None:
        """Ctrl-Z: give the shell its terminal back as it was, then stop."""
        self._restore()
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here until 'fg'
        signal.signal(signal.SIGTSTP, self._on_stop)

    def _on_continue(self, signum: int, _frame: FrameType | None) -> None:
        """``fg``: cbreak mode again (the shell left its own mode), and a redraw."""
        if not self._line_mode:
            self._cbreak()
        if self._reading:
            raise _Redraw

    # reading --------------------------------------------------------------------------------

    def key(self) -> str:
        if self._gone:
            return EOF
        try:
            self._reading = True
            try:
                data = os.read(self.fd, 1)
            finally:
                self._reading = False
        except _Redraw:
            return REDRAW
        except OSError:  # the terminal hung up
            self._gone = True
            return EOF
        if data == b"\x1b" or (data and data[0] >= 0xC0):
            # An escape sequence (arrow keys) or a multi-byte character: take the rest.
            while self._pending(0.02):
                more = os.read(self.fd, 8)
                if not more:
                    break
                data += more
        return decode(data)

    def _pending(self, wait: float) -> bool:
        try:
            return bool(select.select([self.fd], [], [], wait)[0])
        except (OSError, ValueError):
            return False

    def line(self, prompt: str) -> str | None:
        """A typed line, with the terminal's own line editing (and readline's when loaded).

        Lines that arrive together (a paste) come back together, separated by line ends,
        and a pasted tail without a line end is added too: no pasted text is left to be read
        as key presses. The caller decides what the lines mean (one answer, or list items)."""
        if self._gone:
            return None
        self._restore()
        self._line_mode = True
        try:
            text = input(prompt)
            while self._pending(PASTE_WAIT):
                text += "\n" + input()
        except (EOFError, OSError):
            return None
        finally:
            self._line_mode = False
            self._cbreak()
        tail = b""
        while not self._gone and self._pending(PASTE_WAIT):
            try:
                more = os.read(self.fd, 4096)
            except OSError:
                break
            if not more:
                break
            tail += more
        if tail:
            text += "\n" + tail.decode("utf-8", errors="replace").replace("\r", "\n").rstrip("\n")
        return text


class _Redraw(Exception):
    """Raised out of a key wait by ``fg``: draw the screen again."""


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
