"""Shared fixtures: run the real ``custserv`` command in-process against a temporary database."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


Run = Callable[..., Result]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "custserv.db"


@pytest.fixture
def cli(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """Call ``custserv ARGS`` in this process, as the console script would, with
    ``CUSTSERV_DB`` set to a temporary database; ``now=`` pins ``CUSTSERV_NOW``."""
    from custserv_cards.cli import main

    monkeypatch.setenv("CUSTSERV_DB", str(db_path))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("CUSTSERV_NOW", raising=False)

    def run(*args: str, now: str | None = None) -> Result:
        if now is None:
            monkeypatch.delenv("CUSTSERV_NOW", raising=False)
        else:
            monkeypatch.setenv("CUSTSERV_NOW", now)
        monkeypatch.setattr(sys, "argv", ["custserv", *args])
        code = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


def dump(path: Path) -> list[tuple[object, ...]]:
    """Every row of the state, review and undo tables, for exact before/after comparisons."""
    conn = sqlite3.connect(path)
    try:
        rows: list[tuple[object, ...]] = []
        for table in ("cards", "state", "reviews", "undone_reviews", "topics"):
            rows.extend((table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1"))
        return rows
    finally:
        conn.close()


DECK = """\
topic: {topic}
title: Test deck
description: A deck made for the tests.
cards:
  - id: t-basic
    kind: basic
    prompt: What is customer service?
    answer: Meeting customers' needs as fully as possible.
    reverse: true
    source: 000_notes.txt:1-2
  - id: t-cloze
    kind: cloze
    text: A dissatisfied customer tells {{{{nine or ten}}}} other people.
    source: 000_notes.txt:3
  - id: t-list
    kind: list
    prompt: Name two benefits of good service.
    items:
      - Customer loyalty
      - A good reputation
    source: 000_notes.txt:4-6
"""


def write_deck(folder: Path, topic: str = "test-topic", text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{topic}.yaml"
    path.write_text(DECK.format(topic=topic) if text is None else text, encoding="utf-8")
    return path
