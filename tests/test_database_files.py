"""Damaged, foreign, newer, read-only and full databases: a clear message, nothing lost."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Run, dump, write_deck
from integrity import assert_sound, checkpoint, file_digest

from custserv_cards.errors import DataError
from custserv_cards.store import Store
from custserv_cards.sync import sync_bundled_if_changed, sync_paths

WHEN = datetime(2026, 11, 23, 10, 0).astimezone()


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("good") / "good.db"
    with Store.open(db) as store:
        sync_bundled_if_changed(store)
        store.record_answer("def-customer-loyalty", 4, WHEN)
    checkpoint(db)
    return db


def _refused(cli: Run, db: Path, *expected: str) -> None:
    before = file_digest(db)
    for args in (["topics"], ["grade", "def-customer-loyalty", "4"], ["doctor"], ["backup"]):
        result = cli("--db", str(db), *args)
        assert result.code == 1, (args, result)
        assert "Traceback" not in result.err
        line = result.err.strip()
        assert line.startswith("custserv: ") and "\n" not in line, line
        for text in expected:
            assert text in line, (args, line)
        assert file_digest(db) == before, f"{args} changed the file"
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_a_file_that_is_not_sqlite(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("My revision notes, not a database.\n" * 50)
    _refused(cli, db, str(db), "not a custserv database", "left untouched")


def test_random_bytes(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "noise.db"
    db.write_bytes(random.Random(1).randbytes(8192))
    _refused(cli, db, "not a custserv database")


def test_sqlite_header_then_random_bytes(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "fake.db"
    db.write_bytes(b"SQLite format 3\x00" + random.Random(2).randbytes(8192))
    _refused(cli, db, str(db), "left untouched")


def test_a_truncated_database(cli: Run, good_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "cut.db"
    data = good_db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    _refused(cli, db, str(db), "damaged")


def test_a_database_with_a_damaged_page(cli: Run, good_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "bad-page.db"
    data = bytearray(good_db.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 200] = random.Random(3).randbytes(200)
    db.write_bytes(bytes(data))
    before = file_digest(db)
    result = cli("--db", str(db), "doctor")
    assert result.code == 1 and "Traceback" not in result.err
    assert "damaged" in result.err and "left untouched" in result.err
    assert file_digest(db) == before


def test_a_newer_schema_is_refused_untouched(cli: Run, good_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    shutil.copyfile(good_db, db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    _refused(cli, db, "written by a newer custserv (schema 99", "upgrade custserv-cards")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_location(cli: Run, good_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "custserv.db"
    shutil.copyfile(good_db, db)
    rows = dump(db)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = cli("--db", str(db), "grade", "def-customer-loyalty", "4")
        assert result.code == 1 and "Traceback" not in result.err
        assert "read-only" in result.err or "cannot" in result.err
        new = cli("--db", str(folder / "new.db"), "topics")
        assert new.code == 1 and "Traceback" not in new.err
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert dump(db) == rows


def test_a_read_only_database_as_any_user(good_db: Path, tmp_path: Path) -> None:
    """As root ignores file permissions, SQLite's own read-only switch stands in for them."""
    db = tmp_path / "query-only.db"
    shutil.copyfile(good_db, db)
    rows = dump(db)
    with Store.open(db) as store:
        store.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(DataError, match=r"read-only\); nothing was changed"):
            store.record_answer("def-customer-loyalty", 4, WHEN)
        assert store.card("def-customer-loyalty").state.repetitions == 1
    assert dump(db) == rows


def _fill_up(store: Store) -> None:
    """Let the file grow by no page at all: the next write that needs space fails as a full
    disk would."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_while_syncing_a_big_deck(good_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    shutil.copyfile(good_db, db)
    rows = dump(db)
    card = "  - id: big-{n}\n    kind: basic\n    prompt: {p}\n    answer: A\n    source: n.txt:1\n"
    text = "topic: big-deck\ntitle: T\ndescription: D\ncards:\n" + "".join(
        card.format(n=n, p="A long prompt " * 20) for n in range(1500)
    )
    deck = write_deck(tmp_path / "decks", "big-deck", text)
    with Store.open(db) as store:
        _fill_up(store)
        with pytest.raises(DataError, match=r"disk full.*nothing was changed"):
            sync_paths(store, [deck])
        count = "SELECT COUNT(*) FROM cards WHERE topic = 'big-deck'"
        assert store.conn.execute(count).fetchone() == (0,)
    assert dump(db) == rows


def test_a_full_disk_while_answering(good_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "full2.db"
    shutil.copyfile(good_db, db)
    with Store.open(db) as store:
        answered = 0
        _fill_up(store)
        with pytest.raises(DataError, match="disk full"):
            for _ in range(5000):  # until the log needs a new page
                store.record_answer("def-customer-loyalty:reverse", 4, WHEN)
                answered += 1
        logged = store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    assert logged == answered + 1  # every answer that returned, and none half-written
    assert len(assert_sound(db)) == logged


# --- backup and doctor ------------------------------------------------------------------------


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_backup_writes_exactly_where_asked(cli: Run, good_db: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = home / "custserv.db"
    shutil.copyfile(good_db, db)
    assert cli("--db", str(db), "topics").code == 0  # today's automatic copy is taken here
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    before_home, before_usb = _files(home), _files(elsewhere)
    target = elsewhere / "copy.db"
    result = cli("--db", str(db), "backup", str(target))
    assert result.code == 0, result
    assert result.out.strip() == f"Backed up to {target}"
    assert _files(elsewhere) - before_usb == {target}
    assert {p for p in _files(home) - before_home if not p.name.startswith("custserv.db-")} == set()
    assert dump(target) == dump(db)
    assert_sound(target)

    again = cli("--db", str(db), "backup", str(target))
    assert again.code == 1 and "already exists" in again.err
    assert dump(target) == dump(db)
    missing = cli("--db", str(db), "backup", str(tmp_path / "no" / "such" / "x.db"))
    assert missing.code == 1 and "does not exist" in missing.err
    assert not (tmp_path / "no").exists()
    into = cli("--db", str(db), "backup", str(elsewhere))
    assert into.code == 0, into
    made = _files(elsewhere) - before_usb - {target}
    assert len(made) == 1 and next(iter(made)).parent == elsewhere


def test_daily_backups_keep_the_last_five(cli: Run, good_db: Path, tmp_path: Path) -> None:
    from custserv_cards.backup import KEEP_BACKUPS

    db = tmp_path / "custserv.db"
    shutil.copyfile(good_db, db)
    for day in range(1, 9):
        for _ in range(2):
            result = cli(
                "--db", str(db), "grade", "def-customer-loyalty", "4", now=f"2026-12-0{day}"
            )
            assert result.code == 0, result
    copies = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(copies) == KEEP_BACKUPS == 5
    assert copies == [f"custserv-daily-2026-12-0{day}.db" for day in range(4, 9)]
    newest = tmp_path / "backups" / copies[-1]
    log = assert_sound(newest)
    assert len(log) == 1 + 2 * 7 + 1  # taken when the first command of Dec 8 was done


def test_backup_while_another_process_writes(good_db: Path, tmp_path: Path) -> None:
    """A copy made between and during another process's answers is always whole."""
    import subprocess
    import sys

    db = tmp_path / "busy.db"
    shutil.copyfile(good_db, db)
    script = (
        "import sys\n"
        "from datetime import datetime\n"
        "from custserv_cards.store import Store\n"
        "when = datetime(2026, 11, 24, 10).astimezone()\n"
        "with Store.open(__import__('pathlib').Path(sys.argv[1])) as s:\n"
        "    for i in range(400):\n"
        "        s.record_answer('def-customer-loyalty:reverse', i % 6, when)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(db)])
    from custserv_cards.backup import backup_to

    copies = []
    try:
        with Store.open(db) as store:
            for number in range(15):
                copies.append(backup_to(store, tmp_path / f"copy{number}.db"))
    finally:
        assert writer.wait(timeout=60) == 0
    sizes = [len(assert_sound(copy)) for copy in copies]
    assert sizes == sorted(sizes) and sizes[-1] <= 401


def test_doctor_repairs_states_from_the_log_and_says_so(
    cli: Run, good_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "custserv.db"
    shutil.copyfile(good_db, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE state SET interval = 99 WHERE card_id = 'def-customer-loyalty'")
    conn.execute("DELETE FROM state WHERE card_id = 'def-customer-loyalty:reverse'")
    conn.commit()
    conn.close()
    rows = dump(db)
    checked = cli("--db", str(db), "doctor", "--check")
    assert checked.code == 1
    assert "card 'def-customer-loyalty' disagrees with its last logged answer" in checked.err
    assert dump(db) == rows

    repaired = cli("--db", str(db), "doctor")
    assert repaired.code == 0, repaired
    assert "integrity check: ok" in repaired.out
    assert (
        "repaired: card 'def-customer-loyalty' state disagreed with its last answer (interval)"
        in repaired.out
    )
    assert "repaired: card 'def-customer-loyalty:reverse' had no scheduling state" in repaired.out
    assert_sound(db)
    again = cli("--db", str(db), "doctor")
    assert again.code == 0 and "All good." in again.out


def test_doctor_on_a_missing_file(cli: Run, tmp_path: Path) -> None:
    result = cli("--db", str(tmp_path / "none.db"), "doctor")
    assert result.code == 1 and "no database at" in result.err
    assert not (tmp_path / "none.db").exists()
