"""A class view: students' JSON progress reports merged into one page (HTML, Markdown, CSV).

Each file must be a JSON report of the schema version this release writes
(``docs/report-schema.json``); the first that is not gets one line naming it, and nothing is
written. The merge:

* **Students.** One row per student name (compared without case or extra spaces). When one
  student has several reports, the latest (by the day it covers up to, then when it was made)
  is used and a note names the others. A report without a name is shown by its file name.
* **Deck versions.** Students may have different versions of the decks. Figures are
  computed on the cards every report holds (by card id); a topic some reports lack is left
  out, and a note says what differs (topics left out, cards not everywhere, shared cards
  whose text differs).
* **Readiness** (grid): per student and topic, the share of the shared cards that are known.
* **Falling behind**: no answers in the 7 days up to the latest report's day, or knowing
  fewer than half as many of the shared cards as the class median.
* **At risk** (only for reports with an exam): the report's exam plan cannot reach the
  target; or the student is below the target now (the predicted recall on the exam day if
  they stopped now, else the share of cards ready) and is not keeping up: fewer new cards
  started a day over the last 14 days than needed to see every card before the exam, no
  answers in the last 7 days, or, for a report without an exam plan, 14 days or less to go.
  A plan that can reach the target helps only a student who follows it. The target is the
  report's own, else ``--target`` (80% by default).
* **Missed most**: the shared cards forgotten (lapses) by the most students, then by the
  most lapses in all.
* **Recent activity**: per student, the last day studied, and the answers, minutes and days
  with answers over their report's last 7 and 14 days.
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from custserv_cards.errors import DataError, UsageError
from custserv_cards.report import (
    CSS,
    REPORT_KIND,
    csv_text,
    esc,
    html_head,
    long_date,
    md_escape,
    percent,
    plural,
    sparkline,
)
from custserv_cards.stats import SCHEMA_VERSION
from custserv_cards.teacher import duration_text

FORMATS = ("md", "html", "csv")
INACTIVE_DAYS = 7
BEHIND_SHARE_OF_MEDIAN = 0.5
SOON_DAYS = 14
DEFAULT_TARGET = 0.8
MISSED_LIMIT = 15


@dataclass
class Student:
    """One student's report, as read from ``file``."""

    file: str
    name: str
    data: dict[str, Any]
    end: str
    generated_at: str
    cards: dict[str, dict[str, Any]]
    replaced: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return " ".join(self.name.casefold().split()) if self.name else f"\0{self.file}"

    @property
    def label(self) -> str:
        return self.name or f"unnamed ({Path(self.file).name})"


@dataclass(frozen=True)
class Row:
    """A student's line of the class view."""

    student: Student
    known: int
    cards: int
    readiness: dict[str, float | None]
    overall: float | None
    last_day: str | None
    answers_7: int
    minutes_7: float
    days_14: int
    recent: list[int]
    behind: list[str]
    at_risk: str | None  # the reason, when at risk
    exam_date: str | None
    target: float | None  # the report's own exam target


@dataclass(frozen=True)
class Missed:
    card_id: str
    topic: str
    text: str
    answer: str
    students: int
    lapses: int


@dataclass(frozen=True)
class ClassView:
    rows: list[Row]
    topics: list[tuple[str, str]]  # (slug, title) of the topics every report has
    shared: dict[str, int]  # cards shared per topic
    missed: list[Missed]
    notes: list[str]
    first: str
    last: str
    median: float | None
    target: float


# --- reading ------------------------------------------------------------------------------


def _fail(file: str, problem: str) -> DataError:
    return DataError(f"{file}: {problem}")


_NOT_A_REPORT = "not a custserv-cards progress report; make one with 'custserv report -f json'"


def _need(file: str, data: Any, where: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, kind) or (isinstance(data, bool) and bool not in _as_tuple(kind)):
        raise _fail(file, f"{_NOT_A_REPORT} ({where} is missing or of the wrong type)")
    return data


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _day(file: str, value: Any, where: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    text = _need(file, value, where, str)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise _fail(file, f"{_NOT_A_REPORT} ({where} is not a date: {text!r})") from None
    return str(text)


_CARD_FIELDS: tuple[tuple[str, type], ...] = (
    ("card_id", str), ("topic", str), ("text", str), ("answer", str), ("known", bool),
    ("lapses", int),
)  # fmt: skip


def _card_ok(card: Any, titles: dict[str, Any]) -> bool:
    try:
        return (
            type(card["card_id"]) is str
            and type(card["text"]) is str
            and type(card["answer"]) is str
            and type(card["known"]) is bool
            and type(card["lapses"]) is int
            and type(card["topic"]) is str
            and card["topic"] in titles
        )
    except (KeyError, TypeError):
        return False


def read_report(file: str) -> Student:
    """One report file, checked for every field the class view reads."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(file, "no such file") from None
    except IsADirectoryError:
        raise _fail(file, "is a folder; give the JSON report files") from None
    except UnicodeDecodeError:
        raise _fail(file, f"{_NOT_A_REPORT} (not UTF-8 text)") from None
    except OSError as error:
        raise _fail(file, f"cannot read it ({error.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(
            file, f"{_NOT_A_REPORT} (not JSON: line {error.lineno} column {error.colno})"
        ) from None
    except RecursionError:
        raise _fail(file, f"{_NOT_A_REPORT} (nested too deeply)") from None
    if not isinstance(data, dict) or data.get("format") != REPORT_KIND:
        raise _fail(file, _NOT_A_REPORT)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        fix = (
            "upgrade custserv-cards to read it"
            if isinstance(version, int) and version > SCHEMA_VERSION
            else "make it again with 'custserv report -f json'"
        )
        raise _fail(
            file,
            f"a progress report of schema version {version!r}; this custserv-cards reads "
            f"version {SCHEMA_VERSION}: {fix}",
        )
    student = _need(file, data.get("student"), "student", dict)
    name = " ".join(str(_need(file, student.get("name"), "student.name", str)).split())
    period = _need(file, data.get("period"), "period", dict)
    end = _day(file, period.get("end"), "period.end")
    _day(file, period.get("last_day"), "period.last_day", optional=True)
    generated = str(_need(file, data.get("generated_at"), "generated_at", str))
    titles = _need(file, data.get("titles"), "titles", dict)
    _need(file, data.get("deck"), "deck", dict)
    for n, day in enumerate(_need(file, data.get("recent_activity"), "recent_activity", list)):
        where = f"recent_activity[{n}]"
        _need(file, day, where, dict)
        _day(file, day.get("day"), f"{where}.day")
        for key in ("answers", "started"):
            _need(file, day.get(key), f"{where}.{key}", int)
        _need(file, day.get("minutes"), f"{where}.minutes", (int, float))
    cards: dict[str, dict[str, Any]] = {}
    for n, card in enumerate(_need(file, data.get("cards"), "cards", list)):
        if not _card_ok(card, titles):  # the fast check; the slow one names the problem
            where = f"cards[{n}]"
            _need(file, card, where, dict)
            for key, kind in _CARD_FIELDS:
                _need(file, card.get(key), f"{where}.{key}", kind)
            raise _fail(file, f"{_NOT_A_REPORT} ({where}.topic is not among the titles)")
        cards[card["card_id"]] = card
    exam = data.get("exam")
    if exam is not None:
        _need(file, exam, "exam", dict)
        _day(file, exam.get("exam_date"), "exam.exam_date")
        _need(file, exam.get("days_left"), "exam.days_left", int)
        total = _need(file, exam.get("total"), "exam.total", dict)
        for key in ("target", "at_risk"):
            if exam.get(key) is not None:
                _need(file, exam[key], f"exam.{key}", bool if key == "at_risk" else (int, float))
        for key in ("readiness", "predicted_recall"):
            if total.get(key) is not None:
                _need(file, total[key], f"exam.total.{key}", (int, float))
        _need(file, total.get("new_per_day_needed"), "exam.total.new_per_day_needed", int)
    return Student(file, name, data, str(end), generated, cards)


def read_reports(files: Sequence[str]) -> list[Student]:
    if not files:
        raise UsageError("give one or more JSON reports: custserv class a.json b.json ...")
    return [read_report(f) for f in files]


# --- merging ------------------------------------------------------------------------------


def _latest_first(students: list[Student]) -> tuple[list[Student], list[str]]:
    """One report per student (the latest), and a note for each student with several."""
    chosen: dict[str, Student] = {}
    others: dict[str, list[Student]] = {}
    for s in students:
        current = chosen.get(s.key)
        if current is None:
            chosen[s.key] = s
            continue
        if current.file == s.file:
            continue
        newer = (s.end, s.generated_at) >= (current.end, current.generated_at)
        keep, drop = (s, current) if newer else (current, s)
        chosen[s.key] = keep
        others.setdefault(s.key, []).append(drop)
    notes = []
    for key, dropped in others.items():
        keep = chosen[key]
        keep.replaced = [d.file for d in dropped]
        names = ", ".join(d.file for d in dropped)
        notes.append(
            f"{keep.label}: {len(dropped) + 1} reports; the latest ({keep.file}, up to "
            f"{long_date(keep.end)}) is used, not {names}."
        )
    return list(chosen.values()), notes


def _deck_notes(
    students: list[Student], shared: set[str], topics: list[str], titles: dict[str, str]
) -> list[str]:
    notes: list[str] = []
    every_topic = {c["topic"] for s in students for c in s.cards.values()}
    all_titles = {slug: t for s in students for slug, t in s.data["titles"].items()}
    missing = sorted(every_topic - set(topics))
    if missing:
        names = ", ".join(all_titles.get(t, t) for t in missing)
        notes.append(f"Left out, not in every report: {names}.")
    only_some = {cid for s in students for cid in s.cards} - shared
    if only_some:
        example = ", ".join(sorted(only_some)[:3])
        are = "cards are" if len(only_some) != 1 else "card is"
        notes.append(
            f"Different deck versions: {len(only_some)} {are}"
            f" not in every report (such as {example}); the figures use the {len(shared)} cards "
            "every report holds."
        )
    # only the topics whose deck versions differ can hold cards whose text differs
    changed = {
        t for t in topics if len({s.data["deck"].get(t, {}).get("version") for s in students}) > 1
    }
    differ = [
        cid
        for cid in sorted(shared)
        if students[0].cards[cid]["topic"] in changed
        and len({(s.cards[cid]["text"], s.cards[cid]["answer"]) for s in students}) > 1
    ]
    if differ:
        notes.append(
            f"{len(differ)} shared card{'s have' if len(differ) != 1 else ' has'} different text "
            f"in some reports (such as {', '.join(differ[:3])}); the latest report's text is shown."
        )
    elif changed:
        notes.append("The reports come from different deck versions; their shared cards match.")
    return notes


def _recent(student: Student, days: int) -> list[dict[str, Any]]:
    activity: list[dict[str, Any]] = student.data["recent_activity"]
    return activity[-days:]


def _at_risk(student: Student, default_target: float) -> str | None:
    """Why the student may miss the exam target (None when they should not).

    The plan cannot reach the target (the report's ``at_risk``); or the student is below the
    target now (the predicted recall on the exam day if they stopped now, else the share of
    cards ready) and not keeping up: fewer new cards started a day over the last 14 days than
    needed, no answers over the last 7 days, or (without a plan's word) 14 days or less to go.
    """
    exam = student.data.get("exam")
    if not exam or exam["days_left"] < 0:
        return None
    target = exam.get("target")
    target = default_target if target is None else float(target)
    total = exam["total"]
    planned = exam.get("at_risk")
    if planned is True:
        return f"the exam plan cannot reach the target of {percent(target)}"
    predicted = total.get("predicted_recall")
    if predicted is not None:
        now = float(predicted)
        where = f"predicted recall {percent(now)} on the exam day if they stop now"
    else:
        now = float(total.get("readiness") or 0)
        where = f"{percent(now)} ready"
    where += f" (target {percent(target)})"
    if now >= target:
        return None
    days_left = int(exam["days_left"])
    pace = sum(int(d["started"]) for d in _recent(student, 14)) / 14
    needed = int(total["new_per_day_needed"])
    answers = sum(int(d["answers"]) for d in _recent(student, INACTIVE_DAYS))
    if needed > pace:
        cards = "card" if needed == 1 else "cards"
        return (
            f"{where}; needs {needed} new {cards} a day, started {pace:.1f} a day over the "
            "last 14 days"
        )
    if answers == 0 and days_left > 0:
        return f"{where}; no answers in the last {INACTIVE_DAYS} days"
    if planned is None and days_left <= SOON_DAYS:
        return f"{where}; {plural(days_left, 'day')} left"
    return None


def merge(students: list[Student], target: float = DEFAULT_TARGET) -> ClassView:
    """The class view of ``students``' reports (see the module's docstring)."""
    students, notes = _latest_first(students)
    students.sort(key=lambda s: (s.label.casefold(), s.file))
    latest = max(students, key=lambda s: (s.end, s.generated_at))
    shared = set.intersection(*(set(s.cards) for s in students))
    topic_sets = [set(s.data["titles"]) for s in students]
    common_topics = set.intersection(*topic_sets)
    titles = {slug: str(latest.data["titles"].get(slug, slug)) for slug in common_topics}
    by_topic: dict[str, list[str]] = {}
    for cid in sorted(shared):
        by_topic.setdefault(str(latest.cards[cid]["topic"]), []).append(cid)
    topics = [
        slug for slug in latest.data["titles"] if slug in common_topics and by_topic.get(slug)
    ]
    notes += _deck_notes(students, shared, topics, titles)
    if not shared:
        notes.append("These reports share no cards: there is no readiness to compare.")
    end = latest.end
    inactive_from = (date.fromisoformat(end) - timedelta(days=INACTIVE_DAYS - 1)).isoformat()
    # one pass over each student's cards: known cards per topic, lapses per card
    topic_of = {cid: slug for slug in topics for cid in by_topic[slug]}
    counted = len(topic_of)
    forgot: dict[str, list[int]] = {}  # card: [students, lapses]
    partial: list[tuple[Student, int, dict[str, float | None], float | None]] = []
    for s in students:
        known_in = dict.fromkeys(topics, 0)
        for cid, card in s.cards.items():
            slug = topic_of.get(cid)
            if slug is None:
                continue
            if card["known"]:
                known_in[slug] += 1
            if card["lapses"] > 0:
                tally = forgot.setdefault(cid, [0, 0])
                tally[0] += 1
                tally[1] += card["lapses"]
        known_all = sum(known_in.values())
        readiness: dict[str, float | None] = {
            slug: round(known_in[slug] / len(by_topic[slug]), 4) for slug in topics
        }
        overall = round(known_all / counted, 4) if counted else None
        partial.append((s, known_all, readiness, overall))
    overalls = [o for *_, o in partial if o is not None]
    median = statistics.median(overalls) if overalls else None
    rows = []
    for s, known_all, readiness, overall in partial:
        last_day = s.data["period"].get("last_day")
        behind = []
        if last_day is None:
            behind.append("has not started")
        elif last_day < inactive_from:
            behind.append(f"no answers since {long_date(last_day)}")
        if median and overall is not None and overall < median * BEHIND_SHARE_OF_MEDIAN:
            behind.append(f"knows {percent(overall)} of the cards, class median {percent(median)}")
        week = _recent(s, 7)
        fortnight = _recent(s, 14)
        exam = s.data.get("exam")
        rows.append(
            Row(
                student=s,
                known=known_all,
                cards=counted,
                readiness=readiness,
                overall=overall,
                last_day=last_day,
                answers_7=sum(int(d["answers"]) for d in week),
                minutes_7=round(sum(float(d["minutes"]) for d in week), 2),
                days_14=sum(1 for d in fortnight if d["answers"]),
                recent=[int(d["answers"]) for d in fortnight],
                behind=behind,
                at_risk=_at_risk(s, target),
                exam_date=exam["exam_date"] if exam else None,
                target=float(exam["target"]) if exam and exam.get("target") is not None else None,
            )
        )
    missed = [
        Missed(cid, card["topic"], card["text"], card["answer"], students_, lapses)
        for cid, (students_, lapses) in forgot.items()
        for card in [latest.cards[cid]]
    ]
    missed.sort(key=lambda m: (-m.students, -m.lapses, m.card_id))
    return ClassView(
        rows=rows,
        topics=[(slug, titles[slug]) for slug in topics],
        shared={slug: len(by_topic[slug]) for slug in topics},
        missed=missed[:MISSED_LIMIT],
        notes=notes,
        first=min(s.end for s in students),
        last=end,
        median=median,
        target=target,
    )


# --- rendering ----------------------------------------------------------------------------


def _risk_text(row: Row) -> str:
    return row.at_risk or ""


# a non-breaking space keeps '(7 d)' whole when a header wraps
ACTIVITY_HEADERS = ("Student", "Report up to", "Last studied", "Answers (7\u00a0d)",
                    "Time (7\u00a0d)", "Days studied (14\u00a0d)",
                    "Answers per day (14\u00a0d)")  # fmt: skip


def _activity(row: Row) -> list[object]:
    """A student's recent activity; a day without answers is a dot in the small chart (a
    space would vanish at the edge of a Markdown cell)."""
    bars = sparkline([float(n) for n in row.recent])
    chart = "".join(bar if n else "·" for n, bar in zip(row.recent, bars, strict=True))
    return [row.student.label, long_date(row.student.end), long_date(row.last_day),
            row.answers_7, duration_text(row.minutes_7), row.days_14, chart]  # fmt: skip


def _target_text(view: ClassView) -> str:
    """Which target the at-risk list measures against: the reports' own, else --target."""
    examined = [r for r in view.rows if r.exam_date]
    own = sorted({r.target for r in examined if r.target is not None})
    default = f"{percent(view.target)} of the cards"
    if not own:
        return f"Target: {default} (no report sets its own; 'custserv class --target' sets it)."
    shares = " or ".join(percent(t) for t in own)
    text = f"Target: {shares} of the cards, as set in the students' exam plans"
    if any(r.target is None for r in examined):
        return f"{text}; {default} for the reports that set none."
    return text + "."


def _period(view: ClassView) -> str:
    if view.first == view.last:
        return f"reports up to {long_date(view.last)}"
    return f"reports up to days from {long_date(view.first)} to {long_date(view.last)}"


def _lead(view: ClassView) -> str:
    n = len(view.rows)
    cards = sum(view.shared.values())
    return (
        f"{n} student{'s' if n != 1 else ''}, {_period(view)}; {len(view.topics)} topics, "
        f"{cards} cards in every report. Median share of cards known: {percent(view.median)}."
    )


CLASS_GLOSSARY = (
    ("Known", "recalled the last two times, not a leech, and not due again for 6 days or more."),
    ("Readiness", "cards known as a share of the topic's cards that every report holds."),
    (
        "Falling behind",
        f"no answers in the {INACTIVE_DAYS} days up to the latest report, or knowing fewer "
        "than half as many cards as the class median.",
    ),
    (
        "At risk",
        "only with an exam date: the exam plan cannot reach the target (the report's own, "
        "else the class view's); or below the target now (the recall predicted for the exam "
        "day if the student stopped now, else the share of cards ready) and not keeping up: "
        "starting new cards too slowly to see every card before the exam, or no answers in "
        f"the last {INACTIVE_DAYS} days.",
    ),
    ("Forgotten", "students who failed the card after they had learnt it; lapses in all."),
)


def render_markdown(view: ClassView) -> str:
    def table(headers: Sequence[str], rows: list[Sequence[object]]) -> list[str]:
        out = ["| " + " | ".join(md_escape(h) for h in headers) + " |"]
        out.append("|" + "|".join("---" for _ in headers) + "|")
        out += ["| " + " | ".join(md_escape(v) for v in r) + " |" for r in rows]
        return out

    lines = ["# Class progress", "", md_escape(_lead(view)), ""]
    if view.notes:
        lines += ["## Notes", "", *(f"- {md_escape(n)}" for n in view.notes), ""]
    lines += ["## Readiness by topic (share of cards known)", ""]
    lines += table(
        ["Student", "All topics", *(t for _, t in view.topics)],
        [
            [
                r.student.label,
                percent(r.overall),
                *(percent(r.readiness[s]) for s, _ in view.topics),
            ]
            for r in view.rows
        ],
    )
    lines.append("")
    behind = [r for r in view.rows if r.behind]
    lines += ["## Falling behind", ""]
    lines += (
        [f"- {md_escape(r.student.label)}: {md_escape('; '.join(r.behind))}" for r in behind]
        if behind
        else ["Nobody."]
    )
    lines.append("")
    if any(r.exam_date for r in view.rows):
        risky = [r for r in view.rows if r.at_risk]
        lines += [
            "## At risk of missing the exam target",
            "",
            md_escape(_target_text(view)),
            "",
        ]
        lines += (
            [f"- {md_escape(r.student.label)}: {md_escape(_risk_text(r))}" for r in risky]
            if risky
            else ["Nobody."]
        )
        lines.append("")
    lines += ["## Cards the class misses most", ""]
    lines += (
        table(
            ["Question", "Answer", "Topic", "Students who forgot it", "Lapses"],
            [
                [
                    m.text,
                    m.answer,
                    dict(view.topics).get(m.topic, m.topic),
                    f"{m.students} of {len(view.rows)}",
                    m.lapses,
                ]
                for m in view.missed
            ],
        )
        if view.missed
        else ["None forgotten yet."]
    )
    lines += ["", "## Recent activity", ""]
    lines += table(ACTIVITY_HEADERS, [_activity(r) for r in view.rows])
    lines += ["", "## Glossary", ""]
    lines += [f"- **{term}**: {md_escape(text)}" for term, text in CLASS_GLOSSARY]
    lines.append("")
    return "\n".join(lines)


CLASS_CSS = """
.grid-wrap { overflow-x: auto; }
table.grid { width: auto; font-size: 13px; }
table.grid th.topic { vertical-align: bottom; text-align: left; padding: 4px 2px; }
table.grid th.topic span { writing-mode: vertical-rl; transform: rotate(180deg);
  display: inline-block; max-height: 250px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-weight: 600; }
table.grid td.cell { text-align: center; min-width: 40px; padding: 3px 2px;
  font-variant-numeric: tabular-nums; }
table.grid td.name, table.grid th.name { position: sticky; left: 0; background: #fff;
  text-align: left; white-space: nowrap; }
table.grid td.name .who { display: inline-block; max-width: 190px; overflow: hidden;
  text-overflow: ellipsis; vertical-align: bottom; }
table.grid tbody tr:nth-child(5n) td { border-bottom: 2px solid #bcccdc; }
.flag { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px;
        margin-left: 4px; color: #fff; }
.flag.behind { background: #c92a2a; }
.flag.risk { background: #e67700; }
ul.people li { margin: 2px 0; }
.spark { font-family: ui-monospace, monospace; letter-spacing: 1px; white-space: pre; }
"""


def _cell_colour(value: float | None) -> str:
    if value is None:
        return "#f0f4f8"
    # from pale red (nothing known) through pale yellow to green (all known)
    stops = ((0.0, (255, 227, 227)), (0.5, (255, 243, 191)), (1.0, (140, 233, 154)))
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if value <= b:
            t = (value - a) / (b - a)
            r, g, bl = (round(x + (y - x) * t) for x, y in zip(ca, cb, strict=True))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return "#8ce99a"


def render_html(view: ClassView) -> str:
    n = len(view.rows)
    out = [
        html_head(f"Class progress, {n} students, {view.last}", CSS + CLASS_CSS),
        "<h1>Class progress</h1>",
        f'<p class="meta">{esc(_lead(view))}</p>',
    ]
    if view.notes:
        out.append("<section><h2>Notes</h2><ul>")
        out += [f"<li>{esc(note)}</li>" for note in view.notes]
        out.append("</ul></section>")
    out.append("<section><h2>Readiness by topic</h2>")
    out.append(
        '<p class="legend">The share of each topic\'s cards the student knows (of the cards '
        "every report holds); red: few, green: most.</p>"
    )
    head = "".join(
        f'<th class="topic" title="{esc(title)} ({view.shared[slug]} cards)"><span>{esc(title)}'
        "</span></th>"
        for slug, title in view.topics
    )
    body = []
    for r in view.rows:
        flags = ""
        if r.behind:
            flags += f'<span class="flag behind" title="{esc("; ".join(r.behind))}">behind</span>'
        if r.at_risk:
            flags += f'<span class="flag risk" title="{esc(r.at_risk)}">at risk</span>'
        cells = "".join(
            f'<td class="cell" style="background:{_cell_colour(r.readiness[slug])}" '
            f'title="{esc(r.student.label)}, {esc(title)}: {r.readiness[slug] or 0:.0%}">'
            f"{_whole_percent(r.readiness[slug])}</td>"
            for slug, title in view.topics
        )
        body.append(
            f'<tr><td class="name"><span class="who" title="{esc(r.student.label)}">'
            f"{esc(r.student.label)}</span>{flags}</td>"
            f'<td class="cell" style="background:{_cell_colour(r.overall)}"><b>'
            f"{_whole_percent(r.overall)}</b></td>{cells}</tr>"
        )
    out.append(
        '<div class="grid-wrap"><table class="grid"><thead><tr><th class="name">Student</th>'
        f'<th class="topic"><span>All topics</span></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )
    behind = [r for r in view.rows if r.behind]
    out.append(f"<section><h2>Falling behind ({len(behind)})</h2>")
    out.append(
        '<ul class="people">'
        + "".join(
            f"<li><b>{esc(r.student.label)}</b>: {esc('; '.join(r.behind))}</li>" for r in behind
        )
        + "</ul>"
        if behind
        else "<p>Nobody.</p>"
    )
    out.append("</section>")
    if any(r.exam_date for r in view.rows):
        risky = [r for r in view.rows if r.at_risk]
        out.append(
            f"<section><h2>At risk of missing the exam target ({len(risky)})</h2>"
            f'<p class="legend">{esc(_target_text(view))}</p>'
        )
        out.append(
            '<ul class="people">'
            + "".join(
                f"<li><b>{esc(r.student.label)}</b>: {esc(_risk_text(r))}</li>" for r in risky
            )
            + "</ul>"
            if risky
            else "<p>Nobody.</p>"
        )
        out.append("</section>")
    out.append("<section><h2>Cards the class misses most</h2>")
    if view.missed:
        topics = dict(view.topics)
        rows = "".join(
            f'<tr><td class="text">{esc(m.text)}</td><td class="text">{esc(m.answer)}</td>'
            f'<td class="text">{esc(topics.get(m.topic, m.topic))}</td>'
            f"<td>{m.students} of {n}</td><td>{m.lapses}</td></tr>"
            for m in view.missed
        )
        out.append(
            '<table><thead><tr><th class="text">Question</th><th class="text">Answer</th>'
            '<th class="text">Topic</th><th>Students who forgot it</th><th>Lapses</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
        )
    else:
        out.append("<p>None forgotten yet.</p>")
    out.append("</section><section><h2>Recent activity</h2>")
    last = len(ACTIVITY_HEADERS) - 1
    head = "".join(
        f"<th{' class=text' if i == 0 else ''}>{esc(h)}</th>"
        for i, h in enumerate(ACTIVITY_HEADERS)
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=text' if i == 0 else ' class=spark' if i == last else ''}>{esc(v)}</td>"
            for i, v in enumerate(_activity(r))
        )
        + "</tr>"
        for r in view.rows
    )
    out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>")
    out += [
        '<section><h2>Glossary</h2><dl class="glossary">',
        *(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in CLASS_GLOSSARY),
        "</dl></section>",
        "<footer>Made by custserv-cards from the students' JSON reports.</footer>",
        "</main></body></html>",
        "",
    ]
    return "\n".join(out)


def _whole_percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def render_csv(view: ClassView) -> str:
    columns = [
        "student", "file", "report_up_to", "last_studied", "answers_7_days", "minutes_7_days",
        "days_studied_14_days", "known", "cards", "readiness", "falling_behind", "at_risk",
        *(f"readiness: {title}" for _, title in view.topics),
    ]  # fmt: skip
    rows = [
        [
            r.student.name,
            r.student.file,
            r.student.end,
            r.last_day or "",
            r.answers_7,
            r.minutes_7,
            r.days_14,
            r.known,
            r.cards,
            r.overall if r.overall is not None else "",
            "; ".join(r.behind),
            r.at_risk or "",
            *(r.readiness[slug] for slug, _ in view.topics),
        ]
        for r in view.rows
    ]
    return csv_text(columns, rows)


def check_format(fmt: str | None, output: str | None) -> str:
    """The format: ``fmt``, else the output file's extension, else Markdown."""
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
        fmt = {"htm": "html", "markdown": "md", "": "md"}.get(suffix, suffix)
        if fmt not in FORMATS:
            raise UsageError(
                f"cannot tell the format of --output {output}; end it in .html, .md or .csv, "
                "or give --format"
            )
        return fmt
    fmt = fmt.strip().lower()
    fmt = "md" if fmt == "markdown" else fmt
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format '{fmt}'; choose one of {', '.join(FORMATS)}")
    return fmt


def render(view: ClassView, fmt: str) -> str:
    if fmt == "html":
        return render_html(view)
    if fmt == "csv":
        return render_csv(view)
    return render_markdown(view)
