"""A collection whose history is the real review log's (tests/data/revlog_real_12k.csv)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from conftest import Run

from custserv_cards.scheduler import evaluate
from custserv_cards.store import Store

REVLOG = Path(__file__).parent / "data" / "revlog_real_12k.csv"


def collection_from_revlog(db_path: Path, cli: Run, limit: int | None = None) -> tuple[int, int]:
    """The real log's cards with the longest histories mapped onto the bundled cards (the
    first ``limit`` of them), their answers recorded through the store under the scheduler
    the settings choose; returns how many cards and answers it holds."""
    assert cli("topics").code == 0  # creates the database with the bundled decks
    histories = evaluate.read_revlog(REVLOG)
    longest = sorted(histories.values(), key=len, reverse=True)
    answers = cards = 0
    with Store.open(db_path) as store:
        store.conn.execute("PRAGMA synchronous = OFF")  # speed only: the test does not crash
        ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY id")]
        for card_id, history in zip(ids[:limit], longest, strict=False):
            cards += 1
            for answer in history:
                moment = datetime.combine(answer.day, time(12)).astimezone()
                store.record_answer(card_id, answer.grade, moment)
                answers += 1
    return cards, answers
