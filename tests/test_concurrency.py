"""Two custserv processes answering at the same time: nothing lost, nobody sees a lock error."""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest
from integrity import ACK, assert_sound, fork_grade_loop, warm_up

ANSWERS_EACH = 500
CARDS = [
    "def-customer-loyalty",
    "def-customer-loyalty:reverse",
    "complaints-tell-unresolved",
    "retention-attract-and-hold",
]


def _collect(pid: int, read_end: int) -> str:
    chunks = []
    with os.fdopen(read_end, "rb") as stream:
        chunks.append(stream.read())
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_two_processes_answer_500_each_on_a_new_database(tmp_path: Path) -> None:
    """Both start on a database that does not exist yet: they race to create it, migrate it,
    load the decks, then record 500 answers each."""
    db = tmp_path / "both.db"
    warm_up(tmp_path)
    rng = random.Random(2)
    plans = [[(rng.choice(CARDS), rng.randint(0, 5)) for _ in range(ANSWERS_EACH)] for _ in "ab"]
    started = [fork_grade_loop(db, plan, "2026-11-23T10:00") for plan in plans]
    outputs = [_collect(pid, fd) for pid, fd in started]
    for plan, output in zip(plans, outputs, strict=True):
        assert "locked" not in output
        assert "Traceback" not in output
        assert "EXIT" not in output, output[:2000]
        assert [(c, int(g)) for c, g in ACK.findall(output)] == plan
    log = assert_sound(db)
    assert len(log) == 2 * ANSWERS_EACH
    # Each process's answers are in the log in the order it gave them.
    for plan in plans:
        mine = iter(log)
        assert all(answer in mine for answer in plan)


# As many interactive answers as grade's; grades below 4 bring cards back the same day
# (rule 7), so the bundled decks hold enough work for all of them.
REVIEW_ANSWERS = ANSWERS_EACH
SCREEN_CODES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_a_review_while_grade_runs_in_another_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    import time

    from custserv_cards.store import Store
    from custserv_cards.sync import sync_bundled_if_changed

    db = tmp_path / "shared.db"
    warm_up(tmp_path)
    with Store.open(db) as store:
        sync_bundled_if_changed(store)
    rng = random.Random(9)
    plan = [(rng.choice(CARDS), rng.randint(0, 5)) for _ in range(ANSWERS_EACH)]
    now = "2026-11-23T10:00"
    grader = fork_grade_loop(db, plan, now)
    env = {**os.environ, "CUSTSERV_DB": str(db), "CUSTSERV_NOW": now, "NO_COLOR": "1"}
    env.update({"TERM": "xterm", "COLUMNS": "80", "LINES": "24"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "custserv_cards", "review", "--mode", "flip", "--new", "1000", "--limit", "1000"],
        env=env,
        dimensions=(24, 80),
    )
    child.delaybeforesend = None  # no pause before each key press
    raw, pressed, mark, revealed = "", [], 0, False
    deadline = time.monotonic() + 120
    try:
        while len(pressed) < REVIEW_ANSWERS and time.monotonic() < deadline:
            try:
                raw += child.read_nonblocking(65536, timeout=0.05).decode("utf-8", "replace")
            except pexpect.TIMEOUT:
                continue
            fresh = SCREEN_CODES.sub("", raw[mark:])
            if not revealed and "show the answer" in fresh:
                child.send(" ")
                revealed, mark = True, len(raw)
            elif revealed and "complete blackout" in fresh:
                grade = rng.choice((0, 1, 2, 3, 4, 5))
                child.send(str(grade))
                pressed.append(grade)
                revealed, mark = False, len(raw)
        # the last answer is on screen once the next card (or the end of the day) shows
        while "show the answer" not in SCREEN_CODES.sub("", raw[mark:]) and child.isalive():
            try:
                raw += child.read_nonblocking(65536, timeout=5).decode("utf-8", "replace")
            except pexpect.TIMEOUT:
                break
        child.send("q")
        child.expect(pexpect.EOF, timeout=10)
        raw += (child.before or b"").decode("utf-8", "replace")
    finally:
        child.close(force=True)
    graded = _collect(*grader)
    screen = SCREEN_CODES.sub("", raw)
    assert len(pressed) == REVIEW_ANSWERS, screen[-2000:]
    for shown in (screen, graded):
        assert "locked" not in shown
        assert "Traceback" not in shown
    assert [(c, int(g)) for c, g in ACK.findall(graded)] == plan
    log = assert_sound(db)
    assert len(log) == ANSWERS_EACH + REVIEW_ANSWERS
    mine = iter(log)
    assert all(answer in mine for answer in plan), "grade's answers are all there, in order"
    import sqlite3

    conn = sqlite3.connect(db)
    # 'grade' records no answer time; the review records how long each answer took
    reviewed = [
        g
        for (g,) in conn.execute(
            "SELECT grade FROM reviews WHERE duration_ms IS NOT NULL ORDER BY id"
        )
    ]
    conn.close()
    assert reviewed == pressed
