"""Progress reports: Markdown, one self-contained HTML page, CSV and JSON.

The figures come from ``stats.build_report``. The HTML page has inline CSS and inline SVG
charts (the 30-day forecast, the review heatmap, retention over time per topic) and loads
nothing from the network; it prints on paper as well as it shows on screen. Every piece of
text in HTML and Markdown passes through ``html.escape`` after control characters are made
visible, so hostile card text shows as text and never runs.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from custserv_cards.errors import UsageError
from custserv_cards.render import printable
from custserv_cards.stats import (
    CARD_COLUMNS,
    REVIEW_COLUMNS,
    DayCount,
    Report,
    TopicStats,
    WeakCard,
    WeekRetention,
)

if TYPE_CHECKING:
    from custserv_cards.store import Store

FORMATS = ("md", "html", "csv", "json")
SPARKS = "▁▂▃▄▅▆▇█"


def esc(value: object) -> str:
    """Text made safe for HTML (and for Markdown, which may carry HTML)."""
    return html.escape(printable(str(value)), quote=True)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def ef_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


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


# --- Markdown -----------------------------------------------------------------------------


def _md_cell(value: object) -> str:
    return esc(value).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows)
    return lines


TOPIC_HEADERS = (
    "Topic", "Cards", "New", "Learning", "Young", "Mature", "Suspended", "Leeches",
    "Retention (30 d)", "Avg EF", "Due today", "Due tomorrow", "Due in 7 days",
)  # fmt: skip


def topic_cells(t: TopicStats) -> list[object]:
    return [
        t.topic, t.cards, t.new, t.learning, t.young, t.mature, t.suspended, t.leech,
        f"{percent(t.retention_30d)} ({t.passed_30d}/{t.reviews_30d})" if t.reviews_30d else "–",
        ef_text(t.average_ef), t.due_today, t.due_tomorrow, t.due_7_days,
    ]  # fmt: skip


def _weak_rows(cards: list[WeakCard]) -> list[list[object]]:
    return [
        [c.card_id, c.topic, c.text, c.lapses, f"{c.ef:.2f}", c.interval, c.due or "–"]
        for c in cards
    ]


WEAK_HEADERS = ("Card", "Topic", "Text", "Lapses", "EF", "Interval", "Due")


def render_markdown(report: Report) -> str:
    s = report.stats
    total = s.total
    scope = f"topic `{_md_cell(s.topic_filter)}`" if s.topic_filter else "all topics"
    lines = [
        "# Progress report",
        "",
        f"Study day {s.today}, {scope}; reviews counted from {report.since}. "
        f"Generated {esc(report.generated_at)} by custserv-cards.",
        "",
        "## Summary",
        "",
        f"- Cards: {total.cards} ({total.new} new, {total.learning} learning, "
        f"{total.young} young, {total.mature} mature; {total.suspended} suspended, "
        f"{total.leech} leeches)",
        f"- Retention over the last 30 days: {percent(total.retention_30d)} "
        f"({total.passed_30d} of {total.reviews_30d} reviews graded 3 or more)",
        f"- Average EF: {ef_text(total.average_ef)}",
        f"- Due: {total.due_today} today, {total.due_tomorrow} tomorrow, "
        f"{total.due_7_days} within 7 days",
        f"- Streak: {s.streak} day{'s' if s.streak != 1 else ''}"
        + ("" if s.studied_today else " (nothing answered yet today)"),
        f"- Reviews since {report.since}: {report.reviews_since}",
        "",
        "## Topics",
        "",
        *_md_table(TOPIC_HEADERS, [topic_cells(t) for t in [*s.topics, s.total]]),
        "",
        "## Forecast (next 30 days)",
        "",
        f"`{sparkline([d.count for d in s.forecast])}` "
        f"{sum(d.count for d in s.forecast)} cards due in 30 days",
        "",
        *_md_table(
            ("Day", "Due"), [(d.day, d.count) for d in s.forecast if d.count or d == s.forecast[0]]
        ),
        "",
        "## Reviews over the last 26 weeks",
        "",
        f"`{sparkline([float(w) for w in weekly_totals(s.heatmap)])}` reviews per week from "
        f"{s.heatmap[0].day}; {sum(d.count for d in s.heatmap)} reviews on "
        f"{sum(1 for d in s.heatmap if d.count)} days",
        "",
        "## Retention over time (per week)",
        "",
        *_md_table(
            ("Topic", "Weeks", "Reviews", "Retention"),
            [
                (
                    slug,
                    "`" + sparkline([w.retention for w in weeks]) + "`",
                    sum(w.reviews for w in weeks),
                    percent(_overall(weeks)),
                )
                for slug, weeks in report.retention_over_time.items()
            ],
        ),
        "",
    ]
    if report.exam:
        exam = report.exam
        lines += [
            f"## Exam readiness ({exam.exam_date}, {exam.days_left} days left)",
            "",
            *_md_table(
                ("Topic", "Cards", "Ready", "Readiness", "New left", "New per day", "Due by exam"),
                [
                    (
                        t.topic,
                        t.cards,
                        t.ready,
                        percent(t.readiness),
                        t.new,
                        t.new_per_day_needed,
                        t.due_by_exam,
                    )
                    for t in [*exam.topics, exam.total]
                ],
            ),
            "",
        ]
    lines += ["## Weakest cards", ""]
    for title, cards in (
        ("Most lapses", s.weakest.most_lapses),
        ("Lowest EF", s.weakest.lowest_ef),
        ("Leeches", s.weakest.leeches),
    ):
        lines += [f"### {title}", ""]
        lines += _md_table(WEAK_HEADERS, _weak_rows(cards)) if cards else ["None."]
        lines.append("")
    return "\n".join(lines)


def _retention_note(weeks: list[WeekRetention]) -> str:
    reviews = sum(w.reviews for w in weeks)
    if not reviews:
        return "no reviews"
    return f"{percent(_overall(weeks))} of {reviews} review{'s' if reviews != 1 else ''}"


def _overall(weeks: list[WeekRetention]) -> float | None:
    reviews = sum(w.reviews for w in weeks)
    return round(sum(w.passed for w in weeks) / reviews, 4) if reviews else None


# --- HTML ---------------------------------------------------------------------------------

CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #2f6fb2;
        --good: #2f9e44; --bad: #c92a2a; --paper: #fff; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f5f7fa; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; background: var(--paper); }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile b { display: block; font-size: 24px; }
.tile span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: right;
         vertical-align: top; }
th { background: #f0f4f8; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { max-width: 420px; overflow-wrap: anywhere; }
tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
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
         background: var(--line); border-radius: 5px; overflow: hidden; margin-right: 6px; }
.meter i { display: block; height: 100%; background: var(--good); }
.heat-legend rect { stroke: none; }
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
    width = left + weeks * (cell + gap) + 10
    height = top + 7 * (cell + gap) + 24
    peak = max((d.count for d in heatmap), default=0)
    parts = [_svg_open(width, height, "Reviews per day over the last 26 weeks", "heatmap")]
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
            f'fill="{HEAT_COLOURS[level]}"><title>{esc(d.day)}: {d.count} reviews</title></rect>'
        )
    legend_y = top + 7 * (cell + gap) + 6
    legend_x = width - 10 - len(HEAT_COLOURS) * (cell + gap) - 70
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


def retention_svg(slug: str, weeks: list[WeekRetention]) -> str:
    width, height, left, top, bottom = 260, 96, 38, 10, 16
    plot_w, plot_h = width - left - 6, height - top - bottom
    parts = [_svg_open(width, height, f"Weekly retention of {slug}", "retention")]
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


def render_html(report: Report) -> str:
    s = report.stats
    total = s.total
    scope = f"topic {s.topic_filter}" if s.topic_filter else "all topics"
    tiles = [
        (str(total.cards), "cards"),
        (str(total.due_today), "due today"),
        (percent(total.retention_30d), "retention, last 30 days"),
        (ef_text(total.average_ef), "average EF"),
        (f"{s.streak} day{'s' if s.streak != 1 else ''}", "streak"),
        (str(total.mature), "mature cards"),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing on this page runs or loads anything: say so to the browser as well.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>custserv-cards progress report {esc(s.today)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>Progress report</h1>",
        f'<p class="meta">Study day {esc(s.today)} · {esc(scope)} · reviews from '
        f"{esc(report.since)} · generated {esc(report.generated_at)}</p>",
        '<section><div class="tiles">',
        *(f'<div class="tile"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in tiles),
        "</div></section>",
        "<section><h2>Topics</h2>",
        _html_table(TOPIC_HEADERS, [topic_cells(t) for t in [*s.topics, s.total]], total_last=True),
        "</section>",
        "<section><h2>Forecast: cards due over the next 30 days</h2>",
        f'<div class="chart">{forecast_svg(s.forecast)}</div>',
        f'<p class="legend">{sum(d.count for d in s.forecast)} cards due in 30 days; '
        "the red bar is today (overdue cards included).</p></section>",
        "<section><h2>Reviews over the last 26 weeks</h2>",
        f'<div class="chart">{heatmap_svg(s.heatmap)}</div>',
        f'<p class="legend">{sum(d.count for d in s.heatmap)} reviews on '
        f"{sum(1 for d in s.heatmap if d.count)} days. Streak: {s.streak} "
        f"day{'s' if s.streak != 1 else ''}"
        f"{'' if s.studied_today else ' (nothing answered yet today)'}.</p></section>",
        "<section><h2>Retention over time (per week)</h2>",
        '<div class="multiples">',
    ]
    for slug, weeks in report.retention_over_time.items():
        title = report.titles.get(slug, slug)
        out.append(
            f"<figure><figcaption>{esc(title)} <span>{_retention_note(weeks)}</span>"
            f"</figcaption>{retention_svg(slug, weeks)}</figure>"
        )
    out.append("</div></section>")
    if report.exam:
        exam = report.exam
        out.append(
            f"<section><h2>Exam readiness: {esc(exam.exam_date)} ({exam.days_left} days left)</h2>"
        )
        rows = []
        for t in [*exam.topics, exam.total]:
            share = (t.readiness or 0) * 100
            cls = ' class="total"' if t is exam.total else ""
            rows.append(
                f"<tr{cls}><td>{esc(t.topic)}</td><td>{t.cards}</td><td>{t.ready}</td>"
                f'<td><div class="meter" title="{esc(percent(t.readiness))}">'
                f'<i style="width:{share:.1f}%"></i></div>{esc(percent(t.readiness))}</td>'
                f"<td>{t.new}</td><td>{t.new_per_day_needed}</td><td>{t.due_by_exam}</td></tr>"
            )
        out.append(
            "<table><thead><tr><th>Topic</th><th>Cards</th><th>Ready</th><th>Readiness</th>"
            "<th>New left</th><th>New per day</th><th>Due by exam</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    out.append("<section><h2>Weakest cards</h2>")
    for title, cards in (
        ("Most lapses", s.weakest.most_lapses),
        ("Lowest EF", s.weakest.lowest_ef),
        ("Leeches", s.weakest.leeches),
    ):
        out.append(f"<h3>{esc(title)}</h3>")
        out.append(
            _html_table(WEAK_HEADERS, _weak_rows(cards), text_columns=(1, 2))
            if cards
            else "<p>None.</p>"
        )
    out += [
        "</section>",
        "<footer>New: never answered. Learning: interval of 1 day or less. Young: 2 to 20 days. "
        "Mature: 21 days or more. Leech: failed 8 times or more. Retention: share of reviews "
        "of cards answered before that were graded 3 or more. Made by custserv-cards.</footer>",
        "</main></body></html>",
        "",
    ]
    return "\n".join(out)


# --- CSV and JSON -------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: object) -> object:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    if isinstance(value, str):
        value = printable(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_text(v) for v in row] for row in rows)


def card_dict(row: Sequence[Any]) -> dict[str, Any]:
    data = dict(zip(CARD_COLUMNS, row, strict=True))
    data["suspended"] = bool(data["suspended"])
    data["leech"] = bool(data["leech"])
    return data


def render_json(report: Report, cards: Iterable[Sequence[Any]]) -> str:
    data = report.to_dict()
    data["cards"] = [card_dict(r) for r in cards]
    data["card_columns"] = list(CARD_COLUMNS)
    return json.dumps(data, ensure_ascii=False, indent=1)


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
) -> str:
    """The report in format ``fmt`` (``reviews``: the CSV of answers instead of cards)."""
    from custserv_cards import stats

    fmt = check_format(fmt)
    if reviews and fmt != "csv":
        raise UsageError("--reviews works with --format csv only")
    stats.check_topic(store, topic)
    if fmt == "csv":
        if reviews:
            start = since or stats.heatmap_start(today)
            return csv_text(REVIEW_COLUMNS, stats.review_rows(store.conn, start, topic))
        return csv_text(CARD_COLUMNS, stats.card_rows(store.conn, today, topic))
    report = stats.build_report(store, today, generated_at, topic=topic, since=since)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    return render_json(report, stats.card_rows(store.conn, today, topic))


def write_output(text: str, path: Path | None, out: IO[str]) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, or to ``out``."""
    if path is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return
    from custserv_cards.outputs import write_text

    write_text(path, text)
