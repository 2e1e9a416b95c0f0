"""Build ``tests/fixtures/schema<N>.db``: a small database made by this release's schema.

Run it once per released schema, from the release that has that schema, and commit the file;
``tests/test_migrations.py`` then checks that every later custserv opens it with all its data.

    python scripts/make_fixture_db.py 1
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from custserv_cards.migrations import SCHEMA_VERSION
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

DECK = """\
topic: fixture-topic
title: Fixture deck
description: Cards kept in the fixture databases of each schema.
cards:
  - id: fx-basic
    kind: basic
    prompt: What is customer service?
    answer: Meeting customers' needs as fully as possible.
    reverse: true
    source: 000_notes.txt:1-2
    tags: [definition]
  - id: fx-cloze
    kind: cloze
    text: A dissatisfied customer tells {{nine or ten}} other people.
    source: 000_notes.txt:3
  - id: fx-list
    kind: list
    prompt: Name two benefits of good service.
    items:
      - Customer loyalty
      - A good reputation
    ordered: false
    source: 000_notes.txt:4-6
  - id: fx-hostile
    kind: basic
    prompt: "<script>alert(1)</script> \\u001b[2J and onerror="
    answer: "Shown as text: \\u001b]0;title\\u0007"
    source: 000_notes.txt:7
"""


def build(target: Path) -> None:
    if target.exists():
        raise SystemExit(f"{target} exists; a fixture is never rebuilt over an old one")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decks"
        folder.mkdir()
        (folder / "fixture-topic.yaml").write_text(DECK, encoding="utf-8")
        db = Path(tmp) / "fixture.db"
        start = datetime(2026, 9, 1, 9, 30).astimezone()
        with Store.open(db) as store:
            sync_paths(store, [folder])
            plan = [
                (0, "fx-basic", 4),
                (0, "fx-cloze", 2),
                (0, "fx-cloze", 4),
                (0, "fx-list", 5),
                (1, "fx-basic", 5),
                (1, "fx-basic:reverse", 3),
                (1, "fx-basic:reverse", 4),
                (2, "fx-cloze", 1),
                (7, "fx-basic", 3),
                (7, "fx-list", 0),
            ]
            for day, card_id, grade in plan:
                store.record_answer(card_id, grade, start + timedelta(days=day), duration_ms=4200)
            store.undo(1, start + timedelta(days=7, minutes=5))
            store.record_answer("fx-list", 4, start + timedelta(days=7, minutes=6), practice=True)
            store.set_suspended("fx-hostile", True)
            store.bury("fx-cloze", (start + timedelta(days=9)).date())
            store.set_setting("new_per_day", "12")
            store.set_setting("exam_date", "2027-06-01")
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        conn.execute("VACUUM")
        conn.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(db.read_bytes())


def main() -> None:
    schema = int(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_VERSION
    if schema != SCHEMA_VERSION:
        raise SystemExit(
            f"this release writes schema {SCHEMA_VERSION}; run the release with schema {schema}"
        )
    target = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / f"schema{schema}.db"
    build(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
