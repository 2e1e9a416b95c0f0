"""Reports a teacher can act on: the student's name and the period, plain figures first, a
glossary, charts sized to the history, the JSON schema, and inert card text in Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Run
from report_schema import schema_errors
from test_report import HOSTILE_DECK, parse, report
from test_stats import NOW, build_history

from custserv_cards.store import Store

LINK_DECK = """\
topic: links
title: Links and images
description: Card text that is Markdown.
cards:
  - id: evil-link
    kind: basic
    prompt: "Click [here](javascript:alert(1)) ![pixel](https://evil.example/p.png)"
    answer: "<https://evil.example/x> *bold* `code` &quot; &amp; _under_ ~~gone~~"
    source: 000_notes.txt:1
"""


@pytest.fixture
def history_db(db_path: Path, tmp_path: Path) -> Path:
    build_history(db_path, tmp_path).close()
    return db_path


def sync_deck(cli: Run, tmp_path: Path, name: str, text: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    assert cli("decks", "sync", str(folder)).code == 0


def test_finding_33_markdown_report_escapes_links_and_images(cli: Run, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    sync_deck(cli, tmp_path, "links", LINK_DECK)
    assert cli("grade", "evil-link", "0", now="2026-11-22T12:00").code == 0
    md = report(cli, "--format", "md", "--topic", "links")
    assert re.search(r"(?<!\\)\]\(", md) is None  # no '](' that could close a link
    assert "\\[here\\]" in md and "!\\[pixel\\]" in md
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<a " not in rendered and "<img" not in rendered
    rows = [row for row in rendered.split("<tr>") if "evil-link" in row]
    assert rows and all(re.search(r"<(em|strong|code|del|a|img)\b", row) is None for row in rows)
    # the card's text shows as it was written, every character of it
    assert "Click [here](javascript:alert(1)) ![pixel](https://evil.example/p.png)" in rendered
    assert "&lt;https://evil.example/x&gt; *bold* `code` &amp;quot; &amp;amp; _under_" in rendered


def test_every_report_names_the_student_and_its_period(cli: Run, history_db: Path) -> None:
    assert cli("config", "student", "  Ann   Lee ").out == "student = Ann Lee\n"
    md = report(cli, "--format", "md")
    assert md.startswith("# Progress report: Ann Lee\n\nCovers 24 Oct 2026 to 23 Nov 2026, ")
    page = report(cli, "--format", "html")
    parsed = parse(page)
    assert "Progress report: Ann Lee" in " ".join(parsed.text)
    assert "<title>Progress report: Ann Lee, 2026-11-23</title>" in page
    assert "Covers 24 Oct 2026 to 23 Nov 2026" in page
    data = json.loads(report(cli, "--format", "json"))
    assert data["student"] == {"name": "Ann Lee"}
    assert (data["period"]["start"], data["period"]["end"]) == ("2026-10-24", "2026-11-23")
    rows = list(csv.DictReader(io.StringIO(report(cli, "--format", "csv"))))
    assert {(r["student"], r["as_of"]) for r in rows} == {("Ann Lee", "2026-11-23")}
    answers = report(cli, "--format", "csv", "--reviews", "--since", "2026-11-01")
    days = [(r["student"], r["day"]) for r in csv.DictReader(io.StringIO(answers))]
    assert days and {who for who, _ in days} == {"Ann Lee"}
    assert all("2026-11-01" <= day <= "2026-11-23" for _, day in days)
    # --student names this report only
    other = json.loads(report(cli, "--format", "json", "--student", "Bo <b>Chen</b>"))
    assert other["student"]["name"] == "Bo <b>Chen</b>"
    assert "Bo &lt;b&gt;Chen&lt;/b&gt;" in report(
        cli, "--format", "html", "--student", "Bo <b>Chen</b>"
    )
    assert cli("config", "student").out == "Ann Lee\n"


def test_an_unnamed_report_says_so(cli: Run, history_db: Path) -> None:
    assert report(cli, "--format", "md").startswith("# Progress report: student not named\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["config", "student", "Ann\x1b[31m"], "student must be a name without control characters"),
        (["config", "student", "x" * 81], "student must be at most 80 characters, not 81"),
        (["report", "--student", "a\x07", "-o", "-"], "--student must be a name without control"),
    ],
)
def test_bad_student_names_give_one_line(
    cli: Run, history_db: Path, args: list[str], message: str
) -> None:
    result = cli(*args, now=NOW)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and message in result.err, result
    assert cli("config", "student").out == "\n"


def test_plain_figures_and_the_glossary(cli: Run, history_db: Path) -> None:
    md = report(cli, "--format", "md", "--topic", "beta")
    # b1 is new; b2 was forgotten (interval 1); b3 recalled with a 20-day interval
    assert "- Cards started: 2 of 3 (67%)\n- Cards known: 1 of 3 (33%)\n" in md
    # three answers of a second each (the test history records 1000 ms per answer)
    assert "- Time studied: under a minute\n" in md and "- Answers: 3\n" in md
    # plain language first: the scheduler's words come only later, and the glossary has them
    jargon = re.compile(r"\b(EF|easiness|mature|young|learning|leech(es)?|lapses?|interval|"
                        r"retention|repetitions)\b", flags=re.I)  # fmt: skip
    assert jargon.search(md.split("## Cards to work on")[0]) is None
    glossary = md.split("## Glossary\n")[1]
    for term in ("Cards started", "Cards known", "Time studied", "Retention", "EF (easiness",
                 "Leech", "Mature", "Ready (exam)", "Interval"):  # fmt: skip
        assert f"- **{term}" in glossary
    page = report(cli, "--format", "html", "--topic", "beta")
    assert '<dl class="glossary">' in page and "<dt>Cards known</dt>" in page
    opening = re.sub(r"<style>.*?</style>", "", page.split("<h2>Cards to work on")[0], flags=re.S)
    assert jargon.search(opening) is None
    tiles = re.findall(r'<div class="tile"><b>([^<]*)</b><span>([^<]*)</span>', page)
    assert ("2 of 3 (67%)", "cards started") in tiles
    assert ("1 of 3 (33%)", "cards known") in tiles


def test_time_studied_adds_up_the_recorded_answer_times(
    cli: Run, db_path: Path, tmp_path: Path
) -> None:
    build_history(db_path, tmp_path).close()
    store = Store.open(db_path)
    try:
        for n, card in enumerate(("b1", "a1", "a1")):
            when = datetime.fromisoformat(f"2026-11-23T1{n}:00")
            store.record_answer(card, 4, when, duration_ms=25 * 60_000)
    finally:
        store.close()
    data = json.loads(report(cli, "--format", "json"))
    # 75 minutes today plus the 11 test answers of a second each
    assert data["summary"]["minutes"] == round((75 * 60_000 + 11_000) / 60_000, 2)
    today = data["recent_activity"][-1]
    assert today == {"day": "2026-11-23", "answers": 3, "minutes": 75.0, "started": 2}
    md = report(cli, "--format", "md")
    assert "- Time studied: 1 h 15 min\n" in md
    assert "| 23 Nov 2026 | 3 | 1 h 15 min | 2 |" in md


def test_a_card_first_seen_today_is_not_ready(cli: Run, tmp_path: Path, db_path: Path) -> None:
    """'Ready' used to count a card passed once: a topic was mostly ready on its first day."""
    sync_deck(cli, tmp_path, "hostile", HOSTILE_DECK)
    assert cli("config", "exam_date", "2027-01-31").code == 0
    for card in ("evil-script", "evil-cloze"):
        assert cli("grade", card, "5", now="2026-12-01T12:00").code == 0
    first = json.loads(
        cli("report", "-f", "json", "-t", "hostile", "-o", "-", now="2026-12-01T13:00").out
    )
    assert first["exam"]["topics"][0]["ready"] == 0 and first["summary"]["known"] == 0
    assert first["summary"]["started"] == 2
    # recalled again on a later day: the scheduler trusts it for 6 days, so it is known
    assert cli("grade", "evil-script", "5", now="2026-12-02T12:00").code == 0
    second = json.loads(
        cli("report", "-f", "json", "-t", "hostile", "-o", "-", now="2026-12-02T13:00").out
    )
    assert second["exam"]["topics"][0]["ready"] == 1 and second["summary"]["known"] == 1
    assert {c["card_id"]: c["known"] for c in second["cards"]} == {
        "evil-script": True,
        "evil-cloze": False,
    }


def test_charts_are_sized_to_a_week_of_history(cli: Run, tmp_path: Path) -> None:
    """A student who began a week ago: no 26-week charts, no empty per-topic panels."""
    sync_deck(cli, tmp_path, "hostile", HOSTILE_DECK)
    for day, grade in (("2026-11-30", 4), ("2026-12-01", 4), ("2026-12-07", 2)):
        assert cli("grade", "evil-script", str(grade), now=f"{day}T12:00").code == 0
    result = cli("report", "-f", "html", "-o", "-", now="2026-12-07T20:00")
    assert result.code == 0, result
    page = result.out
    assert "Covers 30 Nov 2026 to 7 Dec 2026" in page
    days = re.findall(r"<title>(\d{4}-\d\d-\d\d): (\d+) answers?</title>", page)
    assert [d for d, _ in days] == [
        f"2026-{d}" for d in ("11-30", *(f"12-0{n}" for n in range(1, 8)))
    ]
    # one retention panel (the only topic with reviews); the others named in one line
    assert page.count('<svg class="retention"') == 1
    assert "no reviews yet" not in page and "No reviews yet: " in page
    assert "Generated" not in page and "generated 7 Dec 2026, 20:00" in page
    # nothing is due today: the caption does not speak of a red bar
    assert "red bar" not in page and "none due today" in page


def test_topic_names_and_dates_read_the_same_everywhere(cli: Run, history_db: Path) -> None:
    page = report(cli, "--format", "html")
    parsed = parse(page)
    cells = [t for t in parsed.text if t.strip()]
    assert "alpha" not in cells and "Alpha topic" in cells
    assert "td { white-space: nowrap; }" in page  # a date never wraps mid-date
    md = report(cli, "--format", "md")
    assert "| alpha |" not in md and "| Alpha topic |" in md


def test_csv_has_the_answers(cli: Run, history_db: Path) -> None:
    rows = {r["card_id"]: r for r in csv.DictReader(io.StringIO(report(cli, "-f", "csv")))}
    assert rows["a1"]["answer"] == "Alpha answer 1."
    assert (rows["b2"]["text"], rows["b2"]["answer"]) == ("Beta [...] text.", "cloze")
    assert rows["a4"]["known"] == "1" and rows["a2"]["known"] == "0"


@pytest.mark.parametrize(
    "args",
    [[], ["--topic", "alpha"], ["--since", "2026-11-01"], ["--student", "Ann"], ["exam"]],
)
def test_every_json_report_follows_the_schema(
    cli: Run, history_db: Path, tmp_path: Path, args: list[str]
) -> None:
    if args == ["exam"]:
        assert cli("config", "exam_date", "2026-12-23").code == 0
        sync_deck(cli, tmp_path, "links", LINK_DECK)
        args = []
    data = json.loads(report(cli, "--format", "json", *args))
    assert schema_errors(data) == []
    assert data["schema_version"] == 2 and data["format"] == "custserv-cards progress report"


def test_an_empty_database_report_follows_the_schema(cli: Run) -> None:
    data = json.loads(report(cli, "--format", "json"))
    assert schema_errors(data) == []
    assert data["period"]["first_day"] is None and data["summary"]["started"] == 0
    assert data["period"]["start"] == data["period"]["end"] == "2026-11-23"


def test_the_schema_catches_what_it_promises(cli: Run, history_db: Path) -> None:
    data = json.loads(report(cli, "--format", "json"))
    broken = json.loads(json.dumps(data))
    broken["schema_version"] = 1
    del broken["student"]
    broken["cards"][0]["known"] = "yes"
    errors = schema_errors(broken)
    assert any(e.startswith("schema_version") for e in errors)
    assert any("'student' is a required property" in e for e in errors)
    assert any(e.startswith("cards/0/known") for e in errors)
    filled = json.loads(json.dumps(data))
    filled["exam"] = {
        "exam_date": "2026-12-23", "days_left": 30, "target": 0.8, "at_risk": True,
        "topics": [{"topic": "alpha", "cards": 5, "ready": 2, "readiness": 0.4, "new": 1,
                    "new_per_day_needed": 1, "due_by_exam": 4, "predicted_recall": 0.55}],
        "total": {"topic": "all", "cards": 5, "ready": 2, "readiness": 0.4, "new": 1,
                  "new_per_day_needed": 1, "due_by_exam": 4, "predicted_recall": 0.55},
    }  # fmt: skip
    assert schema_errors(filled) == []


def test_markdown_has_no_html_entities(cli: Run, db_path: Path) -> None:
    """The Markdown report once showed '&quot;customer&quot;' and 'business&#x27;s'."""
    for card in ("customer-general-meaning", "customer-keep-custom"):
        assert cli("grade", card, "1", now="2026-11-22T12:00").code == 0
    md = report(cli, "--format", "md", "--topic", "customers")
    assert '"customer"' in md and "customer's" in md
    assert re.search(r"&(#x?[0-9a-f]+|[a-z]+);", md, flags=re.I) is None


def test_under_fsrs_an_easy_first_answer_is_not_known(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    """FSRS gives an easy first answer an interval of a week or more; that alone once made the
    card known, and ready for the exam, on the day it was first seen."""
    sync_deck(cli, tmp_path, "hostile", HOSTILE_DECK)
    assert cli("config", "scheduler", "fsrs").code == 0
    assert cli("config", "exam_date", "2027-01-31").code == 0
    for _ in range(3):  # same-day repeats do not count as a second recall
        assert cli("grade", "evil-script", "5", now="2026-12-01T12:00").code == 0

    def known_and_ready(now: str) -> tuple[int, int, int]:
        result = cli("report", "-f", "json", "-t", "hostile", "-o", "-", now=now)
        assert result.code == 0, result
        data = json.loads(result.out)
        card = next(c for c in data["cards"] if c["card_id"] == "evil-script")
        return card["interval"], data["summary"]["known"], data["exam"]["topics"][0]["ready"]

    interval, known, ready = known_and_ready("2026-12-01T13:00")
    assert interval >= 6 and (known, ready) == (0, 0)
    assert cli("grade", "evil-script", "5", now="2026-12-03T12:00").code == 0
    assert known_and_ready("2026-12-03T13:00")[1:] == (1, 1)


def test_the_red_bar_is_named_only_when_it_is_drawn(cli: Run, tmp_path: Path) -> None:
    sync_deck(cli, tmp_path, "hostile", HOSTILE_DECK)
    assert cli("grade", "evil-script", "1", now="2026-11-30T12:00").code == 0
    page = cli("report", "-f", "html", "-o", "-", now="2026-12-01T20:00").out
    bars = re.findall(r'<rect class="bar" [^>]*height="([\d.]+)" fill="(#\w+)">', page)
    assert len(bars) == 30 and float(bars[0][0]) > 0 and bars[0][1] == "#c92a2a"
    assert all(colour != "#c92a2a" for _, colour in bars[1:])
    assert "1 card due in 30 days; the red bar is today (overdue cards included)." in page


def test_the_cards_most_at_risk_show_their_question(cli: Run, tmp_path: Path) -> None:
    sync_deck(cli, tmp_path, "hostile", HOSTILE_DECK)
    assert cli("exam", "set", "2027-01-20", now="2026-11-24T10:00").code == 0
    for card in ("evil-script", "evil-cloze"):
        assert cli("grade", card, "4", now="2026-11-24T10:00").code == 0
    args = ("report", "-t", "hostile", "-o", "-")
    data = json.loads(cli(*args, "-f", "json", now="2026-11-24T12:00").out)
    risky = [c["card_id"] for c in data["exam"]["cards_at_risk"]]
    assert risky, data["exam"]
    md = cli(*args, "-f", "md", now="2026-11-24T12:00").out
    table = md.split("Most at risk if you stop now")[1].split("## Cards to work on")[0]
    assert "| Question | Answer | Topic | Recall on the day | Card |" in table
    assert "| \\<script\\>document.title='pwned';alert(1)\\</script\\> what? |" in table
    page = cli(*args, "-f", "html", now="2026-11-24T12:00").out
    risk = page.split("<h3>Most at risk if you stop now</h3>")[1].split("</table>")[0]
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in risk and "<script" not in risk
