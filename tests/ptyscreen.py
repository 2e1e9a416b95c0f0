"""A running ``custserv`` in a pseudo-terminal, for the tests that drive a whole session as a
user would: the real program (``python -m custserv_cards``) in a pty of a chosen size with
a temporary database, a pinned date and ``NO_COLOR``; keys are pressed, the screen is read
with escape sequences removed, and the database is checked with sqlite3."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

TODAY = "2026-11-23"
TIMEOUT = 8.0
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the bundled decks synced, built once and copied for each test."""
    from custserv_cards.store import Store
    from custserv_cards.sync import sync_paths

    path = tmp_path_factory.mktemp("template") / "custserv.db"
    with Store.open(path) as store:
        sync_paths(store)
    return path


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "custserv.db"
    shutil.copy(template_db, path)
    return path


class Screen:
    """A running ``custserv`` in a pseudo-terminal, and the text it has shown."""

    def __init__(
        self, db: Path, *args: str, now: str = TODAY, size: tuple[int, int] = (80, 24)
    ) -> None:
        columns, lines = size
        env = {
            **os.environ,
            "CUSTSERV_DB": str(db),
            "CUSTSERV_NOW": now,
            "NO_COLOR": "1",
            "TERM": "xterm",
            "COLUMNS": str(columns),
            "LINES": str(lines),
        }
        env.pop("FORCE_COLOR", None)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "custserv_cards", *args],
            env=env,
            dimensions=(lines, columns),
            timeout=TIMEOUT,
        )
        self.raw = ""
        self.mark = 0  # where the text not yet matched starts

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw)

    def _read(self, deadline: float) -> bool:
        try:
            chunk = self.child.read_nonblocking(65536, timeout=max(0.01, deadline - time.time()))
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            return False
        self.raw += chunk.decode("utf-8", errors="replace")
        return True

    def wait(self, *texts: str, timeout: float = TIMEOUT) -> str:
        """Wait until every one of ``texts`` has appeared (whitespace and line breaks aside)
        since the last wait; returns the new screen text, and the next wait starts after
        the last of them."""
        patterns = [re.compile(r"[\s│]+".join(map(re.escape, t.split()))) for t in texts]
        deadline = time.time() + timeout
        while True:
            new = self.text[self.mark :]
            found = [p.search(new) for p in patterns]
            if all(found):
                self.mark += max((m.end() for m in found if m), default=0)
                return new
            if time.time() > deadline or (not self._read(deadline) and not self.child.isalive()):
                missing = [t for t, m in zip(texts, found, strict=True) if not m]
                raise AssertionError(f"never saw {missing!r}; the screen showed:\n{new}")

    def press(self, key: str) -> None:
        self.child.send(key)

    def type_line(self, line: str) -> None:
        self.child.send(line + "\r")

    def finish(self, timeout: float = TIMEOUT) -> int:
        """Wait for the program to end; its exit status (128 + n for signal n)."""
        deadline = time.time() + timeout
        while self.child.isalive() and time.time() < deadline:
            self._read(deadline)
        self.child.expect(pexpect.EOF, timeout=max(0.1, deadline - time.time()))
        self.raw += (self.child.before or b"").decode("utf-8", errors="replace")
        self.child.close()
        if self.child.signalstatus is not None:
            return 128 + int(self.child.signalstatus)
        return int(self.child.exitstatus)


@pytest.fixture
def screens() -> Iterator[list[Screen]]:
    started: list[Screen] = []
    yield started
    for screen in started:
        if screen.child.isalive():
            screen.child.terminate(force=True)


def start(
    screens: list[Screen],
    db: Path,
    *args: str,
    now: str = TODAY,
    size: tuple[int, int] = (80, 24),
) -> Screen:
    screen = Screen(db, *args, now=now, size=size)
    screens.append(screen)
    return screen


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def card_fields(db: Path, topic: str) -> dict[str, dict[str, Any]]:
    return {
        card_id: json.loads(content)
        for card_id, content in query(db, "SELECT id, content FROM cards WHERE topic = ?", topic)
    }
