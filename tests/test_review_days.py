"""The per-day tally of the review log (``review_days``) always equals a recount of the log."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from conftest import Run

from custserv_cards.doctor import _RECOUNT, _TALLY
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths


def tally_matches(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(_TALLY).fetchall() == conn.execute(_RECOUNT).fetchall()
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
                store.record_answer(rng.choice(ids), rng.randint(0, 5), moment, practice=practice)
            if step % 20 == 19:
                moment += timedelta(days=rng.choice((1, 1, 2, 4)))
            assert tally_matches(db), step
        rows = store.conn.execute("SELECT SUM(reviews) FROM review_days").fetchone()[0]
        assert rows == store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


def test_doctor_rebuilds_a_wrong_tally(cli: Run, db_path: Path) -> None:
    assert cli("grade", "poor-service-causes", "4", now="2026-11-23T10:00").code == 0
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE review_days SET reviews = reviews + 5")
    conn.commit()
    conn.close()
    assert not tally_matches(db_path)
    checked = cli("doctor", "--check")
    assert checked.code != 0 or "disagrees" in checked.out + checked.err, checked
    repaired = cli("doctor")
    assert repaired.code == 0, repaired
    assert "the daily tally of the log was rebuilt from the log" in repaired.out
    assert tally_matches(db_path)
