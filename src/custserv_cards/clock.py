"""The one place that knows "now" and which study day it is.

``CUSTSERV_NOW`` (an ISO date or datetime) pins the clock, for tests and for reproducing a
day. A study day starts at 04:00 local time by default, as Anki's does, so a session after
midnight counts toward the day before; the ``day_start_hour`` setting changes that.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta

from custserv_cards.errors import UsageError

NOW_ENV = "CUSTSERV_NOW"
DEFAULT_DAY_START_HOUR = 4


def now() -> datetime:
    """The current local time (timezone-aware), or the time pinned by ``CUSTSERV_NOW``."""
    pinned = os.environ.get(NOW_ENV)
    if not pinned:
        return datetime.now().astimezone()
    return parse_now(pinned)


EARLIEST_YEAR = 1971
LATEST_YEAR = 9000  # far enough from 9999 that a century-long interval still has a date


def parse_now(text: str) -> datetime:
    """Read a ``CUSTSERV_NOW`` value: a date (``2026-11-23``, ``20261123``, ``2026-W48-1``)
    means noon of that day, local time; a datetime without an offset is local time."""
    value = text.strip()
    try:
        try:
            moment = datetime.combine(date.fromisoformat(value), time(12, 0))
        except ValueError:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{NOW_ENV}={text!r} is not an ISO date or datetime; "
            "use e.g. 2026-11-23 or 2026-11-23T08:30"
        ) from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise UsageError(
            f"{NOW_ENV}={text!r} is out of range; use a date from {EARLIEST_YEAR} to "
            f"{LATEST_YEAR}, e.g. 2026-11-23"
        )
    return moment.astimezone() if moment.tzinfo is None else moment


def study_day(moment: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR) -> date:
    """The study day a moment belongs to: before ``day_start_hour`` it is still yesterday."""
    return (moment - timedelta(hours=day_start_hour)).date()


def today(day_start_hour: int = DEFAULT_DAY_START_HOUR) -> date:
    """The current study day."""
    return study_day(now(), day_start_hour)
