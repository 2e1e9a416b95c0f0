"""What every command shares: the global options, opening the store, printing."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from custserv_cards.store import Store


@dataclass
class Options:
    db: str | None = None
    opened: Path | None = None  # the database a command opened, for after_command()


options = Options()


def fail_line(message: str) -> None:
    """One line on stderr, prefixed with the program's name."""
    from custserv_cards.render import printable

    sys.stderr.write(f"custserv: {printable(message)}\n")


#: Set in a database this custserv created, until it has said so (on stderr, once).
NOT_ANNOUNCED = "new_database_not_announced"


def open_store(sync_bundled: bool = True) -> Store:
    """Open the database chosen by --db / CUSTSERV_DB, syncing the bundled decks if they changed."""
    from custserv_cards import paths
    from custserv_cards.store import Store

    store = Store.open(paths.db_path(options.db))
    options.opened = store.path
    if store.created:
        try:
            store.set_meta(NOT_ANNOUNCED, "1")  # said once, after the first command that works
        except BaseException:
            store.close()
            raise
    if sync_bundled:
        from custserv_cards.sync import sync_bundled_if_changed

        try:
            sync_bundled_if_changed(store)
        except BaseException:
            store.close()
            raise
    return store


def after_command() -> None:
    """Work that must not delay a command (nor the first card of a session): today's
    automatic backup of the database the command used, taken once the command is done."""
    if options.opened is None:
        return
    from custserv_cards.backup import daily_backup
    from custserv_cards.errors import CustservError
    from custserv_cards.store import Store, storage_problem

    path, options.opened = options.opened, None
    if storage_problem(path) == "read-only":
        return  # nowhere to put a copy; every command already says why it cannot write
    try:
        # Never creates a file: a database deleted meanwhile is not replaced by an empty one.
        store = Store.open(path, migrate=False, create=False)
    except CustservError:
        return
    with store:
        if store.meta(NOT_ANNOUNCED) and sys.exc_info()[0] is None:
            # Only after a command that worked: an error stays the one line it is.
            fail_line(
                f"note: no database was at {path}, so a new one was created there "
                "(if you expected your progress, check --db or CUSTSERV_DB)"
            )
            with contextlib.suppress(CustservError):
                store.set_meta(NOT_ANNOUNCED, None)
        daily_backup(store, warn=fail_line)


def console() -> Console:
    """The one rich Console for standard output (colour off under NO_COLOR or when piped)."""
    from custserv_cards.render import stdout_console

    return stdout_console()
