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


def m002_review_days(db: Database) -> None:
    """The undo history's own key, indexes for statistics, and a running tally of the review
    log per study day, topic and kind, kept by triggers.

    Statistics read this small table instead of every answer ever given: ``reviews`` and
    ``passed`` (graded 3 or more) count the answers, and ``min_due`` is the earliest due day
    the answered cards had before those answers (what the streak needs to know whether a
    card was waiting on a day without answers). The triggers keep it exact through undo
    (which deletes log rows); ``custserv doctor`` rebuilds it from the log.
    """
    db.execute(
        """
        CREATE TABLE review_days (
            day TEXT NOT NULL,
            topic TEXT NOT NULL,
            kind TEXT NOT NULL,
            reviews INTEGER NOT NULL,
            passed INTEGER NOT NULL,
            min_due TEXT,
            PRIMARY KEY (day, topic, kind)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """
        CREATE TRIGGER review_days_insert AFTER INSERT ON reviews BEGIN
            INSERT INTO review_days (day, topic, kind, reviews, passed, min_due)
            SELECT NEW.day, c.topic, NEW.kind, 1, NEW.grade >= 3,
                   json_extract(NEW.before, '$.due')
            FROM cards c WHERE c.id = NEW.card_id
            ON CONFLICT (day, topic, kind) DO UPDATE SET
                reviews = reviews + 1,
                passed = passed + excluded.passed,
                min_due = MIN(COALESCE(min_due, excluded.min_due),
                              COALESCE(excluded.min_due, min_due));
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER review_days_delete AFTER DELETE ON reviews BEGIN
            UPDATE review_days SET
                reviews = reviews - 1,
                passed = passed - (OLD.grade >= 3),
                min_due = (
                    SELECT MIN(json_extract(r.before, '$.due'))
                    FROM reviews r JOIN cards c ON c.id = r.card_id
                    WHERE r.day = OLD.day AND r.kind = OLD.kind AND c.topic = review_days.topic
                )
            WHERE day = OLD.day AND kind = OLD.kind
              AND topic = (SELECT topic FROM cards WHERE id = OLD.card_id);
            DELETE FROM review_days WHERE day = OLD.day AND reviews <= 0;
        END"""
    )
    rebuild_review_days(db)
    # The log's ids are reused after an undo (the row is gone), so the undo history gets
    # its own key and keeps the log's id as a plain column.
    db.execute(
        """
        CREATE TABLE undone_reviews_new (
            undo_id INTEGER PRIMARY KEY,
            id INTEGER NOT NULL,
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
    db.execute(
        "INSERT INTO undone_reviews_new (id, card_id, reviewed_at, day, grade, scheduler, kind, "
        "before, after, duration_ms, undone_at) SELECT id, card_id, reviewed_at, day, grade, "
        "scheduler, kind, before, after, duration_ms, undone_at FROM undone_reviews ORDER BY id"
    )
    db.execute("DROP TABLE undone_reviews")
    db.execute("ALTER TABLE undone_reviews_new RENAME TO undone_reviews")
    # Statistics list the active cards (read from this index, not the cards' text) and the
    # weakest cards (the first few along these indexes, not a sort of every state).
    db.execute("CREATE INDEX cards_active ON cards(topic, id) WHERE retired = 0")
    db.execute("CREATE INDEX state_lapses ON state(lapses DESC, easiness)")
    db.execute("CREATE INDEX state_easiness ON state(easiness, lapses DESC)")


def rebuild_review_days(db: Database | sqlite3.Connection) -> None:
    """Schema 2's recount of ``review_days`` (by the cards' current topics), as migration 2
    runs it; later code uses ``recount_review_days``."""
    db.execute("DELETE FROM review_days")
    db.execute(
        """
        INSERT INTO review_days (day, topic, kind, reviews, passed, min_due)
        SELECT r.day, c.topic, r.kind, COUNT(*), SUM(r.grade >= 3),
               MIN(json_extract(r.before, '$.due'))
        FROM reviews r JOIN cards c ON c.id = r.card_id
        GROUP BY r.day, c.topic, r.kind"""
    )


def m003_review_topics(db: Database) -> None:
    """Each answer keeps the topic its card had when it was answered.

    The daily tally counts an answer under that topic; before, the triggers and the recount
    looked up the card's current topic, so moving a card to another deck (or renaming a
    topic) made the recount disagree with the tally, and undoing an answer given before the
    move left a phantom review. Answers already in the log get their card's topic now (the
    best knowledge there is); new ones get it from the insert trigger.
    """
    db.execute("ALTER TABLE reviews ADD COLUMN topic TEXT")
    db.execute(
        "UPDATE reviews SET topic = (SELECT c.topic FROM cards c WHERE c.id = reviews.card_id)"
    )
    db.execute("DROP TRIGGER review_days_insert")
    db.execute("DROP TRIGGER review_days_delete")
    db.execute(
        """
        CREATE TRIGGER review_days_insert AFTER INSERT ON reviews BEGIN
            UPDATE reviews SET topic = (SELECT c.topic FROM cards c WHERE c.id = NEW.card_id)
            WHERE id = NEW.id AND NEW.topic IS NULL;
            INSERT INTO review_days (day, topic, kind, reviews, passed, min_due)
            SELECT NEW.day, COALESCE(NEW.topic, c.topic), NEW.kind, 1, NEW.grade >= 3,
                   json_extract(NEW.before, '$.due')
            FROM cards c WHERE c.id = NEW.card_id
            ON CONFLICT (day, topic, kind) DO UPDATE SET
                reviews = reviews + 1,
                passed = passed + excluded.passed,
                min_due = MIN(COALESCE(min_due, excluded.min_due),
                              COALESCE(excluded.min_due, min_due));
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER review_days_delete AFTER DELETE ON reviews BEGIN
            UPDATE review_days SET
                reviews = reviews - 1,
                passed = passed - (OLD.grade >= 3),
                min_due = (
                    SELECT MIN(json_extract(r.before, '$.due')) FROM reviews r
                    WHERE r.day = OLD.day AND r.kind = OLD.kind AND r.topic = review_days.topic
                )
            WHERE day = OLD.day AND kind = OLD.kind AND topic = OLD.topic;
            DELETE FROM review_days WHERE day = OLD.day AND reviews <= 0;
        END"""
    )
    recount_review_days(db)


def m004_review_time(db: Database) -> None:
    """Time spent in the daily tally: ``ms`` adds up the answers' durations (``duration_ms``,
    none counting as 0), so reports read the minutes studied per topic and period from
    ``review_days`` instead of every answer in the period. The triggers are migration 3's
    (an answer counts under the topic it was given in) keeping ``ms`` too, and the tally is
    recounted from the log."""
    db.execute("ALTER TABLE review_days ADD COLUMN ms INTEGER NOT NULL DEFAULT 0")
    db.execute("DROP TRIGGER review_days_insert")
    db.execute("DROP TRIGGER review_days_delete")
    db.execute(
        """
        CREATE TRIGGER review_days_insert AFTER INSERT ON reviews BEGIN
            UPDATE reviews SET topic = (SELECT c.topic FROM cards c WHERE c.id = NEW.card_id)
            WHERE id = NEW.id AND NEW.topic IS NULL;
            INSERT INTO review_days (day, topic, kind, reviews, passed, min_due, ms)
            SELECT NEW.day, COALESCE(NEW.topic, c.topic), NEW.kind, 1, NEW.grade >= 3,
                   json_extract(NEW.before, '$.due'), COALESCE(NEW.duration_ms, 0)
            FROM cards c WHERE c.id = NEW.card_id
            ON CONFLICT (day, topic, kind) DO UPDATE SET
                reviews = reviews + 1,
                passed = passed + excluded.passed,
                min_due = MIN(COALESCE(min_due, excluded.min_due),
                              COALESCE(excluded.min_due, min_due)),
                ms = ms + excluded.ms;
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER review_days_delete AFTER DELETE ON reviews BEGIN
            UPDATE review_days SET
                reviews = reviews - 1,
                passed = passed - (OLD.grade >= 3),
                min_due = (
                    SELECT MIN(json_extract(r.before, '$.due')) FROM reviews r
                    WHERE r.day = OLD.day AND r.kind = OLD.kind AND r.topic = review_days.topic
                ),
                ms = ms - COALESCE(OLD.duration_ms, 0)
            WHERE day = OLD.day AND kind = OLD.kind AND topic = OLD.topic;
            DELETE FROM review_days WHERE day = OLD.day AND reviews <= 0;
        END"""
    )
    recount_review_days(db)


def m005_new_cards_index(db: Database) -> None:
    """An index of the new cards (never answered, not yet due), by whether they are suspended:
    the queue finds the next new cards, in the order they were added, without stepping over
    suspended ones along the due-date index (a few hundred suspended cards cost every answer
    a read of each). Only new cards' states are in it, so an answer leaves it alone once a
    card is learnt."""
    db.execute("CREATE INDEX state_new ON state(suspended) WHERE due IS NULL AND last_day IS NULL")


# --- the tally of card states (migration 6) ---------------------------------------------

# What ``custserv stats`` counts of each active card, as SQL over a state row ``{s}``: its
# stage (the thresholds are stats.YOUNG_MIN_DAYS, stats.MATURE_DAYS and
# scheduler.state.LEECH_LAPSES; tests/test_stats_tally.py checks they still agree), its due
# day and burial ('' for none: NULLs would never meet in the tally's key), suspension and
# whether it is a leech; and the ease it adds to the sum (answered cards only).
_TALLY_KEY = (
    "CASE WHEN {s}.last_day IS NULL THEN 'new' WHEN {s}.interval < 2 THEN 'learning' "
    "WHEN {s}.interval < 21 THEN 'young' ELSE 'mature' END, COALESCE({s}.due, ''), "
    "{s}.suspended, {s}.lapses >= 8, COALESCE({s}.buried_until, '')"
)
_TALLY_EASE = "CASE WHEN {s}.last_day IS NOT NULL THEN {s}.easiness ELSE 0 END"
_TALLY_COLUMNS = "topic, stage, due, suspended, leech, buried_until"


def _tally_add(topic: str, state: str, source: str) -> str:
    """Count the state row ``state`` (found by ``source``, a FROM and WHERE clause) under
    ``topic``."""
    return (
        f"INSERT INTO state_tally ({_TALLY_COLUMNS}, cards, ease) "
        f"SELECT {topic}, {_TALLY_KEY.format(s=state)}, 1, {_TALLY_EASE.format(s=state)} "
        f"{source} ON CONFLICT ({_TALLY_COLUMNS}) DO UPDATE SET "
        "cards = cards + 1, ease = ease + excluded.ease;"
    )


def _tally_remove(topic: str, state: str, source: str) -> str:
    """Take the state row ``state`` (found by ``source``) out of ``topic``'s count (a NULL
    topic: it was not counted), dropping the tally's row when it reaches zero."""
    key = f"({_TALLY_COLUMNS}) = (SELECT {topic}, {_TALLY_KEY.format(s=state)} {source})"
    ease = f"(SELECT {_TALLY_EASE.format(s=state)} {source})"
    return (
        f"UPDATE state_tally SET cards = cards - 1, ease = ease - {ease} WHERE {key}; "
        f"DELETE FROM state_tally WHERE {key} AND cards <= 0;"
    )


def m006_state_tally(db: Database) -> None:
    """A tally of the active cards' states, kept by triggers: per topic, how many cards are
    at each stage (new, learning, young, mature), due on each day, suspended, leeches, buried
    until a day, with the sum of their ease. ``custserv stats`` and reports read their counts
    and the due forecast from its few thousand rows instead of every card's state. A state's
    row moves in the tally when an answer, an undo, a suspension or a burial changes it; a
    card's when a sync retires, restores or moves it to another topic. ``doctor`` checks it
    against a recount and rebuilds it."""
    db.execute(
        """
        CREATE TABLE state_tally (
            topic TEXT NOT NULL,
            stage TEXT NOT NULL,
            due TEXT NOT NULL,
            suspended INTEGER NOT NULL,
            leech INTEGER NOT NULL,
            buried_until TEXT NOT NULL,
            cards INTEGER NOT NULL,
            ease INTEGER NOT NULL,
            PRIMARY KEY (topic, stage, due, suspended, leech, buried_until)
        ) WITHOUT ROWID"""
    )
    # a state row counts under its card's topic while the card is not retired
    counted = "(SELECT topic FROM cards WHERE id = OLD.card_id AND retired = 0)"
    added = "FROM cards c WHERE c.id = NEW.card_id AND c.retired = 0"
    db.execute(
        "CREATE TRIGGER state_tally_insert AFTER INSERT ON state BEGIN "
        f"{_tally_add('c.topic', 'NEW', added)} END"
    )
    db.execute(
        "CREATE TRIGGER state_tally_delete AFTER DELETE ON state BEGIN "
        f"{_tally_remove(counted, 'OLD', '')} END"
    )
    db.execute(
        "CREATE TRIGGER state_tally_update AFTER UPDATE OF "
        "last_day, interval, due, suspended, lapses, easiness, buried_until ON state BEGIN "
        f"{_tally_remove(counted, 'OLD', '')} {_tally_add('c.topic', 'NEW', added)} END"
    )
    db.execute(
        "CREATE TRIGGER state_tally_card AFTER UPDATE OF topic, retired ON cards "
        "WHEN OLD.topic IS NOT NEW.topic OR OLD.retired IS NOT NEW.retired BEGIN "
        + _tally_remove(
            "CASE WHEN OLD.retired = 0 THEN OLD.topic END",
            "s",
            "FROM state s WHERE s.card_id = OLD.id",
        )
        + _tally_add("NEW.topic", "s", "FROM state s WHERE s.card_id = NEW.id AND NEW.retired = 0")
        + " END"
    )
    recount_state_tally(db)


def recount_state_tally_select() -> str:
    """The tally of card states recounted from ``state`` and ``cards``, in ``state_tally``'s
    column order. ``doctor`` compares the tally with it."""
    return (
        f"SELECT c.topic, {_TALLY_KEY.format(s='s')}, COUNT(*), "
        f"SUM({_TALLY_EASE.format(s='s')}) FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE c.retired = 0 GROUP BY 1, 2, 3, 4, 5, 6"
    )


def recount_state_tally(db: Database | sqlite3.Connection) -> None:
    """Rebuild ``state_tally`` from the states (inside the caller's transaction)."""
    db.execute("DELETE FROM state_tally")
    db.execute(f"INSERT INTO state_tally {recount_state_tally_select()}")


def recount_select(time_spent: bool = True) -> str:
    """The recount of the daily tally from the log, in ``review_days``' column order, each
    answer under the topic it was given in (schema 3 on); with the time spent (``ms``,
    schema 4 on) when ``time_spent``. ``doctor`` compares the tally with it."""
    ms = ", SUM(COALESCE(r.duration_ms, 0))" if time_spent else ""
    return (
        "SELECT r.day, r.topic, r.kind, COUNT(*), SUM(r.grade >= 3), "
        f"MIN(CASE WHEN json_valid(r.before) THEN json_extract(r.before, '$.due') END){ms} "
        "FROM reviews r WHERE r.topic IS NOT NULL GROUP BY r.day, r.topic, r.kind"
    )


def recount_review_days(db: Database | sqlite3.Connection) -> None:
    """Recount ``review_days`` from the whole review log (inside the caller's transaction;
    schema 3 on), with the time spent when the tally has its column (schema 4 on)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(review_days)").fetchall()}
    time_spent = "ms" in columns
    db.execute("DELETE FROM review_days")
    db.execute(
        "INSERT INTO review_days (day, topic, kind, reviews, passed, min_due"
        + (", ms) " if time_spent else ") ")
        + recount_select(time_spent)
    )


MIGRATIONS: list[Callable[[Database], None]] = [
    m001_initial,
    m002_review_days,
    m003_review_topics,
    m004_review_time,
    m005_new_cards_index,
    m006_state_tally,
]
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
