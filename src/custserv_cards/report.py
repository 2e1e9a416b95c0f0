"""Progress reports: Markdown, one self-contained HTML page, CSV and JSON.

A report names its student (the ``student`` setting, or ``--student``) and the period it
covers, and speaks plainly first: cards started, cards known, time studied, days studied
(see ``teacher``); the scheduler's own figures follow, and a glossary at the end defines
every term. The figures come from ``stats.build_report`` and ``teacher.summarise``.

The HTML page has inline CSS and inline SVG charts (the 30-day forecast, the answers per day
since the period began, retention week by week per topic) and loads nothing from the
network; it prints on paper as well as it shows on screen. Text in HTML passes through
``html.escape`` after control characters are made visible; text in Markdown has every
character that Markdown would read as markup (links, images, emphasis, HTML, entities)
escaped with a backslash, so hostile card text shows as text and never runs or loads.

The JSON report is the interchange format (``custserv class`` merges them): its structure is
``docs/report-schema.json``, versioned by ``schema_version``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from custserv_cards.errors import UsageError
from custserv_cards.render import printable
from custserv_cards.scheduler.state import LEECH_LAPSES
from custserv_cards.stats import (
    CARD_COLUMNS,
    KNOWN_MIN_DAYS,
    MATURE_DAYS,
    REVIEW_COLUMNS,
    DayCount,
    ExamReadiness,
    Report,
    Stats,
    TopicReadiness,
    TopicStats,
    WeakCard,
    WeekRetention,
    card_figure,
    memory_figure,
    week_start,
)
from custserv_cards.teacher import Summary, TopicSummary, duration_text

if TYPE_CHECKING:
    from custserv_cards.store import Store

FORMATS = ("md", "html", "csv", "json")
SPARKS = "▁▂▃▄▅▆▇█"
REPORT_KIND = "custserv-cards progress report"

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Cards started", "cards answered at least once."),
    (
        "Cards known",
        "cards recalled correctly the last two times they were asked, not leeches, and that the "
        f"scheduler will not ask again for {KNOWN_MIN_DAYS} days or more. With the standard "
        "scheduler (SM-2) that takes correct answers on two different days, so a card first "
        "seen today is never known.",
    ),
    ("Known %", "cards known as a share of all the topic's cards."),
    (
        "Time studied",
        "the time from showing each card to its answer, added up over the period. Answers "
        "recorded with 'custserv grade' have no time.",
    ),
    ("Days studied", "days of the period with at least one answer."),
    (
        "Retention",
        "of the answers to cards seen before (scheduled reviews), the share graded 3 "
        "('correct with serious difficulty') or better, over the last 30 days.",
    ),
    ("Due", "cards the scheduler asks for on that day; overdue cards count as due today."),
    ("Streak", "days in a row with answers, up to today or yesterday."),
    (
        "Ready (exam)",
        "a known card (see above); suspended cards are left out. New per day: new cards the "
        "exam plan starts each day so that every card is learnt in time.",
    ),
    (
        "Recall on the exam day",
        "the share of a topic's cards the memory model (FSRS) expects you to recall on the "
        "day: 'if you stop now' with no more study (cards never studied count as forgotten), "
        "'with the plan' if you follow the exam plan ('custserv exam').",
    ),
    ("New", "never answered."),
    ("Learning", "answered, and asked again within a day (just learnt, or forgotten)."),
    ("Young", f"answered, next asked in 2 to {MATURE_DAYS - 1} days."),
    ("Mature", f"answered, next asked in {MATURE_DAYS} days or more."),
    ("Suspended", "taken out of the reviews by the student."),
    ("Forgotten (lapses)", "times a card was failed after it had been learnt."),
    ("Leech", f"a card forgotten {LEECH_LAPSES} times or more."),
    (
        "EF (easiness factor)",
        "SM-2's measure of how easily this student recalls a card: from 1.3 (hard) up; new "
        "cards start at 2.5.",
    ),
    (
        "Recall (FSRS)",
        "when FSRS schedules the cards: the probability, predicted from the card's own "
        "history, that this student recalls it today.",
    ),
    ("Interval", "days until the card is asked again."),
)


@dataclass(frozen=True)
class Full:
    """A report with its plain figures and the text of the cards it lists."""

    report: Report
    summary: Summary
    texts: dict[str, tuple[str, str]]

    @property
    def student(self) -> str:
        return self.report.student


def esc(value: object) -> str:
    """Text made safe for HTML."""
    return html.escape(printable(str(value)), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def md_escape(value: object) -> str:
    """Text made inert for Markdown: every character that could start a link, an image,
    emphasis, code, HTML or an entity gets a backslash (CommonMark shows it as itself),
    control characters are made visible and line breaks become spaces."""
    text = printable(str(value)).replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def plural(count: int, word: str) -> str:
    """'1 card', '2 cards', '0 cards'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part / whole * 100:.0f}%)" if whole else f"{part} of 0"


def figure_text(key: str, value: float | None) -> str:
    """A memory figure as shown: EF with two decimals, recall as a percentage."""
    if value is None:
        return "–"
    return f"{value:.2f}" if key == "ef" else f"{value * 100:.0f}%"


def average_memory(s: Stats) -> tuple[str, str]:
    """("Average EF", "2.36") or ("Average recall today", "87%")."""
    weakness = s.weakness
    name = "EF" if weakness.key == "ef" else "recall today"
    return f"Average {name}", figure_text(weakness.key, memory_figure(s, s.total))


def long_date(day: str | None) -> str:
    """'7 Dec 2026' for '2026-12-07' ('–' for none)."""
    if not day:
        return "–"
    parsed = date.fromisoformat(day)
    return f"{parsed.day} {parsed.strftime('%b %Y')}"


def moment(stamp: str) -> str:
    """'7 Dec 2026, 20:00' for an ISO timestamp (with its offset, when not UTC)."""
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    offset = parsed.strftime("%z")
    zone = "" if offset in ("", "+0000") else f" (UTC{offset[:3]}:{offset[3:]})"
    return f"{long_date(parsed.date().isoformat())}, {parsed:%H:%M}{zone}"


def student_label(name: str) -> str:
    return name or "student not named"


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per value, scaled to the largest (a gap for ``None``)."""
    numbers = [v for v in values if v is not None]
    top = max(numbers, default=0) or 1
    return "".join(
        " " if v is None else SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1)))]
        for v in values
    )


def weekly_totals(heatmap: list[DayCount]) -> list[int]:
    return [sum(d.count for d in heatmap[i : i + 7]) for i in range(0, len(heatmap), 7)]


def period_days(full: Full) -> list[DayCount]:
    """The heatmap's days from the Monday of the week the period starts."""
    first = week_start(date.fromisoformat(full.report.since)).isoformat()
    return [d for d in full.report.stats.heatmap if d.day >= first]


def plain_cells(t: TopicSummary, title: str) -> list[object]:
    return [
        title, t.cards, t.started, t.known, percent(t.known / t.cards if t.cards else None),
        t.answers, duration_text(t.minutes),
    ]  # fmt: skip


PLAIN_HEADERS = ("Topic", "Cards", "Started", "Known", "Known %", "Answers", "Time studied")


def topic_headers(s: Stats) -> tuple[str, ...]:
    return (
        "Topic", "Cards", "New", "Learning", "Young", "Mature", "Suspended", "Leeches",
        "Retention (30\u00a0d)", f"Avg {s.weakness.label}", "Due today", "Due tomorrow",
        "Due in 7 days",
    )  # fmt: skip


def topic_cells(s: Stats, t: TopicStats) -> list[object]:
    return [
        t.title, t.cards, t.new, t.learning, t.young, t.mature, t.suspended, t.leech,
        f"{percent(t.retention_30d)} ({t.passed_30d}/{t.reviews_30d})" if t.reviews_30d else "–",
        figure_text(s.weakness.key, memory_figure(s, t)), t.due_today, t.due_tomorrow,
        t.due_7_days,
    ]  # fmt: skip


def weak_headers(s: Stats) -> tuple[str, ...]:
    return ("Question", "Answer", "Topic", "Forgotten", s.weakness.label, "Interval",
            "Next due", "Card")  # fmt: skip


def _weak_rows(full: Full, cards: list[WeakCard]) -> list[list[object]]:
    titles = full.report.titles
    s = full.report.stats
    rows: list[list[object]] = []
    for c in cards:
        text, answer = full.texts.get(c.card_id, (c.text, ""))
        rows.append(
            [text, answer, titles.get(c.topic, c.topic), c.lapses,
             figure_text(s.weakness.key, card_figure(s, c)), f"{c.interval} d", c.due or "–",
             c.card_id]
        )  # fmt: skip
    return rows


RISK_HEADERS = ("Question", "Answer", "Topic", "Recall on the day", "Card")


def _risk_rows(full: Full) -> list[list[object]]:
    """The exam's cards most at risk, with their question and answer."""
    exam, titles = full.report.exam, full.report.titles
    return [
        [*full.texts.get(c.card_id, (c.card_id, "")), titles.get(c.topic, c.topic),
         percent(c.predicted_recall), c.card_id]
        for c in (exam.cards_at_risk if exam else [])
    ]  # fmt: skip


def weak_lists(full: Full) -> list[tuple[str, list[WeakCard]]]:
    s = full.report.stats
    hardest = "lowest EF" if s.weakness.key == "ef" else "lowest predicted recall today"
    return [
        ("Forgotten most often", s.weakest.most_lapses),
        (f"Hardest for this student ({hardest})", s.weakest_by_memory()),
        (f"Leeches (forgotten {LEECH_LAPSES} times or more)", s.weakest.leeches),
    ]


def headline(full: Full) -> list[tuple[str, str]]:
    """The plain figures every format opens with: (label, value)."""
    s, total = full.report.stats, full.summary.total
    period_days_count = (
        date.fromisoformat(full.summary.end) - date.fromisoformat(full.summary.start)
    ).days + 1
    return [
        ("Cards started", share(total.started, total.cards)),
        ("Cards known", share(total.known, total.cards)),
        ("Time studied", duration_text(total.minutes)),
        ("Days studied", f"{full.summary.days_studied} of {period_days_count}"),
        ("Answers", str(total.answers)),
        ("Last studied", long_date(full.summary.last_day)),
        ("Due today", str(s.total.due_today)),
        ("Streak", plural(s.streak, "day")),
    ]


def scope_text(report: Report) -> str:
    f = report.stats.topic_filter
    return f"topic {report.titles.get(f, f)}" if f else "all topics"


# --- Markdown -----------------------------------------------------------------------------


EXAM_HEADERS = (
    "Topic",
    "Cards",
    "Ready",
    "Readiness",
    "New left",
    "New per day",
    "Due by exam",
    "Recall on the day if you stop now",
    "Recall on the day with the plan",
)


def _exam_row(exam: ExamReadiness, t: TopicReadiness, titles: dict[str, str]) -> list[object]:
    return [
        titles.get(t.topic, "All topics"),
        t.cards,
        t.ready,
        percent(t.readiness),
        t.new,
        t.new_per_day_needed,
        t.due_by_exam,
        percent(t.predicted_recall),
        percent(t.planned_recall),
    ]


def exam_summary(exam: ExamReadiness) -> str:
    """One sentence on the exam plan: its target, and whether it fits the daily minutes."""
    if exam.days_left <= 0:
        return "The exam day has come: these are the figures of the day."
    target = f"The target is {percent(exam.target)} of cards recalled on the day"
    cap = f" in at most {exam.minutes} minutes a day" if exam.minutes else ""
    if exam.at_risk:
        needed = (
            f"; it would take {exam.minutes_needed} minutes a day"
            if exam.minutes_needed
            else "; it cannot be reached in the time left"
        )
        return f"{target}{cap}. At risk: the plan does not reach it{needed}."
    return f"{target}{cap}. The plan reaches it if followed."


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(md_escape(v) for v in row) + " |" for row in rows)
    return lines


def render_markdown(full: Full) -> str:
    report, summary = full.report, full.summary
    s = report.stats
    titles = report.titles
    heat = period_days(full)
    lines = [
        f"# Progress report: {md_escape(student_label(full.student))}",
        "",
        f"Covers {long_date(summary.start)} to {long_date(summary.end)}, "
        f"{md_escape(scope_text(report))}. Generated {md_escape(moment(report.generated_at))} "
        "by custserv-cards.",
        "",
        "## Summary",
        "",
        *(f"- {label}: {md_escape(value)}" for label, value in headline(full)),
        "",
        "## Topics",
        "",
        *_md_table(
            PLAIN_HEADERS,
            [plain_cells(t, t.title) for t in [*summary.topics, summary.total]],
        ),
        "",
        "## Recent activity (last 14 days)",
        "",
        *_md_table(
            ("Day", "Answers", "Time studied", "New cards started"),
            [
                (long_date(d.day), d.answers, duration_text(d.minutes), d.started)
                for d in summary.recent
                if d.answers
            ]
            or [("–", 0, "none", 0)],
        ),
        "",
    ]
    if report.exam:
        exam = report.exam
        lines += [
            f"## Exam readiness ({long_date(exam.exam_date)}, "
            f"{plural(exam.days_left, 'day')} left)",
            "",
            exam_summary(exam),
            "",
            "Ready means known: recalled the last two times and not due again for "
            f"{KNOWN_MIN_DAYS} days or more.",
            "",
            *_md_table(
                EXAM_HEADERS, [_exam_row(exam, t, titles) for t in [*exam.topics, exam.total]]
            ),
            "",
        ]
        if exam.cards_at_risk:
            lines += [
                "Most at risk if you stop now (predicted recall on the day):",
                "",
                *_md_table(RISK_HEADERS, _risk_rows(full)),
                "",
            ]
    lines += ["## Cards to work on", ""]
    for title, cards in weak_lists(full):
        lines += [f"### {title}", ""]
        lines += (
            _md_table(weak_headers(full.report.stats), _weak_rows(full, cards))
            if cards
            else ["None."]
        )
        lines.append("")
    total = s.total
    lines += [
        "## Scheduler figures",
        "",
        f"- Cards: {total.cards} ({total.new} new, {total.learning} learning, "
        f"{total.young} young, {total.mature} mature; {total.suspended} suspended, "
        f"{total.leech} leeches)",
        f"- Retention over the last 30 days: {percent(total.retention_30d)} "
        f"({total.passed_30d} of {total.reviews_30d} reviews graded 3 or more)",
        "- {}: {}".format(*average_memory(s)),
        f"- Due: {total.due_today} today, {total.due_tomorrow} tomorrow, "
        f"{total.due_7_days} within 7 days",
        "",
        *_md_table(topic_headers(s), [topic_cells(s, t) for t in [*s.topics, s.total]]),
        "",
        "### Forecast (next 30 days)",
        "",
        f"`{sparkline([d.count for d in s.forecast])}` "
        f"{plural(sum(d.count for d in s.forecast), 'card')} due in 30 days",
        "",
        *_md_table(
            ("Day", "Due"),
            [(d.day, d.count) for d in s.forecast if d.count or d == s.forecast[0]],
        ),
        "",
        f"### Answers per week since {long_date(heat[0].day if heat else summary.start)}",
        "",
        f"`{sparkline([float(w) for w in weekly_totals(heat)])}` "
        f"{plural(sum(d.count for d in heat), 'answer')} on "
        f"{plural(sum(1 for d in heat if d.count), 'day')}",
        "",
        "### Retention week by week",
        "",
    ]
    shown = {slug: weeks for slug, weeks in report.retention_over_time.items() if _reviews(weeks)}
    lines += (
        _md_table(
            ("Topic", "Weeks", "Reviews", "Retention"),
            [
                (
                    titles.get(slug, slug),
                    sparkline([w.retention for w in weeks]),
                    _reviews(weeks),
                    percent(_overall(weeks)),
                )
                for slug, weeks in shown.items()
            ],
        )
        if shown
        else ["No reviews of cards seen before yet."]
    )
    quiet = [titles.get(slug, slug) for slug in report.retention_over_time if slug not in shown]
    if shown and quiet:
        lines += ["", "No reviews yet: " + md_escape(", ".join(quiet)) + "."]
    lines += ["", "## Glossary", ""]
    lines += [f"- **{term}**: {md_escape(text)}" for term, text in GLOSSARY]
    lines.append("")
    return "\n".join(lines)


def _reviews(weeks: list[WeekRetention]) -> int:
    return sum(w.reviews for w in weeks)


def _retention_note(weeks: list[WeekRetention]) -> str:
    reviews = _reviews(weeks)
    if not reviews:
        return "no reviews"
    return f"{percent(_overall(weeks))} of {reviews} review{'s' if reviews != 1 else ''}"


def _overall(weeks: list[WeekRetention]) -> float | None:
    reviews = _reviews(weeks)
    return round(sum(w.passed for w in weeks) / reviews, 4) if reviews else None


# --- HTML ---------------------------------------------------------------------------------

CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #2f6fb2;
        --good: #2f9e44; --bad: #c92a2a; --paper: #fff; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f5f7fa; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; background: var(--paper); }
h1 { margin: 0 0 4px; font-size: 26px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile b { display: block; font-size: 20px; }
.tile span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: right;
         vertical-align: top; }
td { white-space: nowrap; }
th { background: #f0f4f8; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { white-space: normal; max-width: 420px; overflow-wrap: anywhere; }
tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
td.meter-cell { text-align: left; }
.pct { display: inline-block; min-width: 4.2em; text-align: right; margin-right: 6px; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.chart { margin: 8px 0 4px; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
             gap: 12px; }
.multiples figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
.multiples figcaption { font-size: 12px; font-weight: 600; overflow-wrap: anywhere;
                        min-height: 2.9em; }
.multiples figcaption span { font-weight: 400; color: var(--muted); }
.legend { color: var(--muted); font-size: 12px; }
.meter { display: inline-block; vertical-align: middle; width: 100px; height: 10px;
         background: var(--line); border-radius: 5px; overflow: hidden; }
.meter i { display: block; height: 100%; background: var(--good); }
.heat-legend rect { stroke: none; }
dl.glossary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px;
              font-size: 13px; }
dl.glossary dt { font-weight: 600; }
dl.glossary dd { margin: 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  section, figure, tr, .tile { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

HEAT_COLOURS = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")


def _svg_open(width: int, height: int, label: str, css_class: str) -> str:
    """An SVG that shrinks with the page but never grows past its own size."""
    return (
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" style="max-width:{width}px" role="img" aria-label="{esc(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{esc(label)}</title>'
    )


def forecast_svg(forecast: list[DayCount]) -> str:
    width, height, left, bottom, top = 900, 220, 40, 30, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((d.count for d in forecast), default=0)
    scale = _nice_max(peak)
    step = plot_w / max(len(forecast), 1)
    parts = [_svg_open(width, height, "Cards due on each of the next 30 days", "forecast")]
    for tick in (0, scale // 2, scale):
        y = top + plot_h - tick / scale * plot_h
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d9e2ec"/><text x="{left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    for i, d in enumerate(forecast):
        h = d.count / scale * plot_h
        x = left + i * step + 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step - 4:.1f}" '
            f'height="{h:.1f}" fill="{"#c92a2a" if i == 0 else "#2f6fb2"}">'
            f"<title>{esc(d.day)}: {d.count} due</title></rect>"
        )
        if i % 5 == 0:
            parts.append(
                f'<text x="{x + (step - 4) / 2:.1f}" y="{height - 10}" '
                f'text-anchor="middle">{esc(d.day[5:])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _nice_max(peak: int) -> int:
    if peak <= 4:
        return 4
    magnitude = 10 ** (len(str(peak)) - 1)
    for factor in (1, 2, 4, 5, 10):
        if factor * magnitude >= peak:
            return max(factor * magnitude, 4) if (factor * magnitude) % 2 == 0 else peak + 1
    return peak


def heatmap_svg(heatmap: list[DayCount]) -> str:
    cell, gap, left, top = 16, 3, 32, 18
    weeks = (len(heatmap) + 6) // 7
    legend_w = 40 + len(HEAT_COLOURS) * (cell + gap) + 34
    width = max(left + weeks * (cell + gap) + 10, left + legend_w + 10)
    height = top + 7 * (cell + gap) + 24
    peak = max((d.count for d in heatmap), default=0)
    first = heatmap[0].day if heatmap else ""
    parts = [_svg_open(width, height, f"Answers per day from {first}", "heatmap")]
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        parts.append(f'<text x="0" y="{top + row * (cell + gap) + cell - 3}">{name}</text>')
    last_month = ""
    for i, d in enumerate(heatmap):
        week, row = divmod(i, 7)
        x = left + week * (cell + gap)
        y = top + row * (cell + gap)
        if row == 0 and d.day[:7] != last_month:
            last_month = d.day[:7]
            month = date.fromisoformat(d.day).strftime("%b")
            parts.append(f'<text x="{x}" y="{top - 6}">{month}</text>')
        level = 0 if not d.count else 1 + min(3, int(d.count / (peak or 1) * 4 - 1e-9))
        parts.append(
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" '
            f'fill="{HEAT_COLOURS[level]}"><title>{esc(d.day)}: {plural(d.count, "answer")}'
            "</title></rect>"
        )
    legend_y = top + 7 * (cell + gap) + 6
    legend_x = width - 10 - legend_w
    parts.append(f'<text x="{legend_x}" y="{legend_y + cell - 4}">Fewer</text>')
    for n, colour in enumerate(HEAT_COLOURS):
        parts.append(
            f'<rect x="{legend_x + 36 + n * (cell + gap)}" y="{legend_y}" width="{cell}" '
            f'height="{cell}" rx="2" fill="{colour}"/>'
        )
    parts.append(
        f'<text x="{legend_x + 40 + len(HEAT_COLOURS) * (cell + gap)}" '
        f'y="{legend_y + cell - 4}">more</text></svg>'
    )
    return "".join(parts)


def retention_svg(title: str, weeks: list[WeekRetention]) -> str:
    width, height, left, top, bottom = 260, 96, 38, 10, 16
    plot_w, plot_h = width - left - 6, height - top - bottom
    parts = [_svg_open(width, height, f"Weekly retention of {title}", "retention")]
    for value in (0, 50, 100):
        y = top + plot_h - value / 100 * plot_h
        parts.append(
            f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9e2ec"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value}%</text>'
        )
    step = plot_w / max(len(weeks) - 1, 1)
    points = []
    for i, w in enumerate(weeks):
        if w.retention is None:
            continue
        x = left + i * step
        y = top + plot_h - w.retention * plot_h
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#2f6fb2"><title>week of '
            f"{esc(w.week)}: {percent(w.retention)} of {w.reviews}</title></circle>"
        )
    if len(points) > 1:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#2f6fb2" '
            'stroke-width="1.5"/>'
        )
    if not points:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2 + 4:.1f}" '
            'text-anchor="middle">no reviews yet</text>'
        )
    if weeks:
        parts.append(f'<text x="{left}" y="{height - 2}">{esc(weeks[0].week[5:])}</text>')
        parts.append(
            f'<text x="{width - 6}" y="{height - 2}" text-anchor="end">'
            f"{esc(weeks[-1].week[5:])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    text_columns: Sequence[int] = (),
    total_last: bool = False,
) -> str:
    head = "".join(
        f"<th{' class=text' if i in text_columns else ''}>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    materialised = list(rows)
    for n, row in enumerate(materialised):
        cls = ' class="total"' if total_last and n == len(materialised) - 1 else ""
        cells = "".join(
            f"<td{' class=text' if i in text_columns else ''}>{esc(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _tiles(full: Full) -> str:
    return "".join(
        f'<div class="tile"><b>{esc(value)}</b><span>{esc(label.lower())}</span></div>'
        for label, value in headline(full)
    )


def _meter_cell(value: float | None) -> str:
    width = (value or 0) * 100
    return (
        f'<td class="meter-cell"><span class="pct">{esc(percent(value))}</span>'
        f'<span class="meter" title="{esc(percent(value))}"><i style="width:{width:.1f}%">'
        "</i></span></td>"
    )


def html_head(title: str, css: str) -> str:
    """The start of a self-contained page up to its ``<main>``: nothing on it runs or loads
    anything, and a Content-Security-Policy says so to the browser as well."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{esc(title)}</title>\n<style>{css}</style></head><body><main>"
    )


def render_html(full: Full) -> str:
    report, summary = full.report, full.summary
    s = report.stats
    titles = report.titles
    name = student_label(full.student)
    heat = period_days(full)
    out = [
        html_head(f"Progress report: {name}, {s.today}", CSS),
        f"<h1>Progress report: {esc(name)}</h1>",
        f'<p class="meta">Covers {esc(long_date(summary.start))} to '
        f"{esc(long_date(summary.end))} · {esc(scope_text(report))} · generated "
        f"{esc(moment(report.generated_at))}</p>",
        f'<section><div class="tiles">{_tiles(full)}</div></section>',
        "<section><h2>Topics</h2>",
    ]
    rows = []
    for t in [*summary.topics, summary.total]:
        cls = ' class="total"' if t is summary.total else ""
        rows.append(
            f'<tr{cls}><td class="text">{esc(t.title)}</td><td>{t.cards}</td>'
            f"<td>{t.started}</td><td>{t.known}</td>"
            f"{_meter_cell(t.known / t.cards if t.cards else None)}"
            f"<td>{t.answers}</td><td>{esc(duration_text(t.minutes))}</td></tr>"
        )
    out.append(
        "<table><thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in PLAIN_HEADERS)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<p class="legend">Known: recalled the last two times and not due again for '
        f"{KNOWN_MIN_DAYS} days or more. Answers and time: over the period of this report."
        "</p></section>"
    )
    recent = [d for d in summary.recent if d.answers]
    out.append("<section><h2>Recent activity (last 14 days)</h2>")
    out.append(
        _html_table(
            ("Day", "Answers", "Time studied", "New cards started"),
            [(long_date(d.day), d.answers, duration_text(d.minutes), d.started) for d in recent],
        )
        if recent
        else "<p>No answers in the last 14 days.</p>"
    )
    out.append("</section>")
    if report.exam:
        exam = report.exam
        out.append(
            f"<section><h2>Exam readiness: {esc(long_date(exam.exam_date))} "
            f"({plural(exam.days_left, 'day')} left)</h2><p>{esc(exam_summary(exam))}</p>"
        )
        exam_rows = []
        for r in [*exam.topics, exam.total]:
            cls = ' class="total"' if r is exam.total else ""
            exam_rows.append(
                f'<tr{cls}><td class="text">{esc(titles.get(r.topic, "All topics"))}</td>'
                f"<td>{r.cards}</td><td>{r.ready}</td>{_meter_cell(r.readiness)}"
                f"<td>{r.new}</td><td>{r.new_per_day_needed}</td><td>{r.due_by_exam}</td>"
                f"{_meter_cell(r.predicted_recall)}{_meter_cell(r.planned_recall)}</tr>"
            )
        out.append(
            "<table><thead><tr>"
            + "".join(f"<th>{esc(h)}</th>" for h in EXAM_HEADERS)
            + f"</tr></thead><tbody>{''.join(exam_rows)}</tbody></table>"
            '<p class="legend">Ready: a known card (recalled the last two times, not due '
            f"again for {KNOWN_MIN_DAYS} days or more); suspended cards are left out. New per "
            "day: new cards the exam plan starts each day. Recall on the day: what the memory "
            "model expects you to recall on the exam day if you stop now, and with the plan.</p>"
        )
        if exam.cards_at_risk:
            out.append("<h3>Most at risk if you stop now</h3>")
            out.append(_html_table(RISK_HEADERS, _risk_rows(full), text_columns=(0, 1, 2)))
        out.append("</section>")
    out.append("<section><h2>Cards to work on</h2>")
    for title, cards in weak_lists(full):
        out.append(f"<h3>{esc(title)}</h3>")
        out.append(
            _html_table(
                weak_headers(full.report.stats), _weak_rows(full, cards), text_columns=(0, 1, 2)
            )
            if cards
            else "<p>None.</p>"
        )
    out.append("</section>")
    today_due = s.forecast[0].count if s.forecast else 0
    total = s.total
    out += [
        "<section><h2>Scheduler figures</h2>",
        _html_table(
            topic_headers(s),
            [topic_cells(s, t) for t in [*s.topics, s.total]],
            text_columns=(0,),
            total_last=True,
        ),
        f'<p class="legend">{esc(" ".join(average_memory(s)))}; retention over the '
        f"last 30 days {esc(percent(total.retention_30d))} ({total.passed_30d} of "
        f"{total.reviews_30d} reviews graded 3 or more).</p>",
        "<h3>Cards due over the next 30 days</h3>",
        f'<div class="chart">{forecast_svg(s.forecast)}</div>',
        f'<p class="legend">{plural(sum(d.count for d in s.forecast), "card")} due in 30 days'
        + ("; the red bar is today (overdue cards included)." if today_due else "; none due today.")
        + "</p>",
        f"<h3>Answers per day since {esc(long_date(heat[0].day if heat else summary.start))}</h3>",
        f'<div class="chart">{heatmap_svg(heat)}</div>',
        f'<p class="legend">{plural(sum(d.count for d in heat), "answer")} on '
        f"{plural(sum(1 for d in heat if d.count), 'day')}. Streak: {plural(s.streak, 'day')}"
        f"{'' if s.studied_today else ' (nothing answered yet today)'}.</p>",
        "<h3>Retention week by week</h3>",
    ]
    shown = {slug: weeks for slug, weeks in report.retention_over_time.items() if _reviews(weeks)}
    if shown:
        out.append('<div class="multiples">')
        for slug, weeks in shown.items():
            title = titles.get(slug, slug)
            out.append(
                f"<figure><figcaption>{esc(title)} <span>{_retention_note(weeks)}</span>"
                f"</figcaption>{retention_svg(title, weeks)}</figure>"
            )
        out.append("</div>")
    else:
        out.append("<p>No reviews of cards seen before yet.</p>")
    quiet = [titles.get(slug, slug) for slug in report.retention_over_time if slug not in shown]
    if shown and quiet:
        out.append(f'<p class="legend">No reviews yet: {esc(", ".join(quiet))}.</p>')
    out += [
        "</section>",
        '<section><h2>Glossary</h2><dl class="glossary">',
        *(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in GLOSSARY),
        "</dl></section>",
        "<footer>Made by custserv-cards.</footer>",
        "</main></body></html>",
        "",
    ]
    return "\n".join(out)


# --- CSV and JSON -------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str) -> str:
    """Control characters shown, not obeyed; a cell that a spreadsheet would run as a
    formula gets a leading apostrophe."""
    if value.isprintable() and not value.startswith(_FORMULA_START):
        return value  # the common case, without the substitution
    value = printable(value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_text(v) if type(v) is str else v for v in row] for row in rows)


def card_dict(row: Sequence[Any]) -> dict[str, Any]:
    data = dict(zip(CARD_COLUMNS, row, strict=True))
    for flag in ("known", "suspended", "leech"):
        data[flag] = bool(data[flag])
    return data


def render_json(full: Full, cards: Iterable[Sequence[Any]], deck: dict[str, dict[str, Any]]) -> str:
    """The report as JSON, in the shape ``docs/report-schema.json`` describes."""
    report, summary = full.report, full.summary
    data: dict[str, Any] = {"format": REPORT_KIND, **report.to_dict()}
    total = summary.total
    data["student"] = {"name": report.student}
    data["period"] = {
        "start": summary.start,
        "end": summary.end,
        "first_day": summary.first_day,
        "last_day": summary.last_day,
        "days_studied": summary.days_studied,
    }
    data["summary"] = {
        "cards": total.cards,
        "started": total.started,
        "known": total.known,
        "answers": total.answers,
        "minutes": total.minutes,
    }
    data["topics"] = [
        {
            "topic": t.topic,
            "title": t.title,
            "cards": t.cards,
            "started": t.started,
            "known": t.known,
            "answers": t.answers,
            "minutes": t.minutes,
        }
        for t in summary.topics
    ]
    data["recent_activity"] = [
        {"day": d.day, "answers": d.answers, "minutes": d.minutes, "started": d.started}
        for d in summary.recent
    ]
    data["deck"] = deck
    data["card_columns"] = list(CARD_COLUMNS)
    data["cards"] = []  # written below, one card a line
    data["glossary"] = dict(GLOSSARY)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # With ``indent`` the json module runs its pure-Python encoder; the cards (most of the
    # document) go through the C encoder instead, one object a line.
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = ",\n  ".join([encode(card_dict(r)) for r in cards])
    head, tail = text.split('\n "cards": [],', 1)  # a top-level key: one space of indent
    body = f"[\n  {lines}\n ]" if lines else "[]"
    return f'{head}\n "cards": {body},{tail}'


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue()


# --- choosing and writing -----------------------------------------------------------------


def check_format(fmt: str) -> str:
    fmt = fmt.strip().lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format '{fmt}'; choose one of {', '.join(FORMATS)}")
    return fmt


def parse_since(text: str | None, today: date) -> date | None:
    """The ``--since`` date, checked: an ISO date not after today."""
    if text is None:
        return None
    try:
        since = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since must be a date like 2026-09-01, not {text!r}") from None
    if since > today:
        raise UsageError(f"--since {since} is after today ({today}); choose an earlier date")
    return since


def default_output(fmt: str, reviews: bool = False) -> str:
    return f"custserv-{'reviews' if reviews else 'report'}.{fmt}"


def check_output(output: str, force: bool, db: Path | None = None) -> Path | None:
    """The file to write (``None`` for stdout); refuses to overwrite without ``force``, and
    ever to write over the database ``db``, its companion files or backups, or a special file."""
    if output == "-":
        return None
    from custserv_cards.outputs import check_output as check_path

    return check_path(output, db=db, overwrite=force)


def generate(
    store: Store,
    fmt: str,
    today: date,
    generated_at: str,
    *,
    topic: str | None = None,
    since: date | None = None,
    reviews: bool = False,
    student: str | None = None,
) -> str:
    """The report in format ``fmt`` (``reviews``: the CSV of answers instead of cards) for
    the student named ``student`` (default: the ``student`` setting)."""
    from custserv_cards import stats, teacher

    fmt = check_format(fmt)
    if reviews and fmt != "csv":
        raise UsageError("--reviews works with --format csv only")
    stats.check_topic(store, topic)
    name = store.setting("student") if student is None else student
    if fmt == "csv":
        # every row says whose it is; a card's row also the day its state was read
        if reviews:
            start = since or stats.heatmap_start(today)
            answers = ((name, *row) for row in stats.review_rows(store.conn, start, topic))
            return csv_text(("student", *REVIEW_COLUMNS), answers)
        as_of = today.isoformat()
        rows = ((name, as_of, *row) for row in stats.card_rows(store.conn, today, topic))
        return csv_text(("student", "as_of", *CARD_COLUMNS), rows)
    report = stats.build_report(store, today, generated_at, topic=topic, since=since, student=name)
    summary = teacher.summarise(store.conn, report.titles, date.fromisoformat(report.since), today)
    weak = report.stats.weakest
    risky = report.exam.cards_at_risk if report.exam else []
    ids = sorted({c.card_id for cards in (weak.most_lapses, weak.lowest_ef, weak.leeches,
                                          weak.lowest_recall, risky) for c in cards})  # fmt: skip
    full = Full(report, summary, teacher.card_texts(store.conn, ids))
    if fmt == "md":
        return render_markdown(full)
    if fmt == "html":
        return render_html(full)
    deck = teacher.deck_versions(store.conn, report.titles)
    return render_json(full, stats.card_rows(store.conn, today, topic), deck)


def write_output(text: str, path: Path | None, out: IO[str]) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, or to ``out``."""
    if path is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return
    from custserv_cards.outputs import write_text

    write_text(path, text)
