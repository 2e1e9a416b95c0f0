"""``custserv report``: each format's structure and numbers, hostile card text, bad options."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Run
from test_stats import NOW, build_history

HOSTILE_DECK = """\
topic: hostile
title: "Hostile <b>title</b>"
description: Card text that tries to run code.
cards:
  - id: evil-script
    kind: basic
    prompt: "<script>document.title='pwned';alert(1)</script> what?"
    answer: "<img src=x onerror=alert(1)> and \\x1b[31mred\\x1b[0m"
    source: 000_notes.txt:1
  - id: evil-cloze
    kind: cloze
    text: "=HYPERLINK(\\"http://x\\") <img src=x onerror=alert(1)> {{blank}} \\x1b[31m|pipe"
    source: 000_notes.txt:2
"""


@pytest.fixture
def history_db(db_path: Path, tmp_path: Path) -> Path:
    build_history(db_path, tmp_path).close()
    return db_path


def report(cli: Run, *args: str) -> str:
    result = cli("report", *args, "--output", "-", now=NOW)
    assert result.code == 0, result
    return result.out


class Collector(HTMLParser):
    """The tags and visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    return collector


# --- formats --------------------------------------------------------------------------------


def test_json_has_a_schema_version_and_the_numbers_of_stats(cli: Run, history_db: Path) -> None:
    data = json.loads(report(cli, "--format", "json", "--topic", "alpha", "--since", "2026-11-01"))
    assert data["schema_version"] == 2 and data["since"] == "2026-11-01"
    stats = json.loads(cli("stats", "--json", "--topic", "alpha", now=NOW).out)
    assert data["stats"] == stats
    weeks = data["retention_over_time"]["alpha"]
    assert [(w["week"], w["reviews"], w["passed"]) for w in weeks] == [
        ("2026-10-26", 0, 0), ("2026-11-02", 0, 0), ("2026-11-09", 0, 0),
        ("2026-11-16", 3, 2), ("2026-11-23", 0, 0),
    ]  # fmt: skip
    # answers of alpha's cards on or after 11-01: the learn, 11-20 (2), the drill, 11-22 (2)
    assert data["reviews_since"] == 6
    assert data["exam"] is None
    cards = {c["card_id"]: c for c in data["cards"]}
    assert list(cards) == ["a1", "a2", "a3", "a4", "a5", "a6"]
    assert cards["a5"] == {
        "card_id": "a5", "topic": "alpha", "kind": "basic", "text": "Alpha question 5?",
        "answer": "Alpha answer 5.", "state": "mature", "known": False, "suspended": True,
        "leech": True, "repetitions": 3, "ef": 2.0,
        "interval": 21, "due": "2026-11-23", "lapses": 9, "last_day": "2026-11-02", "reviews": 0,
    }  # fmt: skip
    assert cards["a3"]["reviews"] == 2 and cards["a1"]["state"] == "new"


def test_json_writes_one_card_a_line_in_the_order_of_the_cards(cli: Run, history_db: Path) -> None:
    text = report(cli, "--format", "json")
    data = json.loads(text)
    assert list(data)[-2:] == ["cards", "glossary"]
    lines = [line.rstrip(",") for line in text.splitlines() if line.startswith('  {"card_id": ')]
    assert [json.loads(line) for line in lines] == data["cards"]
    assert len(data["cards"]) > 5
    # the rest of the document stays indented, one field a line
    assert '\n "summary": {\n  "cards": ' in text


def test_exam_readiness_appears_once_an_exam_date_is_set(cli: Run, history_db: Path) -> None:
    assert cli("config", "exam_date", "2026-12-23").code == 0
    data = json.loads(report(cli, "--format", "json", "--topic", "beta"))
    exam = data["exam"]
    assert (exam["exam_date"], exam["days_left"]) == ("2026-12-23", 30)
    beta = exam["topics"][0]
    predicted, planned = beta.pop("predicted_recall"), beta.pop("planned_recall")
    assert beta == {
        "topic": "beta", "cards": 3, "ready": 1, "readiness": 0.3333, "new": 1,
        "new_per_day_needed": 1, "due_by_exam": 2,
    }  # fmt: skip
    # The planner's forecast for the same topic, as 'custserv exam --json' gives it.
    forecast = json.loads(cli("exam", "--json", now=NOW).out)
    (topic,) = [t for t in forecast["topics"] if t["topic"] == "beta"]
    assert predicted == pytest.approx(topic["predicted_recall"], abs=1e-4)
    assert planned == pytest.approx(topic["planned_recall"], abs=1e-4)
    assert 0 < predicted < planned <= 1
    assert (exam["target"], exam["at_risk"]) == (0.9, False)
    page = report(cli, "--format", "html", "--topic", "beta")
    assert "Exam readiness: 23 Dec 2026 (30 days left)" in page
    md = report(cli, "--format", "md", "--topic", "beta")
    assert "## Exam readiness (23 Dec 2026, 30 days left)" in md
    row = f"| Beta topic | 3 | 1 | 33.3% | 1 | 1 | 2 | {predicted:.1%} | {planned:.1%} |"
    assert row in md


def test_markdown(cli: Run, history_db: Path) -> None:
    md = report(cli, "--format", "md", "--topic", "alpha")
    assert md.startswith("# Progress report: student not named\n")
    assert "\nCovers 24 Oct 2026 to 23 Nov 2026, topic Alpha topic. " in md
    headings = (
        "## Summary", "## Topics", "## Recent activity (last 14 days)", "## Cards to work on",
        "### Forgotten most often", "### Hardest for this student (lowest EF)",
        "### Leeches (forgotten 8 times or more)", "## Scheduler figures",
        "### Forecast (next 30 days)", "### Answers per week since 19 Oct 2026",
        "### Retention week by week", "## Glossary",
    )  # fmt: skip
    for heading in headings:
        assert f"\n{heading}\n" in md
    assert "- Cards: 6 (1 new, 1 learning, 2 young, 2 mature; 1 suspended, 2 leeches)" in md
    assert "- Retention over the last 30 days: 50.0% (2 of 4 reviews graded 3 or more)" in md
    assert "- Due: 1 today, 1 tomorrow, 3 within 7 days" in md
    assert "- Streak: 3 days\n" in md
    # a3 (interval 6) and a4 (30) are known; a5 is a leech, a2 and a6 are due again soon
    assert "- Cards started: 5 of 6 (83%)\n- Cards known: 2 of 6 (33%)\n" in md
    assert "| Alpha topic | 6 | 5 | 2 | 33.3% | 8 | under a minute |" in md
    assert "| Alpha topic | 6 | 1 | 1 | 2 | 2 | 1 | 2 | 50.0% (2/4) | 2.16 | 1 | 1 | 3 |" in md
    row = (
        "| Alpha question 5? | Alpha answer 5. | Alpha topic | 9 | 2.00 | 21 d | 2026-11-23 | a5 |"
    )
    assert row in md
    assert "&" not in md  # no HTML entities to show as they are in plain text
    # every table row has as many cells as its header
    for block in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.M):
        rows = block.strip().splitlines()
        assert len({len(re.split(r"(?<!\\)\|", r)) for r in rows}) == 1, block


def test_html_is_one_self_contained_page(cli: Run, history_db: Path) -> None:
    page = report(cli, "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("svg") >= 3 and "style" in tags
    assert {"script", "link", "img", "iframe"}.isdisjoint(tags)
    for _, attrs in parsed.tags:
        for name, value in attrs.items():
            assert name != "src" and not name.startswith("on")
            assert "http" not in (value or "") or name == "xmlns"
    assert "@media print" in page
    classes = [a.get("class") for t, a in parsed.tags if t == "svg"]
    assert {"forecast", "heatmap", "retention"} <= set(classes)
    text = " ".join(parsed.text)
    assert "Alpha question 5?" in text and "365" not in tags


def test_html_numbers(cli: Run, history_db: Path) -> None:
    page = report(cli, "--format", "html", "--topic", "alpha", "--since", "2026-11-01")
    text = re.sub(r"\s+", " ", " ".join(parse(page).text))
    assert "Covers 1 Nov 2026 to 23 Nov 2026 · topic Alpha topic · generated 23 Nov" in text
    assert "50.0% (2/4)" in text and "2.16" in text and "3 days" in text
    # the forecast: 30 bars, today's holding a2 (the suspended a5 is left out)
    bars = re.findall(r'<rect class="bar"[^>]*><title>([^<]*)</title>', page)
    assert len(bars) == 30 and bars[0] == "2026-11-23: 1 due"
    assert "2026-11-24: 1 due" in bars and "2026-12-01: 1 due" in bars
    # the heatmap: one square per day from the Monday of the period's first week to today
    days = re.findall(r"<title>(\d{4}-\d\d-\d\d): (\d+) answers?</title>", page)
    assert len(days) == 29 and days[0][0] == "2026-10-26"
    assert dict(days)["2026-11-20"] == "2" and dict(days)["2026-11-22"] == "2"
    assert "week of 2026-11-16: 66.7% of 3" in page


def test_csv_cards_and_reviews(cli: Run, history_db: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(report(cli, "--format", "csv", "--topic", "beta"))))
    assert [r["card_id"] for r in rows] == ["b1", "b2", "b3"]
    assert rows[1] == {
        "student": "", "as_of": "2026-11-23", "card_id": "b2", "topic": "beta", "kind": "cloze",
        "text": "Beta [...] text.", "answer": "cloze", "state": "learning", "known": "0",
        "suspended": "0", "leech": "0", "repetitions": "0", "ef": "2.5",
        "interval": "1", "due": "2026-11-22", "lapses": "2", "last_day": "2026-11-21",
        "reviews": "1",
    }  # fmt: skip
    reviews = list(
        csv.DictReader(
            io.StringIO(report(cli, "--format", "csv", "--reviews", "--since", "2026-11-20"))
        )
    )
    assert [(r["card_id"], r["day"], r["grade"], r["kind"]) for r in reviews] == [
        ("a3", "2026-11-20", "4", "review"), ("a3", "2026-11-20", "3", "repeat"),
        ("a1", "2026-11-21", "5", "drill"), ("b2", "2026-11-21", "0", "review"),
        ("a2", "2026-11-22", "1", "review"), ("a6", "2026-11-22", "3", "review"),
    ]  # fmt: skip
    assert list(reviews[0]) == ["student", "review_id", "card_id", "topic", "reviewed_at", "day",
                                "grade", "kind", "scheduler", "duration_ms"]  # fmt: skip


def test_writes_a_file_and_refuses_to_overwrite_it(
    cli: Run, history_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "progress.md"
    target.parent.mkdir()
    first = cli("report", "--format", "md", "--output", str(target), now=NOW)
    assert first.code == 0, first
    assert first.out.startswith(f"Wrote {target}") and target.read_text().startswith("# Progress")
    target.write_text("mine")
    again = cli("report", "--format", "md", "--output", str(target), now=NOW)
    assert again.code == 1 and again.out == ""
    assert again.err.strip().splitlines() == [
        f"custserv: {target} already exists; add --force to overwrite it, or choose another "
        "--output"
    ]
    assert target.read_text() == "mine"
    forced = cli("report", "--format", "md", "--output", str(target), "--force", now=NOW)
    assert forced.code == 0 and target.read_text().startswith("# Progress")
    assert [p.name for p in target.parent.iterdir()] == ["progress.md"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "pdf"], 2, "unknown --format 'pdf'; choose one of md, html, csv, json"),
        (["--topic", "gamma"], 2, "unknown topic 'gamma' for --topic; topics: alpha, beta"),
        (["--since", "2026-13-01"], 2, "--since must be a date like 2026-09-01, not '2026-13-01'"),
        (["--since", "yesterday"], 2, "--since must be a date like 2026-09-01, not 'yesterday'"),
        (["--since", "2027-01-01"], 2, "--since 2027-01-01 is after today (2026-11-23)"),
        (["--format", "md", "--reviews"], 2, "--reviews works with --format csv only"),
    ],
)
def test_bad_options_give_one_line(
    cli: Run, history_db: Path, args: list[str], code: int, message: str
) -> None:
    result = cli("report", *args, "--output", "-", now=NOW)
    assert result.code == code, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result
    assert "Traceback" not in result.err


def test_unknown_topic_lists_every_topic(cli: Run, history_db: Path) -> None:
    result = cli("report", "--topic", "gamma", "--output", "-", now=NOW)
    line = result.err.strip()
    assert result.code == 2 and "alpha" in line and "beta" in line


# --- hostile card text ----------------------------------------------------------------------


@pytest.fixture
def hostile_db(cli: Run, tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.yaml").write_text(HOSTILE_DECK, encoding="utf-8")
    assert cli("decks", "sync", str(folder)).code == 0
    for card in ("evil-script", "evil-cloze"):
        assert cli("grade", card, "1", now="2026-11-22T12:00").code == 0
    return folder


RAW = ("<script>", "<img", "\x1b[31m", "<b>title</b>")  # "onerror=" stays, as inert text


def test_hostile_text_is_escaped_in_html(cli: Run, hostile_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "hostile.html"
    result = cli("report", "--format", "html", "--output", str(target), now=NOW)
    assert result.code == 0, result
    page = target.read_text(encoding="utf-8")
    for raw in RAW:
        assert raw not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\\x1b[31m" in page and "Hostile &lt;b&gt;title&lt;/b&gt;" in page
    parsed = parse(page)
    assert not any(t in ("script", "img") for t, _ in parsed.tags)
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)


def test_hostile_text_in_markdown_csv_json(cli: Run, hostile_db: Path) -> None:
    md = report(cli, "--format", "md", "--topic", "hostile")
    assert "\x1b" not in md
    # every character Markdown reads as HTML or markup carries a backslash
    rows = [line for line in md.splitlines() if "| evil-" in line]
    assert len(rows) >= 2
    for row in rows:
        for cell in re.split(r"(?<!\\)\|", row.strip("|")):
            assert re.search(r"(?<!\\)[<>\[\]&`*_]", cell) is None, cell
    assert "\\<script\\>document.title='pwned'" in md and "\\|pipe" in md
    table = report(cli, "--format", "csv", "--topic", "hostile")
    assert "\x1b" not in table and "<script>" in table  # CSV keeps the text, not escapes
    rows = {r["card_id"]: r for r in csv.DictReader(io.StringIO(table))}
    assert rows["evil-cloze"]["text"].startswith("'=HYPERLINK")  # not run as a spreadsheet formula
    data = json.loads(report(cli, "--format", "json", "--topic", "hostile"))
    texts = {c["card_id"]: c["text"] for c in data["cards"]}
    assert texts["evil-script"].startswith("<script>document.title")  # JSON keeps it exactly


def test_hostile_text_in_the_terminal(
    cli: Run, hostile_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from custserv_cards.render import stdout_console

    # wide enough that the weakest cards' one-line text is not cut before the escape
    monkeypatch.setenv("COLUMNS", "300")
    stdout_console.cache_clear()
    result = cli("stats", "--topic", "hostile", now=NOW)
    stdout_console.cache_clear()
    assert result.code == 0, result
    assert "\x1b" not in result.out and "\\x1b[31m" in result.out
