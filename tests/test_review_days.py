"""The per-day tally of the review log (``review_days``) always equals a recount of the log."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run

from custserv_cards.doctor import _TALLIES
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths


def tally_matches(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        daily = _TALLIES[0]  # the daily tally of the log
        return conn.execute(daily.rows).fetchall() == conn.execute(daily.recount).fetchall()
    finally:
        conn.close()


def test_tally_follows_answers_and_undo(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    rng = random.Random(5)
    with Store.open(db) as store:
        sync_paths(store)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY id LIMIT 12")]
        moment = datetime(2026, 11, 1, 10, 0).astimezone()
        for step in range(300):
            if rng.random() < 0.15:
                store.undo(rng.randint(1, 3), moment)
            else:
                practice = rng.random() < 0.1
                store.record_answer(
                    rng.choice(ids),
                    rng.randint(0, 5),
                    moment,
                    practice=practice,
                    duration_ms=rng.choice((None, 800, 4200, 61000)),
                )
            if step % 20 == 19:
                moment += timedelta(days=rng.choice((1, 1, 2, 4)))
            assert tally_matches(db), step
        rows = store.conn.execute("SELECT SUM(reviews) FROM review_days").fetchone()[0]
        assert rows == store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


@pytest.mark.parametrize("column", ["reviews", "ms"])
def test_doctor_rebuilds_a_wrong_tally(cli: Run, db_path: Path, column: str) -> None:
    """A wrong count of answers, or of the time spent (migration 4), is found and rebuilt."""
    assert cli("grade", "poor-service-causes", "4", now="2026-11-23T10:00").code == 0
    conn = sqlite3.connect(db_path)
    conn.execute(f"UPDATE review_days SET {column} = {column} + 5")
    conn.commit()
    conn.close()
    assert not tally_matches(db_path)
    checked = cli("doctor", "--check")
    assert checked.code != 0 and "disagrees" in checked.out + checked.err, checked
    repaired = cli("doctor")
    assert repaired.code == 0, repaired
    assert "the daily tally of the log was rebuilt from the log" in repaired.out
    assert tally_matches(db_path)


def _log_answered(store: Store, start: str, end: str) -> dict[str, tuple[int, float]]:
    rows = store.conn.execute(
        "SELECT c.topic, COUNT(*), TOTAL(r.duration_ms) FROM reviews r "
        "JOIN cards c ON c.id = r.card_id JOIN topics t ON t.slug = c.topic "
        "WHERE c.retired = 0 AND t.retired = 0 AND r.day >= ? AND r.day <= ? GROUP BY c.topic",
        (start, end),
    )
    return {topic: (n, ms) for topic, n, ms in rows}


def test_report_answers_and_minutes_agree_with_the_log(tmp_path: Path) -> None:
    """Reports read answers, minutes and days studied from the tally; with a retired card
    (which the tally still counts) they read the log; either way the figures are the log's."""
    from custserv_cards import stats, teacher

    rng = random.Random(9)
    with Store.open(tmp_path / "m.db") as store:
        sync_paths(store)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY id LIMIT 30")]
        moment = datetime(2026, 10, 1, 10, 0).astimezone()
        for step in range(200):
            store.record_answer(
                rng.choice(ids), rng.randint(0, 5), moment, duration_ms=rng.randint(500, 90000)
            )
            if step % 15 == 14:
                moment += timedelta(days=rng.choice((1, 2, 3)))
        slugs = store.topic_slugs()
        start, end = "2026-10-05", "2026-11-30"
        for retire in (False, True):
            if retire:
                store.conn.execute("UPDATE cards SET retired = 1 WHERE id = ?", (ids[0],))
            stats.prepare(store.conn)
            tallied = teacher.tally_serves(store.conn, slugs)
            assert tallied is not retire
            period = {"start": start, "end": end}
            answered, days = teacher._answered(store.conn, slugs, period, tallied)
            assert answered == _log_answered(store, start, end)
            # the last days' activity, from the tally when it serves, agrees with the log
            last = date.fromisoformat(end)
            recent = teacher.recent_activity(store.conn, last, slugs, tallied, 60)
            assert recent == teacher.recent_activity(store.conn, last, slugs, False, 60)
            assert sum(d.answers for d in recent) > 0 and sum(d.started for d in recent) > 0
            (expected_days,) = store.conn.execute(
                "SELECT COUNT(DISTINCT r.day) FROM reviews r JOIN temp.active_cards c "
                "ON c.id = r.card_id WHERE r.day >= ? AND r.day <= ?",
                (start, end),
            ).fetchone()
            assert days == expected_days > 5
            # the first and last days with answers to active cards (read along the day index)
            for upto in (start, end, "2026-10-01", "2026-09-30"):
                edges = store.conn.execute(
                    "SELECT MIN(r.day), MAX(r.day) FROM reviews r "
                    "JOIN temp.active_cards c ON c.id = r.card_id WHERE r.day <= ?",
                    (upto,),
                ).fetchone()
                found = tuple(teacher._edge_day(store.conn, upto, o) for o in ("ASC", "DESC"))
                assert found == edges


def test_migration_4_counts_the_time_of_answers_already_logged(tmp_path: Path) -> None:
    """A schema-3 database (answers with durations, one undone) gets ``ms`` from its log."""
    import shutil

    db = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema3.db", db)
    Store.open(db).close()
    conn = sqlite3.connect(db)
    try:
        (tallied,) = conn.execute("SELECT SUM(ms) FROM review_days").fetchone()
        (logged, answers) = conn.execute(
            "SELECT TOTAL(duration_ms), COUNT(*) FROM reviews"
        ).fetchone()
    finally:
        conn.close()
    assert answers >= 5 and tallied == logged > 0
    assert tally_matches(db)
