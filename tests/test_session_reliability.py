"""A study session against what a real terminal and other custserv processes do to it: an
undo that must stay within the session, a terminal that hangs up, a deck sync in another
terminal, a pasted answer, and Ctrl-Z then ``fg``. Each test is named after the finding of
the reliability review it checks (docs/your-data.md lists them)."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from ptyscreen import TODAY, Screen, db, query, screens, start, template_db  # noqa: E402

from custserv_cards.store import Store  # noqa: E402
from custserv_cards.sync import sync_paths  # noqa: E402

__all__ = ["db", "screens", "template_db"]  # fixtures

# The tests use a deck of their own (topic 'my', cards c1, c2, c3 in this order), so that
# changes to the bundled decks do not move them.
FIRST = "c1"
PROMPT = "Question c1?"


def _other_terminal_grades(db: Path, card_id: str, grade: int) -> None:
    with Store.open(db) as store:
        store.record_answer(card_id, grade, datetime.fromisoformat(f"{TODAY}T12:00"))


def first_card_answered(db: Path, screens: list[Screen], *args: str) -> Screen:
    """A review of the deck c1, c2, c3 (``args`` added) with c1 answered 4 on screen."""
    _deck(db.parent / "my", "c1", "c2", "c3")
    screen = start(screens, db, "review", "--topic", "my", *args)
    screen.wait(PROMPT)
    screen.press(" ")
    screen.wait("complete blackout")
    screen.press("4")
    screen.wait("1 done")
    return screen


def test_finding_01_session_undo_takes_back_only_its_own_answer(
    db: Path, screens: list[Screen]
) -> None:
    screen = first_card_answered(db, screens)
    _other_terminal_grades(db, "c3", 5)  # another terminal answers
    screen.press("u")
    screen.wait(f"Undid grade 4 on {FIRST}", PROMPT)
    assert query(db, "SELECT card_id, grade FROM reviews") == [("c3", 5)]
    assert query(db, "SELECT card_id, grade FROM undone_reviews") == [(FIRST, 4)]
    screen.press("u")  # nothing of the session's own is left to undo
    screen.wait("Nothing to undo")
    assert query(db, "SELECT card_id FROM reviews") == [("c3",)]
    screen.press("q")
    assert screen.finish() == 0


def test_finding_01_session_undo_never_wipes_a_later_answer_to_the_same_card(
    db: Path, screens: list[Screen]
) -> None:
    screen = first_card_answered(db, screens)
    _other_terminal_grades(db, FIRST, 5)  # the same card, answered again elsewhere
    screen.press("u")
    screen.wait("answered again since", "not undone")
    assert query(db, "SELECT card_id, grade FROM reviews ORDER BY id") == [(FIRST, 4), (FIRST, 5)]
    screen.press("q")
    assert screen.finish() == 0


COMMAND = "custserv_cards review --topic my"


@pytest.mark.parametrize("mode", ["flip", "type"])
def test_finding_16_terminal_hang_up_ends_cleanly(db: Path, tmp_path: Path, mode: str) -> None:
    errors = tmp_path / "stderr.txt"
    _deck(db.parent / "my", "c1", "c2", "c3")
    env = {**os.environ, "CUSTSERV_DB": str(db), "CUSTSERV_NOW": TODAY, "NO_COLOR": "1"}
    env.update({"TERM": "xterm", "COLUMNS": "80", "LINES": "24"})
    child = pexpect.spawn(
        "/bin/sh",
        [
            "-c",
            f'exec "{sys.executable}" -m {COMMAND} --mode {mode} 2>"{errors}"',
        ],
        env=env,
        dimensions=(24, 80),
        timeout=8,
    )
    child.expect("Question c1")
    if mode == "flip":
        child.send(" ")
        child.expect("blackout")
        child.send("4")
    else:
        child.send("Answer c1.\r")
        child.expect("suggested")
        child.send("5")
    child.expect("1 done")
    child.expect("Ctrl-D quits" if mode == "type" else "Space/Enter")
    time.sleep(0.3)
    pid = child.pid
    os.close(child.child_fd)  # the terminal goes away (a closed window, a dropped ssh)
    child.child_fd = -1
    deadline = time.time() + 8
    status = None
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("custserv did not end after its terminal hung up")
    err = errors.read_text()
    assert "Traceback" not in err and "termios" not in err and "Exception ignored" not in err, err
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 130, status
    assert query(db, "SELECT card_id FROM reviews") == [(FIRST,)]


DECK = """\
topic: my
title: My cards
description: Three cards.
cards:
"""


def _deck(folder: Path, *ids: str) -> None:
    folder.mkdir(exist_ok=True)
    cards = "".join(
        f"  - id: {i}\n    kind: basic\n    prompt: Question {i}?\n    answer: Answer {i}.\n"
        f"    source: n.txt:1\n"
        for i in ids
    )
    (folder / "my.yaml").write_text(DECK + cards, encoding="utf-8")
    with Store.open(db_file(folder)) as store:
        sync_paths(store, [folder])


def db_file(folder: Path) -> Path:
    return folder.parent / "custserv.db"


@pytest.mark.parametrize("key", ["grade", "s", "b"])
def test_finding_19_card_retired_by_a_sync_elsewhere_is_skipped(
    db: Path, screens: list[Screen], key: str
) -> None:
    folder = db.parent / "my"
    _deck(folder, "c1", "c2", "c3")
    screen = start(screens, db, "review", "--topic", "my")
    screen.wait("Question c1?")
    _deck(folder, "c2", "c3")  # another terminal syncs the deck without c1
    if key == "grade":
        screen.press(" ")
        screen.wait("Answer c1.")
        screen.press("4")
    else:
        screen.press(key)
    screen.wait("c1 was removed from its deck", "Question c2?")
    screen.press(" ")
    screen.wait("Answer c2.")
    screen.press("5")
    screen.wait("Question c3?")
    screen.press("q")
    assert screen.finish() == 0
    assert query(db, "SELECT card_id, grade FROM reviews") == [("c2", 5)]
    assert query(db, "SELECT COUNT(*) FROM state WHERE suspended = 1") == [(0,)]


def test_finding_19_quiz_carries_on_past_a_retired_card(db: Path, screens: list[Screen]) -> None:
    folder = db.parent / "my"
    _deck(folder, "c1", "c2")
    screen = start(screens, db, "quiz", "--topic", "my", "--seed", "1")
    first = screen.wait("Drill · card 1 of 2", "Space/Enter")
    shown, other = ("c1", "c2") if "Question c1?" in first else ("c2", "c1")
    _deck(folder, other)  # the card on screen is retired elsewhere
    screen.press(" ")
    screen.wait(f"Answer {shown}.")
    screen.press("4")
    screen.wait(f"{shown} was removed from its deck", f"Question {other}?")
    screen.press(" ")
    screen.wait(f"Answer {other}.")
    screen.press("5")
    screen.wait("Drill finished")
    assert screen.finish() == 0
    assert query(db, "SELECT card_id, kind FROM reviews") == [(other, "drill")]


def test_finding_20_a_pasted_two_line_answer_is_one_answer(db: Path, screens: list[Screen]) -> None:
    _deck(db.parent / "my", "c1", "c2", "c3")
    screen = start(screens, db, "review", "--topic", "my", "--mode", "type")
    screen.wait(PROMPT, "Answer:")
    # One write, as a terminal delivers a paste: the second line must not become key presses
    # (its 's' would suspend the card, and the rest would answer the next card unseen).
    screen.press("The way a business looks after\rits current and future customers.\r")
    shown = screen.wait("You typed", "suggested")
    flat = " ".join(shown.replace("│", " ").split())
    assert "The way a business looks after its current and future customers." in flat
    time.sleep(0.5)
    assert query(db, "SELECT COUNT(*) FROM state WHERE suspended = 1") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM reviews") == [(0,)]
    screen.press("5")
    screen.wait("1 done", "Answer:")
    assert query(db, "SELECT card_id FROM reviews") == [(FIRST,)]
    screen.child.sendeof()  # Ctrl-D at the next answer ends the session
    screen.wait("Session summary")
    assert screen.finish() == 0


def test_finding_20_a_paste_without_a_final_line_end_is_text_too(
    db: Path, screens: list[Screen]
) -> None:
    _deck(db.parent / "my", "c1", "c2", "c3")
    screen = start(screens, db, "review", "--topic", "my", "--mode", "type")
    screen.wait(PROMPT, "Answer:")
    screen.press("Meeting the needs\rsubu")  # 's', 'u', 'b' would suspend, undo, bury
    shown = screen.wait("You typed", "suggested")
    assert "Meeting the needs subu" in " ".join(shown.replace("│", " ").split())
    time.sleep(0.5)
    assert query(
        db, "SELECT COUNT(*) FROM state WHERE suspended = 1 OR buried_until IS NOT NULL"
    ) == [(0,)]


def test_finding_28_keys_work_after_ctrl_z_and_fg(db: Path, tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("needs bash for job control")
    env = {**os.environ, "CUSTSERV_DB": str(db), "CUSTSERV_NOW": TODAY, "NO_COLOR": "1"}
    env.update({"TERM": "xterm", "COLUMNS": "80", "LINES": "24", "PS1": "$ "})
    shell = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-i"], env=env, dimensions=(24, 80), timeout=8
    )
    try:
        shell.expect_exact("$ ")
        shell.sendline(f'"{sys.executable}" -m custserv_cards review')
        shell.expect("Space/Enter")
        shell.send(" ")
        shell.expect("blackout")
        shell.send("4")
        shell.expect("1 done")
        shell.expect("Space/Enter")
        time.sleep(0.3)
        shell.sendcontrol("z")
        shell.expect("Stopped")
        shell.expect_exact("$ ")
        shell.sendline("fg")
        shell.expect("Space/Enter")  # drawn again
        time.sleep(0.3)
        shell.send(" ")  # no Enter: cbreak mode must be back
        shell.expect("blackout", timeout=3)
        shell.send("5")
        shell.expect("2 done", timeout=3)
        assert query(db, "SELECT COUNT(*) FROM reviews") == [(2,)]
        shell.send("q")
        shell.expect("Session summary")
        shell.expect_exact("$ ")
    finally:
        shell.terminate(force=True)
