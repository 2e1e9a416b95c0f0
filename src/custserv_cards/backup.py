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
import re
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from custserv_cards.errors import DataError
from custserv_cards.outputs import BACKUP_DIR

if TYPE_CHECKING:
    from custserv_cards.store import Store

KEEP_BACKUPS = 5
#: A temporary copy older than this is a leftover of a killed backup, never one in progress
#: (a copy in progress is written to continuously).
STALE_PARTIAL_SECONDS = 600
PARTIAL_SUFFIX = ".partial"


def backup_dir(store: Store) -> Path:
    return store.path.parent / BACKUP_DIR


def backup_to(store: Store, dest: Path | str) -> Path:
    """Write a consistent copy of the open database to ``dest`` (never over an existing file).

    ``dest`` is checked like every file custserv writes (never the database, its companion
    files, a special file or a missing folder). The copy is built under a unique temporary
    name in that folder and renamed when complete; nothing is written anywhere else.
    """
    from custserv_cards.outputs import check_output

    dest = check_output(dest, db=store.path, option=None)
    remove_stale_partials(dest.parent)
    try:
        fd, partial_name = tempfile.mkstemp(
            dir=dest.parent, prefix=f".{dest.name}.", suffix=PARTIAL_SUFFIX
        )
    except OSError as error:
        raise DataError(f"cannot write the backup to {dest} ({error.strerror})") from None
    os.close(fd)
    partial = Path(partial_name)
    try:
        target = sqlite3.connect(partial)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise DataError(f"cannot write the backup to {dest} ({error})") from None
    try:
        store.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.close()
        if os.path.lexists(dest):
            raise DataError(f"{dest} appeared while the backup was written; nothing was kept")
        os.replace(partial, dest)
    except BaseException as error:
        target.close()
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal")):
            leftover.unlink(missing_ok=True)
        if isinstance(error, (OSError, sqlite3.Error)):
            raise DataError(f"the backup to {dest} failed ({error}); nothing was kept") from None
        raise
    return dest


def remove_stale_partials(folder: Path) -> list[Path]:
    """Delete the temporary copies a killed backup left in ``folder`` (older than
    ``STALE_PARTIAL_SECONDS``); a copy still being written is never touched."""
    import time

    removed: list[Path] = []
    try:
        candidates = list(folder.glob(f".*{PARTIAL_SUFFIX}"))
    except OSError:
        return removed
    limit = time.time() - STALE_PARTIAL_SECONDS
    for leftover in candidates:
        try:
            info = leftover.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_mtime < limit and _is_sqlite(leftover):
                leftover.unlink()
                removed.append(leftover)
        except OSError:
            continue
    return removed


def _is_sqlite(path: Path) -> bool:
    from custserv_cards.store import SQLITE_HEADER

    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    return head in (SQLITE_HEADER, b"")


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


def backup_command(store: Store, target: str | None) -> Path:
    """``custserv backup [PATH]``: to PATH, inside PATH when it is a folder, else to backups/."""
    if target is None:
        return backup_to(store, made_backup_dir(store) / default_backup_name(store))
    if Path(target).expanduser().is_dir():
        return backup_to(store, Path(target).expanduser() / default_backup_name(store))
    return backup_to(store, target)


def backup_before_migration(store: Store, version: int) -> Path:
    """The automatic copy taken before the schema is upgraded from ``version`` (the caller
    holds the write lock, so no other custserv is upgrading or copying at the same time).

    A name already taken (a copy from an upgrade that was interrupted within the same
    second) gets a counter: an earlier copy is never in the way, nor overwritten.
    """
    from custserv_cards import clock

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    folder = made_backup_dir(store)
    base = f"{store.path.stem}-schema{version}-{stamp}"
    dest = folder / f"{base}.db"
    counter = 1
    while os.path.lexists(dest):
        counter += 1
        dest = folder / f"{base}-{counter}.db"
    backup_to(store, dest)
    prune(folder, _patterns(store.path)["schema"], just_made=dest)
    return dest


def daily_name(store: Store, day: str) -> str:
    return f"{store.path.stem}-daily-{day}.db"


def ensure_daily_backup(store: Store, warn: Callable[[str], None] | None = None) -> Path | None:
    """Take today's automatic copy if it is not there yet; return its path when one was made.

    Costs one ``stat`` once today's copy exists. A database without answers is not copied.
    The newest ``KEEP_BACKUPS`` copies by modification time are kept, today's always: copies
    named after a future day (a wrong clock, ``CUSTSERV_NOW``) never push it out, and
    ``warn`` is told about them. Raises ``DataError`` when the copy cannot be written (the
    database is unchanged).
    """
    from custserv_cards import clock

    folder = backup_dir(store)
    today = clock.now().date().isoformat()
    dest = folder / daily_name(store, today)
    if os.path.lexists(dest):
        return None
    if store.conn.execute("SELECT 1 FROM reviews LIMIT 1").fetchone() is None:
        return None
    made_backup_dir(store)
    try:
        backup_to(store, dest)
    except DataError:
        if os.path.lexists(dest):
            return None  # another custserv took today's copy at the same moment
        raise
    pattern = _patterns(store.path)["daily"]
    prune(folder, pattern, just_made=dest)
    future = sorted(
        p.name for p in _matching(folder, pattern) if p.name[-13:-3] > today and p != dest
    )
    if future and warn is not None:
        warn(
            f"warning: {len(future)} daily backups in {folder} are dated after today ({today}), "
            f"e.g. {future[0]}: was the clock or CUSTSERV_NOW wrong? They are kept until "
            f"{KEEP_BACKUPS} newer copies exist"
        )
    return dest


def daily_backup(store: Store, warn: Callable[[str], None]) -> None:
    """Take today's copy if due; when that fails, ``warn`` (never raise): studying goes on."""
    try:
        ensure_daily_backup(store, warn)
    except DataError as error:
        warn(f"warning: {error}")
    except (OSError, sqlite3.Error) as error:
        warn(f"warning: the daily backup failed ({error}); the database itself was not changed")


def _patterns(db_path: Path) -> dict[str, re.Pattern[str]]:
    """The names of this database's own copies (not those of ``custserv-test.db`` beside it)."""
    stem = re.escape(db_path.stem)
    return {
        "daily": re.compile(rf"{stem}-daily-\d{{4}}-\d{{2}}-\d{{2}}\.db"),
        "schema": re.compile(rf"{stem}-schema\d+-\d{{8}}-\d{{6}}(-\d+)?\.db"),
        "manual": re.compile(rf"{stem}-\d{{8}}-\d{{6}}\.db"),
    }


def _matching(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file()]
    except OSError:
        return []


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def prune(
    folder: Path, pattern: re.Pattern[str], keep: int = KEEP_BACKUPS, just_made: Path | None = None
) -> list[Path]:
    """Delete all but the newest ``keep`` copies whose names match ``pattern``, newest by
    modification time (not by the date in the name); ``just_made`` is always kept."""
    copies = sorted(_matching(folder, pattern), key=lambda p: (p == just_made, _mtime(p), p.name))
    removed = copies[:-keep] if keep > 0 else copies
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


def list_backups(db_path: Path) -> list[Path]:
    """This database's copies in the backup folder beside it, newest last (by modification
    time). Only its own names count: ``custserv-test-daily-...`` is not a copy of
    ``custserv.db``."""
    folder = db_path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = {p for pattern in _patterns(db_path).values() for p in _matching(folder, pattern)}
    return sorted(found, key=_mtime)
