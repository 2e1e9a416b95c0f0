"""The custserv half of the in-process measurements, run by the project's Python.

    custserv_side.py answer DB --count N   answer N cards: grade -> committed -> next card ready;
                                           prints each latency (JSON, seconds)
    custserv_side.py resync DB DECKS       the work of re-syncing unchanged decks, in process
                                           (prints JSON: seconds, and what the sync did)
    custserv_side.py floor DB              the floor: plain sqlite3 opens the database and
                                           prints the next due card's prompt

The next card comes from ``custserv_cards.queue`` (as in a review session); were that module
missing, from the query below (the due review with the earliest due day).
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
    """The next card to show, loaded with its text, or None (when there is no queue module)."""
    row = store.conn.execute(NEXT_SQL, (today.isoformat(), today.isoformat())).fetchone()
    if row is None:
        return None
    record = store.card(row[0])
    return record, record.card.fields["prompt"]


def answer(path: str, count: int) -> None:
    """What a review session does between a grade key and the next card on screen:
    ``record_answer`` (committed), ``Queue.answered``, ``Queue.next``, ``Store.card`` and the
    count of cards left that the status line shows."""
    import json
    from pathlib import Path

    from custserv_cards import clock
    from custserv_cards.store import Store

    try:
        from custserv_cards import queue
    except ImportError:
        queue = None  # type: ignore[assignment]
    store = Store.open(Path(path))
    today = store.today_for(clock.now())
    latencies = []
    grades = (4, 3, 4, 5)
    if queue is not None:
        counts = queue.counts_today(store, today)
        limits = queue.daily_limits(store, counts, None, None)
        picker = queue.Queue(store, today, queue.Filter(()), limits)
        candidate = picker.next(None)
        record = store.card(candidate.card_id)
        for i in range(count):
            start = time.perf_counter()
            done = store.record_answer(
                candidate.card_id, grades[i % 4], clock.now(), duration_ms=5000
            )
            picker.answered(candidate, done.after.again)
            candidate = picker.next(candidate.group)
            record = store.card(candidate.card_id)
            picker.left()
            latencies.append(time.perf_counter() - start)
        del record
    else:
        current = _next_card(store, today)
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
