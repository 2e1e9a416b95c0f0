"""Every SQL statement of the app: opening the database, syncing decks, recording answers.

The database is SQLite in WAL mode with foreign keys on, a busy timeout, and full
synchronisation, so an answer is on disk when ``record_answer`` returns. Every write runs in
one ``BEGIN IMMEDIATE`` transaction. No SQL is ever built from user text: values are bound
as parameters.

The hot path (open, pick a card, record an answer) uses the standard library's ``sqlite3``
only; sqlite-utils is imported when the schema needs a migration.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from custserv_cards.errors import DataError, UsageError
from custserv_cards.model import Card, Deck
from custserv_cards.scheduler import sm2
from custserv_cards.scheduler.sm2 import SM2State

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
STATE_COLUMNS = "repetitions, easiness, interval, due, lapses, last_day, again"

DEFAULT_SETTINGS: dict[str, str] = {
    "day_start_hour": "4",
    "new_per_day": "20",
    "reviews_per_day": "200",
    "scheduler": "sm2",
    "answer_mode": "flip",
    "exam_date": "",
}


_CHOICES = {"scheduler": ("sm2", "fsrs"), "answer_mode": ("flip", "type")}
_RANGES = {"day_start_hour": (0, 23), "new_per_day": (0, 10_000), "reviews_per_day": (0, 100_000)}


def check_setting(key: str, value: str) -> str:
    """The setting's value in canonical form; raises ``UsageError`` naming what is allowed."""
    value = value.strip()
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise UsageError(f"{key} must be one of {', '.join(_CHOICES[key])}, not {value!r}")
    elif key in _RANGES:
        low, high = _RANGES[key]
        if not value.isdigit() or not low <= int(value) <= high:
            raise UsageError(f"{key} must be a whole number from {low} to {high}, not {value!r}")
        value = str(int(value))
    elif key == "exam_date" and value:
        try:
            value = date.fromisoformat(value).isoformat()
        except ValueError:
            raise UsageError(
                f"exam_date must be a date like 2027-06-01 (or '' for none), not {value!r}"
            ) from None
    return value


@dataclass(frozen=True)
class SyncResult:
    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)


@dataclass(frozen=True)
class CardRecord:
    """A card as stored: its content, whether it is retired, and its scheduling state."""

    card: Card
    retired: bool
    state: SM2State
    suspended: bool
    buried_until: date | None


@dataclass(frozen=True)
class Answer:
    """What recording one answer did."""

    review_id: int
    card_id: str
    grade: int
    kind: str
    before: SM2State
    after: SM2State
    scheduler: str = "sm2"


@dataclass(frozen=True)
class Undone:
    card_id: str
    grade: int
    reviewed_at: str
    kind: str


def _state_from_row(row: sqlite3.Row | tuple[Any, ...]) -> SM2State:
    repetitions, easiness, interval, due, lapses, last_day, again = tuple(row)[:7]
    return SM2State(
        repetitions=repetitions,
        easiness=easiness,
        interval=interval,
        due=date.fromisoformat(due) if due else None,
        lapses=lapses,
        last_day=date.fromisoformat(last_day) if last_day else None,
        again=bool(again),
    )


def state_params(state: SM2State) -> tuple[Any, ...]:
    """A state as the values of the ``state`` table's columns ``STATE_COLUMNS``, in order."""
    return (
        state.repetitions,
        state.easiness,
        state.interval,
        state.due.isoformat() if state.due else None,
        state.lapses,
        state.last_day.isoformat() if state.last_day else None,
        int(state.again),
    )


def _log_state(state: SM2State, memory: str | None) -> str:
    """A state as the review log keeps it: the common fields, plus FSRS's memory if any."""
    data = state.to_dict()
    if memory is not None:
        data["fsrs"] = memory
    return json.dumps(data, sort_keys=True)


class Store:
    """An open custserv database."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True) -> Store:
        """Open (creating if needed) the database at ``path``, migrating an older schema.

        A file that is not a SQLite database, or one written by a newer custserv, is refused
        with a clear message and left untouched.
        """
        from custserv_cards.migrations import SCHEMA_VERSION

        existed = path.exists() and path.stat().st_size > 0
        if existed:
            _check_header(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DataError(
                    f"cannot create the folder {path.parent} ({error.strerror}); "
                    "choose another place with --db or CUSTSERV_DB"
                ) from None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as error:
            raise DataError(
                f"cannot open the database {path} ({error}); "
                "choose another place with --db or CUSTSERV_DB"
            ) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DataError(
                    f"{path} was written by a newer custserv (schema {version}; this one knows "
                    f"up to {SCHEMA_VERSION}); upgrade custserv-cards to use it"
                )
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                _enable_wal(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            store = cls(conn, path)
            if version < SCHEMA_VERSION and migrate:
                store._migrate(version, existed)
        except sqlite3.DatabaseError as error:
            conn.close()
            raise _database_error(path, error) from None
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self, version: int, existed: bool) -> None:
        from custserv_cards import migrations

        if existed and version > 0:
            from custserv_cards.backup import backup_before_migration

            backup_before_migration(self, version)
        try:
            # Hold the write lock from the version check on: a second custserv opening the
            # same new database waits here, then finds nothing left to apply.
            self.conn.execute("BEGIN IMMEDIATE")
            if self.conn.execute("PRAGMA user_version").fetchone()[0] < migrations.SCHEMA_VERSION:
                migrations.apply(self.conn)
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _write_error(self.path, error) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on error."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _write_error(self.path, error) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _write_error(self.path, error) from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # --- settings and meta --------------------------------------------------------------

    def setting(self, key: str) -> str:
        if key not in DEFAULT_SETTINGS:
            raise UsageError(f"unknown setting '{key}'; settings: {', '.join(DEFAULT_SETTINGS)}")
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else DEFAULT_SETTINGS[key]

    def settings(self) -> dict[str, str]:
        stored = dict(self.conn.execute("SELECT key, value FROM settings").fetchall())
        return {key: stored.get(key, default) for key, default in DEFAULT_SETTINGS.items()}

    def set_setting(self, key: str, value: str) -> None:
        self.setting(key)
        value = check_setting(key, value)
        with self.write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def day_start_hour(self) -> int:
        return int(self.setting("day_start_hour"))

    def today(self) -> date:
        from custserv_cards import clock

        return clock.today(self.day_start_hour())

    # --- decks --------------------------------------------------------------------------

    def sync(
        self,
        decks: list[Deck],
        origins: Iterable[Path] = (),
        now: datetime | None = None,
        meta: dict[str, str] | None = None,
    ) -> SyncResult:
        """Bring the store in line with ``decks`` in one transaction.

        Cards of the synced topics that are missing from the decks are retired, as are the
        topics that came from one of ``origins`` (deck folders) and are no longer there.
        A retired card keeps its state and history, and is restored if it comes back.
        """
        from custserv_cards import clock

        stamp = (now or clock.now()).isoformat(timespec="seconds")
        origin_names = {str(o) for o in origins}
        added = updated = retired = restored = unchanged = 0
        with self.write() as conn:
            known = {
                row[0]: (row[1], row[2])
                for row in conn.execute("SELECT id, content, retired FROM cards")
            }
            present: set[str] = set()
            synced_topics = {deck.topic for deck in decks}
            for deck in decks:
                origin = str(Path(deck.path).resolve().parent)
                conn.execute(
                    "INSERT INTO topics (slug, title, description, origin, retired) "
                    "VALUES (?, ?, ?, ?, 0) ON CONFLICT(slug) DO UPDATE SET "
                    "title = excluded.title, description = excluded.description, "
                    "origin = excluded.origin, retired = 0",
                    (deck.topic, deck.title, deck.description, origin),
                )
            inserts: list[tuple[Any, ...]] = []
            for deck in decks:
                for card in deck.cards:
                    present.add(card.id)
                    content = card.content_json()
                    old = known.get(card.id)
                    row = (card.group, card.topic, card.kind, card.position, content)
                    if old is None:
                        inserts.append((card.id, *row, stamp, stamp))
                        added += 1
                    elif old[1]:
                        conn.execute(
                            "UPDATE cards SET grp = ?, topic = ?, kind = ?, position = ?, "
                            "content = ?, retired = 0, updated_at = ? WHERE id = ?",
                            (*row, stamp, card.id),
                        )
                        restored += 1
                    elif old[0] != content:
                        conn.execute(
                            "UPDATE cards SET grp = ?, topic = ?, kind = ?, position = ?, "
                            "content = ?, updated_at = ? WHERE id = ?",
                            (*row, stamp, card.id),
                        )
                        updated += 1
                    else:
                        unchanged += 1
            conn.executemany(
                "INSERT INTO cards (id, grp, topic, kind, position, content, retired, "
                "added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                inserts,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO state (card_id) VALUES (?)", ((r[0],) for r in inserts)
            )
            gone_topics = [
                slug
                for slug, origin in conn.execute(
                    "SELECT slug, origin FROM topics WHERE retired = 0"
                ).fetchall()
                if origin in origin_names and slug not in synced_topics
            ]
            for slug in gone_topics:
                conn.execute("UPDATE topics SET retired = 1 WHERE slug = ?", (slug,))
            scope = synced_topics | set(gone_topics)
            to_retire = [
                (stamp, card_id)
                for card_id, topic in conn.execute(
                    "SELECT id, topic FROM cards WHERE retired = 0"
                ).fetchall()
                if topic in scope and card_id not in present
            ]
            conn.executemany("UPDATE cards SET retired = 1, updated_at = ? WHERE id = ?", to_retire)
            retired = len(to_retire)
            for key, value in (meta or {}).items():
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
        return SyncResult(added, updated, retired, restored, unchanged)

    # --- cards --------------------------------------------------------------------------

    def card(self, card_id: str) -> CardRecord:
        """The stored card ``card_id``; raises ``DataError`` when there is no such card."""
        row = self.conn.execute(
            f"SELECT c.id, c.content, c.retired, {STATE_COLUMNS}, s.suspended, s.buried_until "
            "FROM cards c JOIN state s ON s.card_id = c.id WHERE c.id = ?",
            (card_id,),
        ).fetchone()
        if row is None:
            raise DataError(self._unknown_card(card_id))
        return CardRecord(
            card=Card.from_row({"id": row[0], "content": row[1]}),
            retired=bool(row[2]),
            state=_state_from_row(row[3:10]),
            suspended=bool(row[10]),
            buried_until=date.fromisoformat(row[11]) if row[11] else None,
        )

    def _unknown_card(self, card_id: str) -> str:
        import difflib

        ids = [r[0] for r in self.conn.execute("SELECT id FROM cards WHERE retired = 0")]
        close = difflib.get_close_matches(card_id, ids, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see 'custserv topics'"
        return f"no card with id '{card_id}' ({hint})"

    def active_card(self, card_id: str) -> CardRecord:
        record = self.card(card_id)
        if record.retired:
            raise DataError(
                f"card '{card_id}' is retired (no longer in the decks); its history is kept"
            )
        return record

    def history(self, card_id: str) -> list[dict[str, Any]]:
        cursor = self.conn.execute(
            "SELECT id, reviewed_at, day, grade, scheduler, kind, before, after, duration_ms "
            "FROM reviews WHERE card_id = ? ORDER BY id",
            (card_id,),
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            row["before"] = json.loads(row["before"])
            row["after"] = json.loads(row["after"])
        return rows

    # --- answers ------------------------------------------------------------------------

    def record_answer(
        self,
        card_id: str,
        grade: int,
        now: datetime,
        *,
        duration_ms: int | None = None,
        practice: bool = False,
    ) -> Answer:
        """Apply an answer and log it, in one committed transaction.

        A ``practice`` answer (a quiz drill) is logged as kind ``drill`` and leaves the
        schedule unchanged.
        """
        if not 0 <= grade <= 5:
            raise UsageError(f"grade {grade} is not 0 to 5 (5 perfect ... 0 complete blackout)")
        day = self.today_for(now)
        scheduler = self.setting("scheduler")
        with self.write() as conn:
            row = conn.execute(
                f"SELECT c.retired, {STATE_COLUMNS}, s.fsrs FROM cards c "
                "JOIN state s ON s.card_id = c.id WHERE c.id = ?",
                (card_id,),
            ).fetchone()
            if row is None:
                raise DataError(self._unknown_card(card_id))
            if row[0]:
                raise DataError(
                    f"card '{card_id}' is retired (no longer in the decks); nothing was recorded"
                )
            before, memory = _state_from_row(row[1:8]), row[8]
            if practice:
                after, new_memory, kind = before, memory, "drill"
            elif scheduler == "fsrs":
                from custserv_cards.scheduler import fsrs_adapter

                after, new_memory, kind = fsrs_adapter.review(before, memory, grade, day, now)
            else:
                (after, kind), new_memory = sm2.review(before, grade, day), memory
            if not practice:
                conn.execute(
                    "UPDATE state SET repetitions = ?, easiness = ?, interval = ?, due = ?, "
                    "lapses = ?, last_day = ?, again = ?, fsrs = ? WHERE card_id = ?",
                    (*state_params(after), new_memory, card_id),
                )
            cursor = conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, grade, scheduler, kind, "
                "before, after, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card_id,
                    now.isoformat(timespec="milliseconds"),
                    day.isoformat(),
                    grade,
                    scheduler,
                    kind,
                    _log_state(before, memory),
                    _log_state(after, new_memory),
                    duration_ms,
                ),
            )
            review_id = int(cursor.lastrowid or 0)
        return Answer(review_id, card_id, grade, kind, before, after, scheduler)

    def today_for(self, now: datetime) -> date:
        from custserv_cards import clock

        return clock.study_day(now, self.day_start_hour())

    def undo(self, steps: int, now: datetime) -> list[Undone]:
        """Revert the ``steps`` most recent answers: the state is restored and each log row is
        moved to ``undone_reviews``. Returns what was undone, most recent first."""
        if steps < 1:
            raise UsageError(f"--steps must be 1 or more, not {steps}")
        undone: list[Undone] = []
        stamp = now.isoformat(timespec="milliseconds")
        with self.write() as conn:
            rows = conn.execute(
                "SELECT id, card_id, grade, reviewed_at, kind, before FROM reviews "
                "ORDER BY id DESC LIMIT ?",
                (steps,),
            ).fetchall()
            for review_id, card_id, grade, reviewed_at, kind, before in rows:
                if kind != "drill":
                    logged = json.loads(before)
                    conn.execute(
                        "UPDATE state SET repetitions = ?, easiness = ?, interval = ?, due = ?, "
                        "lapses = ?, last_day = ?, again = ?, fsrs = ? WHERE card_id = ?",
                        (
                            *state_params(SM2State.from_dict(logged)),
                            logged.get("fsrs"),
                            card_id,
                        ),
                    )
                conn.execute(
                    "INSERT INTO undone_reviews (id, card_id, reviewed_at, day, grade, scheduler, "
                    "kind, before, after, duration_ms, undone_at) SELECT id, card_id, "
                    "reviewed_at, day, grade, scheduler, kind, before, after, duration_ms, ? "
                    "FROM reviews WHERE id = ?",
                    (stamp, review_id),
                )
                conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
                undone.append(Undone(card_id, grade, reviewed_at, kind))
        return undone

    def set_suspended(self, card_id: str, suspended: bool) -> bool:
        """Suspend or unsuspend a card; returns whether anything changed."""
        record = self.active_card(card_id)
        if record.suspended == suspended:
            return False
        with self.write() as conn:
            conn.execute(
                "UPDATE state SET suspended = ? WHERE card_id = ?", (int(suspended), card_id)
            )
        return True

    def bury(self, card_id: str, until: date) -> None:
        """Hide a card until the study day ``until``."""
        self.active_card(card_id)
        with self.write() as conn:
            conn.execute(
                "UPDATE state SET buried_until = ? WHERE card_id = ?", (until.isoformat(), card_id)
            )

    # --- summaries ----------------------------------------------------------------------

    def topics(self, today: date) -> list[dict[str, Any]]:
        """Each active topic with its card count, new cards and cards due today."""
        rows = self.conn.execute(
            """
            SELECT t.slug, t.title, t.description,
                   COUNT(c.id),
                   COALESCE(SUM(s.last_day IS NULL AND s.suspended = 0), 0),
                   COALESCE(SUM(s.due <= :today AND s.suspended = 0
                       AND (s.buried_until IS NULL OR s.buried_until <= :today)), 0),
                   COALESCE(SUM(s.suspended), 0)
            FROM topics t
            LEFT JOIN cards c ON c.topic = t.slug AND c.retired = 0
            LEFT JOIN state s ON s.card_id = c.id
            WHERE t.retired = 0
            GROUP BY t.slug ORDER BY t.slug
            """,
            {"today": today.isoformat()},
        ).fetchall()
        return [
            {
                "topic": slug,
                "title": title,
                "description": description,
                "cards": cards,
                "new": new,
                "due": due,
                "suspended": suspended,
            }
            for slug, title, description, cards, new, due, suspended in rows
        ]

    def topic_slugs(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute("SELECT slug FROM topics WHERE retired = 0 ORDER BY slug")
        ]


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to WAL. SQLite answers "locked" at once here, without waiting,
    while another custserv is switching the same new file, so retry up to the busy timeout."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DataError(f"cannot read {path} ({error.strerror}); check its permissions") from None
    if header != SQLITE_HEADER:
        raise DataError(
            f"{path} is not a custserv database (not SQLite); it was left untouched — "
            "move it aside or choose another file with --db"
        )


def _database_error(path: Path, error: sqlite3.DatabaseError) -> DataError:
    text = str(error)
    if "malformed" in text or "not a database" in text or "disk image" in text:
        return DataError(
            f"{path} is damaged ({text}); it was left untouched — run 'custserv doctor' "
            "or restore a backup"
        )
    return _write_error(path, error)


def _write_error(path: Path, error: sqlite3.Error) -> DataError:
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return DataError(
            f"cannot write to {path} (read-only); nothing was changed — check its permissions "
            "or choose another file with --db"
        )
    if "full" in text:
        return DataError(
            f"cannot write to {path} (disk full); nothing was changed — free some space and retry"
        )
    if "locked" in text or "busy" in text:
        return DataError(
            f"{path} stayed locked by another custserv for {BUSY_TIMEOUT_MS // 1000} s; "
            "nothing was changed — close the other session and retry"
        )
    return DataError(f"database error on {path}: {text}")
