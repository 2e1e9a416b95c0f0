"""Which card comes next today, how many are done and left, the streak and the next due days.

Every query is bounded and indexed so the first card appears as fast with 100,000 cards as
with 100: due reviews come from the ``state_due`` index in due order with a ``LIMIT``, new
cards from the same index (``due IS NULL``) in the order they were added, and cards pending a
same-day repeat (SM-2 rule 7) from today's answers (``reviews_day``). Nothing loads the whole
collection; the queue is asked again after every answer, so an undo, a suspension or a
burial is reflected at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from custserv_cards.model import Card
from custserv_cards.store import Store

# How many candidates of each kind are fetched to find one that is not from the group just
# shown.
CANDIDATES = 6
# A card failed in this session comes back after at least this many other cards (or when
# nothing else is left).
REPEAT_GAP = 3


@dataclass(frozen=True)
class Candidate:
    card_id: str
    group: str
    source: str  # "review", "new" or "repeat"


@dataclass
class Limits:
    """How many new cards and reviews this session may still show."""

    new: int
    reviews: int


@dataclass
class Filter:
    """Which cards a session may show: all topics, or the ones named."""

    topics: tuple[str, ...] = ()

    def clause(self, alias: str = "c") -> tuple[str, list[str]]:
        if not self.topics:
            return "", []
        marks = ", ".join("?" for _ in self.topics)
        return f" AND {alias}.topic IN ({marks})", list(self.topics)


@dataclass
class Counts:
    """Answers given today, by kind (drills not included)."""

    learned: int = 0
    reviewed: int = 0
    repeated: int = 0

    @property
    def done(self) -> int:
        return self.learned + self.reviewed + self.repeated


_VISIBLE = (
    " AND s.suspended = 0 AND c.retired = 0"
    " AND (s.buried_until IS NULL OR s.buried_until <= ?)"  # bind: today
)


def counts_today(store: Store, today: date) -> Counts:
    """Today's answers by kind, from the ``reviews_day`` index."""
    rows = store.conn.execute(
        "SELECT kind, COUNT(*) FROM reviews WHERE day = ? GROUP BY kind", (today.isoformat(),)
    ).fetchall()
    by_kind = dict(rows)
    return Counts(by_kind.get("learn", 0), by_kind.get("review", 0), by_kind.get("repeat", 0))


def daily_limits(
    store: Store, counts: Counts, new: int | None, reviews: int | None, today: date | None = None
) -> Limits:
    """This session's caps: the ``--new``/``--limit`` options, else what the exam plan allows
    today (when an exam is set), else what the daily settings leave after today's answers."""
    allowance = None
    # the exam planner (and what it imports) is loaded only when an exam date is set
    if today is not None and (new is None or reviews is None) and store.setting("exam_date"):
        from custserv_cards.exam import daily_allowance

        allowance = daily_allowance(store, today)
    if new is None:
        new = (
            allowance.new
            if allowance is not None
            else max(0, int(store.setting("new_per_day")) - counts.learned)
        )
    if reviews is None:
        reviews = (
            allowance.reviews
            if allowance is not None
            else max(0, int(store.setting("reviews_per_day")) - counts.reviewed)
        )
    return Limits(new=new, reviews=reviews)


_STATES = " FROM state s JOIN cards c ON c.id = s.card_id WHERE s.due <= ?"  # bind: today


def _pulled(columns: str, condition: str) -> str:
    """A query of the cards brought forward for an exam (``temp.exam_due``, see
    ``exam.prepare_pull_forward``) and not answered since, read along that table's (due,
    state rowid) index so that a session's next card never reads every card's state."""
    return (
        f"SELECT {columns} FROM temp.exam_due e WHERE EXISTS (SELECT 1 FROM state s "
        "JOIN cards c ON c.id = s.card_id WHERE s.card_id = e.card_id "
        f"AND s.last_day = e.last_day AND s.due > ?{condition})"  # bind: today
    )


def _avoiding(groups: Sequence[str]) -> tuple[str, list[str]]:
    """The condition that leaves out ``groups``, as one JSON parameter: the query's text stays
    the same however many groups a session has answered, so SQLite prepares it once (a list
    of placeholders made a new statement, parsed and planned again, after every answer)."""
    if not groups:
        return "", []
    return " AND c.grp NOT IN (SELECT value FROM json_each(?))", [json.dumps(list(groups))]


def due_reviews(
    store: Store,
    today: date,
    where: Filter,
    limit: int,
    pulled: bool = False,
    avoid: Sequence[str] = (),
) -> list[Candidate]:
    """Cards due today or earlier, most overdue first (cards brought forward for an exam by
    their due date too), none of the groups ``avoid``."""
    extra, params = where.clause()
    skip, groups = _avoiding(avoid)
    day = today.isoformat()
    condition, args = _VISIBLE + extra + skip, (day, day, *params, *groups, limit)
    query = (
        f"SELECT s.card_id, c.grp, s.due, s.rowid AS r{_STATES}{condition} "
        "ORDER BY s.due, s.rowid LIMIT ?"
    )
    if pulled:  # the first `limit` of each kind, merged in the same order
        query = (
            f"SELECT * FROM ({query}) UNION ALL SELECT * FROM ("
            + _pulled(
                "e.card_id, (SELECT grp FROM cards WHERE id = e.card_id), e.due, e.state_row",
                condition,
            )
            + " ORDER BY e.due, e.state_row LIMIT ?) ORDER BY 3, 4 LIMIT ?"
        )
        args = (*args, *args, limit)
    rows = store.conn.execute(query, args).fetchall()
    return [Candidate(r[0], r[1], "review") for r in rows]


def new_cards(
    store: Store, today: date, where: Filter, limit: int, avoid: Sequence[str] = ()
) -> list[Candidate]:
    """Cards never answered, in the order they were added (deck order), none of the groups
    ``avoid``."""
    extra, params = where.clause()
    skip, groups = _avoiding(avoid)
    rows = store.conn.execute(
        "SELECT s.card_id, c.grp FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.due IS NULL AND s.last_day IS NULL"
        + _VISIBLE
        + extra
        + skip
        + " ORDER BY s.rowid LIMIT ?",
        (today.isoformat(), *params, *groups, limit),
    ).fetchall()
    return [Candidate(r[0], r[1], "new") for r in rows]


def groups_answered(store: Store, today: date) -> set[str]:
    """The groups of the cards answered today (drills aside), from the ``reviews_day``
    index: their other cards (a card's reverse) wait until nothing else is left."""
    rows = store.conn.execute(
        "SELECT DISTINCT c.grp FROM reviews r JOIN cards c ON c.id = r.card_id "
        "WHERE r.day = ? AND r.kind != 'drill'",
        (today.isoformat(),),
    ).fetchall()
    return {r[0] for r in rows}


def pending_repeats(store: Store, today: date, where: Filter) -> list[Candidate]:
    """Cards answered today below 4 and not yet repeated to a 4 (rule 7), the earliest
    answered first. Found through today's answers, so it costs what today's work costs."""
    extra, params = where.clause()
    day = today.isoformat()
    rows = store.conn.execute(
        "SELECT s.card_id, c.grp, MAX(r.id) AS last FROM reviews r "
        "JOIN state s ON s.card_id = r.card_id JOIN cards c ON c.id = s.card_id "
        "WHERE r.day = ? AND s.again = 1 AND s.last_day = ?"
        + _VISIBLE
        + extra
        + " GROUP BY s.card_id ORDER BY last",
        (day, day, day, *params),
    ).fetchall()
    return [Candidate(r[0], r[1], "repeat") for r in rows]


def count_capped(candidates_query: str, store: Store, params: Sequence[object], cap: int) -> int:
    if cap <= 0:
        return 0
    row = store.conn.execute(
        f"SELECT COUNT(*) FROM ({candidates_query} LIMIT ?)", (*params, cap)
    ).fetchone()
    return int(row[0])


def left_today(
    store: Store, today: date, where: Filter, limits: Limits, pulled: bool = False
) -> tuple[int, int, int]:
    """(due reviews, new cards, pending repeats) this session can still show, each within
    its cap: at most ``limits.reviews + limits.new`` index entries are read."""
    extra, params = where.clause()
    day = today.isoformat()
    base = "SELECT 1 FROM state s JOIN cards c ON c.id = s.card_id WHERE "
    due, args = "SELECT 1" + _STATES + _VISIBLE + extra, (day, day, *params)
    if pulled:
        due, args = f"{due} UNION ALL {_pulled('1', _VISIBLE + extra)}", (*args, *args)
    reviews = count_capped(due, store, args, limits.reviews)
    new = count_capped(
        base + "s.due IS NULL AND s.last_day IS NULL" + _VISIBLE + extra,
        store,
        (day, *params),
        limits.new,
    )
    repeats = len(pending_repeats(store, today, where))
    return reviews, new, repeats


@dataclass
class Queue:
    """Picks the next card of a review session.

    Due reviews come first, most overdue first; new cards are mixed in evenly among them
    (so both run out together) within the session's caps; a card failed in this session
    comes back after ``REPEAT_GAP`` other cards. Two cards of the same group (a definition
    and its reverse, say) are not both shown on one day while other cards are waiting: the
    second waits until nothing else is left (it is not shown right after the first either).
    """

    store: Store
    today: date
    where: Filter
    limits: Limits
    shown: int = 0  # answers given in this session
    new_shown: int = 0
    reviews_since_new: int = 0
    answered_at: dict[str, int] = field(default_factory=dict)  # card -> self.shown then
    # [due reviews, new cards, pending repeats] still to show: counted once, then kept up to
    # date answer by answer (recounted after anything else changes the queue).
    remaining: list[int] | None = None
    # Whether an exam brings cards forward (``temp.exam_due`` filled for today).
    pulled: bool = field(init=False, default=False)
    # groups answered today (their other cards wait): read once, then kept answer by answer
    answered_groups: set[str] | None = None

    def __post_init__(self) -> None:
        if self.store.setting("exam_date"):
            from custserv_cards.exam import prepare_pull_forward

            self.pulled = prepare_pull_forward(self.store, self.today)

    def next(self, last_group: str | None, skip: str | None = None) -> Candidate | None:
        """The next card, or None when the session is done."""
        repeats = [
            c
            for c in pending_repeats(self.store, self.today, self.where)
            if self.shown - self.answered_at.get(c.card_id, -REPEAT_GAP) >= REPEAT_GAP
            and c.card_id != skip
        ]
        reviews, new = self._fresh(sorted(self._answered_groups()), skip)
        if not reviews and not new:  # only siblings of today's cards are left: show them
            reviews, new = self._fresh((), skip)
        if self._new_turn(bool(reviews), bool(new)):
            order = [repeats, new, reviews]
        else:
            order = [repeats, reviews, new]
        for group in order:
            for candidate in group:
                if candidate.group != last_group:
                    return candidate
        for group in order:
            if group:
                return group[0]
        # Only cards failed moments ago are left: show them now rather than wait.
        late = [c for c in pending_repeats(self.store, self.today, self.where) if c.card_id != skip]
        if late:
            return late[0]
        return None

    def _fresh(
        self, avoid: Sequence[str], skip: str | None
    ) -> tuple[list[Candidate], list[Candidate]]:
        """Due reviews and new cards that may come next, none of the groups ``avoid``."""
        reviews = (
            due_reviews(self.store, self.today, self.where, CANDIDATES, self.pulled, avoid)
            if self.limits.reviews > 0
            else []
        )
        new = (
            new_cards(self.store, self.today, self.where, CANDIDATES, avoid)
            if self.limits.new > 0
            else []
        )
        return [c for c in reviews if c.card_id != skip], [c for c in new if c.card_id != skip]

    def _answered_groups(self) -> set[str]:
        if self.answered_groups is None:
            self.answered_groups = groups_answered(self.store, self.today)
        return self.answered_groups

    def _new_turn(self, any_review: bool, any_new: bool) -> bool:
        if not any_new:
            return False
        if not any_review:
            return True
        reviews_left, new_left, _ = self._remaining()
        if new_left == 0:
            return False
        spacing = max(1, reviews_left // new_left)
        return self.reviews_since_new >= spacing

    def answered(self, candidate: Candidate, again: bool) -> None:
        """Note an answer: count it against the caps and remember when it was given."""
        self.shown += 1
        self._answered_groups().add(candidate.group)
        if candidate.source == "new":
            self.limits.new -= 1
            self.new_shown += 1
            self.reviews_since_new = 0
        elif candidate.source == "review":
            self.limits.reviews -= 1
            self.reviews_since_new += 1
        if again:
            self.answered_at[candidate.card_id] = self.shown
        else:
            self.answered_at.pop(candidate.card_id, None)
        if self.remaining is not None:
            slot = {"review": 0, "new": 1}.get(candidate.source)
            if slot is not None:
                self.remaining[slot] = max(0, self.remaining[slot] - 1)
            was_repeat = candidate.source == "repeat"
            self.remaining[2] = max(0, self.remaining[2] + int(again) - int(was_repeat))

    def unanswered(self, candidate: Candidate) -> None:
        """Take back an answer (undo)."""
        self.shown -= 1
        if candidate.source == "new":
            self.limits.new += 1
            self.new_shown -= 1
        elif candidate.source == "review":
            self.limits.reviews += 1
        self.answered_at.pop(candidate.card_id, None)
        self.answered_groups = None
        self.changed()

    def changed(self) -> None:
        """Something besides an answer changed the queue (undo, suspend, bury, new limits)."""
        self.remaining = None

    def _remaining(self) -> list[int]:
        if self.remaining is None:
            self.remaining = list(
                left_today(self.store, self.today, self.where, self.limits, self.pulled)
            )
        return self.remaining

    def left(self) -> int:
        return sum(self._remaining())


# --- the end of a session -----------------------------------------------------------------


def next_due(store: Store, today: date, where: Filter | None = None) -> date | None:
    """The first day after today when a (visible) card is due."""
    extra, params = (where or Filter()).clause()
    row = store.conn.execute(
        "SELECT s.due FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.due > ? AND s.suspended = 0 AND c.retired = 0" + extra + " "
        "ORDER BY s.due LIMIT 1",
        (today.isoformat(), *params),
    ).fetchone()
    return date.fromisoformat(row[0]) if row else None


def due_by_day(
    store: Store, today: date, days: int = 7, where: Filter | None = None
) -> list[tuple[date, int]]:
    """How many cards fall due on each of the next ``days`` days (days with none left out)."""
    extra, params = (where or Filter()).clause()
    rows = store.conn.execute(
        "SELECT s.due, COUNT(*) FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.due > ? AND s.due <= ? AND s.suspended = 0 AND c.retired = 0" + extra + " "
        "GROUP BY s.due ORDER BY s.due",
        (today.isoformat(), (today + timedelta(days=days)).isoformat(), *params),
    ).fetchall()
    return [(date.fromisoformat(d), n) for d, n in rows]


def new_available(store: Store, today: date, where: Filter | None = None) -> int:
    """Whether any new card is left (0 or 1: it stops at the first)."""
    extra, params = (where or Filter()).clause()
    row = store.conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE s.due IS NULL AND s.last_day IS NULL" + _VISIBLE + extra + " LIMIT 1)",
        (today.isoformat(), *params),
    ).fetchone()
    return int(row[0])


# --- topics and drills ----------------------------------------------------------------------


def check_topics(store: Store, topics: Sequence[str]) -> tuple[str, ...]:
    """The topics, checked: an unknown one raises ``UsageError`` naming the closest topic
    and listing them all."""
    known = store.topic_slugs()
    for topic in topics:
        if topic not in known:
            import difflib

            from custserv_cards.errors import UsageError

            close = difflib.get_close_matches(topic, known, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(
                f"unknown topic '{topic}' for --topic; {hint}topics: {', '.join(known)}"
            )
    return tuple(dict.fromkeys(topics))


def topic_cards(store: Store, topics: Sequence[str]) -> list[Card]:
    """Every active, unsuspended card of the topics, in deck order (a drill's pool)."""
    marks = ", ".join("?" for _ in topics)
    rows = store.conn.execute(
        "SELECT c.id, c.content FROM cards c JOIN state s ON s.card_id = c.id "
        f"WHERE c.topic IN ({marks}) AND c.retired = 0 AND s.suspended = 0 "
        "ORDER BY c.topic, c.position, c.id",
        tuple(topics),
    ).fetchall()
    return [Card.from_row({"id": r[0], "content": r[1]}) for r in rows]


def weakest_cards(store: Store, topics: Sequence[str], count: int) -> list[Card]:
    """The ``count`` weakest answered cards (of the topics, or of all when none are named),
    weakest first: leeches, then the lowest share of answers graded 3 or more (drills
    aside), then the most lapses, then the lowest EF. Suspended and retired cards are left
    out; so are cards never answered (nothing is known of them yet)."""
    from custserv_cards.scheduler.state import LEECH_LAPSES

    where, params = Filter(tuple(topics)).clause()
    rows = store.conn.execute(
        "SELECT c.id, c.content FROM cards c JOIN state s ON s.card_id = c.id "
        "LEFT JOIN (SELECT card_id, COUNT(*) AS n, TOTAL(grade >= 3) AS passed FROM reviews "
        "WHERE kind != 'drill' GROUP BY card_id) r ON r.card_id = c.id "
        "WHERE c.retired = 0 AND s.suspended = 0 AND s.last_day IS NOT NULL" + where + " "
        "ORDER BY s.lapses >= ? DESC, COALESCE(r.passed / r.n, 1.0), s.lapses DESC, "
        "s.easiness, c.id LIMIT ?",
        (*params, LEECH_LAPSES, count),
    ).fetchall()
    return [Card.from_row({"id": r[0], "content": r[1]}) for r in rows]


def cards_done_today(store: Store, today: date) -> int:
    """Cards answered today (drills aside) that are done for the day: not waiting for a
    same-day repeat. Read through today's answers (``reviews_day``), so it costs what
    today's work costs."""
    day = today.isoformat()
    row = store.conn.execute(
        "SELECT COUNT(DISTINCT r.card_id) FROM reviews r JOIN state s ON s.card_id = r.card_id "
        "WHERE r.day = ? AND r.kind != 'drill' AND NOT (s.again = 1 AND s.last_day = ?)",
        (day, day),
    ).fetchone()
    return int(row[0])


def answer_seconds(store: Store, recent: int = 200) -> list[float]:
    """How long the user's ``recent`` latest answers took, in seconds (for time estimates)."""
    rows = store.conn.execute(
        "SELECT duration_ms FROM reviews WHERE duration_ms IS NOT NULL AND duration_ms > 0 "
        "ORDER BY id DESC LIMIT ?",
        (recent,),
    ).fetchall()
    return [r[0] / 1000 for r in rows]
