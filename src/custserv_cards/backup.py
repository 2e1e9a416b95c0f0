"""Consistent copies of the database through SQLite's backup API.

Three kinds of copy, all made while the database may be in use by another custserv:

* ``custserv backup [PATH]``: written exactly at PATH (or inside PATH when it is a folder),
  never over an existing file;
* before any schema migration: ``backups/<name>-schema<N>-<stamp>.db`` beside the database;
* daily: ``backups/<name>-daily-<YYYY-MM-DD>.db`` beside the database, taken by the first
  command of the day once there is something to keep (at least one answer).

The automatic copies keep the newest ``KEEP_BACKUPS`` of each kind. A copy is written to a
temporary name and renamed when complete, so a crash never leaves a half copy that looks
whole.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from custserv_cards.errors import DataError

if TYPE_CHECKING:
    from custserv_cards.store import Store

KEEP_BACKUPS = 5
BACKUP_DIR = "backups"


def backup_dir(store: Store) -> Path:
    return store.path.parent / BACKUP_DIR


def backup_to(store: Store, dest: Path) -> Path:
    """Write a consistent copy of the open database to ``dest`` (never over an existing file).

    The folder of ``dest`` must exist; nothing is written anywhere else (the copy is built
    under a temporary name in that folder and renamed when complete).
    """
    if dest.exists():
        raise DataError(f"{dest} already exists; choose a new file name or remove it first")
    if not dest.parent.is_dir():
        raise DataError(
            f"cannot write the backup to {dest}: the folder {dest.parent} does not exist"
        )
    try:
        if dest.resolve() == store.path.resolve():
            raise DataError(f"{dest} is the database itself; choose another file name")
    except OSError:
        pass
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        target = sqlite3.connect(partial)
    except (OSError, sqlite3.Error) as error:
        raise DataError(f"cannot write the backup to {dest} ({error})") from None
    try:
        store.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.close()
        if dest.exists():
            raise DataError(f"{dest} appeared while the backup was written; nothing was kept")
        os.replace(partial, dest)
    except (OSError, sqlite3.Error, DataError) as error:
        target.close()
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal")):
            leftover.unlink(missing_ok=True)
        if isinstance(error, DataError):
            raise
        raise DataError(f"the backup to {dest} failed ({error}); nothing was kept") from None
    return dest


def default_backup_name(store: Store) -> str:
    from custserv_cards import clock

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    return f"{store.path.stem}-{stamp}.db"


def made_backup_dir(store: Store) -> Path:
    """The ``backups/`` folder beside the database, created if needed."""
    folder = backup_dir(store)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise DataError(
            f"cannot create the backup folder {folder} ({error.strerror}); nothing was changed "
            "(custserv backup PATH writes a copy elsewhere)"
        ) from None
    return folder


def backup_command(store: Store, target: Path | None) -> Path:
    """``custserv backup [PATH]``: to PATH, inside PATH when it is a folder, else to backups/."""
    if target is None:
        return backup_to(store, made_backup_dir(store) / default_backup_name(store))
    if target.is_dir():
        return backup_to(store, target / default_backup_name(store))
    return backup_to(store, target)


def backup_before_migration(store: Store, version: int) -> Path:
    """The automatic copy taken before the schema is upgraded from ``version``."""
    from custserv_cards import clock

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    folder = made_backup_dir(store)
    prefix = f"{store.path.stem}-schema{version}-"
    dest = backup_to(store, folder / f"{prefix}{stamp}.db")
    prune(folder, prefix)
    return dest


def daily_name(store: Store, day: str) -> str:
    return f"{store.path.stem}-daily-{day}.db"


def ensure_daily_backup(store: Store) -> Path | None:
    """Take today's automatic copy if it is not there yet; return its path when one was made.

    Costs one ``stat`` once today's copy exists. A database without answers is not copied.
    Raises ``DataError`` when the copy cannot be written (the database is unchanged).
    """
    from custserv_cards import clock

    folder = backup_dir(store)
    dest = folder / daily_name(store, clock.now().date().isoformat())
    if dest.exists():
        return None
    if store.conn.execute("SELECT 1 FROM reviews LIMIT 1").fetchone() is None:
        return None
    made_backup_dir(store)
    backup_to(store, dest)
    prune(folder, f"{store.path.stem}-daily-")
    return dest


def daily_backup(store: Store, warn: Callable[[str], None]) -> None:
    """Take today's copy if due; when that fails, ``warn`` (never raise): studying goes on."""
    try:
        ensure_daily_backup(store)
    except DataError as error:
        warn(f"warning: {error}")
    except (OSError, sqlite3.Error) as error:
        warn(f"warning: the daily backup failed ({error}); your data is unchanged")


def prune(folder: Path, prefix: str, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Delete all but the newest ``keep`` copies named ``prefix*.db`` (names sort by date)."""
    copies = sorted(p for p in folder.glob(f"{prefix}*.db") if p.name.startswith(prefix))
    removed = copies[:-keep] if keep > 0 else copies
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


def list_backups(db_path: Path) -> list[Path]:
    """The copies in the backup folder beside ``db_path``, newest last (by modification time)."""
    folder = db_path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
