"""``custserv doctor``: check the database and repair what can be repaired, saying what it did.

Checks, in order:

1. the file is a SQLite database of a schema this custserv knows (never touched otherwise);
2. ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` (damage is reported with the
   newest backup to restore; it is not "repaired" by guesswork);
3. every card has a scheduling state, and each state equals the ``after`` of the card's
   last logged answer (the log is the record; a state that disagrees is set from it, and a
   missing state row is recreated from it);
4. the per-day tally of the log that statistics and reports read (``review_days``: answers,
   passes, earliest due day, time spent) equals a recount of
   the log (it is rebuilt from the log when it does not);
5. the tally of card states that statistics read (``state_tally``: cards per topic, stage,
   due day, suspension, burial and leech, with their ease) equals a recount of the states
   (it is rebuilt from them when it does not).

All repairs run in one transaction. A state with progress but no logged answer is reported
and kept (it is the only record of that progress).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from custserv_cards.errors import DataError
from custserv_cards.migrations import (
    recount_review_days,
    recount_select,
    recount_state_tally,
    recount_state_tally_select,
)

if TYPE_CHECKING:
    from custserv_cards.scheduler.state import CardState
    from custserv_cards.store import Store


@dataclass
class Report:
    """What the doctor found (``problems``: not repaired) and did (``repairs``)."""

    path: Path
    checks: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def _integrity(path: Path) -> tuple[list[str], str | None]:
    """Read-only: the damage ``integrity_check`` finds (empty when the file is sound), and
    SQLite's message when the file could not be read at all for another reason (a read-only
    folder, a full disk, a permission): that is not damage."""
    from custserv_cards.store import is_damage, storage_problem

    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if storage_problem(path) == "read-only" and not (wal.exists() and wal.stat().st_size):
        uri = f"{path.resolve().as_uri()}?immutable=1"  # nothing can change it meanwhile
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        return ([str(error)], None) if is_damage(str(error)) else ([], str(error))
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        return ([str(error)], None) if is_damage(str(error)) else ([], str(error))
    finally:
        conn.close()
    return ([] if rows == ["ok"] else rows), None


def _newest_backup_hint(path: Path) -> str:
    from custserv_cards.backup import list_backups

    copies = list_backups(path)
    if not copies:
        return "no backup of it was found beside it"
    return f"the newest backup of it is {copies[-1]}; copy it over {path} to restore it"


def _cannot_read(path: Path, text: str) -> str:
    from custserv_cards.store import cannot_open_reason, storage_problem

    problem = storage_problem(path)
    if problem == "read-only":
        why, fix = "its folder is read-only", "make the folder writable and run doctor again"
    elif problem == "disk full":
        why, fix = "the disk is full", "free some space and run doctor again"
    else:
        why, fix = cannot_open_reason(path)
        fix += " and run doctor again"
    return (
        f"{path} could not be read ({text}: {why}); this is not damage and nothing was "
        f"changed — do not restore a backup over it; {fix}"
    )


def examine(path: Path, repair: bool = True) -> Report:
    """Check the database at ``path``; with ``repair``, fix the repairable problems.

    Without ``repair`` (``doctor --check``) the file is opened read-only: nothing is
    written, not even the upgrade of an older format."""
    from custserv_cards.migrations import SCHEMA_VERSION
    from custserv_cards.store import Store, _check_header, _has_log, companion_in_the_way

    report = Report(path)
    if not path.exists():
        raise DataError(f"no database at {path}; nothing to check (choose one with --db)")
    if path.stat().st_size > 0:
        _check_header(path)
    if companion_in_the_way(path) is not None:  # SQLite may still read it, but never write it
        report.problems.append(_cannot_read(path, "SQLite cannot use it"))
        return report
    damage, unreadable = _integrity(path)
    if unreadable is not None:
        report.problems.append(_cannot_read(path, unreadable))
        return report
    if damage:
        shown = "; ".join(damage[:3]) + (
            f" (and {len(damage) - 3} more)" if len(damage) > 3 else ""
        )
        report.problems.append(
            f"{path} is damaged: {shown}. It was left untouched; {_newest_backup_hint(path)}"
        )
        return report
    report.checks.append("integrity check: ok")
    with Store.open(path, readonly=not repair, create=False) as store:
        conn = store.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            report.notes.append(
                f"the file has an older format (schema {version}); --check leaves it as it is, "
                "so only its integrity was checked — the next command (or 'custserv doctor') "
                "upgrades it, after keeping a copy in backups/"
            )
            return report
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            tables = sorted({str(r[0]) for r in orphans})
            report.problems.append(
                f"{len(orphans)} rows in {', '.join(tables)} refer to missing cards or topics; "
                "they were kept"
            )
        else:
            report.checks.append("references between tables: ok")
        _check_settings(store, report, repair)
        _check_contents(store, report)
        _check_log(store, report)
        _check_states(store, report, repair)
        _check_buried(store, report, repair)
        _check_tallies(store, report, repair)
        _check_log_days(store, report)
        if not repair and _has_log(path):
            report.notes.append(
                f"{path.name}-wal holds recent answers not yet folded into {path.name}: copy "
                "both files together (any custserv command, or closing the session, folds it in)"
            )
        if repair:
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                report.notes.append("the write-ahead log could not be folded in (busy); harmless")
    return report


def _check_settings(store: Store, report: Report, repair: bool) -> None:
    """Every stored setting must be valid; an invalid one is reset to its default."""
    from custserv_cards.errors import CustservError
    from custserv_cards.store import DEFAULT_SETTINGS, check_setting

    bad: list[tuple[str, str]] = []
    for key, value in store.conn.execute("SELECT key, value FROM settings ORDER BY key"):
        if key not in DEFAULT_SETTINGS:
            continue
        try:
            check_setting(str(key), str(value))
        except (CustservError, ValueError, TypeError):
            bad.append((str(key), str(value)))
    if not bad:
        report.checks.append("settings: ok")
        return
    if not repair:
        report.problems.extend(
            f"setting {key} holds {value!r}, which is not valid; run 'custserv doctor' to reset "
            f"it to {DEFAULT_SETTINGS[key]!r}"
            for key, value in bad
        )
        return
    with store.write() as tx:
        tx.executemany("DELETE FROM settings WHERE key = ?", [(key,) for key, _ in bad])
    report.repairs.extend(
        f"setting {key} held {value!r}, which is not valid; reset to {DEFAULT_SETTINGS[key]!r}"
        for key, value in bad
    )


def _check_contents(store: Store, report: Report) -> None:
    """Every card's stored text must be readable; an unreadable one is reported (the decks
    hold the text: syncing them writes it again)."""
    from custserv_cards.model import Card

    bad: list[str] = []
    for card_id, content in store.conn.execute("SELECT id, content FROM cards ORDER BY id"):
        try:
            Card.from_row({"id": card_id, "content": content})
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            bad.append(str(card_id))
    if not bad:
        report.checks.append("stored card text: ok")
        return
    shown = ", ".join(f"'{c}'" for c in bad[:5]) + (f" and {len(bad) - 5} more" if bad[5:] else "")
    report.problems.append(
        f"the stored text of {len(bad)} cards is unreadable ({shown}); their progress is kept — "
        "run 'custserv decks sync' (with the deck folder, for your own decks) to write it again"
    )


_WHOLE_NUMBERS = ("repetitions", "easiness", "interval", "lapses")


def logged_state(text: str) -> CardState:
    """The state a log line holds; raises ``ValueError`` or ``TypeError`` when the line is
    damaged (not JSON, or a number of the schedule missing or not a whole number)."""
    from custserv_cards.scheduler import codec

    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError("not an object")
    for name in _WHOLE_NUMBERS:
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} is {value!r}")
    return codec.from_log(data)


def _check_log(store: Store, report: Report) -> None:
    """Every answer in the log must be readable; an unreadable one is reported and kept."""

    bad: list[tuple[int, str]] = []
    for review_id, card_id, before, after in store.conn.execute(
        "SELECT id, card_id, before, after FROM reviews ORDER BY id"
    ):
        try:
            for text in (before, after):
                logged_state(text)
        except (ValueError, KeyError, TypeError, AttributeError):
            bad.append((int(review_id), str(card_id)))
    if not bad:
        report.checks.append("review log: every answer readable")
        return
    report.problems.extend(
        f"answer {review_id} in the log (card '{card_id}') is unreadable; it was kept, and the "
        "card's schedule is not set from it"
        for review_id, card_id in bad
    )


def _check_states(store: Store, report: Report, repair: bool) -> None:
    from custserv_cards.scheduler import codec

    conn = store.conn
    columns = ", ".join(f"s.{c}" for c in codec.COLUMNS)
    cards = conn.execute(
        f"SELECT c.id, s.card_id IS NOT NULL, {columns} FROM cards c "
        "LEFT JOIN state s ON s.card_id = c.id ORDER BY c.id"
    ).fetchall()
    last_after = dict(
        conn.execute(
            "SELECT r.card_id, r.after FROM reviews r JOIN ("
            "  SELECT card_id, MAX(id) AS id FROM reviews WHERE kind != 'drill' GROUP BY card_id"
            ") m ON m.id = r.id"
        ).fetchall()
    )
    fixes: list[tuple[str, CardState | None, bool, str]] = []
    kept = 0
    for row in cards:
        card_id, has_state = row[0], bool(row[1])
        try:
            state = codec.from_row(row[2:]) if has_state else None
        except (ValueError, TypeError):
            state, unreadable = None, True
        else:
            unreadable = False
        logged = last_after.get(card_id)
        if logged is None:
            if unreadable:
                report.problems.append(
                    f"card '{card_id}' has an unreadable schedule and no logged answer to rebuild "
                    "it from; it was kept as it is"
                )
            elif state is None:
                fixes.append((card_id, None, False, "had no scheduling state; a new one was made"))
            elif not state.is_new:
                kept += 1
            continue
        try:
            wanted = logged_state(logged)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # reported by _check_log; an unreadable answer never sets a schedule
        if unreadable:
            fixes.append(
                (card_id, wanted, True, "had an unreadable schedule; set from its last answer")
            )
        elif state is None:
            fixes.append(
                (card_id, wanted, False, "had no scheduling state; rebuilt from its last answer")
            )
        elif wanted != state:
            differing = ", ".join(
                name
                for name, have, want in zip(
                    codec.COLUMNS, codec.to_row(state), codec.to_row(wanted), strict=True
                )
                if have != want
            )
            fixes.append(
                (
                    card_id,
                    wanted,
                    True,
                    f"state disagreed with its last answer ({differing}); set from the log",
                )
            )
    report.checks.append(
        f"{len(cards)} cards, {len(last_after)} with answers: "
        + ("states agree with the log" if not fixes else f"{len(fixes)} disagree")
    )
    if kept:
        report.notes.append(
            f"{kept} cards have progress but no logged answer (e.g. the log was undone); "
            "their state was kept"
        )
    if not fixes:
        return
    if not repair:
        report.problems.extend(
            f"card '{cid}' "
            + ("disagrees with its last logged answer" if exists else "has no scheduling state")
            + "; run 'custserv doctor' to repair it"
            for cid, _s, exists, _w in fixes
        )
        return
    with store.write() as tx:
        for card_id, fix, exists, _what in fixes:
            if fix is None:
                tx.execute("INSERT OR IGNORE INTO state (card_id) VALUES (?)", (card_id,))
            elif exists:
                tx.execute(codec.UPDATE_STATE, (*codec.to_row(fix), card_id))
            else:
                tx.execute(codec.INSERT_STATE, (card_id, *codec.to_row(fix)))
    report.repairs.extend(f"card '{cid}' {what}" for cid, _s, _e, what in fixes)


def _check_buried(store: Store, report: Report, repair: bool) -> None:
    """A card is buried until a valid day; any other value is cleared (the card shows again)."""
    from datetime import date

    bad: list[str] = []
    for card_id, until in store.conn.execute(
        "SELECT card_id, buried_until FROM state WHERE buried_until IS NOT NULL"
    ):
        try:
            date.fromisoformat(str(until))
        except ValueError:
            bad.append(str(card_id))
    if not bad:
        return
    if not repair:
        report.problems.extend(
            f"card '{c}' is buried until an invalid day; run 'custserv doctor' to unbury it"
            for c in bad
        )
        return
    with store.write() as tx:
        tx.executemany(
            "UPDATE state SET buried_until = NULL WHERE card_id = ?", [(c,) for c in bad]
        )
    report.repairs.extend(f"card '{c}' was buried until an invalid day; unburied" for c in bad)


@dataclass(frozen=True)
class _Tally:
    """A table kept by triggers, what it counts and how to recount it."""

    name: str  # "daily tally of the log"
    source: str  # "the log": what it is recounted from
    rows: str  # the tally, ordered
    recount: str  # the same rows from the source, ordered alike
    rebuild: Callable[[sqlite3.Connection], None]


_TALLIES = (
    _Tally(
        "daily tally of the log",
        "the log",
        "SELECT day, topic, kind, reviews, passed, min_due, ms FROM review_days ORDER BY 1, 2, 3",
        recount_select() + " ORDER BY 1, 2, 3",
        recount_review_days,
    ),
    _Tally(
        "tally of card states",
        "the states",
        "SELECT * FROM state_tally ORDER BY 1, 2, 3, 4, 5, 6",
        recount_state_tally_select() + " ORDER BY 1, 2, 3, 4, 5, 6",
        recount_state_tally,
    ),
)


def _check_tallies(store: Store, report: Report, repair: bool) -> None:
    """Each tally statistics read equals a recount from what it counts; rebuilt if not."""
    conn = store.conn
    for tally in _TALLIES:
        if conn.execute(tally.rows).fetchall() == conn.execute(tally.recount).fetchall():
            report.checks.append(f"{tally.name}: ok")
        elif not repair:
            report.problems.append(
                f"the {tally.name} disagrees with {tally.source}; run 'custserv doctor' to "
                "rebuild it"
            )
        else:
            with store.write() as tx:
                tally.rebuild(tx)
            report.repairs.append(f"the {tally.name} was rebuilt from {tally.source}")


_BACKWARDS = (
    "SELECT card_id, day, earlier FROM (SELECT id, card_id, day, MAX(day) OVER ("
    "  PARTITION BY card_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    ") AS earlier FROM reviews WHERE kind != 'drill') WHERE day < earlier ORDER BY id"
)


def _check_log_days(store: Store, report: Report) -> None:
    """Answers logged on a study day before an earlier answer of the same card: the clock went
    back or the time zone changed before custserv counted such answers as repeats. The log is
    history, so it is kept; the note says why those cards' intervals may have grown early."""
    rows = store.conn.execute(_BACKWARDS).fetchall()
    if not rows:
        report.checks.append("study days of each card's answers: in order")
        return
    card_id, day, earlier = rows[0]
    more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
    report.notes.append(
        f"card '{card_id}' has an answer on {day} logged after one on {earlier}{more}: the "
        "clock went back or the time zone changed; the log is kept as it is, and such answers "
        "now count as repeats of the card's last study day"
    )
