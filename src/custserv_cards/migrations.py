"""The schema, as ordered, append-only migrations (sqlite-utils' ``Migrations``).

A shipped migration is never edited: a schema change is a new function appended to
``MIGRATIONS``. Each runs in its own transaction together with the record of it in
``_sqlite_migrations``; ``PRAGMA user_version`` then holds the number applied, so opening
the database can tell in one cheap read whether anything is pending, without importing
sqlite-utils.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "custserv"


def m001_initial(db: Database) -> None:
    """Topics, cards, scheduling state, the review log, undo history, settings."""
    db.execute(
        """
        CREATE TABLE topics (
            slug TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            origin TEXT NOT NULL,
            retired INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute(
        """
        CREATE TABLE cards (
            id TEXT PRIMARY KEY,
            grp TEXT NOT NULL,
            topic TEXT NOT NULL REFERENCES topics(slug),
            kind TEXT NOT NULL,
            position INTEGER NOT NULL,
            content TEXT NOT NULL,
            retired INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX cards_topic ON cards(topic, position)")
    db.execute(
        """
        CREATE TABLE state (
            card_id TEXT PRIMARY KEY REFERENCES cards(id),
            repetitions INTEGER NOT NULL DEFAULT 0,
            easiness INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            last_day TEXT,
            again INTEGER NOT NULL DEFAULT 0,
            fsrs TEXT,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT
        )"""
    )
    db.execute("CREATE INDEX state_due ON state(due)")
    db.execute(
        """
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL REFERENCES cards(id),
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            grade INTEGER NOT NULL,
            scheduler TEXT NOT NULL,
            kind TEXT NOT NULL,
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            duration_ms INTEGER
        )"""
    )
    db.execute("CREATE INDEX reviews_card ON reviews(card_id, id)")
    db.execute("CREATE INDEX reviews_day ON reviews(day)")
    db.execute(
        """
        CREATE TABLE undone_reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            grade INTEGER NOT NULL,
            scheduler TEXT NOT NULL,
            kind TEXT NOT NULL,
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            duration_ms INTEGER,
            undone_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


MIGRATIONS: list[Callable[[Database], None]] = [m001_initial]
SCHEMA_VERSION = len(MIGRATIONS)


def apply(conn: sqlite3.Connection) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names.

    Each step also sets ``PRAGMA user_version`` to its number inside that transaction, so the
    cheap version check on open always agrees with the record of applied migrations.
    """
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for number, function in enumerate(MIGRATIONS, start=1):
        migrations(name=function.__name__)(_numbered(function, number))
    db = Database(conn)
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def _numbered(function: Callable[[Database], None], number: int) -> Callable[[Database], None]:
    def step(db: Database) -> None:
        function(db)
        db.execute(f"PRAGMA user_version = {number}")

    step.__name__ = function.__name__
    return step
