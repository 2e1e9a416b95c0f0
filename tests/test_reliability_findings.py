"""Further regression tests for findings 1 to 18 of the reliability review, where the review's
own repro scripts did more than the first tests did. Each test is named after its finding."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from tests.conftest import Run
from tests.test_reliability_store import custserv, old_database

# --- finding 18, as its repro script runs it: an old log whose days go back ---------------


def test_finding18_an_old_log_whose_days_go_back_is_upgraded_and_read_at_once(
    tmp_path: Path,
) -> None:
    """The repro script of finding 18: grade, topics and stats started together on an old
    database whose log is appended to itself, so that each card's days go back (09-08, then
    09-01 again) as the first release wrote them when the clock went back. The fixture has an
    exam date, so each command rebuilds FSRS memories from the log. All three succeed and the
    log keeps every row."""
    db = old_database(tmp_path / "c.db", doublings=4, table="reviews")
    count = "SELECT COUNT(*) FROM reviews"
    reviews = sqlite3.connect(db).execute(count).fetchone()[0]
    started = [
        custserv(db, "grade", "fx-basic", "4"),
        custserv(db, "topics"),
        custserv(db, "stats"),
    ]
    for process in started:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Traceback" not in err and "error" not in err, err
    conn = sqlite3.connect(db)
    assert conn.execute(count).fetchone()[0] == reviews + 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 3
    conn.close()


def test_finding18_card_show_exam_and_doctor_read_a_log_that_goes_back(
    cli: Run, tmp_path: Path
) -> None:
    db = old_database(tmp_path / "c.db", doublings=1, table="reviews")
    for args in (["card", "show", "fx-basic"], ["exam"], ["stats", "--json"], ["doctor"]):
        result = cli("--db", str(db), *args, now="2026-09-20")
        assert result.code == 0, (args, result)
        assert "Traceback" not in result.err


def test_an_fsrs_item_counts_a_day_that_goes_back_as_a_further_answer_that_day() -> None:
    from custserv_cards.scheduler.fsrs import FSRS, item
    from custserv_cards.scheduler.state import PastAnswer

    engine = FSRS().engine
    went_back = [PastAnswer(date(2026, 9, d), g) for d, g in ((1, 4), (8, 3), (1, 4), (10, 5))]
    as_counted = [PastAnswer(date(2026, 9, d), g) for d, g in ((1, 4), (8, 3), (8, 4), (10, 5))]
    got = engine.memory_state(item(went_back))
    expected = engine.memory_state(item(as_counted))
    assert (got.stability, got.difficulty) == (expected.stability, expected.difficulty)
