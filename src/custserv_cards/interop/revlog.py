"""The review log in the CSV schema of the FSRS tools and the open-spaced-repetition data sets:
``card_id,review_rating,review_time,review_duration``.

* ``card_id``: a whole number standing for the card (the FSRS tools want numbers): the first
  52 bits of the SHA-256 of the app's card id, so the same card always has the same number;
* ``review_rating``: Anki's buttons, 1 Again, 2 Hard, 3 Good, 4 Easy, from the app's grades as
  the FSRS scheduler maps them (0-2 Again, 3 Hard, 4 Good, 5 Easy);
* ``review_time``: when the answer was given, ISO 8601 in UTC;
* ``review_duration``: milliseconds from showing the card to the answer (0 when unknown).

Quiz drill answers (which leave the schedule unchanged) and undone answers are not part of
the log; answers are in the order they were given.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
from datetime import UTC, datetime

COLUMNS = ("card_id", "review_rating", "review_time", "review_duration")


def numeric_id(card_id: str) -> int:
    """The stable whole number that stands for ``card_id`` in the exported log."""
    return int(hashlib.sha256(card_id.encode()).hexdigest()[:13], 16)


def review_log_csv(conn: sqlite3.Connection) -> tuple[str, int]:
    """The log as CSV text, and how many answers it holds."""
    from custserv_cards.scheduler.fsrs import rating

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    cursor = conn.execute(
        "SELECT card_id, grade, reviewed_at, duration_ms FROM reviews "
        "WHERE kind != 'drill' ORDER BY id"
    )
    for card_id, grade, reviewed_at, duration in cursor:
        moment = datetime.fromisoformat(reviewed_at)
        if moment.tzinfo is None:
            moment = moment.astimezone()
        writer.writerow(
            (
                numeric_id(card_id),
                rating(grade),
                moment.astimezone(UTC).isoformat(timespec="microseconds"),
                int(duration or 0),
            )
        )
        count += 1
    return out.getvalue(), count
