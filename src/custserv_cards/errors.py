"""One small exception family; the CLI turns each into a one-line message and an exit code.

Exit codes: 0 success, 1 a problem with data or files, 2 wrong usage.
"""

from __future__ import annotations


class CustservError(Exception):
    """A problem the user can fix; ``str(error)`` is the one-line message."""

    exit_code = 1


class DataError(CustservError):
    """A problem with a deck, the database or another file (exit code 1)."""


class UsageError(CustservError):
    """A wrong option, argument or command (exit code 2)."""

    exit_code = 2


class DeckError(DataError):
    """One or more decks are invalid; ``problems`` holds every ``file:line: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        summary = problems[0] if count == 1 else f"{problems[0]} (and {count - 1} more problems)"
        super().__init__(summary)
