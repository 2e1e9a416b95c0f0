"""Files custserv writes on request never harm the database, its backups or special files.

Each test is named after the finding of the reliability review it covers.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from tests.conftest import Run

NOW = "2026-01-10"
CARD = "def-customer-service-revision-notes"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def used_db(cli: Run, db_path: Path) -> Path:
    """A database with one answer and today's automatic copy, closed (no -wal left)."""
    result = cli("grade", CARD, "4", now=NOW)
    assert result.code == 0, result
    assert (db_path.parent / "backups" / "custserv-daily-2026-01-10.db").is_file()
    return db_path


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_finding02_report_never_writes_over_the_database(
    cli: Run, used_db: Path, tmp_path: Path
) -> None:
    daily = used_db.parent / "backups" / "custserv-daily-2026-01-10.db"
    link_dir = tmp_path / "elsewhere"
    link_dir.symlink_to(used_db.parent)
    hard = tmp_path / "hard.db"
    os.link(used_db, hard)
    targets = {
        str(used_db): "is the database itself",
        f"{used_db}-wal": "the database's -wal file",
        f"{used_db}-shm": "the database's -shm file",
        f"{used_db}-journal": "the database's -journal file",
        str(used_db.parent / "backups" / ".." / used_db.name): "is the database itself",
        str(link_dir / used_db.name): "is the database itself",
        str(hard): "is the database itself",
        str(daily): "one of the database's backups",
    }
    before, before_daily = digest(used_db), digest(daily)
    for target, message in targets.items():
        result = cli("report", "-f", "csv", "-o", target, "--force", now=NOW)
        assert result.code == 1, (target, result)
        assert message in one_line(result.err), (target, result.err)
        assert result.out == ""
        assert digest(used_db) == before and digest(daily) == before_daily
    assert not Path(f"{used_db}-journal").exists()
    assert cli("topics", now=NOW).code == 0


def test_finding07_backup_refuses_the_database_companion_names(cli: Run, used_db: Path) -> None:
    before = digest(used_db)
    for suffix in ("-journal", "-wal", "-shm", ""):
        result = cli("backup", f"{used_db}{suffix}", now=NOW)
        assert result.code == 1, (suffix, result)
        assert "database" in one_line(result.err)
        assert "Backed up" not in result.out
    assert digest(used_db) == before
    assert not Path(f"{used_db}-journal").exists()


def test_finding17_backup_ignores_files_and_folders_named_like_its_temporary_copy(
    cli: Run, used_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / ".x.db.partial").mkdir()
    (folder / ".y.db.partial").write_text("precious")
    for name in ("x.db", "y.db"):
        result = cli("backup", str(folder / name), now=NOW)
        assert result.code == 0, result
        assert (folder / name).read_bytes().startswith(b"SQLite format 3\x00")
    assert (folder / ".x.db.partial").is_dir()
    assert (folder / ".y.db.partial").read_text() == "precious"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".x.db.partial",
        ".y.db.partial",
        "x.db",
        "y.db",
    ]


def test_finding26_backup_to_a_missing_folder_with_a_slash_writes_nothing(
    cli: Run, used_db: Path, tmp_path: Path
) -> None:
    result = cli("backup", f"{tmp_path}/nonexist/", now=NOW)
    assert result.code == 1, result
    assert "folder" in one_line(result.err) and "does not exist" in result.err
    assert not (tmp_path / "nonexist").exists()


@pytest.mark.parametrize(
    "command",
    [["export", "reviews"], ["export", "anki"], ["report", "-f", "md", "-o"]],
    ids=["export-reviews", "export-anki", "report"],
)
def test_finding26_every_output_to_a_missing_folder_with_a_slash_writes_nothing(
    cli: Run, used_db: Path, tmp_path: Path, command: list[str]
) -> None:
    """The trailing slash reaches the check (a ``Path`` argument would drop it and write a
    file named like the folder)."""
    before = sorted(tmp_path.rglob("*"))
    result = cli(*command, f"{tmp_path}/nonexist/", now=NOW)
    assert result.code == 1, result
    assert "folder" in one_line(result.err) and "does not exist" in result.err
    assert sorted(tmp_path.rglob("*")) == before


def test_finding27_report_never_replaces_a_special_file(
    cli: Run, used_db: Path, tmp_path: Path
) -> None:
    real = tmp_path / "real.html"
    real.write_text("kept")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    dangling = tmp_path / "dangling.html"
    dangling.symlink_to(tmp_path / "nowhere.html")
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    specials = {link: stat.S_ISLNK, dangling: stat.S_ISLNK, fifo: stat.S_ISFIFO}
    if os.geteuid() == 0:
        device = tmp_path / "full"
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 7))
        specials[device] = stat.S_ISCHR
    for path, kind in specials.items():
        for extra in ([], ["--force"]):
            result = cli("report", "-f", "md", "-o", str(path), *extra, now=NOW)
            assert result.code == 1, (path, result)
            line = one_line(result.err)
            assert "not a regular file" in line and "--force" not in line, line
            assert kind(path.lstat().st_mode), path
    assert real.read_text() == "kept"
    assert not (tmp_path / "nowhere.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_finding35_a_killed_backups_leftover_is_removed_by_the_next_backup(
    cli: Run, used_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    stale = folder / ".big.db.k3j4l5.partial"
    shutil.copyfile(used_db, stale)
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = folder / ".other.db.a1b2c3.partial"  # another backup still being written
    shutil.copyfile(used_db, fresh)
    mine = folder / ".notes.partial"  # not a copy of a database
    mine.write_text("mine")
    os.utime(mine, (old, old))
    result = cli("backup", str(folder / "today.db"), now=NOW)
    assert result.code == 0, result
    assert not stale.exists()
    assert fresh.exists() and mine.read_text() == "mine"


def test_finding08_future_dated_daily_copies_never_push_out_todays(cli: Run, db_path: Path) -> None:
    for day in range(1, 6):
        assert cli("grade", CARD, "4", now=f"2099-01-0{day}").code == 0
    folder = db_path.parent / "backups"
    first = cli("grade", "sales-process-stages", "3", now="2026-02-01")
    assert first.code == 0, first
    assert (folder / "custserv-daily-2026-02-01.db").is_file()
    assert "dated after today" in one_line(first.err)
    second = cli("grade", "sales-process-stages", "3", now="2026-02-02")
    assert second.code == 0, second
    names = sorted(p.name for p in folder.iterdir())
    assert "custserv-daily-2026-02-01.db" in names and "custserv-daily-2026-02-02.db" in names
    assert len(names) == 5
    mtime = (folder / "custserv-daily-2026-02-02.db").stat().st_mtime
    assert cli("topics", now="2026-02-02").code == 0  # today's copy exists: not made again
    assert (folder / "custserv-daily-2026-02-02.db").stat().st_mtime == mtime


def test_finding03_doctor_names_only_this_databases_own_backups(cli: Run, tmp_path: Path) -> None:
    mine, other = tmp_path / "custserv.db", tmp_path / "custserv-test.db"
    assert cli("--db", str(mine), "grade", CARD, "4", now=NOW).code == 0
    assert cli("--db", str(other), "grade", "sales-process-stages", "1", now=NOW).code == 0
    with mine.open("r+b") as handle:
        handle.seek(4096 * 20)
        handle.write(b"\xff" * 4096)
    damaged = digest(mine)
    result = cli("--db", str(mine), "doctor", now=NOW)
    assert result.code == 1, result
    line = one_line(result.err)
    assert "is damaged" in line
    assert "custserv-daily-2026-01-10.db" in line and "custserv-test" not in line
    assert digest(mine) == damaged
