"""The clock: dates near the ends of the calendar are refused, every ISO date means noon, and
a clock that goes back (or a time zone change) never grows a card's interval."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time
from pathlib import Path

import pytest
from conftest import Run, dump

from custserv_cards import clock
from custserv_cards.errors import UsageError

CARD = "def-customer-service-revision-notes"

EXTREMES = ["9999-12-31", "9999-12-30", "9999-06-01", "0001-01-01", "0001-01-02", "1000-01-01"]
COMMANDS = [
    ("grade", CARD, "4"),
    ("stats",),
    ("stats", "--json"),
    ("report", "-f", "md", "-o", "-"),
    ("report", "-f", "html", "-o", "-"),
    ("report", "-f", "json", "-o", "-"),
    ("report", "-f", "csv", "--reviews", "-o", "-"),
    ("topics",),
]


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
@pytest.mark.parametrize("now", EXTREMES)
def test_now_near_the_ends_of_the_calendar_is_refused(
    cli: Run, db_path: Path, now: str, scheduler: str
) -> None:
    assert cli("config", "scheduler", scheduler).code == 0
    assert cli("grade", CARD, "4", now="2026-01-10").code == 0
    before = dump(db_path)
    for args in COMMANDS:
        result = cli(*args, now=now)
        assert result.code == 2, (args, result)
        assert result.out == "" and len(result.err.splitlines()) == 1, (args, result)
        assert result.err.startswith(f"custserv: CUSTSERV_NOW='{now}' is out of range"), result
        assert "from 1971 to 9000" in result.err
    assert dump(db_path) == before


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
@pytest.mark.parametrize("now", ["1971-01-01", "9000-12-31"])
def test_the_first_and_last_accepted_years_work_everywhere(
    cli: Run, now: str, scheduler: str
) -> None:
    assert cli("config", "scheduler", scheduler).code == 0
    for args in COMMANDS:
        result = cli(*args, now=now)
        assert result.code == 0, (args, result)
        assert "Traceback" not in result.err


@pytest.mark.parametrize("text", ["20260101", "2026-01-01", " 2026-01-01 "])
def test_every_iso_date_means_noon(text: str) -> None:
    moment = clock.parse_now(text)
    assert moment.replace(tzinfo=None) == datetime(2026, 1, 1, 12, 0)
    assert clock.study_day(moment) == date(2026, 1, 1)


def test_an_iso_week_date_means_noon_of_its_day() -> None:
    moment = clock.parse_now("2026-W01")
    assert (moment.date(), moment.time().replace(tzinfo=None)) == (date(2025, 12, 29), time(12))


def test_basic_iso_date_is_recorded_on_its_own_study_day(cli: Run) -> None:
    assert cli("grade", CARD, "4", now="20260101").code == 0
    history = json.loads(cli("card", "show", CARD, "--json").out)["history"]
    assert history[0]["day"] == "2026-01-01"


@pytest.mark.parametrize("text", ["1970-12-31", "9001-01-01", "0001-01-01T00:00+00:00"])
def test_parse_now_refuses_out_of_range_years(text: str) -> None:
    with pytest.raises(UsageError, match="out of range"):
        clock.parse_now(text)


def _state(cli: Run) -> dict[str, object]:
    data = json.loads(cli("card", "show", CARD, "--json").out)
    return {**data["state"], "kinds": [row["kind"] for row in data["history"]]}


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_time_zone_change_does_not_grow_the_interval(cli: Run, scheduler: str) -> None:
    """London at 05:00, then New York an hour and nine hours later: one learning answer and
    two repeats, not three reviews with a 15-day interval."""
    assert cli("config", "scheduler", scheduler).code == 0
    assert cli("grade", CARD, "4", now="2026-01-10T05:00+00:00").code == 0
    first = _state(cli)
    moved = cli("grade", CARD, "4", now="2026-01-10T01:00-05:00")
    assert moved.code == 0, moved
    assert "is before this card's last answer (2026-01-10)" in moved.out
    assert cli("grade", CARD, "4", now="2026-01-10T10:00-05:00").code == 0
    state = _state(cli)
    assert state["kinds"] == ["learn", "repeat", "repeat"]
    assert state["repetitions"] == 1
    if scheduler == "sm2":
        assert (
            (state["interval"], state["due"])
            == (first["interval"], first["due"])
            == (
                1,
                "2026-01-11",
            )
        )
    doctor = cli("doctor", "--check")
    assert doctor.code == 0 and "study days of each card's answers: in order" in doctor.out


def test_clock_going_back_days_counts_as_a_repeat(cli: Run) -> None:
    assert cli("grade", CARD, "4", now="2026-01-10").code == 0
    back = cli("grade", CARD, "4", now="2026-01-05")
    assert back.code == 0, back
    assert "same-day repeat" in back.out
    state = _state(cli)
    assert state["kinds"] == ["learn", "repeat"]
    assert (state["repetitions"], state["interval"], state["due"]) == (1, 1, "2026-01-11")
    history = json.loads(cli("card", "show", CARD, "--json").out)["history"]
    assert [row["day"] for row in history] == ["2026-01-10", "2026-01-10"]
    assert history[1]["reviewed_at"].startswith("2026-01-05")  # the moment itself is kept
    # the next real day is a normal review again
    assert cli("grade", CARD, "4", now="2026-01-11").code == 0
    assert _state(cli)["repetitions"] == 2


def test_later_day_start_hour_does_not_make_a_review(cli: Run) -> None:
    assert cli("grade", CARD, "4", now="2026-01-10T12:00").code == 0
    assert cli("config", "day_start_hour", "23").code == 0
    assert cli("grade", CARD, "5", now="2026-01-10T13:00").code == 0  # study day 01-09 now
    state = _state(cli)
    assert state["kinds"] == ["learn", "repeat"] and state["repetitions"] == 1


def test_doctor_notes_a_log_that_goes_back_in_time(cli: Run, db_path: Path) -> None:
    """A log written before answers were clamped (here: edited to look like one) is history:
    doctor keeps it and says what happened, without calling the file unhealthy."""
    assert cli("grade", CARD, "4", now="2026-01-10").code == 0
    assert cli("grade", CARD, "4", now="2026-01-11").code == 0
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "UPDATE reviews SET day = '2026-01-09' WHERE id = (SELECT MAX(id) FROM reviews)"
        )
    conn.close()
    cli("doctor")  # the daily tally follows the edited log
    result = cli("doctor", "--check")
    assert result.code == 0, result
    assert f"card '{CARD}' has an answer on 2026-01-09 logged after one on 2026-01-10" in result.out
