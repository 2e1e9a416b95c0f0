"""The schema: a new database gets exactly the expected one, and a database made by every
released schema (``tests/fixtures/schema<N>.db``) opens in this custserv with all its data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import Run
from integrity import assert_sound

from custserv_cards import migrations
from custserv_cards.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
RELEASED = sorted(FIXTURES.glob("schema[0-9]*.db"))


def _schema(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type DESC, name"
        ).fetchall()
    finally:
        conn.close()
    return [" ".join(sql.split()) + ";" for (sql,) in rows]


def _tables(
    db: Path, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, ordered; with ``columns``, only those columns of those tables."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        wanted = columns or {name: ["*"] for name in names}
        found: dict[str, list[tuple[object, ...]]] = {}
        for name in names:
            if name in wanted:
                order = wanted[name][0] if columns else "1"
                query = f'SELECT {", ".join(wanted[name])} FROM "{name}" ORDER BY {order}'
                found[name] = conn.execute(query).fetchall()
        return found
    finally:
        conn.close()


def _columns(db: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: [r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}
    finally:
        conn.close()


def test_a_new_database_has_exactly_the_expected_schema(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store.open(db).close()
    expected = [
        line
        for line in (FIXTURES / "schema.sql").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("--")
    ]
    assert _schema(db) == expected
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone() == (migrations.SCHEMA_VERSION,)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    conn.close()
    assert applied == [m.__name__ for m in migrations.MIGRATIONS]


def test_every_released_schema_has_a_fixture() -> None:
    assert [p.name for p in RELEASED] == [
        f"schema{n}.db" for n in range(1, migrations.SCHEMA_VERSION + 1)
    ]


@pytest.mark.parametrize("fixture", RELEASED, ids=[p.stem for p in RELEASED])
def test_an_older_database_opens_with_all_its_data(cli: Run, fixture: Path, tmp_path: Path) -> None:
    db = tmp_path / "custserv.db"
    shutil.copyfile(fixture, db)
    fixture_copy = tmp_path / "untouched.db"
    shutil.copyfile(fixture, fixture_copy)
    old = _tables(db)
    assert len(old["reviews"]) >= 5 and old["undone_reviews"] and old["settings"]
    with Store.open(db) as store:
        assert store.card("fx-basic").state.repetitions > 0
        assert store.setting("new_per_day") == "12"
    new = _tables(db, _columns(fixture_copy))
    for table, rows in _tables(fixture_copy, _columns(fixture_copy)).items():
        if table == "_sqlite_migrations":
            assert new[table][: len(rows)] == rows
            continue
        assert new[table] == rows, f"{table} lost or changed data"
    assert_sound(db)
    shown = cli("--db", str(db), "card", "show", "fx-basic", "--json")
    assert shown.code == 0, shown
    assert '"history"' in shown.out
    checked = cli("--db", str(db), "doctor")
    assert checked.code == 0, checked
    assert "states agree with the log" in checked.out
    graded = cli("--db", str(db), "grade", "fx-cloze", "5", now="2026-10-01")
    assert graded.code == 0, graded


def test_an_upgrade_keeps_a_backup_and_all_data(
    fixture_latest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A future migration (here a made-up one adding a column) runs after a backup is taken."""
    db = tmp_path / "custserv.db"
    shutil.copyfile(fixture_latest, db)
    old = _tables(db)

    def m999_add_a_column(database: object) -> None:
        database.execute("ALTER TABLE cards ADD COLUMN note TEXT")  # type: ignore[attr-defined]

    future = [*migrations.MIGRATIONS, m999_add_a_column]
    monkeypatch.setattr(migrations, "MIGRATIONS", future)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(future))
    with Store.open(db, migrate=True) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (len(future),)
    copies = list((tmp_path / "backups").glob("custserv-schema*.db"))
    assert len(copies) == 1
    assert _tables(copies[0]) == old
    new = _tables(db)
    assert [row[:-1] for row in new["cards"]] == old["cards"]
    assert new["reviews"] == old["reviews"]


@pytest.fixture
def fixture_latest() -> Path:
    return RELEASED[-1]


def _versions(conn: sqlite3.Connection) -> tuple[int, list[str]]:
    """The two records of the schema: ``PRAGMA user_version`` and sqlite-utils' table."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
    ).fetchone()
    names = (
        [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        if has_table
        else []
    )
    return version, names


def test_the_two_schema_records_agree_after_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``user_version`` is set inside each migration's own transaction, with sqlite-utils'
    record of it, so after any number of steps the two say the same thing."""
    every = list(migrations.MIGRATIONS)
    conn = sqlite3.connect(tmp_path / "steps.db", isolation_level=None)
    assert _versions(conn) == (0, [])
    for count in range(1, len(every) + 1):
        monkeypatch.setattr(migrations, "MIGRATIONS", every[:count])
        conn.execute("BEGIN IMMEDIATE")
        assert migrations.apply(conn) == [every[count - 1].__name__]
        conn.execute("COMMIT")
        assert _versions(conn) == (count, [m.__name__ for m in every[:count]])
    conn.close()


def test_a_failing_migration_changes_neither_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "custserv.db"
    Store.open(db).close()

    def m999_breaks_halfway(database: object) -> None:
        database.execute("CREATE TABLE half_done (x)")  # type: ignore[attr-defined]
        raise sqlite3.OperationalError("disk I/O error")

    future = [*migrations.MIGRATIONS, m999_breaks_halfway]
    monkeypatch.setattr(migrations, "MIGRATIONS", future)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(future))
    conn = sqlite3.connect(db, isolation_level=None)
    before = _versions(conn)
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError):
        migrations.apply(conn)
    conn.execute("ROLLBACK")
    assert _versions(conn) == before
    assert before[0] == len(before[1]) == len(future) - 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()
    conn.close()
