"""The HTML report in a real browser (headless Chromium): the charts are drawn with a size,
nothing logs an error, and hostile card text does not run.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``); skipped without it.
The page is checked through a copy with a small probe script added at the top of its
``<head>``: the probe records errors, alerts and blocked scripts, and once the page has
loaded it writes what it measured into the DOM, which Chromium then dumps.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Run
from test_report import HOSTILE_DECK
from test_stats import NOW, build_history


def probe(measure: str) -> str:
    """A script that records errors, alerts and blocked loads, and once the page has loaded
    writes them with what ``measure`` (a JavaScript object literal) measured into the DOM."""
    return (
        """<script>
window.__problems = [];
const note = (kind, text) => window.__problems.push(kind + ": " + text);
window.addEventListener("error",
  (e) => note("error", e.message || String(e.target && e.target.outerHTML)), true);
document.addEventListener("securitypolicyviolation",
  (e) => note("blocked", e.violatedDirective + " " + e.blockedURI));
for (const level of ["error", "warn"]) {
  const original = console[level];
  console[level] = (...args) => { note(level, args.join(" ")); original.apply(console, args); };
}
window.alert = (text) => note("alert", text);
window.addEventListener("load", () => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const result = """
        + measure
        + """;
  result.title = document.title;
  result.scripts = document.scripts.length;
  result.images = document.images.length;
  result.problems = window.__problems;
  const out = document.createElement("pre");
  out.id = "probe-result";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>"""
    )


PROBE = probe("""{
    svgs: [...document.querySelectorAll("svg")].map((s) => [s.getAttribute("class"), ...box(s)]),
    bars: [...document.querySelectorAll("svg.forecast rect.bar")].map((r) => box(r)[1]),
    cells: document.querySelectorAll("svg.heatmap rect").length,
    lines: [...document.querySelectorAll("svg.retention polyline")].map((p) => box(p)[0]),
    dates: [...document.querySelectorAll("td, th")]
      .filter((c) => /^(\\d{4}-\\d\\d-\\d\\d|\\d{1,2} [A-Z][a-z]{2} \\d{4})$/
        .test(c.textContent.trim()))
      .map((c) => { const r = document.createRange(); r.selectNodeContents(c);
                    return [c.textContent, r.getClientRects().length]; }),
  }""")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "headless Chromium is not installed; install Debian's package with "
            "'apt-get install -y chromium' to run the browser test of the HTML report"
        )
    return found


def render(page: Path, profile: Path, width: int = 1200) -> tuple[dict[str, object], str]:
    """Load ``page`` in headless Chromium in a window ``width`` pixels wide; return the probe's
    result and the browser's log."""
    browser = chromium()
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}",
        f"--window-size={width},2000", "--virtual-time-budget=3000", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"headless Chromium could not run here: {error}")
    if "<html" not in done.stdout:
        tail = " / ".join(done.stderr.strip().splitlines()[-3:])
        pytest.skip(
            f"headless Chromium could not render a page here (exit {done.returncode}): {tail}"
        )
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, "the page never finished loading:\n" + done.stdout[-2000:]
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return json.loads(text.replace("&amp;", "&")), done.stderr


@pytest.fixture
def page(cli: Run, db_path: Path, tmp_path: Path) -> Path:
    """The HTML report of the hand-made history plus a deck of hostile card text."""
    chromium()
    build_history(db_path, tmp_path).close()
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.yaml").write_text(HOSTILE_DECK, encoding="utf-8")
    assert cli("decks", "sync", str(folder)).code == 0
    for card in ("evil-script", "evil-cloze"):
        assert cli("grade", card, "1", now="2026-11-22T12:00").code == 0
    assert cli("config", "exam_date", "2027-06-01").code == 0
    target = tmp_path / "report.html"
    result = cli("report", "--format", "html", "--output", str(target), now=NOW)
    assert result.code == 0, result
    probed = tmp_path / "probed.html"
    html = target.read_text(encoding="utf-8")
    probed.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    return probed


def test_the_report_in_a_browser(page: Path, tmp_path: Path) -> None:
    result, log = render(page, tmp_path / "profile")
    assert result["problems"] == [], result["problems"]
    # the hostile deck's script would have renamed the page and added a script and images
    assert result["title"] == "Progress report: student not named, 2026-11-23"
    assert result["scripts"] == 1  # the probe itself
    assert result["images"] == 0
    svgs = result["svgs"]
    assert isinstance(svgs, list)
    kinds = [s[0] for s in svgs]
    assert kinds.count("forecast") == 1 and kinds.count("heatmap") == 1
    # one per topic with reviews of cards seen before: alpha and beta
    assert kinds.count("retention") == 2
    for kind, width, height in svgs:
        assert width > 100 and height > 40, (kind, width, height)
    bars = result["bars"]
    assert isinstance(bars, list) and len(bars) == 30
    # 11-23 (a2, b2 and the hostile cards), 11-24, 11-26, 12-01, 12-05
    assert sum(1 for h in bars if h > 0) == 5
    # the heatmap's days from the Monday before the first answer (10-24) and its legend
    assert result["cells"] == 36 + 5
    lines = result["lines"]
    assert isinstance(lines, list) and lines and all(w > 0 for w in lines)
    console_errors = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console_errors == []


@pytest.mark.parametrize("width", [1200, 420])
def test_no_date_wraps_in_the_report(page: Path, tmp_path: Path, width: int) -> None:
    """A date in a table stays on one line ('2026-12-' above '08' was a finding), even in a
    window as narrow as a phone's."""
    result, _ = render(page, tmp_path / "profile", width)
    assert result["problems"] == [], result["problems"]
    dates = result["dates"]
    assert isinstance(dates, list) and len(dates) > 10, dates
    assert [d for d in dates if d[1] != 1] == []
