"""The benchmark (scripts/bench/run.py) runs end to end at a tiny size, custserv side only.

Anki needs its own virtual environment, which the tests do not install; no timings are
asserted here, only that every measure runs and the table is printed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench" / "run.py"),
            *("--sizes", "200", "--runs", "2", "--no-anki", "--work", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "| measure | cards | custserv median (min–max) |" in out
    for row in (
        "| floor: python -c pass | 200 |",
        "| floor: sqlite3 next due card | 200 |",
        "| time to first card | 200 |",
        "| answer latency (median of 20) | 200 |",
        "| custserv stats vs Anki graphs (1 year) | 200 |",
        "| time to first card [FSRS] | 200 |",
        "| answer latency (median of 20) [exam in 30 days] | 200 |",
        "| peak memory to first card | 200 |",
        "| report --format json (whole process) | 200 |",
        "| report --format csv (whole process) | 200 |",
        "| first import (whole process) | 200 |",
        "| re-sync unchanged decks: work beyond start-up | 200 |",
    ):
        assert row in out, out
    assert "Machine:" in out
    assert "Load average (1 / 5 / 15 min): start " in out
    # peak memory comes from the launcher, which built nothing: a real figure, not this
    # script's own size at fork
    (memory,) = [line for line in out.splitlines() if "| peak memory to first card |" in line]
    assert float(memory.split("|")[3].split()[0]) > 5
    # the generated collection holds the synthetic cards and their history
    (db,) = tmp_path.glob("custserv-200-s*-????-??-??.db")  # and its FSRS and exam copies
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        cards = conn.execute("SELECT COUNT(*) FROM cards WHERE topic LIKE 'bench-%'").fetchone()
        reviews = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
    finally:
        conn.close()
    assert cards == (200,)
    assert reviews[0] > 1000


def test_the_ratio_pairs_each_run_with_the_other_tools_run_next_to_it() -> None:
    """Run i of custserv is set against run i of Anki (made right after it); a load that
    changes between rounds then cancels out, which a ratio of the two medians would not."""
    sys.path.insert(0, str(ROOT / "scripts" / "bench"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "scripts" / "bench"))
    shifted = run.Measure("t", 1, "ms", custserv=[10, 50, 60], anki=[40, 200, 100])
    assert shifted.ratio() == 0.25 and shifted.row()[4] == "0.25x"  # medians: 50 / 100 = 0.5
    unpaired = run.Measure("t", 1, "ms", custserv=[10, 30], anki=[20])
    assert unpaired.ratio() == 1.0  # median 20 / 20
