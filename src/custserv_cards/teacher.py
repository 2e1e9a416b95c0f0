"""The plain-language figures of a progress report: what a teacher reads first.

* **cards started**: active cards answered at least once.
* **cards known**: see ``stats.KNOWN`` (recalled the last two times, not a leech, not due again for
  6 days or more).
* **time studied**: the sum of the answer times the log records (the time from showing a
  card to its grade), over the report's period; answers given by ``custserv grade`` carry
  no time and count for nothing.
* **recent activity**: per day over the last 14 study days, the answers, the minutes and the
  new cards started (answers of kind ``learn``).
* **deck versions**: per topic, a short fingerprint of its cards' ids and content, so that
  reports made from different versions of a deck can be told apart when they are merged.

Every query reads ``temp.active_cards`` (see ``stats.prepare``), which must be filled first.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from custserv_cards.model import card_text_and_answer
from custserv_cards.stats import KNOWN

RECENT_DAYS = 14


@dataclass(frozen=True)
class TopicSummary:
    topic: str
    title: str
    cards: int
    started: int
    known: int
    answers: int
    minutes: float


@dataclass(frozen=True)
class DayActivity:
    day: str
    answers: int
    minutes: float
    started: int


@dataclass(frozen=True)
class Summary:
    """The plain figures: card counts now, answers and time over ``start`` to ``end``."""

    start: str
    end: str
    first_day: str | None
    last_day: str | None
    days_studied: int
    topics: list[TopicSummary]
    total: TopicSummary
    recent: list[DayActivity]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _minutes(ms: float) -> float:
    return round(ms / 60000, 2)


def summarise(conn: sqlite3.Connection, titles: dict[str, str], start: date, end: date) -> Summary:
    """The plain figures of the active cards in ``temp.active_cards``."""
    counts = {
        slug: (int(cards), int(started), int(known))
        for slug, cards, started, known in conn.execute(
            f"""
            SELECT c.topic, COUNT(*), TOTAL(s.last_day IS NOT NULL), TOTAL({KNOWN})
            FROM temp.active_cards c JOIN state s ON s.card_id = c.id GROUP BY c.topic
            """
        )
    }
    period = {"start": start.isoformat(), "end": end.isoformat()}
    slugs = list(titles)
    tallied = tally_serves(conn, slugs)
    answered, days_studied = _answered(conn, slugs, period, tallied)
    topics = []
    for slug, title in titles.items():
        cards, started, known = counts.get(slug, (0, 0, 0))
        n, ms = answered.get(slug, (0, 0.0))
        topics.append(TopicSummary(slug, title, cards, started, known, n, _minutes(ms)))
    total = TopicSummary(
        "all",
        "All topics",
        sum(t.cards for t in topics),
        sum(t.started for t in topics),
        sum(t.known for t in topics),
        sum(t.answers for t in topics),
        _minutes(sum(answered.get(t.topic, (0, 0.0))[1] for t in topics)),
    )
    first_day, last_day = (_edge_day(conn, period["end"], order) for order in ("ASC", "DESC"))
    return Summary(
        start=period["start"],
        end=period["end"],
        first_day=first_day,
        last_day=last_day,
        days_studied=int(days_studied),
        topics=topics,
        total=total,
        recent=recent_activity(conn, end, slugs, tallied),
    )


def _edge_day(conn: sqlite3.Connection, end: str, order: str) -> str | None:
    """The first (``ASC``) or last (``DESC``) day up to ``end`` with an answer to an active
    card: read along the log's day index and stopped at the first answer of an active card
    (a MIN/MAX over the join looked up the card of every answer: 5 s at 967,316 answers).
    The ``+`` keeps SQLite on the day index rather than the card index and a sort."""
    row = conn.execute(
        "SELECT r.day FROM reviews r WHERE r.day <= ? "
        "AND +r.card_id IN (SELECT id FROM temp.active_cards) "
        f"ORDER BY r.day {order} LIMIT 1",
        (end,),
    ).fetchone()
    return None if row is None else str(row[0])


def tally_serves(conn: sqlite3.Connection, slugs: list[str]) -> bool:
    """Whether the daily tally (``review_days``) counts exactly the answers to the active
    cards of ``slugs`` (``temp.active_cards``): when no card of these topics is retired (the
    tally counts every card of a topic). Otherwise the log itself is read."""
    marks = ",".join("?" * len(slugs))
    (every,) = conn.execute(
        f"SELECT COUNT(*) FROM cards WHERE topic IN ({marks})", slugs
    ).fetchone()
    (active,) = conn.execute("SELECT COUNT(*) FROM temp.active_cards").fetchone()
    return bool(every == active)


def _answered(
    conn: sqlite3.Connection, slugs: list[str], period: dict[str, str], tallied: bool
) -> tuple[dict[str, tuple[int, float]], int]:
    """Answers and milliseconds per topic in the period, and the days with answers, for the
    active cards (``temp.active_cards``, the cards of ``slugs`` that are not retired): from
    the daily tally when ``tallied`` (``tally_serves``), else from the log."""
    if tallied:
        marks = ",".join("?" * len(slugs))
        where = f"day >= ? AND day <= ? AND topic IN ({marks})"
        values = [period["start"], period["end"], *slugs]
        rows = conn.execute(
            f"SELECT topic, SUM(reviews), SUM(ms) FROM review_days WHERE {where} GROUP BY topic",
            values,
        ).fetchall()
        (days,) = conn.execute(
            f"SELECT COUNT(DISTINCT day) FROM review_days WHERE {where}", values
        ).fetchone()
    else:
        rows = conn.execute(
            """
            SELECT c.topic, COUNT(*), TOTAL(r.duration_ms)
            FROM reviews r JOIN temp.active_cards c ON c.id = r.card_id
            WHERE r.day >= :start AND r.day <= :end GROUP BY c.topic
            """,
            period,
        ).fetchall()
        (days,) = conn.execute(
            "SELECT COUNT(DISTINCT r.day) FROM reviews r JOIN temp.active_cards c "
            "ON c.id = r.card_id WHERE r.day >= :start AND r.day <= :end",
            period,
        ).fetchone()
    return {slug: (int(n), float(ms)) for slug, n, ms in rows}, int(days)


def recent_activity(
    conn: sqlite3.Connection,
    end: date,
    slugs: list[str],
    tallied: bool,
    days: int = RECENT_DAYS,
) -> list[DayActivity]:
    """Answers, minutes and new cards started on each of the ``days`` days up to ``end``, to
    the active cards (``temp.active_cards``, the cards of ``slugs`` that are not retired): from
    the daily tally when ``tallied`` (``tally_serves``), else from the log."""
    first = end - timedelta(days=days - 1)
    bounds = [first.isoformat(), end.isoformat()]
    if tallied:
        query = (
            "SELECT day, SUM(reviews), SUM(ms), TOTAL(CASE WHEN kind = 'learn' THEN reviews END) "
            f"FROM review_days WHERE day >= ? AND day <= ? "
            f"AND topic IN ({','.join('?' * len(slugs))}) GROUP BY day"
        )
        values = [*bounds, *slugs]
    else:
        query = (
            "SELECT r.day, COUNT(*), TOTAL(r.duration_ms), TOTAL(r.kind = 'learn') "
            "FROM reviews r JOIN temp.active_cards c ON c.id = r.card_id "
            "WHERE r.day >= ? AND r.day <= ? GROUP BY r.day"
        )
        values = bounds
    rows = {
        day: (int(n), float(ms), int(started))
        for day, n, ms, started in conn.execute(query, values)
    }
    result = []
    for i in range(days):
        day = (first + timedelta(days=i)).isoformat()
        n, ms, started = rows.get(day, (0, 0.0, 0))
        result.append(DayActivity(day, n, _minutes(ms), started))
    return result


def card_texts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    """The question and answer (plain text) of each card in ``ids``."""
    found: dict[str, tuple[str, str]] = {}
    for card_id, content in conn.execute(
        f"SELECT id, content FROM cards WHERE id IN ({','.join('?' * len(ids))})", ids
    ):
        data = json.loads(content)
        found[card_id] = card_text_and_answer(data["kind"], data["fields"])
    return found


def deck_versions(conn: sqlite3.Connection, titles: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per topic of ``titles``: its title, its number of active cards and a fingerprint of
    their ids and content (in id order). The cards are read in table order and put in id
    order here: reading them along the (topic, id) index jumps about the table."""
    lines: dict[str, list[tuple[str, str]]] = {slug: [] for slug in titles}
    for slug, card_id, line in conn.execute(
        "SELECT topic, id, id || char(0) || content || char(10) FROM cards NOT INDEXED "
        "WHERE retired = 0"
    ):
        found = lines.get(slug)
        if found is not None:
            found.append((card_id, line))
    versions: dict[str, dict[str, Any]] = {}
    for slug, title in titles.items():
        cards = sorted(lines[slug])  # ids are unique: the text never decides the order
        text = "".join(line for _, line in cards)
        versions[slug] = {
            "title": title,
            "cards": len(cards),
            "version": hashlib.sha256(text.encode()).hexdigest()[:12] if cards else "",
        }
    return versions


def duration_text(minutes: float) -> str:
    """'2 h 05 min', '35 min', 'under a minute' or 'none'."""
    if minutes <= 0:
        return "none"
    if minutes < 1:
        return "under a minute"
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"
