"""Opening, upgrading and checking the database never loses or alters the learner's history.

Each test is named after the finding of the reliability review it covers.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import Run

NOW = "2026-01-10"
CARD = "def-customer-service-revision-notes"
FIXTURES = Path(__file__).parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def foreign(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return path


# --- finding 4: foreign SQLite files -------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT);"
        "INSERT INTO bookmarks (url) VALUES ('https://example.com');",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY); PRAGMA user_version = 1;",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY); PRAGMA user_version = 2;",
        "PRAGMA user_version = 2; CREATE TABLE t (x); DROP TABLE t;",
    ],
    ids=["bookmarks", "version1", "version2", "version2-empty"],
)
def test_finding04_a_foreign_sqlite_file_is_refused_untouched(
    cli: Run, tmp_path: Path, script: str
) -> None:
    path = foreign(tmp_path / "places.sqlite", script)
    before, listing = digest(path), files_in(tmp_path)
    for args in (["topics"], ["stats"], ["grade", CARD, "4"], ["doctor", "--check"], ["doctor"]):
        result = cli("--db", str(path), *args, now=NOW)
        assert result.code == 1, (args, result)
        assert "another program" in one_line(result.err), (args, result.err)
        assert digest(path) == before, args
        assert files_in(tmp_path) == listing, args


def test_finding04_an_empty_sqlite_file_is_adopted(cli: Run, tmp_path: Path) -> None:
    path = foreign(tmp_path / "new.db", "PRAGMA user_version = 0;")
    result = cli("--db", str(path), "grade", CARD, "4", now=NOW)
    assert result.code == 0, result
    assert "new one was created" not in result.err


# --- a --db that does not exist yet ---------------------------------------------------------


def test_new_database_is_announced_once_on_stderr(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "typo" / "custserv.db"
    first = cli("--db", str(path), "topics", now=NOW)
    assert first.code == 0, first
    assert "new one was created" in one_line(first.err) and str(path) in first.err
    assert str(path) not in first.out
    second = cli("--db", str(path), "topics", now=NOW)
    assert second.code == 0 and second.err == ""


def test_new_database_is_announced_after_the_first_command_that_works(
    cli: Run, tmp_path: Path
) -> None:
    """An error stays one line; the note comes with the first command that works."""
    path = tmp_path / "typo.db"
    failed = cli("--db", str(path), "grade", "no-such-card", "4", now=NOW)
    assert failed.code == 1
    assert "no card with id" in one_line(failed.err)
    worked = cli("--db", str(path), "topics", now=NOW)
    assert worked.code == 0 and "new one was created" in one_line(worked.err)
    assert cli("--db", str(path), "topics", now=NOW).err == ""


# --- finding 5: the database deleted while a session has it open ----------------------------


@contextlib.contextmanager
def open_store(path: Path) -> Iterator[object]:
    from custserv_cards.store import Store
    from custserv_cards.sync import sync_bundled_if_changed

    store = Store.open(path)
    try:
        sync_bundled_if_changed(store)
        yield store
    finally:
        store.close()


def test_finding05_a_deleted_database_stops_the_session_and_keeps_its_answers(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from custserv_cards.cli import common
    from custserv_cards.errors import DataError
    from custserv_cards.store import Store

    monkeypatch.setenv("CUSTSERV_NOW", "2026-01-10T12:00")
    moment = datetime.fromisoformat("2026-01-10T12:00:00+00:00")
    with open_store(db_path) as opened:
        assert isinstance(opened, Store)
        opened.record_answer(CARD, 4, moment)
        opened.record_answer("sales-process-stages", 3, moment)
        db_path.unlink()
        with pytest.raises(DataError) as raised:
            opened.record_answer("def-customer-loyalty", 5, moment)
        message = str(raised.value)
        assert "was deleted while custserv had it open" in message
        assert "nothing more was saved" in message
    rescued = list(db_path.parent.glob("custserv-rescued-*.db"))
    assert len(rescued) == 1 and rescued[0].name in message
    conn = sqlite3.connect(rescued[0])
    answers = conn.execute("SELECT card_id, grade FROM reviews ORDER BY id").fetchall()
    conn.close()
    assert answers == [(CARD, 4), ("sales-process-stages", 3)]
    # What runs after every command never makes an empty database in its place.
    common.options.opened = db_path
    common.after_command()
    assert not db_path.exists()


def test_finding05_a_replaced_database_is_never_written_as_if_it_were_the_same(
    db_path: Path, tmp_path: Path
) -> None:
    from custserv_cards.errors import DataError
    from custserv_cards.store import Store

    moment = datetime.fromisoformat("2026-01-10T12:00:00+00:00")
    with open_store(db_path) as opened:
        assert isinstance(opened, Store)
        opened.record_answer(CARD, 4, moment)
        other = tmp_path / "other.db"
        shutil.copyfile(db_path, other)
        os.replace(other, db_path)  # e.g. a backup restored with mv while studying
        replaced = digest(db_path)
        with pytest.raises(DataError, match="replaced by another file"):
            opened.record_answer(CARD, 5, moment)
    assert digest(db_path) == replaced


# --- finding 18: several custserv opening an old database at once ---------------------------


def old_database(path: Path, doublings: int, table: str = "undone_reviews") -> Path:
    """The schema 1 fixture, its undo history (or another ``table``) appended to itself
    ``doublings`` times: a bigger file takes longer to copy before the upgrade."""
    shutil.copyfile(FIXTURES / "schema1.db", path)
    conn = sqlite3.connect(path)
    columns = ", ".join(
        row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] != "id"
    )
    for _ in range(doublings):
        conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} ORDER BY id")
    conn.commit()
    conn.close()
    return path


def custserv(db: Path, *args: str, now: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "CUSTSERV_DB": str(db), "NO_COLOR": "1"}
    env.pop("CUSTSERV_NOW", None)
    if now:
        env["CUSTSERV_NOW"] = now
    return subprocess.Popen(
        [sys.executable, "-m", "custserv_cards", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_finding18_three_custserv_upgrading_one_old_database_all_succeed(tmp_path: Path) -> None:
    for attempt in range(3):
        folder = tmp_path / f"run{attempt}"
        folder.mkdir()
        db = old_database(folder / "c.db", doublings=14)
        reviews = sqlite3.connect(db).execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
        started = [
            custserv(db, "config", "new_per_day", "15"),
            custserv(db, "topics"),
            custserv(db, "stats"),
        ]
        results = [(p.wait(timeout=120), *p.communicate()) for p in started]
        for code, _out, err in results:
            assert code == 0, err
            assert "error" not in err and "failed" not in err, err
        copies = sorted(p.name for p in (folder / "backups").glob("c-schema1-*.db"))
        assert len(copies) == 1, copies
        conn = sqlite3.connect(folder / "backups" / copies[0])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == reviews
        conn.close()
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == reviews
        assert conn.execute("SELECT value FROM settings WHERE key = 'new_per_day'").fetchone() == (
            "15",
        )
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 3
        conn.close()


def test_finding18_an_interrupted_upgrade_never_locks_the_learner_out(
    cli: Run, tmp_path: Path
) -> None:
    """The copy of an upgrade killed before its commit is in the way of the next attempt's
    copy (same name, clock pinned): the upgrade still goes ahead, keeping both copies."""
    db = old_database(tmp_path / "c.db", doublings=0)
    backups = tmp_path / "backups"
    backups.mkdir()
    earlier = backups / "c-schema1-20260110-120000.db"
    shutil.copyfile(db, earlier)
    kept = digest(earlier)
    result = cli("--db", str(db), "topics", now="2026-01-10T12:00")
    assert result.code == 0, result
    assert digest(earlier) == kept
    assert len(list(backups.glob("c-schema1-*.db"))) == 2


def test_finding18_doctor_check_never_upgrades_an_old_database(cli: Run, tmp_path: Path) -> None:
    db = old_database(tmp_path / "c.db", doublings=0)
    before, listing = digest(db), files_in(tmp_path)
    result = cli("--db", str(db), "doctor", "--check", now=NOW)
    assert result.code == 0, result
    assert "older format" in result.out
    assert digest(db) == before
    assert files_in(tmp_path) == listing
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


# --- finding 3 (second case) and finding 31: cannot open is not damage ----------------------


@pytest.fixture
def used_db(cli: Run, db_path: Path) -> Path:
    assert cli("grade", CARD, "4", now=NOW).code == 0
    return db_path


def test_finding03_doctor_does_not_call_an_unreadable_file_damaged(cli: Run, used_db: Path) -> None:
    wal = Path(f"{used_db}-wal")
    wal.mkdir()  # SQLite cannot open its write-ahead log: "disk I/O error"
    before = digest(used_db)
    result = cli("doctor", now=NOW)
    assert result.code == 1, result
    line = one_line(result.err)
    assert "not damage" in line and "damaged" not in line and "copy it over" not in line
    assert digest(used_db) == before


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return made.returncode == 0


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "mnt"
    if os.geteuid() != 0 or shutil.which("mount") is None or not _mount_tmpfs(folder, "8m"):
        pytest.skip("needs to mount a tmpfs (root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_finding31_a_read_only_folder_can_still_be_read_and_backed_up(
    cli: Run, used_db: Path, mounted: Path, tmp_path: Path
) -> None:
    db = mounted / "c.db"
    shutil.copyfile(used_db, db)
    assert cli("--db", str(db), "topics", now=NOW).code == 0  # today's copy beside it
    subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
    before = digest(db)
    for args in (["topics"], ["stats"], ["card", "show", CARD], ["report", "-f", "md", "-o", "-"]):
        result = cli("--db", str(db), *args, now=NOW)
        assert result.code == 0, (args, result)
        assert result.err == "", (args, result.err)
    copy = tmp_path / "copy.db"
    saved = cli("--db", str(db), "backup", str(copy), now=NOW)
    assert saved.code == 0, saved
    assert sqlite3.connect(copy).execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
    graded = cli("--db", str(db), "grade", CARD, "5", now=NOW)
    assert graded.code == 1
    assert "read-only" in one_line(graded.err) and "unable to open" not in graded.err
    doctor = cli("--db", str(db), "doctor", "--check", now=NOW)
    assert doctor.code == 0, doctor
    assert digest(db) == before


def test_finding31_a_read_only_folder_with_answers_in_the_wal_says_how_to_read_them(
    cli: Run, used_db: Path, mounted: Path, tmp_path: Path
) -> None:
    """Without a -shm, SQLite can read a -wal only by writing one: the message says so and how
    to get at the answers (the copy it suggests is read with them)."""
    db = mounted / "c.db"
    held = sqlite3.connect(used_db, isolation_level=None)
    held.execute("PRAGMA wal_autocheckpoint = 0")
    held.execute("UPDATE settings SET value = '7' WHERE key = 'new_per_day'")
    if not held.execute("SELECT changes()").fetchone()[0]:
        held.execute("INSERT INTO settings (key, value) VALUES ('new_per_day', '7')")
    shutil.copyfile(used_db, db)  # as a crash leaves them: the answer only in the -wal
    shutil.copyfile(f"{used_db}-wal", f"{db}-wal")
    held.close()
    assert Path(f"{db}-wal").stat().st_size > 0 and not Path(f"{db}-shm").exists()
    subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
    before = digest(db), digest(Path(f"{db}-wal"))
    for args in (["topics"], ["grade", CARD, "5"]):
        result = cli("--db", str(db), *args, now=NOW)
        assert result.code == 1, (args, result)
        line = one_line(result.err)
        assert "read-only" in line and "c.db-wal" in line and "copy c.db together" in line, line
    assert (digest(db), digest(Path(f"{db}-wal"))) == before
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copyfile(db, copy / "c.db")
    shutil.copyfile(f"{db}-wal", copy / "c.db-wal")
    shown = cli("--db", str(copy / "c.db"), "config", "new_per_day", now=NOW)
    assert shown.code == 0 and "7" in shown.out, shown


def test_finding31_a_full_disk_says_disk_full(cli: Run, used_db: Path, mounted: Path) -> None:
    db = mounted / "c.db"
    shutil.copyfile(used_db, db)
    assert cli("--db", str(db), "topics", now=NOW).code == 0
    conn = sqlite3.connect(db)
    before = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    conn.close()
    filler = mounted / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    for args in (["grade", CARD, "5"], ["config", "new_per_day", "5"], ["undo"]):
        result = cli("--db", str(db), *args, now=NOW)
        assert result.code == 1, (args, result)
        line = one_line(result.err)
        assert "disk full" in line and "I/O" not in line, (args, line)
    filler.unlink()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == before
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.parametrize("free_kb", [8, 16, 28])
def test_finding31_a_nearly_full_disk_says_disk_full_or_works(
    cli: Run, used_db: Path, mounted: Path, free_kb: int
) -> None:
    """With a few KB left (where SQLite said "disk I/O error"), a command either works or
    says the disk is full; the file stays sound either way."""
    db = mounted / "c.db"
    shutil.copyfile(used_db, db)
    assert cli("--db", str(db), "topics", now=NOW).code == 0
    filler = mounted / "filler"
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    os.truncate(filler, max(0, filler.stat().st_size - free_kb * 1024))
    for args in (["grade", CARD, "5"], ["undo"], ["suspend", CARD], ["topics"], ["stats"]):
        result = cli("--db", str(db), *args, now=NOW)
        assert result.code in (0, 1), (args, result)
        if result.code:
            line = one_line(result.err)
            assert "disk full" in line and "I/O" not in line, (args, line)
    filler.unlink()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_finding31_a_wal_that_is_not_a_file_is_named(
    cli: Run, used_db: Path, tmp_path: Path, suffix: str
) -> None:
    """SQLite says only "unable to open database file", "disk I/O error" or "attempt to write
    a readonly database"; the message names what is in the way and says it is not damage.
    (With a folder for its -shm, SQLite can still read the file: reading may work.)"""
    companion = Path(f"{used_db}{suffix}")
    companion.mkdir()
    before = digest(used_db)
    copy = tmp_path / "copy.db"
    for args in (["grade", CARD, "5"], ["topics"], ["backup", str(copy)], ["doctor"]):
        result = cli(*args, now=NOW)
        if args[0] in ("grade", "doctor") or suffix != "-shm":
            assert result.code == 1, (args, result)
        if result.code:
            line = one_line(result.err)
            assert f"{companion.name} beside it is not a file" in line, line
            assert "not damage" in line and f"move {companion.name} away" in line, line
    assert digest(used_db) == before
    companion.rmdir()
    assert cli("grade", CARD, "5", now=NOW).code == 0


# --- finding 15: doctor on damaged rows -----------------------------------------------------


def tamper(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "check_says", "repaired"),
    [
        (f"UPDATE reviews SET after = '{{not json' WHERE card_id = '{CARD}'", "unreadable", False),
        (f"UPDATE reviews SET after = '{{}}' WHERE card_id = '{CARD}'", "unreadable", False),
        ("UPDATE cards SET content = 'not json' WHERE id = 'def-customer-loyalty'", "text", False),
        ("UPDATE cards SET content = '{}' WHERE id = 'def-customer-loyalty'", "text", False),
        ("INSERT INTO settings VALUES ('day_start_hour', 'banana')", "day_start_hour", True),
        (f"UPDATE state SET buried_until = 'xx' WHERE card_id = '{CARD}'", "invalid day", True),
        (f"UPDATE state SET due = 'xx' WHERE card_id = '{CARD}'", "disagrees", True),
    ],
    ids=[
        "log-not-json",
        "log-empty",
        "content-not-json",
        "content-empty",
        "setting",
        "buried",
        "due",
    ],
)
def test_finding15_doctor_reports_damaged_rows_without_crashing(
    cli: Run, used_db: Path, sql: str, check_says: str, repaired: bool
) -> None:
    tamper(used_db, sql)
    reviews = sqlite3.connect(used_db).execute("SELECT * FROM reviews").fetchall()
    check = cli("doctor", "--check", now=NOW)
    assert check.code == 1, check
    assert check_says in check.err and "Traceback" not in check.err
    repair = cli("doctor", now=NOW)
    assert "Traceback" not in repair.err
    if repaired:
        assert repair.code == 0, repair
        assert cli("doctor", "--check", now=NOW).code == 0
        assert cli("stats", now=NOW).code == 0
        assert cli("card", "show", CARD, now=NOW).code == 0
    else:
        assert repair.code == 1 and check_says in repair.err
    assert sqlite3.connect(used_db).execute("SELECT * FROM reviews").fetchall() == reviews


# --- finding 23: moving a card between decks ------------------------------------------------

ALPHA = """\
topic: alpha
title: A
description: D.
cards:
{cards}"""
CARD_M1 = "  - id: m1\n    kind: basic\n    prompt: Q\n    answer: A\n    source: n.txt:1\n"
CARD_M2 = "  - id: m2\n    kind: basic\n    prompt: Q2\n    answer: A2\n    source: n.txt:2\n"


def test_finding23_moving_a_card_keeps_the_tally_and_undo_exact(
    cli: Run, db_path: Path, tmp_path: Path
) -> None:
    decks = tmp_path / "my"
    decks.mkdir()
    (decks / "alpha.yaml").write_text(ALPHA.format(cards=CARD_M1 + CARD_M2))
    assert cli("decks", "sync", str(decks), now=NOW).code == 0
    assert cli("grade", "m1", "4", now="2026-01-10").code == 0
    assert cli("grade", "m1", "4", now="2026-01-11").code == 0
    (decks / "alpha.yaml").write_text(ALPHA.format(cards=CARD_M2))
    (decks / "beta.yaml").write_text(ALPHA.replace("alpha", "beta").format(cards=CARD_M1))
    assert cli("decks", "sync", str(decks), now="2026-01-11").code == 0
    check = cli("doctor", "--check", now="2026-01-11")
    assert check.code == 0, check
    assert "daily tally of the log: ok" in check.out
    assert cli("grade", "m1", "5", now="2026-01-12").code == 0
    assert cli("undo", now="2026-01-12").code == 0
    assert cli("undo", now="2026-01-12").code == 0
    conn = sqlite3.connect(db_path)
    tally = conn.execute("SELECT day, topic, kind, reviews FROM review_days ORDER BY 1").fetchall()
    log = conn.execute("SELECT day, topic, kind FROM reviews ORDER BY id").fetchall()
    conn.close()
    assert log == [("2026-01-10", "alpha", "learn")]
    assert tally == [("2026-01-10", "alpha", "learn", 1)]
    stats = cli("stats", "--json", now="2026-01-11")
    assert stats.code == 0, stats
    assert '"studied_today": false' in stats.out
    assert cli("doctor", "--check", now="2026-01-12").code == 0


def test_finding23_renaming_a_topic_keeps_the_tally_and_undo_exact(
    cli: Run, db_path: Path, tmp_path: Path
) -> None:
    """The review's other case: a plain rename (alpha.yaml becomes gamma.yaml, topic gamma)."""
    decks = tmp_path / "my"
    decks.mkdir()
    (decks / "alpha.yaml").write_text(ALPHA.format(cards=CARD_M1 + CARD_M2))
    assert cli("decks", "sync", str(decks), now=NOW).code == 0
    assert cli("grade", "m1", "4", now="2026-01-10").code == 0
    assert cli("grade", "m1", "4", now="2026-01-11").code == 0
    (decks / "alpha.yaml").unlink()
    (decks / "gamma.yaml").write_text(ALPHA.replace("alpha", "gamma").format(cards=CARD_M1))
    assert cli("decks", "sync", str(decks), now="2026-01-11").code == 0
    check = cli("doctor", "--check", now="2026-01-11")
    assert check.code == 0 and "daily tally of the log: ok" in check.out, check
    assert cli("undo", now="2026-01-11").code == 0
    conn = sqlite3.connect(db_path)
    tally = conn.execute("SELECT day, topic, kind, reviews FROM review_days ORDER BY 1").fetchall()
    conn.close()
    assert tally == [("2026-01-10", "alpha", "learn", 1)]  # the answer's own topic, no phantom
    card = cli("card", "show", "m1", "--json", now="2026-01-11")
    assert '"topic": "gamma"' in card.out, card
    assert cli("doctor", "--check", now="2026-01-11").code == 0


# --- finding 25: the last deck file of a folder deleted -------------------------------------


def test_finding25_deleting_a_folders_last_deck_retires_its_cards(
    cli: Run, db_path: Path, tmp_path: Path
) -> None:
    decks = tmp_path / "my"
    decks.mkdir()
    (decks / "alpha.yaml").write_text(ALPHA.format(cards=CARD_M1 + CARD_M2))
    assert cli("decks", "sync", str(decks), now=NOW).code == 0
    assert cli("grade", "m1", "4", now=NOW).code == 0
    (decks / "alpha.yaml").unlink()
    result = cli("decks", "sync", str(decks), now=NOW)
    assert result.code == 0, result
    assert "2 retired" in result.out
    topics = cli("topics", "--json", now=NOW)
    assert '"alpha"' not in topics.out
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM reviews WHERE card_id = 'm1'").fetchone() == (1,)
    conn.close()
    (decks / "alpha.yaml").write_text(ALPHA.format(cards=CARD_M1 + CARD_M2))
    back = cli("decks", "sync", str(decks), now=NOW)
    assert back.code == 0 and "2 restored" in back.out
    never = tmp_path / "empty"
    never.mkdir()
    refused = cli("decks", "sync", str(never), now=NOW)
    assert refused.code == 1 and "holds no deck files" in one_line(refused.err)


# --- finding 6: answers left in the -wal by a crash -----------------------------------------


def test_finding06_answers_left_in_the_wal_by_a_crash_reach_the_database_file(
    db_path: Path, tmp_path: Path
) -> None:
    from custserv_cards.store import Store

    moment = datetime.fromisoformat("2026-01-10T12:00:00+00:00")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    with open_store(db_path) as opened:
        assert isinstance(opened, Store)
        for grade in (4, 3, 5, 2, 4):
            opened.record_answer(CARD, grade, moment)
        # The files as a crash leaves them: the answers are in the -wal, not yet in the file.
        for name in ("custserv.db", "custserv.db-wal"):
            shutil.copyfile(db_path.parent / name, crashed / name)
    db = crashed / "custserv.db"
    # The next session starts, and stays open (a review) while the file alone is copied.
    with Store.open(db) as session:
        alone = tmp_path / "alone.db"
        shutil.copyfile(db, alone)
        conn = sqlite3.connect(alone)
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (5,)
        conn.close()
        assert session.conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (5,)


def test_finding06_doctor_check_says_when_the_wal_holds_answers(cli: Run, db_path: Path) -> None:
    from custserv_cards.store import Store

    moment = datetime.fromisoformat("2026-01-10T12:00:00+00:00")
    with open_store(db_path) as opened:
        assert isinstance(opened, Store)
        opened.record_answer(CARD, 4, moment)
        result = cli("doctor", "--check", now=NOW)
    assert result.code == 0, result
    assert "custserv.db-wal holds recent answers" in result.out
