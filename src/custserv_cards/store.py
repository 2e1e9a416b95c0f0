"""Every SQL statement of the app: opening the database, syncing decks, recording answers.

The database is SQLite in WAL mode with foreign keys on, a busy timeout, and full
synchronisation, so an answer is on disk when ``record_answer`` returns. Every write runs in
one ``BEGIN IMMEDIATE`` transaction. No SQL is ever built from user text: values are bound
as parameters.

The hot path (open, pick a card, record an answer) uses the standard library's ``sqlite3``
only; sqlite-utils is imported when the schema needs a migration.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from custserv_cards.errors import DataError, UsageError
from custserv_cards.model import Card, Deck
from custserv_cards.scheduler import Outcome, Scheduler, codec
from custserv_cards.scheduler.state import AnswerKind, CardState, PastAnswer, SchedulerName

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
STATE_COLUMNS = codec.STATE_COLUMNS
FSRS_PARAMETERS = "fsrs_parameters"  # meta key: FSRS's personal parameters, as a JSON list

DEFAULT_SETTINGS: dict[str, str] = {
    "day_start_hour": "4",
    "new_per_day": "20",
    "reviews_per_day": "200",
    "scheduler": "sm2",
    "desired_retention": "0.9",
    "answer_mode": "flip",
    "exam_date": "",
    "exam_target": "0.90",
    "exam_minutes": "",
    "student": "",
}
STUDENT_NAME_MAX = 80


_CHOICES = {"scheduler": tuple(SchedulerName), "answer_mode": ("flip", "type")}
_RANGES = {"day_start_hour": (0, 23), "new_per_day": (0, 10_000), "reviews_per_day": (0, 100_000)}


def check_key(key: str) -> None:
    """Raise ``UsageError`` naming the settings when ``key`` is not one of them."""
    if key not in DEFAULT_SETTINGS:
        raise UsageError(f"unknown setting '{key}'; settings: {', '.join(DEFAULT_SETTINGS)}")


def check_setting(key: str, value: str) -> str:
    """The setting's value in canonical form; raises ``UsageError`` naming what is allowed."""
    value = value.strip()
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise UsageError(f"{key} must be one of {', '.join(_CHOICES[key])}, not {value!r}")
    elif key in _RANGES:
        low, high = _RANGES[key]
        # isdecimal, not isdigit: '²' is a digit that int() refuses
        if not value.isdecimal() or not low <= int(value) <= high:
            raise UsageError(f"{key} must be a whole number from {low} to {high}, not {value!r}")
        value = str(int(value))
    elif key == "desired_retention":
        value = _check_retention(value)
    elif key in ("exam_date", "exam_target", "exam_minutes") and value:
        from custserv_cards import exam

        value = {
            "exam_date": exam.check_date,
            "exam_target": exam.check_target,
            "exam_minutes": exam.check_minutes,
        }[key](value)
    elif key == "student":
        value = check_student(value)
    return value


def check_share(what: str, value: str, low: float, high: float) -> float:
    """``value`` as a share of cards recalled from ``low`` to ``high``; ``UsageError`` naming
    ``what`` otherwise."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not (value.strip().isascii() and low <= number <= high):
        raise UsageError(
            f"{what} must be a share of cards recalled from {low:.2f} to {high:.2f} "
            f"(0.90 means 90 %), not {value!r}"
        )
    return number


def _check_retention(value: str) -> str:
    from custserv_cards.scheduler.fsrs import RETENTION_RANGE

    number = check_share("desired_retention", value, *RETENTION_RANGE)
    return f"{number:.2f}".rstrip("0").rstrip(".")


def check_student(name: str, option: str = "student") -> str:
    """A student's name with its spaces tidied; raises ``UsageError`` for control characters
    or a name longer than ``STUDENT_NAME_MAX`` characters."""
    name = " ".join(name.split())
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name):
        raise UsageError(f"{option} must be a name without control characters")
    if len(name) > STUDENT_NAME_MAX:
        raise UsageError(f"{option} must be at most {STUDENT_NAME_MAX} characters, not {len(name)}")
    return name


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
    state: CardState
    suspended: bool
    buried_until: date | None


@dataclass(frozen=True)
class Answer:
    """What recording one answer did."""

    review_id: int
    card_id: str
    grade: int
    kind: AnswerKind
    before: CardState
    after: CardState
    scheduler: SchedulerName = SchedulerName.SM2
    reviewed_at: str = ""  # as logged: with the id, card and grade, it names this answer


@dataclass(frozen=True)
class Undone:
    card_id: str
    grade: int
    reviewed_at: str
    kind: str


class Store:
    """An open custserv database."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, created: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.created = created  # no file was there: this open made a new, empty database
        self._identity = _identity(path)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path, *, migrate: bool = True, create: bool = True, readonly: bool = False
    ) -> Store:
        """Open the database at ``path`` (creating it when ``create``), migrating an older
        schema (when ``migrate``).

        A file that is not a SQLite database, a SQLite database of another application, or
        one written by a newer custserv, is refused with a clear message and left untouched.
        ``readonly`` opens without changing anything (no migration, no switch to WAL).
        """
        from custserv_cards.migrations import SCHEMA_VERSION

        existed = path.exists() and path.stat().st_size > 0
        if existed:
            _check_header(path)
        elif readonly or not create or path.exists():
            if not path.exists():
                raise DataError(f"no database at {path}; nothing was created (check --db)")
        else:
            _make_folder(path.parent)
        created = not path.exists()
        try:
            if readonly:
                conn = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                )
            else:
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as error:
            raise _open_error(path, error) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DataError(
                    f"{path} was written by a newer custserv (schema {version}; this one knows "
                    f"up to {SCHEMA_VERSION}); upgrade custserv-cards to use it"
                )
            if existed:
                _check_custserv(conn, path, version)
            if not readonly:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    _enable_wal(conn)
                conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            store = cls(conn, path, created=created)
            if not readonly and _has_log(path):
                _fold_log(conn)
            if version < SCHEMA_VERSION and migrate and not readonly:
                store._migrate(existed)
        except sqlite3.DatabaseError as error:
            conn.close()
            if existed and not is_damage(str(error)) and storage_problem(path) == "read-only":
                return cls._open_in_read_only_folder(path, error)
            raise _database_error(path, error) from None
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def _open_in_read_only_folder(cls, path: Path, error: sqlite3.DatabaseError) -> Store:
        """A database in a read-only folder can still be read (statistics, reports, a backup
        to elsewhere); any write then gives the read-only message. Without a ``-wal`` file
        beside it, nothing can change the file, so SQLite may treat it as immutable."""
        from custserv_cards.migrations import SCHEMA_VERSION

        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:  # SQLite must write a -shm to read it
            raise DataError(
                f"cannot read {path}: its folder {path.parent} is read-only and {wal.name} beside "
                "it holds answers not yet in the file, which SQLite can read only by writing a "
                f"{path.name}-shm there; nothing was changed — make the folder writable, or copy "
                f"{path.name} together with {wal.name} somewhere writable and use that copy"
            )
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None
            )
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            _check_custserv(conn, path, version)
        except sqlite3.DatabaseError as second:
            raise _database_error(path, second) from None
        if version != SCHEMA_VERSION:
            conn.close()
            raise _write_error(path, error) from None
        return cls(conn, path)

    def _migrate(self, existed: bool) -> None:
        """Upgrade the schema. A second connection takes the write lock first and re-reads the
        version, so of several custserv opening the same old file at once exactly one copies
        and upgrades it; the others wait, then find nothing left to do. The copy is read
        through this connection while the lock is held (WAL lets readers in), so it is the
        file exactly as it was before the upgrade."""
        from custserv_cards import migrations

        lock = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            lock.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            lock.execute("PRAGMA foreign_keys = ON")
            lock.execute("BEGIN IMMEDIATE")
            version = lock.execute("PRAGMA user_version").fetchone()[0]
            if version < migrations.SCHEMA_VERSION:
                if existed and version > 0:
                    from custserv_cards.backup import backup_before_migration

                    backup_before_migration(self, version)
                migrations.apply(lock)
            lock.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise _write_error(self.path, error) from None
        finally:
            if lock.in_transaction:
                lock.execute("ROLLBACK")
            lock.close()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def check_still_there(self) -> None:
        """Raise ``DataError`` when the file at ``self.path`` is no longer the one this store
        opened (deleted, or replaced by another file): writes would go to a file nobody can
        open again. What was saved before is copied next to the path, when possible."""
        if self._identity is None or _identity(self.path) == self._identity:
            return
        gone = "deleted" if not self.path.exists() else "replaced by another file"
        rescue = self._rescue()
        where = (
            f"everything saved before is in {rescue}; to go on, move it to {self.path} "
            f"after removing any {self.path.name}-wal and -shm left there"
            if rescue
            else "the answers saved before could not be copied anywhere"
        )
        raise DataError(
            f"{self.path} was {gone} while custserv had it open; nothing more was saved — {where}"
        )

    def _rescue(self) -> Path | None:
        from custserv_cards import clock

        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        dest = self.path.parent / f"{self.path.stem}-rescued-{stamp}.db"
        try:
            target = sqlite3.connect(dest)
            try:
                self.conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
        except (OSError, sqlite3.Error):
            return None
        return dest

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on error.

        Before committing, the file at the path is checked to still be the one opened: an
        answer is never reported as saved into a deleted or replaced database."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _write_error(self.path, error) from None
        try:
            yield self.conn
            if self._identity is not None and _identity(self.path) != self._identity:
                self.conn.execute("ROLLBACK")
                self.check_still_there()
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
        check_key(key)
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else DEFAULT_SETTINGS[key]

    def settings(self) -> dict[str, str]:
        stored = dict(self.conn.execute("SELECT key, value FROM settings").fetchall())
        return {key: stored.get(key, default) for key, default in DEFAULT_SETTINGS.items()}

    def set_setting(self, key: str, value: str) -> None:
        self.set_settings({key: value})

    def set_settings(
        self, values: Mapping[str, str], meta: Mapping[str, str | None] | None = None
    ) -> None:
        """Set several settings in one transaction, after checking every one of them, with
        the ``meta`` entries that go with them (None removes one)."""
        checked = {}
        for key, value in values.items():
            self.setting(key)
            checked[key] = check_setting(key, value)
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                checked.items(),
            )
            for name, entry in (meta or {}).items():
                _put_meta(conn, name, entry)

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a ``meta`` entry (None removes it) in its own transaction."""
        with self.write() as conn:
            _put_meta(conn, key, value)

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
            state=codec.from_row(row[3:11]),
            suspended=bool(row[11]),
            buried_until=date.fromisoformat(row[12]) if row[12] else None,
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
        scheduler: Scheduler | None = None,
    ) -> Answer:
        """Apply an answer with ``scheduler`` (the one the settings choose if None) and log
        it, in one committed transaction.

        A ``practice`` answer (a quiz drill) is logged as kind ``drill`` and leaves the
        schedule unchanged.
        """
        if not 0 <= grade <= 5:
            raise UsageError(f"grade {grade} is not 0 to 5 (5 perfect ... 0 complete blackout)")
        settings = self.settings()  # one read for the study day and the scheduler
        day = _study_day(now, int(settings["day_start_hour"]))
        chosen = scheduler or self._scheduler_for(settings)
        with self.write() as conn:
            row = conn.execute(
                f"SELECT c.retired, c.topic, {STATE_COLUMNS} FROM cards c "
                "JOIN state s ON s.card_id = c.id WHERE c.id = ?",
                (card_id,),
            ).fetchone()
            if row is None:
                raise DataError(self._unknown_card(card_id))
            if row[0]:
                raise DataError(
                    f"card '{card_id}' is retired (no longer in the decks); nothing was recorded"
                )
            topic = row[1]
            before = codec.from_row(row[2:])
            if before.last_day is not None and day < before.last_day:
                # The clock went back, or the time zone moved west: the answer counts as a
                # further answer on the card's last study day, never as a new spaced review.
                day = before.last_day
            if practice:
                after, kind = before, AnswerKind.DRILL
            else:
                after, kind = chosen.review(self._known(chosen, card_id, before), grade, day)
                conn.execute(codec.UPDATE_STATE, (*codec.to_row(after), card_id))
            moment = now.isoformat(timespec="milliseconds")
            cursor = conn.execute(
                # the topic given here, so that the log's trigger need not write the row twice
                "INSERT INTO reviews (card_id, reviewed_at, day, grade, scheduler, kind, "
                "before, after, duration_ms, topic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card_id,
                    moment,
                    day.isoformat(),
                    grade,
                    chosen.name,
                    kind,
                    codec.to_log_text(before),
                    codec.to_log_text(after),
                    duration_ms,
                    topic,
                ),
            )
            review_id = int(cursor.lastrowid or 0)
        return Answer(review_id, card_id, grade, kind, before, after, chosen.name, moment)

    def _known(self, chosen: Scheduler, card_id: str, state: CardState) -> CardState:
        """The state as ``chosen.review`` takes it: with the card's history if it needs it."""
        if chosen.needs_history(state):
            return chosen.with_history(state, self.past_answers(card_id))
        return state

    def outcomes(self, card_id: str, now: datetime) -> dict[int, Outcome]:
        """What each grade would do to the card if it were answered now, computed by the
        scheduler ``record_answer`` would use, the same way (nothing is written)."""
        from custserv_cards.scheduler import preview

        row = self.conn.execute(
            f"SELECT {STATE_COLUMNS} FROM state s WHERE s.card_id = ?", (card_id,)
        ).fetchone()
        if row is None:
            raise DataError(self._unknown_card(card_id))
        chosen = self.scheduler()
        state = self._known(chosen, card_id, codec.from_row(row))
        return preview(chosen, state, self.today_for(now))

    def scheduler(self) -> Scheduler:
        """The scheduler the settings choose, with FSRS's personal parameters if fitted."""
        return self._scheduler_for(self.settings())

    def _scheduler_for(self, settings: dict[str, str]) -> Scheduler:
        from custserv_cards import scheduler

        fsrs = settings["scheduler"] == SchedulerName.FSRS
        return scheduler.load(settings, self.fsrs_parameters() if fsrs else None)

    def fsrs_parameters(self) -> list[float] | None:
        """FSRS's personal parameters (``custserv fsrs optimize``), or None for the defaults."""
        text = self.meta(FSRS_PARAMETERS)
        if not text:
            return None
        try:
            from custserv_cards.scheduler.fsrs import check_parameters

            return list(check_parameters([float(v) for v in json.loads(text)]))
        except (ValueError, TypeError):
            raise DataError(
                f"{self.path}: FSRS's stored parameters are damaged; run 'custserv fsrs optimize' "
                "to fit them again"
            ) from None

    def set_fsrs_parameters(self, parameters: list[float] | None) -> None:
        with self.write() as conn:
            _put_meta(conn, FSRS_PARAMETERS, None if parameters is None else json.dumps(parameters))

    def past_answers(self, card_id: str) -> list[PastAnswer]:
        """The card's logged answers that moved its schedule (not drills), oldest first."""
        return [
            PastAnswer(date.fromisoformat(day), grade)
            for day, grade in self.conn.execute(
                "SELECT day, grade FROM reviews WHERE card_id = ? AND kind != 'drill' ORDER BY id",
                (card_id,),
            )
        ]

    def all_past_answers(self) -> dict[str, list[PastAnswer]]:
        """Every card's logged answers that moved its schedule, oldest first."""
        answers: dict[str, list[PastAnswer]] = {}
        for card_id, day, grade in self.conn.execute(
            "SELECT card_id, day, grade FROM reviews WHERE kind != 'drill' ORDER BY id"
        ):
            answers.setdefault(card_id, []).append(PastAnswer(date.fromisoformat(day), grade))
        return answers

    def today_for(self, now: datetime) -> date:
        return _study_day(now, self.day_start_hour())

    def undo(self, steps: int, now: datetime) -> list[Undone]:
        """Revert the ``steps`` most recent answers: the state is restored and each log row is
        moved to ``undone_reviews``. Returns what was undone, most recent first."""
        if steps < 1:
            raise UsageError(f"--steps must be 1 or more, not {steps}")
        with self.write() as conn:
            rows = conn.execute(
                "SELECT id, card_id, grade, reviewed_at, kind, before FROM reviews "
                "ORDER BY id DESC LIMIT ?",
                (steps,),
            ).fetchall()
            return [self._revert(row, now) for row in rows]

    def undo_answer(self, answer: Answer, now: datetime) -> Undone | None:
        """Revert one answer this custserv recorded, and nothing else (a session undoes only
        its own answers, never one another custserv gave since). None when that answer is no
        longer in the log (undone elsewhere: its id may then have gone to a later answer, which
        is why the card, grade and moment must match too), or when the card has been answered
        again since (by another custserv): undoing it then would wipe out the later answer."""
        review_id = answer.review_id
        with self.write() as conn:
            row = conn.execute(
                "SELECT id, card_id, grade, reviewed_at, kind, before FROM reviews WHERE id = ?",
                (review_id,),
            ).fetchone()
            if row is None or tuple(row[1:4]) != (answer.card_id, answer.grade, answer.reviewed_at):
                return None
            later = conn.execute(
                "SELECT 1 FROM reviews WHERE card_id = ? AND id > ? AND kind != ? LIMIT 1",
                (row[1], review_id, AnswerKind.DRILL),
            ).fetchone()
            if later is not None and row[4] != AnswerKind.DRILL:
                return None
            return self._revert(row, now)

    def _revert(self, row: tuple[Any, ...], now: datetime) -> Undone:
        """Inside a write: restore the card's state from the log row and move the row to
        ``undone_reviews``."""
        review_id, card_id, grade, reviewed_at, kind, before = row
        if kind != AnswerKind.DRILL:
            restored = codec.from_log(json.loads(before))
            self.conn.execute(codec.UPDATE_STATE, (*codec.to_row(restored), card_id))
        self.conn.execute(
            "INSERT INTO undone_reviews (id, card_id, reviewed_at, day, grade, scheduler, "
            "kind, before, after, duration_ms, undone_at) SELECT id, card_id, "
            "reviewed_at, day, grade, scheduler, kind, before, after, duration_ms, ? "
            "FROM reviews WHERE id = ?",
            (now.isoformat(timespec="milliseconds"), review_id),
        )
        self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
        return Undone(card_id, grade, reviewed_at, kind)

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

    def bury(self, card_id: str, until: date | None) -> date | None:
        """Hide a card until the study day ``until`` (None: not buried); returns the day it
        was buried until before (so that the burial can be undone)."""
        record = self.active_card(card_id)
        with self.write() as conn:
            conn.execute(
                "UPDATE state SET buried_until = ? WHERE card_id = ?",
                (until.isoformat() if until else None, card_id),
            )
        return record.buried_until

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

    def topics_from(self, folder: Path) -> list[str]:
        """The active topics last synced from the deck folder ``folder``."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT slug FROM topics WHERE origin = ? AND retired = 0 ORDER BY slug",
                (str(folder),),
            )
        ]

    def topic_slugs(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute("SELECT slug FROM topics WHERE retired = 0 ORDER BY slug")
        ]


def _put_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Set a ``meta`` entry (None removes it), inside the caller's transaction."""
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _has_log(path: Path) -> bool:
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def _fold_log(conn: sqlite3.Connection) -> None:
    """Copy what a crashed custserv left in the ``-wal`` file into the database file itself,
    as far as no reader holds it back (never waits). Then a copy of the database file alone
    (a sync tool, a hand copy) holds every answer, and a lost ``-wal`` loses nothing."""
    # Busy or read-only: SQLite folds it in later; nothing is lost either way.
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _study_day(now: datetime, day_start_hour: int) -> date:
    from custserv_cards import clock

    return clock.study_day(now, day_start_hour)


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


#: The tables every custserv schema has; a SQLite file without them is another program's.
CUSTSERV_TABLES = frozenset(
    {"_sqlite_migrations", "topics", "cards", "state", "reviews", "settings", "meta"}
)


def _check_custserv(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Refuse a SQLite file that is not a custserv database, before anything is written to it:
    only an empty database (no tables, user_version 0) is adopted."""
    tables = {
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if version == 0 and not tables:
        return
    if version > 0 and tables >= CUSTSERV_TABLES:
        return
    shown = ", ".join(sorted(tables)[:4]) + (", ..." if len(tables) > 4 else "")
    holding = f"tables: {shown}" if tables else "no tables"
    raise DataError(
        f"{path} is a SQLite database of another program, not custserv's ({holding}); it was "
        "left untouched — choose another file with --db or CUSTSERV_DB"
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(
            f"cannot create the folder {folder} ({error.strerror}); "
            "choose another place with --db or CUSTSERV_DB"
        ) from None


def storage_problem(path: Path) -> str | None:
    """Why files cannot be written beside ``path``, when the folder or its disk says so:
    ``"read-only"`` (a read-only mount or folder), ``"disk full"``; else ``None``."""
    import os

    folder = path.parent if str(path.parent) else Path(".")
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    if info.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK):
        return "read-only"
    if info.f_bavail * info.f_frsize < 64 * 1024:
        return "disk full"
    return None


def _open_error(path: Path, error: sqlite3.Error) -> DataError:
    if storage_problem(path) is None:
        return DataError(
            f"cannot open the database {path} ({error}); "
            "choose another place with --db or CUSTSERV_DB"
        )
    return _write_error(path, error)


def _database_error(path: Path, error: sqlite3.DatabaseError) -> DataError:
    text = str(error)
    if is_damage(text):
        return DataError(
            f"{path} is damaged ({text}); it was left untouched — run 'custserv doctor' "
            "or restore a backup"
        )
    return _write_error(path, error)


def is_damage(text: str) -> bool:
    """Whether SQLite's message ``text`` means the file itself is damaged (not merely that it
    cannot be opened or written: a read-only folder, a full disk)."""
    return "malformed" in text or "not a database" in text or "disk image" in text


def _write_error(path: Path, error: sqlite3.Error) -> DataError:
    text = str(error)
    problem = storage_problem(path)
    if problem == "read-only":
        return DataError(
            f"cannot write to {path}: its folder {path.parent} is read-only (a read-only disk or "
            "no write permission); nothing was changed — make the folder writable or choose "
            "another file with --db"
        )
    if companion_in_the_way(path) is not None:  # SQLite calls it read-only or unopenable
        return _cannot_open(path, text)
    if "readonly" in text or "read-only" in text:
        return DataError(
            f"cannot write to {path} (read-only); nothing was changed — check its permissions "
            "or choose another file with --db"
        )
    if "full" in text or problem == "disk full":
        return DataError(
            f"cannot write to {path} (disk full); nothing was changed — free some space and retry"
        )
    if "locked" in text or "busy" in text:
        return DataError(
            f"{path} stayed locked by another custserv for {BUSY_TIMEOUT_MS // 1000} s; "
            "nothing was changed — close the other session and retry"
        )
    if "unable to open" in text:
        return _cannot_open(path, text)
    return DataError(f"database error on {path}: {text}")


def _cannot_open(path: Path, text: str) -> DataError:
    why, fix = cannot_open_reason(path)
    return DataError(
        f"cannot open {path} ({text}: {why}); this is not damage and nothing was changed "
        f"— {fix} and retry"
    )


def cannot_open_reason(path: Path) -> tuple[str, str]:
    """Why SQLite could not open ``path`` when its folder is writable and has room, and what
    to do: a ``-wal``, ``-shm`` or ``-journal`` beside it that is not a file (SQLite opens
    them too), else a permission."""
    in_the_way = companion_in_the_way(path)
    if in_the_way is not None:
        return f"{in_the_way} beside it is not a file", f"move {in_the_way} away"
    return "a permission is missing", "check the permissions of the file, its folder, -wal and -shm"


def companion_in_the_way(path: Path) -> str | None:
    """The name of the ``-wal``, ``-shm`` or ``-journal`` beside ``path`` that exists but is
    not a regular file (a folder, say), which SQLite cannot open; else ``None``."""
    import os
    import stat

    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        try:
            mode = os.stat(companion).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            return companion.name
    return None
