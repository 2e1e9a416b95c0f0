"""Every figure of ``custserv stats`` on a small hand-made history whose answers are known."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Run
from report_schema import schema_errors

from custserv_cards import stats
from custserv_cards.errors import UsageError
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths

TODAY = date(2026, 11, 23)  # a Monday
NOW = "2026-11-23T12:00"

ALPHA = """\
topic: alpha
title: Alpha topic
description: Hand-made cards.
cards:
""" + "".join(
    f"""  - id: a{n}
    kind: basic
    prompt: Alpha question {n}?
    answer: Alpha answer {n}.
    source: 000_notes.txt:{n}
"""
    for n in range(1, 7)
)

BETA = """\
topic: beta
title: Beta topic
description: More hand-made cards.
cards:
  - id: b1
    kind: basic
    prompt: Beta question 1?
    answer: Beta answer 1.
    source: 000_notes.txt:1
  - id: b2
    kind: cloze
    text: Beta {{cloze}} text.
    source: 000_notes.txt:2
  - id: b3
    kind: basic
    prompt: Beta question 3?
    answer: Beta answer 3.
    source: 000_notes.txt:3
"""

# card: (repetitions, EF x 100, interval, due, lapses, last_day, suspended, buried_until)
STATES: dict[str, tuple[Any, ...]] = {
    "a2": (0, 230, 1, "2026-11-23", 1, "2026-11-22", 0, None),  # learning, due today
    "a3": (2, 250, 6, "2026-11-26", 0, "2026-11-20", 0, None),  # young, due in 3 days
    "a4": (5, 270, 30, "2026-12-01", 0, "2026-11-01", 0, None),  # mature, due in 8 days
    "a5": (3, 200, 21, "2026-11-23", 9, "2026-11-02", 1, None),  # mature, suspended leech
    "a6": (1, 130, 2, "2026-11-24", 8, "2026-11-22", 0, None),  # young leech, due tomorrow
    "b2": (0, 250, 1, "2026-11-22", 2, "2026-11-21", 0, "2026-11-24"),  # overdue, buried
    "b3": (4, 260, 25, "2026-12-05", 0, "2026-11-10", 0, None),  # mature
}

# (card, day, grade, kind, due before the answer)
REVIEWS: list[tuple[str, str, int, str, str | None]] = [
    ("a4", "2026-10-24", 5, "review", "2026-10-24"),  # 30 days ago: outside the window
    ("a4", "2026-10-25", 2, "review", "2026-10-25"),  # 29 days ago: inside, failed
    ("a4", "2026-11-01", 4, "learn", None),  # not a review of a learnt card
    ("a3", "2026-11-20", 4, "review", "2026-11-18"),  # passed; had waited since 11-18
    ("a3", "2026-11-20", 3, "repeat", "2026-11-26"),  # a same-day repeat: not counted
    ("a1", "2026-11-21", 5, "drill", None),  # a drill: not counted
    ("b2", "2026-11-21", 0, "review", "2026-11-21"),  # failed
    ("a2", "2026-11-22", 1, "review", "2026-11-22"),  # failed
    ("a6", "2026-11-22", 3, "review", "2026-11-22"),  # passed
    ("b3", "2026-11-05", 4, "review", "2026-11-05"),  # passed
    ("b3", "2026-11-10", 5, "review", "2026-11-10"),  # passed
]


def make_store(path: Path, tmp: Path) -> Store:
    """A database built by the production migrations, holding the two hand-made decks."""
    folder = tmp / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.yaml").write_text(BETA, encoding="utf-8")
    store = Store.open(path)
    sync_paths(store, [folder])
    return store


def add_review(
    store: Store, card: str, day: str, grade: int, kind: str, due_before: str | None
) -> None:
    before = {"again": False, "due": due_before, "easiness": 250, "interval": 1, "lapses": 0,
              "last_day": None, "repetitions": 0}  # fmt: skip
    with store.write() as conn:
        conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, grade, scheduler, kind, before, "
            "after, duration_ms) VALUES (?, ?, ?, ?, 'sm2', ?, ?, ?, 1000)",
            (card, f"{day}T10:00:00.000", day, grade, kind, json.dumps(before), "{}"),
        )


def set_state(store: Store, card: str, values: tuple[Any, ...]) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE state SET repetitions = ?, easiness = ?, interval = ?, due = ?, lapses = ?, "
            "last_day = ?, suspended = ?, buried_until = ? WHERE card_id = ?",
            (*values, card),
        )


def build_history(path: Path, tmp: Path) -> Store:
    store = make_store(path, tmp)
    for card, values in STATES.items():
        set_state(store, card, values)
    for review in REVIEWS:
        add_review(store, *review)
    return store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return build_history(tmp_path / "stats.db", tmp_path)


def test_cards_by_state_and_due_counts(store: Store) -> None:
    result = stats.compute(store, TODAY)
    alpha, beta = result.topics
    assert (alpha.topic, alpha.title) == ("alpha", "Alpha topic")
    # a1 new; a2 learning; a3, a6 young; a4, a5 mature; a5 suspended; a5, a6 leeches.
    assert (alpha.cards, alpha.new, alpha.learning, alpha.young, alpha.mature) == (6, 1, 1, 2, 2)
    assert (alpha.suspended, alpha.leech) == (1, 2)
    # (230 + 250 + 270 + 200 + 130) / 5 answered cards
    assert alpha.average_ef == 2.16
    # today: a2 (a5 is suspended); tomorrow: a6; within 7 days: a2, a3, a6 (a4 is 8 days out)
    assert (alpha.due_today, alpha.due_tomorrow, alpha.due_7_days) == (1, 1, 3)
    assert (beta.cards, beta.new, beta.learning, beta.young, beta.mature) == (3, 1, 1, 0, 1)
    assert (beta.suspended, beta.leech, beta.average_ef) == (0, 0, 2.55)
    # b2 is overdue but buried until tomorrow: not due today, but within 7 days
    assert (beta.due_today, beta.due_tomorrow, beta.due_7_days) == (0, 0, 1)
    total = result.total
    assert (total.cards, total.new, total.learning, total.young, total.mature) == (9, 2, 2, 2, 3)
    assert (total.suspended, total.leech) == (1, 2)
    assert total.average_ef == round((1080 + 510) / 7 / 100, 3) == 2.271
    assert (total.due_today, total.due_tomorrow, total.due_7_days) == (1, 1, 4)


def test_retention_counts_only_reviews_of_learnt_cards_in_the_last_30_days(store: Store) -> None:
    result = stats.compute(store, TODAY)
    alpha, beta = result.topics
    # alpha: 10-25 (2), 11-20 (4), 11-22 (1), 11-22 (3); not 10-24, the learn, repeat, drill
    assert (alpha.reviews_30d, alpha.passed_30d, alpha.retention_30d) == (4, 2, 0.5)
    # beta: 11-05 (4), 11-10 (5), 11-21 (0)
    assert (beta.reviews_30d, beta.passed_30d, beta.retention_30d) == (3, 2, 0.6667)
    assert (result.total.reviews_30d, result.total.passed_30d) == (7, 4)
    assert result.total.retention_30d == 0.5714


def test_forecast(store: Store) -> None:
    forecast = stats.compute(store, TODAY).forecast
    assert len(forecast) == 30
    assert forecast[0].day == "2026-11-23" and forecast[-1].day == "2026-12-22"
    due = {d.day: d.count for d in forecast if d.count}
    # today: a2 and the overdue b2; a5 is suspended
    assert due == {"2026-11-23": 2, "2026-11-24": 1, "2026-11-26": 1, "2026-12-01": 1,
                   "2026-12-05": 1}  # fmt: skip


def test_heatmap_covers_26_weeks_from_a_monday(store: Store) -> None:
    heatmap = stats.compute(store, TODAY).heatmap
    assert heatmap[0].day == "2026-06-01" and date.fromisoformat(heatmap[0].day).weekday() == 0
    assert heatmap[-1].day == "2026-11-23" and len(heatmap) == 25 * 7 + 1
    counts = {d.day: d.count for d in heatmap if d.count}
    assert counts == {
        "2026-10-24": 1, "2026-10-25": 1, "2026-11-01": 1, "2026-11-05": 1,
        "2026-11-10": 1, "2026-11-20": 2, "2026-11-21": 2, "2026-11-22": 2,
    }  # fmt: skip


def test_weakest_cards(store: Store) -> None:
    weakest = stats.compute(store, TODAY).weakest
    assert [c.card_id for c in weakest.most_lapses] == ["a5", "a6", "b2", "a2"]
    assert [c.card_id for c in weakest.lowest_ef] == ["a6", "a5", "a2", "b2", "a3", "b3", "a4"]
    assert [c.card_id for c in weakest.leeches] == ["a5", "a6"]
    a5 = weakest.leeches[0]
    assert (a5.topic, a5.text, a5.lapses, a5.ef, a5.suspended, a5.leech) == (
        "alpha",
        "Alpha question 5?",
        9,
        2.0,
        True,
        True,
    )
    b2 = weakest.most_lapses[2]
    assert b2.text == "Beta {{cloze}} text."


def test_one_topic_only(store: Store) -> None:
    result = stats.compute(store, TODAY, "beta")
    assert [t.topic for t in result.topics] == ["beta"]
    assert result.total.cards == 3 and result.total.retention_30d == 0.6667
    assert {d.day for d in result.forecast if d.count} == {"2026-11-23", "2026-12-05"}
    assert sum(d.count for d in result.heatmap) == 3
    assert [c.card_id for c in result.weakest.lowest_ef] == ["b2", "b3"]


def test_unknown_topic_lists_the_topics(store: Store) -> None:
    with pytest.raises(UsageError, match=r"unknown topic 'gamma' for --topic; topics: alpha, beta"):
        stats.compute(store, TODAY, "gamma")


def test_streak_of_the_hand_made_history(store: Store) -> None:
    result = stats.compute(store, TODAY)
    # 11-22, 11-21, 11-20; before 11-20 a3 had been due since 11-18, so the gap breaks it.
    assert (result.streak, result.studied_today) == (3, False)


def test_retention_over_time_per_week(store: Store) -> None:
    weeks = stats.retention_over_time(store.conn, date(2026, 11, 1), TODAY)
    assert list(weeks) == ["alpha", "beta"]
    starts = ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert [w.week for w in weeks["alpha"]] == starts
    assert [(w.reviews, w.passed) for w in weeks["alpha"]] == [(0, 0), (0, 0), (0, 0), (3, 2),
                                                              (0, 0)]  # fmt: skip
    assert [w.retention for w in weeks["alpha"]] == [None, None, None, 0.6667, None]
    assert [(w.reviews, w.passed) for w in weeks["beta"]] == [(0, 0), (1, 1), (1, 1), (1, 0),
                                                             (0, 0)]  # fmt: skip


def test_exam_readiness(store: Store) -> None:
    exam = stats.exam_readiness(store.conn, date(2026, 12, 23), TODAY)
    assert exam.days_left == 30
    alpha, beta = exam.topics
    # a5 is suspended: left out. Ready: a3, a4 (a2 failed last, a6 is a leech, a1 is new).
    assert (alpha.cards, alpha.ready, alpha.readiness, alpha.new) == (5, 2, 0.4, 1)
    assert (alpha.new_per_day_needed, alpha.due_by_exam) == (1, 4)
    assert (beta.cards, beta.ready, beta.readiness, beta.new, beta.due_by_exam) == (
        3,
        1,
        0.3333,
        1,
        2,
    )
    assert (exam.total.cards, exam.total.ready, exam.total.readiness) == (8, 3, 0.375)


def test_an_empty_collection(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as store:
        result = stats.compute(store, TODAY)
    assert result.topics == [] and result.total.cards == 0
    assert result.total.retention_30d is None and result.total.average_ef is None
    assert result.streak == 0 and sum(d.count for d in result.forecast) == 0


# --- the streak's rule for days without answers ---------------------------------------------


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def blank(tmp_path: Path) -> Store:
    return make_store(tmp_path / "streak.db", tmp_path)


def test_streak_counts_consecutive_days_ending_today(blank: Store) -> None:
    for offset in (0, -1, -4):
        add_review(blank, "a1", day(offset), 4, "review", day(offset))
    add_review(blank, "a2", day(-2), 4, "review", day(-3))
    # a2 was due on -3, a day without answers, so that gap breaks the streak
    assert stats.streak(blank.conn, TODAY) == 3
    # had it been due on -2 only, nothing was due on -3: the streak goes on to -4
    with blank.write() as conn:
        conn.execute("DELETE FROM reviews WHERE card_id = 'a2'")
    add_review(blank, "a2", day(-2), 4, "review", day(-2))
    assert stats.streak(blank.conn, TODAY) == 4


def test_streak_is_kept_while_nothing_is_answered_yet_today(blank: Store) -> None:
    for offset in (-1, -2):
        add_review(blank, "a1", day(offset), 4, "review", day(offset))
    assert stats.streak(blank.conn, TODAY) == 2


def test_a_day_with_nothing_due_does_not_break_the_streak(blank: Store) -> None:
    add_review(blank, "a1", day(-5), 4, "learn", None)
    set_state(blank, "a1", (1, 250, 3, day(-2), 0, day(-5), 0, None))
    add_review(blank, "a1", day(-2), 4, "review", day(-2))
    add_review(blank, "a1", day(0), 4, "review", day(0))
    set_state(blank, "a1", (3, 250, 15, day(15), 0, day(0), 0, None))
    # -4, -3 and -1: nothing was due, so the three study days count as one streak
    assert stats.streak(blank.conn, TODAY) == 3


def test_a_card_answered_late_breaks_the_streak(blank: Store) -> None:
    add_review(blank, "a1", day(-3), 4, "review", day(-3))
    add_review(blank, "a2", day(0), 4, "review", day(-1))  # due yesterday, answered today
    assert stats.streak(blank.conn, TODAY) == 1


def test_a_card_still_waiting_breaks_the_streak(blank: Store) -> None:
    add_review(blank, "a1", day(-3), 4, "review", day(-3))
    add_review(blank, "a2", day(0), 4, "review", day(0))
    # a3 was last answered on -4 and has been due since -2; it waits still
    set_state(blank, "a3", (1, 250, 2, day(-2), 0, day(-4), 0, None))
    assert stats.streak(blank.conn, TODAY) == 1
    # once suspended it no longer counts as waiting
    set_state(blank, "a3", (1, 250, 2, day(-2), 0, day(-4), 1, None))
    assert stats.streak(blank.conn, TODAY) == 2


def test_a_long_streak_with_gaps(blank: Store) -> None:
    # every other day for 300 days, each answer due on its own day: nothing waits in the gaps
    for offset in range(-600, 1, 2):
        add_review(blank, "a1", day(offset), 4, "review", day(offset))
    assert stats.streak(blank.conn, TODAY) == 301


# --- the command ----------------------------------------------------------------------------


@pytest.fixture
def history_db(db_path: Path, tmp_path: Path) -> Path:
    build_history(db_path, tmp_path).close()
    return db_path


def test_stats_json_for_one_topic(cli: Run, history_db: Path) -> None:
    result = cli("stats", "--json", "--topic", "alpha", now=NOW)
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["today"] == "2026-11-23" and data["topic_filter"] == "alpha"
    (alpha,) = data["topics"]
    assert alpha == {
        "topic": "alpha", "title": "Alpha topic", "cards": 6, "new": 1, "learning": 1,
        "young": 2, "mature": 2, "suspended": 1, "leech": 2, "reviews_30d": 4,
        "passed_30d": 2, "retention_30d": 0.5, "average_ef": 2.16, "due_today": 1,
        "due_tomorrow": 1, "due_7_days": 3, "average_recall": None,
    }  # fmt: skip
    assert data["streak"] == 3 and data["studied_today"] is False
    assert [c["card_id"] for c in data["weakest"]["leeches"]] == ["a5", "a6"]
    assert len(data["forecast"]) == 30 and len(data["heatmap"]) == 176


def test_stats_dashboard(cli: Run, history_db: Path) -> None:
    result = cli("stats", "--topic", "alpha", now=NOW)
    assert result.code == 0, result
    out = result.out
    assert "Cards by state on 2026-11-23" in out
    assert "50.0%" in out and "2.16" in out
    assert "Streak: 3 days (nothing answered yet today)" in out
    assert "Most lapses" in out and "Alpha question 5?" in out


def test_stats_unknown_topic(cli: Run, history_db: Path) -> None:
    result = cli("stats", "--topic", "gamma", now=NOW)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "unknown topic 'gamma'" in lines[0]
    assert "alpha" in lines[0] and "beta" in lines[0] and "Traceback" not in result.err


def test_weakest_under_fsrs_means_lowest_recall_today(store: Store) -> None:
    store.set_setting("scheduler", "fsrs")
    result = stats.compute(store, TODAY)
    assert result.scheduler == "fsrs" and result.weakness.title == "Lowest recall today"
    # FSRS's figures, not SM-2's EF (which FSRS never changes)
    assert result.total.average_ef is None and result.weakest.lowest_ef == []
    lowest = result.weakest.lowest_recall
    assert all(c.recall is not None for c in lowest)
    recall = {c.card_id: c.recall or 0.0 for c in lowest}
    assert set(recall) == {"a2", "a3", "a4", "a5", "a6", "b2", "b3"}
    assert list(recall.values()) == sorted(recall.values())
    # These cards have no FSRS memory yet: it comes from their EF and interval, aiming at 90 %
    # recall on the due day. Overdue b2 is the weakest; a2 and a5 are due today.
    assert lowest[0].card_id == "b2" and recall["b2"] < 0.9 < recall["a3"]
    assert recall["a2"] == pytest.approx(0.9, abs=0.002) == recall["a5"]
    average = result.total.average_recall or 0.0
    assert average == pytest.approx(sum(recall.values()) / 7, abs=1e-3)


def test_stats_dashboard_under_fsrs(cli: Run, history_db: Path) -> None:
    assert cli("config", "scheduler", "fsrs").code == 0
    result = cli("stats", now=NOW)
    assert result.code == 0, result
    assert "Lowest recall today" in result.out and "avg recall" in result.out
    assert "Lowest EF" not in result.out and "avg EF" not in result.out
    data = json.loads(cli("stats", "--json", now=NOW).out)
    assert data["scheduler"] == "fsrs" and data["total"]["average_ef"] is None
    report = cli("report", "--format", "md", "--output", "-", now=NOW)
    assert report.code == 0 and "Average recall today:" in report.out, report
    as_json = cli("report", "--format", "json", "--output", "-", now=NOW)
    assert as_json.code == 0, as_json
    data = json.loads(as_json.out)
    assert schema_errors(data) == [] and data["stats"]["total"]["average_recall"] > 0
