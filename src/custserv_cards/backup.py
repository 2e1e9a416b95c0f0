"""Consistent copies of the database through SQLite's backup API."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from custserv_cards.errors import DataError

if TYPE_CHECKING:
    from custserv_cards.store import Store

KEEP_BACKUPS = 5


def backup_dir(store: Store) -> Path:
    return store.path.parent / "backups"


def backup_to(store: Store, dest: Path) -> Path:
    """Write a consistent copy of the open database to ``dest`` (never over an existing file)."""
    if dest.exists():
        raise DataError(f"{dest} already exists; choose a new file name or remove it first")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(dest)
    except (OSError, sqlite3.Error) as error:
        raise DataError(f"cannot write the backup to {dest} ({error})") from None
    try:
        store.conn.backup(target)
    except sqlite3.Error as error:
        target.close()
        dest.unlink(missing_ok=True)
        raise DataError(f"the backup to {dest} failed ({error}); nothing was kept") from None
    target.close()
    return dest


def backup_before_migration(store: Store, version: int) -> Path:
    """The automatic copy taken before the schema is upgraded from ``version``."""
    from custserv_cards import clock

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    dest = backup_dir(store) / f"{store.path.stem}-schema{version}-{stamp}.db"
    return backup_to(store, dest)
