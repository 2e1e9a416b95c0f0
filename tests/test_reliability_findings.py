"""Further regression tests for findings 1 to 18 of the reliability review, where the review's
own repro scripts did more than the first tests did. Each test is named after its finding."""

from __future__ import annotations

import json
import multiprocessing
import random
import sqlite3
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run, write_deck
from ptyscreen import TODAY, Screen, db, query, screens, template_db
from test_session_reliability import FIRST, first_card_answered

from custserv_cards.store import Store
from custserv_cards.sync import sync_paths
from tests.test_reliability_store import custserv, old_database

__all__ = ["db", "screens", "template_db"]  # fixtures

# --- finding 1: an undo elsewhere, then a new answer that is given the undone answer's id ---


def test_finding01_undo_answer_checks_the_answer_and_not_only_its_id(tmp_path: Path) -> None:
    """The log's ids are reused: after another custserv undoes this session's newest answer,
    the next answer recorded anywhere gets its id. The session's undo must leave that one."""
    moment = datetime(2026, 11, 23, 12, 0).astimezone()
    write_deck(tmp_path / "decks", "alpha")
    with Store.open(tmp_path / "custserv.db") as store:
        sync_paths(store, [tmp_path / "decks"])
        for card, grade in (("t-cloze", 5), ("t-basic", 5)):  # another card, the same card
            mine = store.record_answer("t-basic", 4, moment)
            assert store.undo(1, moment + timedelta(seconds=1))  # `custserv undo` elsewhere
            theirs = store.record_answer(card, grade, moment + timedelta(seconds=2))
            assert theirs.review_id == mine.review_id
            assert store.undo_answer(mine, moment + timedelta(seconds=3)) is None
            logged = store.conn.execute("SELECT id, card_id, grade FROM reviews").fetchall()
            assert logged == [(theirs.review_id, card, grade)]
            assert store.undo_answer(theirs, moment + timedelta(seconds=4)) is not None


def test_finding01_session_undo_after_an_undo_elsewhere_keeps_the_later_answer(
    db: Path, screens: list[Screen]
) -> None:
    screen = first_card_answered(db, screens)
    with Store.open(db) as other:  # another terminal: custserv undo, then custserv grade c3 5
        assert [u.card_id for u in other.undo(1, datetime.fromisoformat(f"{TODAY}T12:01"))] == [
            FIRST
        ]
        other.record_answer("c3", 5, datetime.fromisoformat(f"{TODAY}T12:02"))
    screen.press("u")
    screen.wait("was not undone")
    assert query(db, "SELECT card_id, grade FROM reviews") == [("c3", 5)]
    screen.press("q")
    assert screen.finish() == 0


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


# --- finding 5 in a real session: the database deleted between two answers -----------------


def test_finding05_a_session_stops_at_the_first_answer_after_its_database_is_deleted(
    db: Path, screens: list[Screen]
) -> None:
    screen = first_card_answered(db, screens)
    screen.wait("Question c2?")
    db.unlink()  # another terminal: rm custserv.db (its -wal and -shm stay)
    screen.press(" ")
    screen.wait("Answer c2.")
    screen.press("4")
    screen.wait("was deleted while custserv had it open", "nothing more was saved")
    assert screen.finish() == 1
    assert "Traceback" not in screen.text and "Cards answered" not in screen.text
    assert not db.exists()  # nothing made an empty database in its place on the way out
    rescued = list(db.parent.glob("custserv-rescued-*.db"))
    assert len(rescued) == 1 and query(rescued[0], "SELECT card_id, grade FROM reviews") == [
        (FIRST, 4)
    ]


# --- finding 14 in a real session: a terminal whose encoding is not UTF-8 -------------------


def test_finding14_a_review_on_an_ascii_terminal_works(
    db: Path, screens: list[Screen], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")  # the first screen's '·' crashed it
    screen = first_card_answered(db, screens)
    screen.wait("Question c2?")
    screen.press("q")
    assert screen.finish() == 0
    assert "Traceback" not in screen.text and "UnicodeEncodeError" not in screen.text
    assert query(db, "SELECT card_id, grade FROM reviews") == [(FIRST, 4)]


# --- finding 2 for every command that writes a file: never the database --------------------


def test_finding02_exports_never_write_over_the_database(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "study.apkg"  # a database whose name an export could be given
    assert cli("--db", str(db), "grade", "sales-process-stages", "4", now="2026-01-10").code == 0
    before = db.read_bytes()
    for command in (["export", "reviews"], ["export", "anki"]):
        for target in (str(db), f"{db}-wal", f"{db}-journal"):
            result = cli("--db", str(db), *command, target, "--force", now="2026-01-10")
            assert result.code == 1, (command, target, result)
            assert len(result.err.strip().splitlines()) == 1 and "database" in result.err
            assert db.read_bytes() == before
    assert not Path(f"{db}-journal").exists()


# --- finding 9: early answers compound nothing, not even through EF ------------------------


def test_finding09_early_successes_leave_ef_as_it_was() -> None:
    """Sixty daily 5s (a quiz --record every day) and then three answers on their due days:
    EF rose by 0.1 only for the two answers not given early, so the intervals after the
    drilling are SM-2's usual ones, not 77, 655 and 5,568 days (EF 8.5)."""
    from custserv_cards.scheduler.sm2 import review
    from custserv_cards.scheduler.state import CardState

    state, day = CardState(), date(2026, 1, 1)
    for _ in range(60):
        state, _kind = review(state, 5, day)
        day += timedelta(days=1)
    assert state.sm2.easiness == 270 and state.interval == 6
    intervals = []
    for _ in range(3):
        assert state.due is not None
        state, _kind = review(state, 4, state.due)
        intervals.append(state.interval)
    assert intervals == [17, 46, 125]  # ceil(6 x 2.7), ceil(17 x 2.7), ceil(46 x 2.7)
    failed, _kind = review(state, 3, state.due - timedelta(days=1))  # early and difficult
    assert failed.sm2.easiness == 256  # a lower grade still lowers EF, early or not


def test_finding09_quiz_record_every_day_keeps_ef(cli: Run) -> None:
    for day in range(2, 17):
        assert cli("grade", "sales-process-stages", "5", now=f"2026-01-{day:02d}").code == 0
    shown = json.loads(cli("card", "show", "sales-process-stages", "--json").out)
    assert shown["state"]["easiness"] == 2.7 and shown["state"]["interval"] == 6


# --- finding 1 under load: a session's undos while another custserv answers and undoes -----

ROUNDS = 300


def _other_custserv(db: Path, seed: int) -> None:
    """In a child process: answer (odd milliseconds) or run `custserv undo`, at random."""
    rng = random.Random(seed)
    with Store.open(db) as store:
        cards = [row[0] for row in store.conn.execute("SELECT id FROM cards")]
        for i in range(ROUNDS):
            time.sleep(rng.random() * 0.004)
            moment = datetime(2026, 1, 10, 9, 0).astimezone() + timedelta(milliseconds=2 * i + 1)
            if rng.random() < 0.5:
                store.record_answer(rng.choice(cards), rng.randint(0, 5), moment)
            else:
                store.undo(1, moment)


def test_finding01_a_session_never_undoes_another_custservs_answer_under_load(
    tmp_path: Path,
) -> None:
    """This process plays the session (answers at even milliseconds, and undoes its own newest
    one); a child answers and undoes the newest answer in the log. Whatever the interleaving
    (the child's undo takes the session's answers too, and their ids go to later answers),
    each undo of the session's takes back exactly its own answer or nothing."""
    write_deck(tmp_path / "decks", "alpha")
    db = tmp_path / "custserv.db"
    with Store.open(db) as store:
        sync_paths(store, [tmp_path / "decks"])
    child = multiprocessing.get_context("fork").Process(target=_other_custserv, args=(db, 2))
    child.start()
    rng, own, counts = random.Random(1), [], {"undone": 0, "refused": 0}
    with Store.open(db) as store:
        cards = [row[0] for row in store.conn.execute("SELECT id FROM cards")]
        for i in range(ROUNDS):
            time.sleep(rng.random() * 0.004)
            moment = datetime(2026, 1, 10, 9, 0).astimezone() + timedelta(milliseconds=2 * i)
            if rng.random() < 0.55 or not own:
                own.append(store.record_answer(rng.choice(cards), rng.randint(0, 5), moment))
                continue
            mine = own.pop()
            undone = store.undo_answer(mine, moment)
            if undone is None:
                counts["refused"] += 1
                continue
            assert (undone.card_id, undone.grade, undone.reviewed_at) == (
                mine.card_id,
                mine.grade,
                mine.reviewed_at,
            )
            counts["undone"] += 1
    child.join(timeout=120)
    assert child.exitcode == 0
    assert counts["undone"] > 0, counts
    print(f"session undos: {counts['undone']} of its own answers, {counts['refused']} refused")
