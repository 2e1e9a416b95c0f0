"""Time ``custserv stats --json`` and each report format on a large collection.

Builds (once, or again with --rebuild) a custserv database of 100,000 cards in 20 topics
with about 1,000,000 answers spread over the last 365 study days: the schema comes from the
production migrations (``Store.open``); topics, cards, states and the review log are written
directly with SQL, each card's history simulated with the production SM-2 scheduler. Then
runs each command several times as a user would (a new process each time, output to
/dev/null) and prints the median wall-clock time of each.

    python scripts/bench_report.py [--db PATH] [--cards N] [--runs N] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from custserv_cards.scheduler import codec, sm2
from custserv_cards.scheduler.state import LEECH_LAPSES, CardState
from custserv_cards.store import Store

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T12:00:00"
TOPICS = 20
HISTORY_DAYS = 365


def build(path: Path, cards: int, seed: int = 1) -> int:
    """Write the collection; return the number of answers logged."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(seed)
    store = Store.open(path)
    conn = store.conn
    conn.execute("PRAGMA synchronous = OFF")
    stamp = f"{TODAY.isoformat()}T00:00:00"
    with store.write():
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.executemany(
            "INSERT INTO topics (slug, title, description, origin, retired) VALUES (?, ?, ?, ?, 0)",
            [
                (f"bench-{t:02d}", f"Benchmark topic {t}", "Generated cards.", "/bench")
                for t in range(TOPICS)
            ],
        )
        card_rows = []
        state_rows = []
        review_rows: list[tuple[object, ...]] = []
        for n in range(cards):
            topic = f"bench-{n % TOPICS:02d}"
            card_id = f"bench-card-{n:06d}"
            content = json.dumps(
                {
                    "group": card_id,
                    "topic": topic,
                    "kind": "basic",
                    "fields": {
                        "prompt": f"Question number {n} about customer service?",
                        "answer": f"Answer {n}.",
                    },
                    "source": "bench.txt:1",
                    "tags": [],
                    "position": n // TOPICS,
                },
                sort_keys=True,
            )
            card_rows.append((card_id, card_id, topic, "basic", n // TOPICS, content, stamp, stamp))
            state = CardState()
            if rng.random() < 0.08:  # never answered
                state_rows.append((card_id, *_state_values(state)))
                continue
            skill = rng.uniform(0.72, 0.97)
            day = TODAY - timedelta(days=int(rng.random() ** 0.8 * HISTORY_DAYS))
            state_json = _state_json(state)
            while day <= TODAY:
                answers = 0
                while True:
                    passed = rng.random() < skill
                    grade = rng.choice((3, 4, 4, 5, 5)) if passed else rng.choice((0, 1, 2))
                    after, kind = sm2.review(state, grade, day)
                    after_json = _state_json(after)
                    review_rows.append(
                        (
                            f"{day.isoformat()}T{9 + answers:02d}:{rng.randrange(60):02d}:"
                            f"{rng.randrange(60):02d}.{n % 1000:03d}",
                            card_id,
                            day.isoformat(),
                            grade,
                            kind,
                            state_json,
                            after_json,
                            rng.randrange(1500, 20000),
                        )
                    )
                    state, state_json = after, after_json
                    answers += 1
                    if not state.again or answers >= 3:
                        break
                assert state.due is not None
                day = state.due + timedelta(days=rng.choice((0, 0, 0, 0, 1, 2)))
            state_rows.append((card_id, *_state_values(state)))
        # The log is written in the order the answers were given, as the app writes it.
        review_rows.sort()
        review_count = _flush(conn, review_rows)
        conn.executemany(
            "INSERT INTO cards (id, grp, topic, kind, position, content, retired, added_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
            card_rows,
        )
        conn.executemany(
            f"INSERT INTO state (card_id, {codec.STATE_COLUMNS}, suspended) "
            f"VALUES (?{', ?' * (len(codec.COLUMNS) + 1)})",
            state_rows,
        )
    conn.execute("ANALYZE")
    store.close()
    return review_count


def _state_values(state: CardState) -> tuple[object, ...]:
    suspended = int(state.lapses >= LEECH_LAPSES and state.lapses % 3 == 0)
    return (*codec.to_row(state), suspended)


def _state_json(state: CardState) -> str:
    return codec.to_log_text(state)


def _flush(conn: object, rows: list[tuple[object, ...]]) -> int:
    count = len(rows)
    conn.executemany(  # type: ignore[attr-defined]
        "INSERT INTO reviews (reviewed_at, card_id, day, grade, scheduler, kind, before, after, "
        "duration_ms) VALUES (?, ?, ?, ?, 'sm2', ?, ?, ?, ?)",
        rows,
    )
    rows.clear()
    return count


def time_command(args: list[str], db: Path, runs: int) -> list[float]:
    env = {**os.environ, "CUSTSERV_DB": str(db), "CUSTSERV_NOW": NOW, "NO_COLOR": "1"}
    exe = shutil.which("custserv", path=str(Path(sys.executable).parent)) or "custserv"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([exe, *args], env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/custserv-bench/report.db"))
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()
    db: Path = options.db
    db.parent.mkdir(parents=True, exist_ok=True)
    if options.rebuild or not db.exists():
        start = time.perf_counter()
        reviews = build(db, options.cards)
        print(f"built {db}: {options.cards} cards, {reviews} answers "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    conn_check = Store.open(db)
    cards = conn_check.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    reviews = conn_check.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    conn_check.close()
    print(f"collection: {cards} cards, {reviews} answers, today {TODAY}")
    time_command(["--version"], db, 1)
    time_command(["stats", "--json"], db, 1)  # first run syncs the bundled decks
    commands = {
        "startup (--version)": ["--version"],
        "stats --json": ["stats", "--json"],
        "stats (terminal)": ["stats"],
        **{
            f"report --format {fmt}": ["report", "--format", fmt, "--output", "-"]
            for fmt in ("md", "html", "csv", "json")
        },
        "report --format csv --reviews": [
            "report", "--format", "csv", "--reviews", "--output", "-",
        ],
    }  # fmt: skip
    print(f"{'command':32} {'median':>8} {'min':>8} {'max':>8}  ({options.runs} runs)")
    for name, args in commands.items():
        times = time_command(args, db, options.runs)
        print(f"{name:32} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")


if __name__ == "__main__":
    main()
