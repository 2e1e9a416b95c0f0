"""custserv export reviews: the review log in the FSRS tools' CSV schema."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from conftest import Run, write_deck

from custserv_cards.interop.revlog import numeric_id
from custserv_cards.scheduler.evaluate import read_revlog
from custserv_cards.store import Store

SAMPLE = Path(__file__).parent / "data" / "revlog_real_12k.csv"


def test_the_log_in_the_schema_of_the_real_log(cli: Run, tmp_path: Path, db_path: Path) -> None:
    deck = write_deck(tmp_path / "decks")
    assert cli("decks", "sync", str(deck.parent)).code == 0
    answers = [("t-basic", 4), ("t-cloze", 1), ("t-list", 5), ("t-basic:reverse", 3)]
    for card, grade in answers:
        assert cli("grade", card, str(grade), now="2026-03-02T09:30:00+01:00").code == 0
    assert cli("grade", "t-cloze", "2", now="2026-03-02T09:40:00+01:00").code == 0
    assert cli("undo", now="2026-03-02T09:41:00+01:00").code == 0  # undone: not in the log
    with Store.open(db_path) as store:  # a quiz drill leaves the schedule alone: not in it
        store.record_answer("t-list", 0, datetime(2026, 3, 2, 10, tzinfo=UTC), practice=True)

    out = tmp_path / "revlog.csv"
    result = cli("export", "reviews", str(out))
    assert result.code == 0 and f"{len(answers)} answers" in result.out, result
    with SAMPLE.open(encoding="utf-8") as sample, out.open(encoding="utf-8") as written:
        assert next(csv.reader(written)) == next(csv.reader(sample))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    expected_ratings = {4: 3, 1: 1, 5: 4, 3: 2}
    assert [(int(r["card_id"]), int(r["review_rating"])) for r in rows] == [
        (numeric_id(card), expected_ratings[grade]) for card, grade in answers
    ]
    assert {r["review_time"] for r in rows} == {"2026-03-02T08:30:00.000000+00:00"}
    assert all(r["review_duration"] == "0" for r in rows)  # grade records no duration
    histories = read_revlog(out)  # the reader of the real log takes it as it is
    assert [[a.grade for a in h] for h in histories.values()] == [[4], [1], [5], [3]]
    assert len(histories) == len(answers)


def test_an_empty_log_has_the_header_only(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    result = cli("export", "reviews", str(out))
    assert result.code == 0 and "0 answers" in result.out
    assert out.read_text() == "card_id,review_rating,review_time,review_duration\n"
