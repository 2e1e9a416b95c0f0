"""The tally of card states (``state_tally``, migration 6) that ``custserv stats`` reads: kept
by triggers through everything that changes a state or a card, equal to a recount at every
step; the figures read from it are those the states give; ``doctor`` checks and rebuilds it."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import DECK, Run, write_deck

from custserv_cards import migrations, stats
from custserv_cards.scheduler.state import LEECH_LAPSES
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

TODAY = date(2026, 12, 1)
ORDER = " ORDER BY 1, 2, 3, 4, 5, 6"


def _tally(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM state_tally" + ORDER).fetchall()


def _recount(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(migrations.recount_state_tally_select() + ORDER).fetchall()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0).astimezone()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    for topic in ("alpha", "beta", "gamma"):  # the test deck, with ids of each topic's own
        write_deck(tmp_path / "decks", topic, DECK.format(topic=topic).replace("t-", f"{topic}-"))
    with Store.open(tmp_path / "custserv.db") as opened:
        sync_paths(opened, [tmp_path / "decks"])
        yield opened


def test_the_thresholds_are_those_of_the_statistics(store: Store) -> None:
    """The stage each state is counted under is the one the card export gives it (which
    uses stats' own constants), at every interval around the thresholds; a leech is one
    with LEECH_LAPSES lapses."""
    cards = [r[0] for r in store.conn.execute("SELECT card_id FROM state ORDER BY rowid")]
    intervals = [0, 1, 2, 3, 20, 21, 22, 400]
    assert len(cards) >= len(intervals) + 1
    with store.write() as tx:
        for card, interval in zip(cards, intervals, strict=False):
            tx.execute(
                "UPDATE state SET last_day = '2026-11-20', interval = ?, due = '2026-12-05', "
                "lapses = ?, repetitions = 3 WHERE card_id = ?",
                (interval, LEECH_LAPSES - (interval % 2), card),
            )
    exported = {r[0]: (r[5], int(r[8])) for r in stats.card_rows(store.conn, TODAY)}
    key = migrations._TALLY_KEY.format(s="s")
    tallied = {
        r[0]: (r[1], r[2])
        for r in store.conn.execute(f"SELECT s.card_id, {key} FROM state s")  # stage, ..., leech
        for r in [(r[0], r[1], r[4])]
    }
    assert tallied == exported
    assert {stage for stage, _ in exported.values()} == {"new", "learning", "young", "mature"}
    assert {leech for _, leech in exported.values()} == {0, 1}
    assert _tally(store.conn) == _recount(store.conn)


def test_every_change_keeps_the_tally_equal_to_a_recount(store: Store, tmp_path: Path) -> None:
    """Answers (every grade, under SM-2 and FSRS, repeats the same day), undo, suspend and
    unsuspend, bury, a card moved to another topic, retired by a sync and restored by the next:
    after each step the tally is what a recount gives."""
    rng = random.Random(20)
    conn = store.conn
    cards = [r[0] for r in conn.execute("SELECT card_id FROM state ORDER BY rowid")]
    day = TODAY
    steps = 0
    for step in range(160):
        action = rng.choice(["answer"] * 6 + ["undo", "suspend", "bury", "fsrs", "day"])
        card = rng.choice(cards)
        if action == "answer":
            store.record_answer(card, rng.randint(0, 5), _at(day))
        elif action == "undo":
            store.undo(1, _at(day))
        elif action == "suspend":
            store.set_suspended(card, rng.random() < 0.6)
        elif action == "bury":
            store.bury(card, day + timedelta(days=rng.randint(0, 2)))
        elif action == "fsrs":
            store.set_settings({"scheduler": rng.choice(["sm2", "fsrs"])})
        else:
            day += timedelta(days=rng.randint(1, 9))
        assert _tally(conn) == _recount(conn), (step, action, card)
        steps += 1
    decks = tmp_path / "decks"
    beta = (decks / "beta.yaml").read_text(encoding="utf-8")
    (decks / "beta.yaml").unlink()  # a sync retires beta's cards
    sync_paths(store, [decks])
    assert _tally(conn) == _recount(conn)
    assert not conn.execute("SELECT 1 FROM state_tally WHERE topic = 'beta'").fetchone()
    (decks / "beta.yaml").write_text(beta, encoding="utf-8")  # and the next restores them
    sync_paths(store, [decks])
    assert _tally(conn) == _recount(conn)
    with store.write() as tx:  # a card moved to another topic
        tx.execute("UPDATE cards SET topic = 'gamma' WHERE id = ?", (cards[0],))
    assert _tally(conn) == _recount(conn)
    assert (
        sum(r[6] for r in _tally(conn))
        == conn.execute(  # type: ignore[misc]
            "SELECT COUNT(*) FROM cards WHERE retired = 0"
        ).fetchone()[0]
    )
    assert steps == 160


def test_stats_read_from_the_tally_are_those_of_the_states(store: Store) -> None:
    """The per-topic counts and the forecast equal the same figures counted over the states
    directly (as statistics did before the tally)."""
    rng = random.Random(3)
    cards = [r[0] for r in store.conn.execute("SELECT card_id FROM state")]
    for i, card in enumerate(cards):
        if i % 4:
            store.record_answer(
                card, rng.randint(0, 5), _at(TODAY - timedelta(days=rng.randint(0, 30)))
            )
    store.set_suspended(cards[1], True)
    store.bury(cards[2], TODAY + timedelta(days=1))
    result = stats.compute(store, TODAY)
    params = {
        "today": TODAY.isoformat(),
        "tomorrow": (TODAY + timedelta(days=1)).isoformat(),
        "week": (TODAY + timedelta(days=7)).isoformat(),
    }
    direct = {
        r[0]: tuple(int(v) for v in r[1:])
        for r in store.conn.execute(
            f"""
            SELECT c.topic, COUNT(*), TOTAL(s.last_day IS NULL),
                TOTAL(s.last_day IS NOT NULL AND s.interval < {stats.YOUNG_MIN_DAYS}),
                TOTAL(s.last_day IS NOT NULL AND s.interval >= {stats.MATURE_DAYS}),
                TOTAL(s.suspended), TOTAL(s.due <= :today AND s.suspended = 0
                    AND (s.buried_until IS NULL OR s.buried_until <= :today)),
                TOTAL(s.due = :tomorrow AND s.suspended = 0),
                TOTAL(s.due <= :week AND s.suspended = 0)
            FROM state s JOIN cards c ON c.id = s.card_id WHERE c.retired = 0 GROUP BY c.topic
            """,
            params,
        )
    }
    shown = {
        t.topic: (
            t.cards, t.new, t.learning, t.mature, t.suspended,
            t.due_today, t.due_tomorrow, t.due_7_days,
        )
        for t in result.topics
    }  # fmt: skip
    assert shown == direct
    assert sum(v[5] for v in direct.values()) > 0  # some are due today
    forecast = dict(
        store.conn.execute(
            "SELECT MAX(s.due, :today), COUNT(*) FROM state s JOIN cards c ON c.id = s.card_id "
            "WHERE s.due IS NOT NULL AND s.suspended = 0 AND c.retired = 0 GROUP BY 1",
            params,
        ).fetchall()
    )
    for day in result.forecast:
        assert day.count == forecast.get(day.day, 0), day


def test_doctor_checks_the_tally_and_rebuilds_it(cli: Run, db_path: Path) -> None:
    cli("topics")
    assert "tally of card states: ok" in cli("doctor", "--check").out
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "UPDATE state_tally SET cards = cards + 3 WHERE (topic, stage) = "
            "(SELECT topic, stage FROM state_tally LIMIT 1)"
        )
        conn.execute("DELETE FROM state_tally WHERE stage = 'new' AND topic = "
                     "(SELECT MIN(topic) FROM state_tally)")  # fmt: skip
    conn.close()
    checked = cli("doctor", "--check")
    assert checked.code != 0
    assert "the tally of card states disagrees with the states" in checked.out + checked.err
    repaired = cli("doctor")
    assert repaired.code == 0, repaired
    assert "the tally of card states was rebuilt from the states" in repaired.out
    conn = sqlite3.connect(db_path)
    try:
        assert _tally(conn) == _recount(conn)
    finally:
        conn.close()
