"""Further regression tests for findings 1 to 18 of the reliability review, where the review's
own repro scripts did more than the first tests did. Each test is named after its finding."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.conftest import Run

FIXTURES = Path(__file__).parent / "fixtures"


# --- finding 18, as its repro script runs it: an old log whose days go back ---------------


def old_database_with_a_doubled_log(path: Path, doublings: int) -> Path:
    """The schema 1 fixture with its review log appended to itself ``doublings`` times, as the
    review's repro script does to make the file bigger. The copies put each card's days out of
    order (09-08, then 09-01 again), as the first release wrote when the clock went back."""
    shutil.copyfile(FIXTURES / "schema1.db", path)
    conn = sqlite3.connect(path)
    for _ in range(doublings):
        conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, grade, scheduler, kind, before, "
            "after, duration_ms) SELECT card_id, reviewed_at, day, grade, scheduler, kind, "
            "before, after, duration_ms FROM reviews ORDER BY id"
        )
    conn.commit()
    conn.close()
    return path


def test_finding18_an_old_log_whose_days_go_back_is_upgraded_and_read_at_once(
    tmp_path: Path,
) -> None:
    """The repro script of finding 18: grade, topics and stats started together on an old
    database whose log goes back in time (the fixture has an exam date, so every one of them
    rebuilds FSRS memories from the log). All three succeed and the log keeps every row."""
    db = old_database_with_a_doubled_log(tmp_path / "c.db", doublings=4)
    count = "SELECT COUNT(*) FROM reviews"
    reviews = sqlite3.connect(db).execute(count).fetchone()[0]
    env = {**os.environ, "CUSTSERV_DB": str(db), "NO_COLOR": "1"}
    env.pop("CUSTSERV_NOW", None)
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "custserv_cards", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in (["grade", "fx-basic", "4"], ["topics"], ["stats"])
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
    db = old_database_with_a_doubled_log(tmp_path / "c.db", doublings=1)
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
