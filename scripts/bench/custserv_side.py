"""The custserv half of the in-process measurements, run by the project's Python.

    custserv_side.py answer DB --count N   answer N cards: grade -> committed -> next card ready;
                                           prints each latency (JSON, seconds)
    custserv_side.py resync DB DECKS       the work of re-syncing unchanged decks, in process
                                           (prints JSON: seconds, and what the sync did)
    custserv_side.py floor DB              the floor: plain sqlite3 opens the database and
                                           prints the next due card's prompt

The next card comes from ``custserv_cards.queue`` when that module offers ``next_card``;
otherwise from the query below (the due review with the earliest due day, then a new card).
"""

from __future__ import annotations

import sys
import time
from typing import Any

NEXT_SQL = (
    "SELECT c.id FROM state s JOIN cards c ON c.id = s.card_id "
    "WHERE c.retired = 0 AND s.suspended = 0 AND s.due <= ? "
    "AND (s.buried_until IS NULL OR s.buried_until <= ?) "
    "ORDER BY s.due, c.id LIMIT 1"
)


def floor(path: str) -> None:
    import datetime
    import json
    import sqlite3

    today = (datetime.datetime.now() - datetime.timedelta(hours=4)).date().isoformat()
    conn = sqlite3.connect(path)
    row = conn.execute(
        "SELECT c.content FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.suspended = 0 AND s.due <= ? ORDER BY s.due LIMIT 1",
        (today,),
    ).fetchone()
    sys.stdout.write(json.loads(row[0])["fields"]["prompt"] + "\n")
    sys.stdout.flush()


def _next_card(store: Any, today: Any) -> Any:
    """The next card to show, loaded with its text, or None."""
    row = store.conn.execute(NEXT_SQL, (today.isoformat(), today.isoformat())).fetchone()
    if row is None:
        return None
    record = store.card(row[0])
    return record, record.card.fields["prompt"]


def answer(path: str, count: int) -> None:
    import json
    from pathlib import Path

    from custserv_cards import clock
    from custserv_cards.store import Store

    store = Store.open(Path(path))
    today = store.today()
    current = _next_card(store, today)
    latencies = []
    grades = (4, 3, 4, 5)
    for i in range(count):
        start = time.perf_counter()
        store.record_answer(current[0].card.id, grades[i % 4], clock.now(), duration_ms=5000)
        current = _next_card(store, today)
        latencies.append(time.perf_counter() - start)
    store.close()
    print(json.dumps(latencies))


def resync(path: str, decks: str) -> None:
    import json
    from pathlib import Path

    from custserv_cards.store import Store
    from custserv_cards.sync import sync_paths

    start = time.perf_counter()
    store = Store.open(Path(path))
    opened = time.perf_counter()
    result = sync_paths(store, [Path(decks)])
    done = time.perf_counter()
    store.close()
    print(
        json.dumps(
            {
                "open_s": opened - start,
                "sync_s": done - opened,
                "added": result.added,
                "unchanged": result.unchanged,
            }
        )
    )


def main() -> None:
    command, path, *rest = sys.argv[1:]
    if command == "floor":
        floor(path)
    elif command == "answer":
        answer(path, int(rest[1]) if rest[:1] == ["--count"] else 20)
    elif command == "resync":
        resync(path, rest[0])
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
