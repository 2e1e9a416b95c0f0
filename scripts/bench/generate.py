"""Build the synthetic collection (see ``synth.py``) in custserv's store and as deck files.

``custserv_store(path, size, seed, today)`` opens the database with ``Store.open`` (the
production migrations build the schema), syncs the bundled decks the way ``custserv`` does on
start-up (and suspends their cards, so that only the synthetic cards can come up), then bulk
inserts topics, cards, scheduling state and the review log with the same JSON shapes
``Store.record_answer`` writes. ``deck_files(folder, size, seed)`` writes the same cards as
YAML decks, for the import and re-sync timings. The Anki side is built by ``anki_side.py``.

Run directly: ``python scripts/bench/generate.py --size 1000 --out bench-data/x.db``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

from custserv_cards.model import Card, Source
from custserv_cards.scheduler import codec
from custserv_cards.store import Store

SOURCE = Source("000_ecf73123d468c87f.txt", 1, 2)


def _card(spec: synth.SynthCard, stamp: str) -> tuple[object, ...]:
    card = Card(
        id=spec.id,
        group=spec.id,
        topic=spec.topic,
        kind="basic",
        fields={"prompt": spec.prompt, "answer": spec.answer},
        source=SOURCE,
        tags=(),
        position=spec.index // synth.TOPICS,
    )
    return (card.id, card.group, card.topic, card.kind, card.position, card.content_json(), stamp)


def prepare(store: Store) -> None:
    """Sync the bundled decks if they changed and keep them out of the queue (suspended)."""
    from custserv_cards.sync import sync_bundled_if_changed

    sync_bundled_if_changed(store)
    with store.write() as conn:
        conn.execute(
            "UPDATE state SET suspended = 1 WHERE suspended = 0 AND card_id IN "
            "(SELECT id FROM cards WHERE topic NOT LIKE 'bench-topic-%')"
        )


def custserv_store(path: Path, size: int, seed: int, today: date) -> dict[str, int]:
    """Create the synthetic collection at ``path`` (which must not exist)."""
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    store = Store.open(path)
    counts = {"cards": 0, "reviews": 0}
    try:
        prepare(store)
        conn = store.conn
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO topics (slug, title, description, origin, retired) VALUES (?, ?, ?, ?, 0)",
            [
                (synth.topic_of(t), f"Bench topic {t}", "Synthetic cards.", "bench")
                for t in range(synth.TOPICS)
            ],
        )
        cards: list[tuple[object, ...]] = []
        states: list[tuple[object, ...]] = []
        reviews: list[tuple[object, ...]] = []

        def flush() -> None:
            conn.executemany(
                "INSERT INTO cards (id, grp, topic, kind, position, content, retired, "
                "added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?7)",
                cards,
            )
            conn.executemany(codec.INSERT_STATE, states)
            conn.executemany(
                "INSERT INTO reviews (card_id, reviewed_at, day, grade, scheduler, kind, "
                "before, after, duration_ms, topic) VALUES (?, ?, ?, ?, 'sm2', ?, ?, ?, ?, ?)",
                reviews,
            )
            cards.clear()
            states.clear()
            reviews.clear()

        for spec in synth.cards(size, seed, today):
            cards.append(_card(spec, stamp))
            states.append((spec.id, *codec.to_row(spec.state)))
            for a in spec.answers:
                reviews.append(
                    (
                        spec.id,
                        a.at.isoformat(timespec="milliseconds"),
                        a.day.isoformat(),
                        a.grade,
                        a.kind,
                        codec.to_log_text(a.before),
                        codec.to_log_text(a.after),
                        a.duration_ms,
                        spec.topic,  # the topic it was given in, as the insert trigger sets
                    )
                )
            counts["cards"] += 1
            counts["reviews"] += len(spec.answers)
            if len(reviews) > 50_000:
                flush()
        flush()
        conn.execute("COMMIT")
        conn.execute("PRAGMA synchronous = FULL")
        # no ANALYZE: custserv never runs it, so a student's database has no statistics for
        # the query planner, and neither does the benchmark's
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return counts


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def deck_files(folder: Path, size: int, seed: int) -> list[Path]:
    """Write the collection's cards as YAML decks, one file per topic (no history)."""
    folder.mkdir(parents=True, exist_ok=True)
    per_topic: dict[str, list[str]] = {}
    for index in range(size):
        prompt, answer = synth.texts(index)
        per_topic.setdefault(synth.topic_of(index), []).append(
            f"  - id: bench-{index:06d}\n"
            f"    kind: basic\n"
            f"    prompt: {_q(prompt)}\n"
            f"    answer: {_q(answer)}\n"
            f"    source: {SOURCE}\n"
        )
    files = []
    for t in range(synth.TOPICS):
        topic = synth.topic_of(t)
        path = folder / f"{topic}.yaml"
        path.write_text(
            f"topic: {topic}\ntitle: Bench topic {t}\ndescription: Synthetic cards.\ncards:\n"
            + "".join(per_topic.get(topic, [])),
            encoding="utf-8",
        )
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--decks", type=Path, help="also write the YAML decks to this folder")
    parser.add_argument(
        "--prepare", action="store_true", help="only sync the bundled decks into --out (exists)"
    )
    args = parser.parse_args()
    if args.prepare:
        with Store.open(args.out) as store:
            prepare(store)
        return
    counts = custserv_store(args.out, args.size, args.seed, synth.study_today())
    print(json.dumps(counts))
    if args.decks:
        deck_files(args.decks, args.size, args.seed)


if __name__ == "__main__":
    main()
