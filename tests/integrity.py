"""Checks shared by the data-safety tests: a database is sound and its states agree with its log."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, NoReturn

from custserv_cards.scheduler import codec
from custserv_cards.scheduler.state import CardState

NEW_STATE = CardState()


def assert_sound(path: Path) -> list[tuple[str, int]]:
    """Assert ``integrity_check`` is ok and every card's state equals the ``after`` of its
    last logged answer (or a new card's state when it has none); return the log as
    (card_id, grade) pairs in order."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        states = {
            row[0]: codec.from_row(row[1:])
            for row in conn.execute(f"SELECT card_id, {codec.STATE_COLUMNS} FROM state")
        }
        last: dict[str, CardState] = {}
        log: list[tuple[str, int]] = []
        for card_id, grade, kind, after in conn.execute(
            "SELECT card_id, grade, kind, after FROM reviews ORDER BY id"
        ):
            log.append((card_id, grade))
            if kind != "drill":
                last[card_id] = codec.from_log(json.loads(after))
        cards = {r[0] for r in conn.execute("SELECT id FROM cards")}
        tallies = _tally_and_recount(conn)
    finally:
        conn.close()
    assert set(states) == cards, "every card has exactly one state row"
    if tallies is not None:
        assert tallies[0] == tallies[1], "the tally of card states equals a recount"
    for card_id, state in states.items():
        expected = last.get(card_id, NEW_STATE)
        assert state == expected, f"{card_id}: state {state} but its log says {expected}"
    return log


def _tally_and_recount(conn: sqlite3.Connection) -> tuple[list[Any], list[Any]] | None:
    """The tally of card states and its recount (None before the tally's migration)."""
    from custserv_cards.migrations import recount_state_tally_select

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'state_tally'").fetchone():
        return None
    order = " ORDER BY 1, 2, 3, 4, 5, 6"
    return (
        conn.execute("SELECT * FROM state_tally" + order).fetchall(),
        conn.execute(recount_state_tally_select() + order).fetchall(),
    )


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the main file, so the main file's bytes say it all."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def reuse_cli_command() -> None:
    """In a process that runs ``custserv`` many times, build typer's click command once.

    A real ``custserv`` process builds it once too; without this, each in-process run spends
    most of its time rebuilding it, and fewer answers fit between the kills of a test.
    """
    import functools

    import typer.main

    from custserv_cards.cli.commands import build

    build()  # every command group, so the one cached command knows every command
    typer.main.get_command = functools.cache(typer.main.get_command)  # type: ignore[assignment]


def warm_up(folder: Path) -> None:
    """Run ``custserv grade`` once in this process, so processes forked from it start with
    everything imported (as a long-running custserv would be)."""
    import contextlib
    import io
    import os
    import sys

    from custserv_cards.cli import main

    reuse_cli_command()
    argv, now = sys.argv, os.environ.get("CUSTSERV_NOW")
    warm_db = str(folder / "warm-up.db")
    sys.argv = ["custserv", "--db", warm_db, "grade", "def-customer-loyalty", "4"]
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            main()
    finally:
        sys.argv = argv
        if now is not None:
            os.environ["CUSTSERV_NOW"] = now


ACK = re.compile(r"^(\S+): (\d) \(", re.MULTILINE)  # a line 'custserv grade' printed


def grade_loop(db: Path, answers: list[tuple[str, int]], now: str, out: int) -> NoReturn:
    """In a forked child: give ``answers`` with ``custserv grade``, one command after another
    in this process, everything written to the file descriptor ``out``; never returns.

    Prints ``EXIT n`` when a command fails (and stops), ``BETWEEN COMMANDS`` when a signal
    lands in this loop between two commands (where no custserv code runs; in a shell it would
    stop the loop), and ``DONE`` at the end.
    """
    import os
    import sys

    from custserv_cards.cli import main

    try:
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        os.environ["CUSTSERV_NOW"] = now
        os.environ["NO_COLOR"] = "1"
        reuse_cli_command()
        try:
            for card, grade in answers:
                sys.argv = ["custserv", "--db", str(db), "grade", card, str(grade)]
                try:
                    main()
                except SystemExit as exit_:
                    if exit_.code not in (0, None):
                        print(f"EXIT {exit_.code}")
                        break
        except KeyboardInterrupt:
            print("BETWEEN COMMANDS")
        print("DONE")
    finally:
        os._exit(0)


def fork_grade_loop(db: Path, answers: list[tuple[str, int]], now: str) -> tuple[int, int]:
    """Start a process running ``grade_loop``; (its pid, the read end of its output)."""
    import os

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        grade_loop(db, answers, now, write_end)
    os.close(write_end)
    return pid, read_end
