"""The Anki half of the benchmark, run by the Python of the virtual environment holding ``anki``.

    anki_side.py generate PATH --size N --seed S   build the synthetic collection (synth.py)
    anki_side.py first-card PATH                    open it, print the first queued card's question
    anki_side.py answer PATH --count N              answer N cards; print each latency (JSON, s)
    anki_side.py stats PATH                         compute the statistics graphs for one year
    anki_side.py import PATH --size N --seed S      a new collection, N notes in one add_notes
    anki_side.py csv-import PATH CSV                import a CSV (notes updated on a match)

Anki is given its best configuration: the v3 scheduler (the default), ``experimentalFeatures``
set (without it, opening a collection it created costs an extra 60-90 ms), the collection
closed without the downgrade step, and notes added in one batch.
"""

from __future__ import annotations

import sys
import time

FIRST_CARD_START = time.perf_counter()

# only what the step needs is imported, so that first-card pays for nothing else


def _collection(path: str):  # type: ignore[no-untyped-def]
    from anki.collection import Collection

    return Collection(path)


def _question(col, queued):  # type: ignore[no-untyped-def]
    from anki.cards import Card

    top = queued.cards[0]
    card = Card(col, backend_card=top.card)
    card.start_timer()
    return card, top.states, card.question()


def first_card(path: str) -> None:
    col = _collection(path)
    queued = col.sched.get_queued_cards(fetch_limit=1)
    _card, _states, text = _question(col, queued)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    col.close(downgrade=False)


def answer(path: str, count: int) -> None:
    import json

    from anki.scheduler_pb2 import CardAnswer

    col = _collection(path)
    card, states, _text = _question(col, col.sched.get_queued_cards(fetch_limit=1))
    latencies = []
    ratings = (CardAnswer.GOOD, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY)
    for i in range(count):
        start = time.perf_counter()
        built = col.sched.build_answer(card=card, states=states, rating=ratings[i % 4])
        col.sched.answer_card(built)
        queued = col.sched.get_queued_cards(fetch_limit=1)
        card, states, _text = _question(col, queued)
        latencies.append(time.perf_counter() - start)
    col.close(downgrade=False)
    print(json.dumps(latencies))


def stats(path: str) -> None:
    col = _collection(path)
    graphs = col._backend.graphs(search="", days=365)
    sys.stdout.write(f"{len(graphs.SerializeToString())} bytes of graph data\n")
    col.close(downgrade=False)


def _notes(size: int, seed: int):  # type: ignore[no-untyped-def]
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import synth

    return [(synth.topic_of(i), *synth.texts(i)) for i in range(size)]


def _new_collection(path: str):  # type: ignore[no-untyped-def]
    col = _collection(path)
    col.set_config("experimentalFeatures", True)
    return col


def _add_notes(col, notes):  # type: ignore[no-untyped-def]
    from anki.collection import AddNoteRequest

    model = col.models.by_name("Basic")
    decks: dict[str, int] = {}
    requests = []
    for topic, prompt, answer_text in notes:
        if topic not in decks:
            decks[topic] = col.decks.id(f"bench::{topic}")
        note = col.new_note(model)
        note["Front"] = prompt
        note["Back"] = answer_text
        requests.append(AddNoteRequest(note, decks[topic]))
    col.add_notes(requests)
    parent = col.decks.id("bench")
    col.decks.select(parent)


def import_notes(path: str, size: int, seed: int) -> None:
    notes = _notes(size, seed)
    col = _new_collection(path)
    _add_notes(col, notes)
    count = col.card_count()
    col.close(downgrade=False)
    print(f"{count} cards")


def csv_import(path: str, csv_path: str) -> None:
    from anki.collection import ImportCsvRequest

    col = _collection(path)
    metadata = col.get_csv_metadata(path=csv_path, delimiter=None)
    metadata.dupe_resolution = metadata.DupeResolution.UPDATE
    result = col.import_csv(ImportCsvRequest(path=csv_path, metadata=metadata))
    log = result.log
    col.close(downgrade=False)
    print(
        f"{len(log.new)} new, {len(log.updated)} updated, {len(log.duplicate)} unchanged, "
        f"{len(log.first_field_match)} first-field matches"
    )


def generate(path: str, size: int, seed: int) -> None:
    """The synthetic collection: notes via add_notes, then states and revlog in bulk."""
    import json

    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import synth

    col = _new_collection(path)
    # move the collection's creation 20 years back, so every history is after it
    col.db.execute("update col set crt = crt - ?", 20 * 365 * 86400)
    col.close(downgrade=False)
    col = _collection(path)
    today = synth.study_today()
    anki_today = col.sched.today
    specs = list(synth.cards(size, seed, today))
    _add_notes(col, [(s.topic, s.prompt, s.answer) for s in specs])
    card_ids = [row[0] for row in col.db.all("select id from cards order by nid, ord")]
    assert len(card_ids) == len(specs), (len(card_ids), len(specs))
    now = int(time.time())
    updates = []
    revlog = []
    used: set[int] = set()
    for cid, spec in zip(card_ids, specs, strict=True):
        if not spec.answers:
            continue
        s = spec.state
        assert s.due is not None
        due = anki_today + (s.due - today).days
        ease = s.sm2.easiness * 10
        updates.append((s.interval, due, ease, len(spec.answers), s.lapses, now, cid))
        for position, a in enumerate(spec.answers):
            stamp = int(a.at.timestamp() * 1000)
            while stamp in used:
                stamp += 1
            used.add(stamp)
            ease = 1 if a.grade < 3 else a.grade - 1  # 3 hard, 4 good, 5 easy
            kind = 0 if position == 0 else 1  # learn, review
            revlog.append(
                (
                    stamp,
                    cid,
                    ease,
                    a.after.interval,
                    a.before.interval,
                    a.after.sm2.easiness * 10,
                    a.duration_ms,
                    kind,
                )
            )
    # one row per statement would be one fsync each: write in bulk without them
    col.db.execute("pragma synchronous = off")
    col.db.executemany(
        "update cards set type = 2, queue = 2, ivl = ?, due = ?, factor = ?, reps = ?, "
        "lapses = ?, left = 0, mod = ?, usn = -1 where id = ?",
        updates,
    )
    col.db.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?, ?, -1, ?, ?, ?, ?, ?, ?)",
        revlog,
    )
    col.db.execute("analyze")
    col.close(downgrade=False)
    print(json.dumps({"cards": len(specs), "reviews": len(revlog), "today": anki_today}))


def main() -> None:
    command, path, *rest = sys.argv[1:]
    options = dict(zip(rest[::2], rest[1::2], strict=False))
    if command == "first-card":
        first_card(path)
    elif command == "answer":
        answer(path, int(options.get("--count", "20")))
    elif command == "stats":
        stats(path)
    elif command == "import":
        import_notes(path, int(options["--size"]), int(options.get("--seed", "7")))
    elif command == "csv-import":
        csv_import(path, rest[0])
    elif command == "generate":
        generate(path, int(options["--size"]), int(options.get("--seed", "7")))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
