"""The class page of 30 generated students in a real browser (headless Chromium): nothing logs
an error, hostile student names and card text stay inert, and the grid is readable (one line
per student, every cell a number, no sideways scrolling at 1200 pixels).

Needs Debian's ``chromium`` package; skipped without it (see test_report_browser).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Run
from test_report_browser import chromium, probe, render
from test_stats import NOW, build_history

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import class_reports  # noqa: E402

MEASURE = """{
    rows: [...document.querySelectorAll("table.grid tbody tr")].map((r) => box(r)[1]),
    names: [...document.querySelectorAll("table.grid td.name")].map((c) => box(c)[0]),
    cells: [...document.querySelectorAll("table.grid td.cell")].map((c) => c.textContent),
    font: parseFloat(getComputedStyle(document.querySelector("table.grid td.cell")).fontSize),
    headers: [...document.querySelectorAll("table.grid th.topic span")].map((s) => box(s)),
    overflow: document.querySelector(".grid-wrap").scrollWidth
      - document.querySelector(".grid-wrap").clientWidth,
    flags: [...document.querySelectorAll("table.grid .flag")].map((f) => {
      const cell = f.closest("td").getBoundingClientRect(), r = f.getBoundingClientRect();
      return [f.textContent, r.width > 10 && r.left >= cell.left && r.right <= cell.right + 0.5];
    }),
  }"""

HOSTILE_NAMES = (
    "<script>document.title='pwned';alert(1)</script>",
    "<img src=x onerror=alert(1)> Eve",
    'Mallory" onmouseover="alert(1)',
)


@pytest.fixture
def class_page(cli: Run, db_path: Path, tmp_path: Path) -> Path:
    chromium()
    build_history(db_path, tmp_path).close()
    assert cli("config", "exam_date", "2026-12-23").code == 0
    base_file = tmp_path / "base.json"
    assert cli("report", "-f", "json", "-o", str(base_file), now=NOW).code == 0
    base: dict[str, Any] = json.loads(base_file.read_text(encoding="utf-8"))
    for card in base["cards"]:
        if card["card_id"] == "a5":
            card["text"] = "<script>alert(2)</script> ![x](https://evil.example/p.png)"
            card["answer"] = "<img src=x onerror=alert(3)>"
    folder = tmp_path / "class"
    folder.mkdir()
    files = []
    for n, data in enumerate(class_reports.students(base, 30)):
        if n < len(HOSTILE_NAMES):
            data["student"]["name"] = HOSTILE_NAMES[n]
        if n == 0:  # a long hostile name with flags: the flags must still show
            data["period"]["last_day"] = "2026-10-01"
        if n == 3:  # make sure the hostile card is among the most missed
            next(c for c in data["cards"] if c["card_id"] == "a5")["lapses"] = 9
        path = folder / f"{n:02d}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        files.append(str(path))
    page = tmp_path / "class.html"
    result = cli("class", *files, "-o", str(page))
    assert result.code == 0, result
    html = page.read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("<head>", "<head>" + probe(MEASURE), 1), encoding="utf-8")
    return probed


def test_the_class_page_in_a_browser(class_page: Path, tmp_path: Path) -> None:
    result, log = render(class_page, tmp_path / "profile")
    assert result["problems"] == [], result["problems"]
    assert result["title"] == "Class progress, 30 students, 2026-11-23"
    assert result["scripts"] == 1 and result["images"] == 0  # the probe's script only
    rows = result["rows"]
    assert isinstance(rows, list) and len(rows) == 30
    # one line per student: no row is taller than one line of 13-px text and its padding
    assert all(16 <= h <= 32 for h in rows), rows
    names = result["names"]
    assert isinstance(names, list) and all(w >= 80 for w in names), names
    cells = result["cells"]
    assert isinstance(cells, list) and len(cells) == 30 * 18  # all topics + 17 topics
    assert all(c == "–" or (c.endswith("%") and c[:-1].isdigit()) for c in cells), cells
    assert isinstance(result["font"], (int, float)) and result["font"] >= 12
    headers = result["headers"]
    assert isinstance(headers, list) and len(headers) == 18  # all topics + 17 topics
    assert all(width < 30 and height > 40 for width, height in headers), headers
    assert result["overflow"] == 0  # the whole grid fits a 1200-pixel window
    # every flag shows whole beside its name, however long the name (a long name once hid them)
    flags = result["flags"]
    assert isinstance(flags, list) and {f[0] for f in flags} == {"behind", "at risk"}, flags
    assert all(shown for _, shown in flags), flags
    console_errors = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console_errors == []


def test_the_class_page_screenshot(class_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "class.png"
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'shot-profile'}", "--window-size=1200,1800",
         f"--screenshot={shot}", class_page.as_uri()],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    if not shot.exists():
        pytest.skip(f"headless Chromium made no screenshot here: {done.stderr[-300:]}")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a drawn page, not a blank one
