"""Progress statistics, computed with SQL aggregates over the store.

Every number here comes from a handful of ``GROUP BY`` queries. Figures about the cards read
the states of the active cards (not retired) of active topics. Figures about answers
(retention, the heatmap, the streak, retention over time) read ``review_days``, the per-day
tally of the review log that triggers keep (see ``migrations.m002_review_days``): a year of
study is a few thousand rows there however many answers it holds, so the figures stay quick
on a million reviews. They count every answer in the log, under the topic its card had when
it was answered. ``today`` is the current study day (see ``clock``).

Definitions
-----------
Card states (each card is in exactly one):

* **new**: never answered (``state.last_day IS NULL``).
* **learning**: answered, interval of 1 day or less (just learnt, or failed last time).
* **young**: answered, interval of 2 to 20 days.
* **mature**: answered, interval of 21 days or more.

Flags, counted separately (a flagged card still has one of the states above):

* **suspended**: ``state.suspended = 1``.
* **leech**: failed 8 times or more (``lapses >= 8``).

Figures per topic:

* **retention (30 days)**: among the answers of kind ``review`` (a scheduled answer to a card
  answered before; not ``learn``, ``repeat`` or ``drill``) given on the last 30 study days
  (today and the 29 days before), the share graded 3 or more. ``None`` when there were none.
* **average EF** (under SM-2): the mean easiness factor of the answered cards (new cards
  excluded). **average recall** (under FSRS): the mean of FSRS's predicted probability of
  recalling each answered card today. Each scheduler fills its own figure; the other is None.
* **due today**: cards due today or overdue, not suspended and not buried past today.
  **due tomorrow**: cards whose due day is tomorrow, not suspended.
  **due within 7 days**: cards due on or before today + 7, overdue ones included, not
  suspended.

Across the collection:

* **forecast**: for each of the next 30 days (today first), the cards due that day, not
  suspended; overdue cards are counted on today.
* **heatmap**: answers of every kind per study day over the last 26 weeks (182 days), the
  first day a Monday.
* **streak**: consecutive study days, ending today (or yesterday when nothing was answered
  yet today), on which something was answered. A day without answers breaks the streak only
  if some card was due on or before it. That is judged from the log and the cards' state: a
  run of days without answers that ends before study day ``q`` breaks it when an answer
  given on or after ``q`` records (in its ``before`` state) a due day earlier than ``q``, or
  when a card last answered before ``q`` and not suspended now has a due day earlier than
  ``q``. A due day is only ever set after the day of the answer that sets it, so either
  means that the card waited, due, during those days.
* **weakest cards**: the cards with the most lapses, the leeches, and the answered cards
  the scheduler calls weakest (``Scheduler.weakness``): lowest EF under SM-2, lowest
  predicted recall today under FSRS.

Report figures (``report``):

* **retention over time**: per topic and per week (Monday to Sunday), the same retention as
  above over that week's ``review`` answers.
* **known** (a card): recalled at its last two answers in a row (``repetitions >= 2``), not a
  leech, and the scheduler will not ask for it again for 6 days or more (``interval >= 6``).
  With SM-2 that takes correct answers on two different days: a card first seen today is
  never known; under either scheduler, a card answered once never is.
* **exam readiness** (when an exam is set, ``custserv exam set``): days left; per topic the
  share of cards that are *ready*, i.e. known (suspended cards are left out of the total),
  the new cards still to learn, the new cards per day the exam plan introduces, the cards due
  on or before the exam day, and the exam planner's forecast (``exam.forecast``): the mean
  predicted recall on the exam day if the student stopped now (a card never studied counts
  0) and if they follow the plan; whether the plan misses the target within the daily
  minutes (``at_risk``), and the cards most at risk.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from custserv_cards.errors import UsageError
from custserv_cards.scheduler.state import LEECH_LAPSES

if TYPE_CHECKING:
    from custserv_cards.scheduler.state import Weakness
    from custserv_cards.store import Store

YOUNG_MIN_DAYS = 2
MATURE_DAYS = 21
RETENTION_DAYS = 30
FORECAST_DAYS = 30
HEATMAP_WEEKS = 26
WEAKEST_LIMIT = 10
LEECH_LIST_LIMIT = 50
PASS_GRADE = 3
KNOWN_MIN_DAYS = 6
SCHEMA_VERSION = 2  # of the JSON report: docs/report-schema.json

# A known card (see the module's docstring), as SQL over ``state s``.
KNOWN = (
    f"(s.last_day IS NOT NULL AND s.repetitions >= 2 AND s.lapses < {LEECH_LAPSES} "
    f"AND s.interval >= {KNOWN_MIN_DAYS})"
)

_ACTIVE = "c.retired = 0 AND t.retired = 0"
_CARD_TEXT = (
    "COALESCE(json_extract(c.content, '$.fields.prompt'), "
    "json_extract(c.content, '$.fields.text'), '')"
)


@dataclass(frozen=True)
class TopicStats:
    """One topic's figures (or the whole collection's, with ``topic == "all"``)."""

    topic: str
    title: str
    cards: int
    new: int
    learning: int
    young: int
    mature: int
    suspended: int
    leech: int
    reviews_30d: int
    passed_30d: int
    retention_30d: float | None
    average_ef: float | None
    due_today: int
    due_tomorrow: int
    due_7_days: int
    average_recall: float | None = None


@dataclass(frozen=True)
class WeakCard:
    card_id: str
    topic: str
    text: str
    lapses: int
    ef: float
    interval: int
    due: str | None
    suspended: bool
    leech: bool
    recall: float | None = None


@dataclass(frozen=True)
class DayCount:
    day: str
    count: int


@dataclass(frozen=True)
class Weakest:
    most_lapses: list[WeakCard]
    lowest_ef: list[WeakCard]
    leeches: list[WeakCard]
    lowest_recall: list[WeakCard] = field(default_factory=list)


@dataclass(frozen=True)
class Stats:
    today: str
    topic_filter: str | None
    topics: list[TopicStats]
    total: TopicStats
    forecast: list[DayCount]
    heatmap: list[DayCount]
    streak: int
    studied_today: bool
    weakest: Weakest
    scheduler: str = "sm2"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def weakness(self) -> Weakness:
        """What "weakest" means under the scheduler these figures were made with."""
        from custserv_cards.scheduler import load

        return load({"scheduler": self.scheduler}).weakness()

    def weakest_by_memory(self) -> list[WeakCard]:
        return self.weakest.lowest_ef if self.weakness.key == "ef" else self.weakest.lowest_recall


def memory_figure(stats: Stats, topic: TopicStats) -> float | None:
    """The topic's average memory figure under the scheduler in use (EF or recall)."""
    return topic.average_ef if stats.weakness.key == "ef" else topic.average_recall


def card_figure(stats: Stats, card: WeakCard) -> float | None:
    return card.ef if stats.weakness.key == "ef" else card.recall


@dataclass(frozen=True)
class WeekRetention:
    week: str
    reviews: int
    passed: int
    retention: float | None


@dataclass(frozen=True)
class TopicReadiness:
    topic: str
    cards: int
    ready: int
    readiness: float | None
    new: int
    new_per_day_needed: int
    due_by_exam: int
    predicted_recall: float | None = None  # on the exam day, if the student stopped now
    planned_recall: float | None = None  # on the exam day, following the plan


@dataclass(frozen=True)
class ExamReadiness:
    exam_date: str
    days_left: int
    topics: list[TopicReadiness]
    total: TopicReadiness
    target: float | None = None
    at_risk: bool | None = None  # the plan cannot reach the target within the daily minutes
    minutes: int | None = None  # the daily cap, if any
    minutes_needed: int | None = None  # what the plan needs, when it does not fit
    cards_at_risk: list[CardAtRisk] = field(default_factory=list)


@dataclass(frozen=True)
class CardAtRisk:
    card_id: str
    topic: str
    predicted_recall: float  # on the exam day, if the student stopped now


@dataclass(frozen=True)
class Report:
    """Everything a report shows: the statistics plus the report-only figures."""

    schema_version: int
    generated_at: str
    since: str
    stats: Stats
    reviews_since: int
    retention_over_time: dict[str, list[WeekRetention]]
    exam: ExamReadiness | None = None
    titles: dict[str, str] = field(default_factory=dict)
    student: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def check_topic(store: Store, topic: str | None) -> None:
    """Raise ``UsageError`` listing the topics when ``topic`` is not an active topic."""
    if topic is None:
        return
    slugs = store.topic_slugs()
    if topic not in slugs:
        known = ", ".join(slugs) if slugs else "none yet; run 'custserv decks sync'"
        raise UsageError(f"unknown topic '{topic}' for --topic; topics: {known}")


def _topic_clause(topic: str | None, column: str = "c.topic") -> str:
    return f" AND {column} = :topic" if topic is not None else ""


def prepare(conn: sqlite3.Connection, topic: str | None = None) -> None:
    """Put the ids and topics of the active cards (of ``topic``) in ``temp.active_cards``.

    The queries below join the log and the states with this narrow in-memory table instead
    of ``cards``, whose rows carry the card text: a lookup per answer is then cheap.
    """
    conn.execute("DROP TABLE IF EXISTS temp.active_cards")
    conn.execute(
        "CREATE TEMP TABLE active_cards (id TEXT PRIMARY KEY, topic TEXT NOT NULL) WITHOUT ROWID"
    )
    conn.execute(
        "INSERT INTO temp.active_cards SELECT c.id, c.topic FROM cards c "
        f"JOIN topics t ON t.slug = c.topic WHERE {_ACTIVE}{_topic_clause(topic)}",
        {"topic": topic},
    )


def compute(store: Store, today: date, topic: str | None = None) -> Stats:
    """Every figure of ``custserv stats`` for study day ``today``, optionally for one topic."""
    check_topic(store, topic)
    conn = store.conn
    scheduler = store.scheduler()
    by_ef = scheduler.weakness().column is not None
    recall_sums: dict[str, list[float]] = {}
    if not by_ef:  # FSRS's recall today (under an exam too): in ``temp.recall_now``
        recall_today(store, today, topic)
        for card_topic, total, count in conn.execute(
            "SELECT topic, TOTAL(recall), COUNT(*) FROM temp.recall_now GROUP BY topic"
        ):
            recall_sums[card_topic] = [total, count]
        recall_sums["all"] = [sum(v[0] for v in recall_sums.values()),
                              sum(v[1] for v in recall_sums.values())]  # fmt: skip

    def average_recall(key: str) -> float | None:
        total, count = recall_sums.get(key, (0.0, 0))
        return round(total / count, 4) if count else None

    params: dict[str, Any] = {
        "today": today.isoformat(),
        "tomorrow": (today + timedelta(days=1)).isoformat(),
        "week": (today + timedelta(days=7)).isoformat(),
        "start30": (today - timedelta(days=RETENTION_DAYS - 1)).isoformat(),
        "topic": topic,
    }
    rows = conn.execute(
        f"""
        SELECT t.slug, t.title, COALESCE(x.cards, 0), x.new, x.learning, x.young, x.mature,
            x.suspended, x.leech, x.ef_sum, x.due_today, x.due_tomorrow, x.due_week
        FROM topics t LEFT JOIN (
            SELECT x.topic, SUM(x.cards) AS cards,
                TOTAL(CASE WHEN x.stage = 'new' THEN x.cards END) AS new,
                TOTAL(CASE WHEN x.stage = 'learning' THEN x.cards END) AS learning,
                TOTAL(CASE WHEN x.stage = 'young' THEN x.cards END) AS young,
                TOTAL(CASE WHEN x.stage = 'mature' THEN x.cards END) AS mature,
                TOTAL(CASE WHEN x.suspended THEN x.cards END) AS suspended,
                TOTAL(CASE WHEN x.leech THEN x.cards END) AS leech,
                TOTAL(x.ease) AS ef_sum,
                TOTAL(CASE WHEN x.due != '' AND x.due <= :today AND x.suspended = 0
                      AND (x.buried_until = '' OR x.buried_until <= :today)
                      THEN x.cards END) AS due_today,
                TOTAL(CASE WHEN x.due = :tomorrow AND x.suspended = 0 THEN x.cards END)
                    AS due_tomorrow,
                TOTAL(CASE WHEN x.due != '' AND x.due <= :week AND x.suspended = 0
                      THEN x.cards END) AS due_week
            FROM state_tally x
            GROUP BY x.topic
        ) x ON x.topic = t.slug
        WHERE t.retired = 0{_topic_clause(topic, "t.slug")}
        ORDER BY t.slug
        """,
        params,
    ).fetchall()
    retention = {
        r[0]: (int(r[1]), int(r[2]))
        for r in conn.execute(
            f"""
            SELECT topic, SUM(reviews), SUM(passed) FROM review_days
            WHERE day >= :start30 AND day <= :today AND kind = 'review'
            {_topic_clause(topic, "topic")}
            GROUP BY topic
            """,
            params,
        )
    }
    topics: list[TopicStats] = []
    sums = [0] * 13
    for slug, title, cards, *counts in rows:
        new, learning, young, mature, suspended, leech, ef_sum, d0, d1, d7 = (
            int(v or 0) for v in counts
        )
        reviews, passed = retention.get(slug, (0, 0))
        answered = cards - new
        topics.append(
            TopicStats(
                slug, title, cards, new, learning, young, mature, suspended, leech,
                reviews, passed, _ratio(passed, reviews),
                round(ef_sum / answered / 100, 3) if answered and by_ef else None,
                d0, d1, d7, average_recall(slug),
            )
        )  # fmt: skip
        for i, value in enumerate(
            (cards, new, learning, young, mature, suspended, leech, reviews, passed, ef_sum)
        ):
            sums[i] += value
        sums[10] += d0
        sums[11] += d1
        sums[12] += d7
    cards, new, learning, young, mature, suspended, leech, reviews, passed, ef_sum = sums[:10]
    answered = cards - new
    total = TopicStats(
        "all", "All topics", cards, new, learning, young, mature, suspended, leech,
        reviews, passed, _ratio(passed, reviews),
        round(ef_sum / answered / 100, 3) if answered and by_ef else None,
        sums[10], sums[11], sums[12], average_recall("all"),
    )  # fmt: skip
    return Stats(
        today=today.isoformat(),
        topic_filter=topic,
        topics=topics,
        total=total,
        forecast=forecast(conn, today, topic),
        heatmap=heatmap(conn, today, topic),
        streak=streak(conn, today),
        studied_today=_studied_on(conn, today),
        weakest=weakest(conn, topic, by_recall=not by_ef),
        scheduler=scheduler.name,
    )


def recall_today(store: Store, today: date, topic: str | None = None) -> None:
    """Put each answered active card's (of ``topic``) topic and FSRS's probability of recall on
    study day ``today`` in ``temp.recall_now``: the memory figure statistics show when the
    scheduler is FSRS, worked out in one query."""
    from custserv_cards.scheduler.fsrs import FSRS

    conn = store.conn
    recall = FSRS(store.fsrs_parameters()).sql_recall(conn, today)
    conn.execute("DROP TABLE IF EXISTS temp.recall_now")
    conn.execute(
        "CREATE TEMP TABLE recall_now (card_id TEXT PRIMARY KEY, topic TEXT NOT NULL, "
        "recall REAL NOT NULL) WITHOUT ROWID"
    )
    conn.execute(
        f"INSERT INTO temp.recall_now SELECT s.card_id, c.topic, {recall} "
        "FROM state s CROSS JOIN cards c ON c.id = s.card_id JOIN topics t ON t.slug = c.topic "
        f"WHERE s.last_day IS NOT NULL AND {_ACTIVE}{_topic_clause(topic)}",
        {"topic": topic},
    )


def forecast(
    conn: sqlite3.Connection, today: date, topic: str | None = None, days: int = FORECAST_DAYS
) -> list[DayCount]:
    """Cards due on each of the next ``days`` days; overdue cards count on today (read from
    the tally of card states)."""
    end = today + timedelta(days=days - 1)
    counts = dict(
        conn.execute(
            f"""
            SELECT MAX(x.due, :today) AS d, SUM(x.cards)
            FROM state_tally x JOIN topics t ON t.slug = x.topic
            WHERE x.due != '' AND x.due <= :end AND x.suspended = 0 AND t.retired = 0
                {_topic_clause(topic, "x.topic")}
            GROUP BY d
            """,
            {"today": today.isoformat(), "end": end.isoformat(), "topic": topic},
        ).fetchall()
    )
    return [
        DayCount(d.isoformat(), int(counts.get(d.isoformat(), 0)))
        for d in (today + timedelta(days=i) for i in range(days))
    ]


def heatmap_start(today: date, weeks: int = HEATMAP_WEEKS) -> date:
    """The Monday that starts the heatmap's first week (the last week holds today)."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def reviews_per_day(
    conn: sqlite3.Connection,
    start: date,
    end: date,
    topic: str | None = None,
) -> dict[str, int]:
    """Answers of every kind per study day from ``start`` to ``end``."""
    params = {"start": start.isoformat(), "end": end.isoformat(), "topic": topic}
    query = (
        "SELECT day, SUM(reviews) FROM review_days WHERE day >= :start AND day <= :end"
        f"{_topic_clause(topic, 'topic')} GROUP BY day"
    )
    return {d: int(n) for d, n in conn.execute(query, params)}


def heatmap(conn: sqlite3.Connection, today: date, topic: str | None = None) -> list[DayCount]:
    """Answers per study day over the last 26 weeks, Monday first, up to today."""
    start = heatmap_start(today)
    counts = reviews_per_day(conn, start, today, topic)
    days = (today - start).days + 1
    return [
        DayCount(d.isoformat(), counts.get(d.isoformat(), 0))
        for d in (start + timedelta(days=i) for i in range(days))
    ]


def _studied_on(conn: sqlite3.Connection, day: date) -> bool:
    row = conn.execute("SELECT 1 FROM review_days WHERE day = ? LIMIT 1", (day.isoformat(),))
    return row.fetchone() is not None


def streak(conn: sqlite3.Connection, today: date) -> int:
    """Consecutive study days with answers; see the module's docstring for gap days.

    Reads the per-day tally (``review_days``) and the states, never the whole log.
    """
    # Per study day (newest first): the earliest due day that cards answered on or after it
    # had before those answers.
    days: list[date] = []
    due_from: dict[date, str | None] = {}
    earliest: str | None = None
    for day_text, min_due in conn.execute(
        "SELECT day, MIN(min_due) FROM review_days WHERE day <= ? GROUP BY day ORDER BY day DESC",
        (today.isoformat(),),
    ):
        day = date.fromisoformat(day_text)
        if min_due is not None and (earliest is None or min_due < earliest):
            earliest = min_due
        days.append(day)
        due_from[day] = earliest
    if not days:
        return 0

    def due_before(q: date) -> bool:
        """Whether some card was due on a day before study day ``q`` and waited: one still
        waiting (last answered before ``q``, not suspended; read along the due index, where
        such a card comes first), or one answered on or after ``q`` that was due before it."""
        day = q.isoformat()
        waiting = conn.execute(
            "SELECT 1 FROM state WHERE due < ? AND last_day < ? AND suspended = 0 LIMIT 1",
            (day, day),
        ).fetchone()
        if waiting:
            return True
        answered_later = due_from.get(q)
        return answered_later is not None and answered_later < day

    count = 0
    current = today
    if days[0] == today:
        count = 1
        days = days[1:]
    for day in days:
        if day < current - timedelta(days=1) and due_before(current):
            break
        count += 1
        current = day
    return count


def _weak(row: tuple[Any, ...], recall: float | None = None) -> WeakCard:
    card_id, topic, text, lapses, easiness, interval, due, suspended = row
    return WeakCard(
        card_id,
        topic,
        text,
        lapses,
        easiness / 100,
        interval,
        due,
        bool(suspended),
        lapses >= LEECH_LAPSES,
        None if recall is None else round(recall, 4),
    )


def weakest(
    conn: sqlite3.Connection,
    topic: str | None = None,
    limit: int = WEAKEST_LIMIT,
    *,
    by_recall: bool = False,
) -> Weakest:
    """The answered cards with the most lapses, the leeches, and the lowest EF (or, with
    ``by_recall``, the lowest recall today, from ``temp.recall_now``, each card with it)."""
    params = {"topic": topic, "limit": limit}
    recall = (
        "(SELECT recall FROM temp.recall_now r WHERE r.card_id = c.id)" if by_recall else "NULL"
    )

    def fetch(extra: str, order: str, source: str = "state s CROSS JOIN cards c") -> list[WeakCard]:
        # Pick the cards first (along the state's lapses and ease indexes, each checked
        # active as it comes), then read the text of the chosen few only.
        rows = conn.execute(
            "SELECT c.id, c.topic, s.lapses, s.easiness, s.interval, s.due, s.suspended, "
            f"{recall} FROM {source} ON c.id = s.card_id JOIN topics t ON t.slug = c.topic "
            f"WHERE s.last_day IS NOT NULL AND {_ACTIVE}{_topic_clause(topic)}{extra} "
            f"ORDER BY {order}",
            params,
        ).fetchall()
        texts: dict[str, str] = {}
        for row in rows:
            (texts[row[0]],) = conn.execute(
                f"SELECT {_CARD_TEXT} FROM cards c WHERE c.id = ?", (row[0],)
            ).fetchone()
        return [_weak((r[0], r[1], texts[r[0]], *r[2:-1]), r[-1]) for r in rows]

    lowest_ef: list[WeakCard] = []
    lowest_recall: list[WeakCard] = []
    if by_recall:
        lowest = "SELECT * FROM temp.recall_now ORDER BY recall, card_id LIMIT :limit"
        lowest_recall = fetch(
            "", "n.recall, c.id",
            f"({lowest}) n CROSS JOIN state s ON s.card_id = n.card_id CROSS JOIN cards c",
        )  # fmt: skip
    else:
        lowest_ef = fetch("", "s.easiness, s.lapses DESC, c.id LIMIT :limit")
    return Weakest(
        most_lapses=fetch(" AND s.lapses > 0", "s.lapses DESC, s.easiness, c.id LIMIT :limit"),
        lowest_ef=lowest_ef,
        leeches=fetch(
            f" AND s.lapses >= {LEECH_LAPSES}", f"s.lapses DESC, c.id LIMIT {LEECH_LIST_LIMIT}"
        ),
        lowest_recall=lowest_recall,
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def retention_over_time(
    conn: sqlite3.Connection,
    since: date,
    today: date,
    topic: str | None = None,
    *,
    prepared: bool = False,
) -> dict[str, list[WeekRetention]]:
    """Per topic, per week from the week of ``since`` to this week, the retention."""
    if not prepared:
        prepare(conn, topic)
    rows = conn.execute(
        f"""
        SELECT topic, day, SUM(reviews), SUM(passed) FROM review_days
        WHERE day >= :since AND day <= :today AND kind = 'review'{_topic_clause(topic, "topic")}
        GROUP BY topic, day
        """,
        {"since": since.isoformat(), "today": today.isoformat(), "topic": topic},
    ).fetchall()
    first = week_start(since)
    weeks = [first + timedelta(weeks=i) for i in range((week_start(today) - first).days // 7 + 1)]
    tally: dict[str, dict[date, list[int]]] = {}
    for slug, day_text, count, passed in rows:
        week = week_start(date.fromisoformat(day_text))
        cell = tally.setdefault(slug, {}).setdefault(week, [0, 0])
        cell[0] += int(count)
        cell[1] += int(passed)
    slugs = [topic] if topic else [r[0] for r in conn.execute(
        "SELECT slug FROM topics WHERE retired = 0 ORDER BY slug")]  # fmt: skip
    result: dict[str, list[WeekRetention]] = {}
    for slug in slugs:
        cells = tally.get(slug, {})
        result[slug] = [
            WeekRetention(w.isoformat(), n, p, _ratio(p, n))
            for w in weeks
            for n, p in [cells.get(w, [0, 0])]
        ]
    return result


def exam_readiness(
    conn: sqlite3.Connection,
    exam: date,
    today: date,
    topic: str | None = None,
    *,
    prepared: bool = False,
) -> ExamReadiness:
    """How ready each topic is for the exam on ``exam`` (see the module's docstring)."""
    if not prepared:
        prepare(conn, topic)
    days_left = (exam - today).days
    rows = conn.execute(
        f"""
        SELECT c.topic, COUNT(*),
            TOTAL({KNOWN}),
            TOTAL(s.last_day IS NULL),
            TOTAL(s.due <= :exam)
        FROM temp.active_cards c JOIN state s ON s.card_id = c.id AND s.suspended = 0
        GROUP BY c.topic ORDER BY c.topic
        """,
        {"exam": exam.isoformat(), "topic": topic},
    ).fetchall()

    def make(slug: str, cards: int, ready: int, new: int, due: int) -> TopicReadiness:
        per_day = math.ceil(new / days_left) if days_left > 0 else new
        return TopicReadiness(slug, cards, ready, _ratio(ready, cards), new, per_day, due)

    topics = [make(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]
    total = make(
        "all",
        sum(t.cards for t in topics),
        sum(t.ready for t in topics),
        sum(t.new for t in topics),
        sum(t.due_by_exam for t in topics),
    )
    return ExamReadiness(exam.isoformat(), days_left, topics, total)


def exam_forecast(
    store: Store, today: date, topic: str | None = None, *, prepared: bool = False
) -> ExamReadiness | None:
    """Exam readiness with the planner's forecast: per topic the predicted recall on the exam
    day if the student stopped now and if they follow the plan, whether the plan fits the
    daily minutes, and the cards most at risk (None when no exam is set)."""
    from custserv_cards import exam as planner

    planned = planner.of(store)
    if planned is None:
        return None
    readiness = exam_readiness(store.conn, planned.day, today, topic, prepared=prepared)
    forecast = planner.forecast(store, today)
    by_topic = {t.topic: t for t in [*forecast.topics, forecast.total]}

    def fill(row: TopicReadiness) -> TopicReadiness:
        found = by_topic.get(row.topic)
        if found is None:
            return row
        pace = planner.new_per_day(row.new, planned, today) if forecast.days_left > 0 else row.new
        return replace(
            row,
            predicted_recall=found.predicted_recall,
            planned_recall=found.planned_recall,
            new_per_day_needed=pace,
        )

    topics = [fill(t) for t in readiness.topics]
    if topic is None:
        total = fill(readiness.total)
    else:
        total = replace(
            readiness.total,
            predicted_recall=topics[0].predicted_recall if topics else 0.0,
            planned_recall=topics[0].planned_recall if topics else 0.0,
        )
    return replace(
        readiness,
        topics=topics,
        total=total,
        target=planned.target,
        at_risk=forecast.days_left > 0 and not forecast.feasible,
        minutes=planned.minutes,
        minutes_needed=forecast.minutes_needed,
        cards_at_risk=[
            CardAtRisk(card_id, slug, recall)
            for card_id, slug, recall in forecast.at_risk
            if topic is None or slug == topic
        ],
    )


def build_report(
    store: Store,
    today: date,
    generated_at: str,
    topic: str | None = None,
    since: date | None = None,
    student: str = "",
) -> Report:
    """The statistics and the report-only figures. ``since`` defaults to the first day with
    answers (of ``topic``), but no earlier than 26 weeks back, and to today without any."""
    check_topic(store, topic)
    conn = store.conn
    prepare(conn, topic)
    stats = compute(store, today, topic)
    start = since or default_since(conn, today, topic)
    reviews_since = sum(reviews_per_day(conn, start, today, topic).values())
    exam = exam_forecast(store, today, topic, prepared=True)
    titles = {t.topic: t.title for t in stats.topics}
    return Report(
        schema_version=SCHEMA_VERSION,
        generated_at=generated_at,
        since=start.isoformat(),
        stats=stats,
        reviews_since=int(reviews_since),
        retention_over_time=retention_over_time(conn, start, today, topic, prepared=True),
        exam=exam,
        titles=titles,
        student=student,
    )


def default_since(conn: sqlite3.Connection, today: date, topic: str | None = None) -> date:
    """The first study day with answers (of ``topic``) up to today, no earlier than the
    heatmap's first day; today when there are none."""
    (first,) = conn.execute(
        f"SELECT MIN(day) FROM review_days WHERE day <= :today{_topic_clause(topic, 'topic')}",
        {"today": today.isoformat(), "topic": topic},
    ).fetchone()
    if first is None:
        return today
    return max(date.fromisoformat(first), heatmap_start(today))


def card_rows(
    conn: sqlite3.Connection, today: date, topic: str | None = None
) -> list[tuple[Any, ...]]:
    """One row per active card (``CARD_COLUMNS``), for the CSV and JSON exports, in deck
    order (topic, position, id).

    Read in one pass over the cards (a scan, then each card's state; reading along the topic
    index instead jumps about the table once a card), the answers counted in one grouped
    query, and sorted here. A basic card's prompt and answer come out of its JSON in SQL;
    other kinds are parsed here."""
    from custserv_cards.model import card_text_and_answer

    if topic is None:
        counted = "SELECT card_id, COUNT(*) FROM reviews GROUP BY card_id"
    else:
        counted = (
            "SELECT r.card_id, COUNT(*) FROM cards c JOIN reviews r ON r.card_id = c.id "
            "WHERE c.topic = :topic GROUP BY r.card_id"
        )
    answers: dict[str, int] = dict(conn.execute(counted, {"topic": topic}).fetchall())
    cursor = conn.execute(
        f"""
        SELECT c.topic, c.position, c.id, c.kind,
            CASE WHEN c.kind = 'basic' THEN json_extract(c.content, '$.fields.prompt') END,
            CASE WHEN c.kind = 'basic' THEN json_extract(c.content, '$.fields.answer') END,
            CASE WHEN c.kind != 'basic' THEN c.content END,
            CASE WHEN s.last_day IS NULL THEN 'new'
                 WHEN s.interval < {YOUNG_MIN_DAYS} THEN 'learning'
                 WHEN s.interval < {MATURE_DAYS} THEN 'young' ELSE 'mature' END,
            {KNOWN}, s.suspended, s.lapses >= {LEECH_LAPSES}, s.repetitions, s.easiness / 100.0,
            s.interval, s.due, s.lapses, s.last_day
        FROM cards c NOT INDEXED JOIN state s ON s.card_id = c.id
            JOIN topics t ON t.slug = c.topic
        WHERE {_ACTIVE}{_topic_clause(topic)}
        """,
        {"topic": topic},
    )
    rows: list[tuple[Any, ...]] = []
    for slug, position, card_id, kind, prompt, answer, content, *rest in cursor:
        if content is None:  # basic: its fields are text (decks are checked on sync)
            text, expected = str(prompt or ""), str(answer or "")
        else:
            text, expected = card_text_and_answer(kind, json.loads(content)["fields"])
        rows.append((slug, position, card_id, kind, text, expected, *rest, answers.get(card_id, 0)))
    rows.sort(key=_deck_order)
    return [(row[2], row[0], *row[3:]) for row in rows]


def _deck_order(row: tuple[Any, ...]) -> tuple[str, int, str]:
    return row[0], row[1], row[2]


CARD_COLUMNS = (
    "card_id",
    "topic",
    "kind",
    "text",
    "answer",
    "state",
    "known",
    "suspended",
    "leech",
    "repetitions",
    "ef",
    "interval",
    "due",
    "lapses",
    "last_day",
    "reviews",
)

REVIEW_COLUMNS = (
    "review_id",
    "card_id",
    "topic",
    "reviewed_at",
    "day",
    "grade",
    "kind",
    "scheduler",
    "duration_ms",
)


def review_rows(conn: sqlite3.Connection, since: date, topic: str | None = None) -> sqlite3.Cursor:
    """One row per answer on or after ``since``, oldest first."""
    return conn.execute(
        f"""
        SELECT r.id, r.card_id, c.topic, r.reviewed_at, r.day, r.grade, r.kind, r.scheduler,
            r.duration_ms
        FROM reviews r JOIN cards c ON c.id = r.card_id
        WHERE r.day >= :since{_topic_clause(topic)}
        ORDER BY r.id
        """,
        {"since": since.isoformat(), "topic": topic},
    )
