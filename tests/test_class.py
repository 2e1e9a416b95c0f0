"""``custserv class``: students' JSON reports merged into a class view.

The reports are real ones, made by ``custserv report -f json`` from real databases; a few
tests then change a copy the way another version or an exam planner would.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Run
from report_schema import schema_errors
from test_stats import ALPHA, NOW, build_history, make_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import class_reports  # noqa: E402


def real_report(cli: Run, db: Path, out: Path, *args: str, now: str = NOW) -> dict[str, Any]:
    result = cli("--db", str(db), "report", "-f", "json", "-o", str(out), "--force", *args, now=now)
    assert result.code == 0, result
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def pair(cli: Run, tmp_path: Path) -> tuple[str, str]:
    """Ann (the hand-made history) and Bo (the same decks, nothing answered)."""
    ann_db, bo_db = tmp_path / "ann.db", tmp_path / "bo.db"
    build_history(ann_db, tmp_path / "ann").close()
    make_store(bo_db, tmp_path / "bo").close()
    real_report(cli, ann_db, tmp_path / "ann.json", "--student", "Ann Lee")
    real_report(cli, bo_db, tmp_path / "bo.json", "--student", "Bo Chen")
    return str(tmp_path / "ann.json"), str(tmp_path / "bo.json")


def parse_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The tags of a page, with their attributes."""
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str | None]]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, dict(attrs)))

    Tags().feed(html)
    return found


def run_class(cli: Run, *args: str) -> str:
    result = cli("class", *args)
    assert result.code == 0, result
    return result.out


def test_two_students_in_a_grid(cli: Run, pair: tuple[str, str]) -> None:
    md = run_class(cli, *pair)
    cards = len(json.loads(Path(pair[0]).read_text(encoding="utf-8"))["cards"])
    assert md.startswith("# Class progress\n\n2 students, reports up to 23 Nov 2026; 17 topics")
    # Ann knows a3, a4 (alpha) and b3 (beta); Bo has answered nothing
    assert f"| Ann Lee | {3 / cards:.1%} | 33.3% | 33.3% | 0.0% |" in md
    assert "| Bo Chen | 0.0% | 0.0% | 0.0% | 0.0% |" in md
    behind = md.split("## Falling behind\n\n")[1].split("\n\n")[0]
    median = f"{3 / cards / 2:.1%}"
    assert behind == f"- Bo Chen: has not started; knows 0.0% of the cards, class median {median}"
    assert "## At risk" not in md  # neither report has an exam date
    # the cards the class forgot: a5 (9 lapses), a6 (8), b2 (2), a2 (1), by Ann alone
    missed = md.split("## Cards the class misses most\n\n")[1].split("\n\n")[0].splitlines()
    assert missed[2] == "| Alpha question 5? | Alpha answer 5. | Alpha topic | 1 of 2 | 9 |"
    assert [row.split(" | ")[-1] for row in missed[2:]] == ["9 |", "8 |", "2 |", "1 |"]
    assert "| Ann Lee | 23 Nov 2026 | 22 Nov 2026 | 6 | under a minute | 4 |" in md
    # the last 14 days as bars, a dot for each day without answers (a space would vanish)
    ann = next(line for line in md.splitlines() if line.startswith("| Ann Lee | 23 Nov"))
    chart = ann.split(" | ")[-1].rstrip(" |")
    assert len(chart) == 14 and chart.count("·") == 10 and chart[-2] != "·", chart
    assert "| Bo Chen | 23 Nov 2026 | – | 0 | none | 0 | " + "·" * 14 + " |" in md
    assert "## Notes" not in md  # the same decks: nothing to say


def test_csv_and_html_outputs(cli: Run, pair: tuple[str, str], tmp_path: Path) -> None:
    target = tmp_path / "class.csv"
    result = cli("class", *pair, "-o", str(target))
    assert result.code == 0 and result.out.startswith(f"Wrote {target} (2 reports, ")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["student"] for r in rows] == ["Ann Lee", "Bo Chen"]
    assert rows[0]["readiness: Alpha topic"] == "0.3333" and rows[0]["known"] == "3"
    assert rows[1]["falling_behind"].startswith("has not started")
    page = tmp_path / "class.html"
    assert cli("class", *pair, "-o", str(page)).code == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert (
        '<td class="name"><span class="who" title="Bo Chen">Bo Chen</span><span class="flag behind"'
        in html
    )
    # --format wins over the file name
    assert cli("class", *pair, "-o", str(tmp_path / "x.txt"), "-f", "md").code == 0
    assert (tmp_path / "x.txt").read_text().startswith("# Class progress")


def test_overlapping_decks_merge_on_the_shared_cards(
    cli: Run, pair: tuple[str, str], tmp_path: Path
) -> None:
    """Cara has a newer alpha deck (a7 added, a1 reworded) and a topic the others lack."""
    folder = tmp_path / "newer"
    folder.mkdir()
    newer = ALPHA.replace("Alpha question 1?", "Alpha question 1, reworded?") + (
        "  - id: a7\n    kind: basic\n    prompt: Alpha question 7?\n"
        "    answer: Alpha answer 7.\n    source: 000_notes.txt:7\n"
    )
    (folder / "alpha.yaml").write_text(newer, encoding="utf-8")
    (folder / "gamma.yaml").write_text(
        ALPHA.replace("topic: alpha", "topic: gamma").replace("Alpha topic", "Gamma topic")
        .replace("id: a", "id: g"), encoding="utf-8",
    )  # fmt: skip
    cara_db = tmp_path / "cara.db"
    assert cli("--db", str(cara_db), "decks", "sync", str(folder)).code == 0
    assert cli("--db", str(cara_db), "grade", "a7", "5", now="2026-11-20T10:00").code == 0
    cara = real_report(cli, cara_db, tmp_path / "cara.json", "--student", "Cara")
    assert "a7" in {c["card_id"] for c in cara["cards"]}
    md = run_class(cli, *pair, str(tmp_path / "cara.json"))
    shared = len(cara["cards"]) - 7  # Cara's cards but a7 and gamma's six
    notes = md.split("## Notes\n\n")[1].split("\n\n")[0].splitlines()
    assert notes == [
        "- Left out, not in every report: Beta topic, Gamma topic.",
        "- Different deck versions: 10 cards are not in every report (such as a7, b1, b2); "
        f"the figures use the {shared} cards every report holds.",
        "- 1 shared card has different text in some reports (such as a1); the latest report's "
        "text is shown.",
    ]
    assert f"16 topics, {shared} cards in every report" in md
    # Ann's alpha on the six shared cards; Cara's a7 counts nowhere
    assert f"| Ann Lee | {2 / shared:.1%} | 33.3% | 0.0% |" in md
    assert "| Cara | 0.0% | 0.0% | 0.0% |" in md


def test_disjoint_decks_share_nothing(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "one.db"
    build_history(db, tmp_path).close()
    alpha = real_report(cli, db, tmp_path / "alpha.json", "--topic", "alpha", "--student", "A")
    beta = real_report(cli, db, tmp_path / "beta.json", "--topic", "beta", "--student", "B")
    assert not {c["card_id"] for c in alpha["cards"]} & {c["card_id"] for c in beta["cards"]}
    md = run_class(cli, str(tmp_path / "alpha.json"), str(tmp_path / "beta.json"))
    assert "0 topics, 0 cards in every report" in md
    assert "- These reports share no cards: there is no readiness to compare." in md
    assert "| A | – |" in md and "| B | – |" in md
    assert "knows" not in md  # no median to fall behind


def test_one_bad_file_among_good_ones_writes_nothing(
    cli: Run, pair: tuple[str, str], tmp_path: Path
) -> None:
    good = json.loads(Path(pair[0]).read_text(encoding="utf-8"))
    older = {**good, "schema_version": 1}
    newer = {**good, "schema_version": 3}
    no_cards = {k: v for k, v in good.items() if k != "cards"}
    bad_card = {**good, "cards": [*good["cards"][:3], {**good["cards"][3], "known": "yes"}]}
    cases = {
        "notes.txt": ("not JSON", "not a custserv-cards progress report; make one with "
                      "'custserv report -f json' (not JSON: line 1 column 1)"),
        "list.json": ([1, 2], "not a custserv-cards progress report; make one with"),
        "stats.json": ({"today": "2026-11-23"}, "not a custserv-cards progress report"),
        "old.json": (older, "a progress report of schema version 1; this custserv-cards reads "
                     "version 2: make it again with 'custserv report -f json'"),
        "new.json": (newer, "schema version 3; this custserv-cards reads version 2: upgrade "
                     "custserv-cards to read it"),
        "nocards.json": (no_cards, "(cards is missing or of the wrong type)"),
        "badcard.json": (bad_card, "(cards[3].known is missing or of the wrong type)"),
    }  # fmt: skip
    target = tmp_path / "class.html"
    for name, (content, message) in cases.items():
        bad = tmp_path / name
        bad.write_text(content if isinstance(content, str) else json.dumps(content))
        result = cli("class", pair[0], str(bad), pair[1], "-o", str(target))
        assert result.code == 1 and result.out == "", result
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"custserv: {bad}: "), result
        assert message in lines[0], lines[0]
        assert not target.exists()
        assert "Traceback" not in result.err
    # an earlier class view stays as it was, even with --force
    target.write_text("the earlier class view", encoding="utf-8")
    result = cli("class", pair[0], str(tmp_path / "old.json"), "-o", str(target), "--force")
    assert result.code == 1 and result.err.startswith(f"custserv: {tmp_path / 'old.json'}: ")
    assert target.read_text(encoding="utf-8") == "the earlier class view"
    missing = cli("class", pair[0], str(tmp_path / "nope.json"))
    assert (
        missing.code == 1 and missing.err == f"custserv: {tmp_path / 'nope.json'}: no such file\n"
    )


def test_two_reports_of_one_student_keep_the_latest(
    cli: Run, pair: tuple[str, str], tmp_path: Path
) -> None:
    ann_db = tmp_path / "ann.db"
    assert cli("--db", str(ann_db), "grade", "a1", "5", now="2026-11-24T09:00").code == 0
    later = real_report(cli, ann_db, tmp_path / "ann-later.json", "--student", " ann  LEE ",
                        now="2026-11-24T12:00")  # fmt: skip
    assert later["student"]["name"] == "ann LEE"
    md = run_class(cli, str(tmp_path / "ann-later.json"), *pair)
    assert md.startswith(
        "# Class progress\n\n2 students, reports up to days from 23 Nov 2026 to 24"
    )
    assert (
        f"- ann LEE: 2 reports; the latest ({tmp_path / 'ann-later.json'}, up to 24 Nov 2026) is "
        f"used, not {pair[0]}."
    ) in md.replace("\\_", "_")
    assert "| ann LEE | 24 Nov 2026 | 24 Nov 2026 |" in md
    # the same file twice counts once, without a note
    twice = run_class(cli, pair[0], pair[0], pair[1])
    assert twice.startswith("# Class progress\n\n2 students") and "## Notes" not in twice


def with_exam(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """``data`` with an exam section, as an exam planner would fill it in."""
    total = {"topic": "all", "cards": 245, "ready": 3, "readiness": 0.0122, "new": 238,
             "new_per_day_needed": 8, "due_by_exam": 6, "predicted_recall": None}  # fmt: skip
    exam = {"exam_date": "2026-12-23", "days_left": 30, "target": None, "at_risk": None,
            "topics": [], "total": total}  # fmt: skip
    for key, value in fields.items():
        (total if key in total else exam)[key] = value
    return {**data, "exam": exam}


def test_at_risk_reads_the_exam_section(cli: Run, pair: tuple[str, str], tmp_path: Path) -> None:
    ann = json.loads(Path(pair[0]).read_text(encoding="utf-8"))
    bo = json.loads(Path(pair[1]).read_text(encoding="utf-8"))

    def named(data: dict[str, Any], name: str) -> dict[str, Any]:
        return {**data, "student": {"name": name}}

    # Ann answered on 4 of the last 14 days and started 3 new cards; Bo answered nothing
    files = [
        write(tmp_path / "a.json", with_exam(ann, at_risk=True)),  # the planner says so
        write(tmp_path / "b.json", with_exam(named(bo, "Bo"), predicted_recall=0.91,
                                             target=0.9)),
        write(tmp_path / "c.json", with_exam(named(bo, "Cy"), predicted_recall=0.6)),
        write(tmp_path / "d.json", with_exam(named(ann, "Di"), days_left=10,
                                             new_per_day_needed=0)),
        write(tmp_path / "e.json", with_exam(named(bo, "Ed"), readiness=0.85)),
        write(tmp_path / "f.json", named(bo, "Flo")),  # no exam
        # the plan could reach the target, but only for a student who follows it
        write(tmp_path / "g.json", with_exam(named(bo, "Gil"), at_risk=False,
                                             predicted_recall=0.5, new_per_day_needed=0)),
        write(tmp_path / "h.json", with_exam(named(ann, "Hal"), at_risk=False,
                                             predicted_recall=0.5, new_per_day_needed=0,
                                             days_left=10)),
        write(tmp_path / "i.json", with_exam(named(bo, "Ivy"), at_risk=False,
                                             predicted_recall=0.5, new_per_day_needed=1)),
    ]  # fmt: skip
    for file in files:
        assert schema_errors(json.loads(Path(file).read_text(encoding="utf-8"))) == []
    md = run_class(cli, *files)
    risk = md.split("## At risk of missing the exam target\n\n")[1].split("\n\n")[1]
    assert (
        "\nTarget: 90.0% of the cards, as set in the students' exam plans; 80.0% of the cards "
        "for the reports that set none.\n"
    ) in md
    assert risk.splitlines() == [
        "- Ann Lee: the exam plan cannot reach the target of 80.0%",
        "- Cy: predicted recall 60.0% on the exam day if they stop now (target 80.0%); needs 8 "
        "new cards a day, started 0.0 a day over the last 14 days",
        "- Di: 1.2% ready (target 80.0%); 10 days left",
        "- Gil: predicted recall 50.0% on the exam day if they stop now (target 80.0%); no "
        "answers in the last 7 days",
        "- Ivy: predicted recall 50.0% on the exam day if they stop now (target 80.0%); needs 1 "
        "new card a day, started 0.0 a day over the last 14 days",
    ]
    # Bo: predicted above his own target; Ed: ready enough; Flo: no exam; Hal: below the
    # target, but his plan reaches it and he keeps up. With a lower --target Di's 1.2% still
    # misses; with 1 % it does not.
    low = run_class(cli, *files, "--target", "1").split("## At risk")[1].split("## Readiness")[0]
    assert "- Di:" not in low and "; 1.0% of the cards for the reports that set none." in low


def test_hostile_names_and_text_stay_inert(cli: Run, pair: tuple[str, str], tmp_path: Path) -> None:
    ann = json.loads(Path(pair[0]).read_text(encoding="utf-8"))
    evil = "=cmd|' /C calc'!A0 <script>alert(1)</script>[x](javascript:alert(1))"
    ann["student"]["name"] = evil
    for card in ann["cards"]:
        if card["card_id"] == "a5":
            card["text"] = "![p](https://evil.example/p.png) <img src=x onerror=alert(1)>"
    file = write(tmp_path / "evil.json", ann)
    md = run_class(cli, file, pair[1])
    assert re.search(r"(?<!\\)[<>]|(?<!\\)\]\(", md.split("## Glossary")[0]) is None
    assert "\\<script\\>alert(1)\\</script\\>\\[x\\](javascript:alert(1))" in md
    page = tmp_path / "c.html"
    assert cli("class", file, pair[1], "-o", str(page)).code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # a name, a topic title and a file name that try to leave an attribute or open a tag
    ann["student"]["name"] = 'Mallory" onmouseover="alert(1)'
    ann["titles"]["alpha"] = "Alpha' onfocus='alert(2)' <b>x</b>"
    unnamed = {**ann, "student": {"name": ""}}
    bo = json.loads(Path(pair[1]).read_text(encoding="utf-8"))
    bo["titles"]["alpha"] = ann["titles"]["alpha"]
    files = [write(tmp_path / "mallory.json", ann), write(tmp_path / "bo.json", bo),
             write(tmp_path / "<b onclick=x>eve.json", unnamed)]  # fmt: skip
    assert cli("class", *files, "-o", str(page), "--force").code == 0
    html = page.read_text(encoding="utf-8")
    tags = parse_tags(html)
    assert {tag for tag, _ in tags} <= {"html", "head", "meta", "title", "style", "body", "main",
        "h1", "h2", "p", "section", "ul", "li", "b", "div", "table", "thead", "tbody", "tr",
        "th", "td", "span", "dl", "dt", "dd", "footer"}  # fmt: skip
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert 'title="Mallory&quot; onmouseover=&quot;alert(1)"' in html
    assert "Alpha&#x27; onfocus=&#x27;alert(2)&#x27; &lt;b&gt;x&lt;/b&gt;" in html
    assert "unnamed (&lt;b onclick=x&gt;eve.json)" in html
    table = tmp_path / "c.csv"
    assert cli("class", file, pair[1], "-o", str(table)).code == 0
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert rows[0]["student"] == "'" + evil  # not run as a spreadsheet formula
    assert rows[1]["student"] == "Bo Chen"


def test_dangerous_or_unclear_outputs_are_refused(
    cli: Run, pair: tuple[str, str], tmp_path: Path, db_path: Path
) -> None:
    taken = tmp_path / "taken.html"
    taken.write_text("mine")
    cases = [
        (["-o", str(taken)], 1, f"{taken} already exists; add --force to overwrite it"),
        (["-o", str(db_path)], 1, "is the database itself"),
        (["-o", str(db_path) + "-wal"], 1, "is the database's -wal file"),
        (["-o", str(tmp_path / "class.pdf")], 2, "cannot tell the format of --output"),
        (["-f", "pdf"], 2, "unknown --format 'pdf'; choose one of md, html, csv"),
        (["-o", str(tmp_path)], 2, "is a folder; give a file name"),
        (["--target", "0"], 2, ""),
    ]
    db_path.write_bytes(b"")
    for args, code, message in cases:
        result = cli("class", *pair, *args)
        assert result.code == code, (args, result)
        assert message in result.err and "Traceback" not in result.err, result
    assert taken.read_text() == "mine" and db_path.read_bytes() == b""
    none = cli("class")
    assert none.code == 2 and "Traceback" not in none.err


def test_generated_students_follow_the_schema(cli: Run, pair: tuple[str, str]) -> None:
    base = json.loads(Path(pair[0]).read_text(encoding="utf-8"))
    for data in class_reports.students(with_exam(base), 5):
        assert schema_errors(data) == []


def test_a_real_exam_plan_reaches_the_class_view(
    cli: Run, pair: tuple[str, str], tmp_path: Path
) -> None:
    """The exam planner fills the report's exam section; the class view reads it as it is."""
    ann_db = tmp_path / "ann.db"
    set_exam = cli("--db", str(ann_db), "exam", "set", "2026-11-26", "--minutes", "1",
                   "--target", "0.9", now=NOW)  # fmt: skip
    assert set_exam.code == 0, set_exam
    data = real_report(cli, ann_db, tmp_path / "ann-exam.json", "--student", "Ann Lee")
    assert schema_errors(data) == []
    exam = data["exam"]
    assert (exam["target"], exam["at_risk"], exam["days_left"]) == (0.9, True, 3)
    md = run_class(cli, str(tmp_path / "ann-exam.json"), pair[1])
    risk = md.split("## At risk of missing the exam target\n\n")[1].split("\n\n")[1]
    assert risk == "- Ann Lee: the exam plan cannot reach the target of 90.0%"


def test_a_plan_that_reaches_the_target_helps_only_a_student_who_follows_it(
    cli: Run, pair: tuple[str, str], tmp_path: Path
) -> None:
    """A real report's planner says whether its plan can reach the target; Bo, who has not
    started, is at risk all the same, since he does not follow it."""
    bo_db = tmp_path / "bo.db"
    assert cli("--db", str(bo_db), "exam", "set", "2027-03-01", now=NOW).code == 0
    data = real_report(cli, bo_db, tmp_path / "bo-exam.json", "--student", "Bo Chen")
    exam = data["exam"]
    assert exam["at_risk"] is False and exam["total"]["predicted_recall"] == 0.0
    needed = exam["total"]["new_per_day_needed"]
    assert needed >= 1
    md = run_class(cli, pair[0], str(tmp_path / "bo-exam.json"))
    risk = md.split("## At risk of missing the exam target\n\n")[1].split("\n\n")[1]
    assert risk == (
        "- Bo Chen: predicted recall 0.0% on the exam day if they stop now (target 90.0%); "
        f"needs {needed} new card{'s' if needed != 1 else ''} a day, started 0.0 a day over "
        "the last 14 days"
    )
    assert "\nTarget: 90.0% of the cards, as set in the students' exam plans.\n" in md
    ann = json.loads(Path(pair[0]).read_text(encoding="utf-8"))
    plain = run_class(cli, write(tmp_path / "ann-exam.json", with_exam(ann)), pair[1])
    assert (
        "\nTarget: 80.0% of the cards (no report sets its own; 'custserv class --target' "
        "sets it).\n"
    ) in plain
