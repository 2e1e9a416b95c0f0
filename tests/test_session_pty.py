"""``custserv review`` and ``custserv quiz`` driven in a pseudo-terminal, as a user would.

Each test starts the real program (``python -m custserv_cards``) in an 80x24 pseudo-terminal
with a temporary database, a pinned date and ``NO_COLOR``, presses keys, reads what is on
the screen (escape sequences removed) and then checks the database with sqlite3
(``ptyscreen``). The session's rules are tested without a terminal in test_session_engine.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

from ptyscreen import (  # noqa: E402
    ANSI,
    TODAY,
    Screen,
    card_fields,
    db,
    query,
    screens,
    start,
    template_db,
)

__all__ = ["db", "screens", "template_db"]  # fixtures


# --- review ---------------------------------------------------------------------------------


def test_review_reveal_grade_undo_and_quit(db: Path, screens: list[Screen]) -> None:
    screen = start(screens, db, "review", "--topic", "poor-service", "--mode", "flip")
    screen.wait(
        "0 done · 13 left today",
        "poor-service · list",
        "What four reasons make poor customer service happen?",
        "Space/Enter show the answer",
    )
    screen.press(" ")
    screen.wait(
        "The business promises too much",
        "External factors, such as supplier delays",
        "5 perfect",
        "0 complete blackout",
        "3 right, with difficulty · again today",
        "4 right, hesitated · in 1 day",
    )
    screen.press("2")
    # graded below 4 the card is not done: it comes back today, so it still counts as left
    screen.wait(
        "How does promising too much lead to poor customer service?",
        "0 done · 13 left today",
        "Graded 2: it comes back later today",
    )
    assert query(db, "SELECT card_id, grade, kind FROM reviews") == [
        ("poor-service-causes", 2, "learn")
    ]
    assert query(db, "SELECT again, last_day FROM state WHERE card_id = 'poor-service-causes'") == [
        (1, TODAY)
    ]

    screen.press("u")
    screen.wait("Undid grade 2 on poor-service-causes", "What four reasons", "0 done")
    assert query(db, "SELECT COUNT(*) FROM reviews") == [(0,)]
    assert query(db, "SELECT card_id, grade FROM undone_reviews") == [("poor-service-causes", 2)]
    assert query(db, "SELECT last_day, due FROM state WHERE card_id = 'poor-service-causes'") == [
        (None, None)
    ]

    screen.press("e")
    screen.wait("Source: 000_ecf73123d468c87f.txt, lines 40-44")
    screen.press(" ")
    screen.wait("The business promises too much")
    screen.press("5")
    screen.wait("How does promising too much", "1 done · 12 left today", "done for today")
    screen.press(" ")
    screen.wait("It raises customers' expectations")
    screen.press("4")
    screen.wait("How does poor communication lead to poor customer service?", "2 done")
    screen.press("q")
    screen.wait(
        "Session summary",
        "Cards answered 2 (2 answers)",
        "Right 2 of 2 (100%) at the first answer today: 2 with a 4 or 5",
        "Streak 1 day",
        "Due next tomorrow: 2",
    )
    assert screen.finish() == 0
    assert query(db, "SELECT card_id, grade, kind FROM reviews ORDER BY id") == [
        ("poor-service-causes", 5, "learn"),
        ("poor-service-promise-too-much", 4, "learn"),
    ]


def test_failed_card_comes_back_until_it_scores_four(db: Path, screens: list[Screen]) -> None:
    screen = start(screens, db, "review", "--topic", "poor-service", "--mode", "flip")
    screen.wait("What four reasons")
    screen.press(" ")
    screen.wait("The business promises too much")
    screen.press("1")
    screen.wait("How does promising", "it comes back later today")
    for prompt in ("", "How does poor communication", "What is poor management"):
        screen.wait(prompt)
        screen.press(" ")
        screen.wait("complete blackout")
        screen.press("5")
    screen.wait("What four reasons")  # back after three other cards
    screen.press(" ")
    screen.wait("The business promises too much")
    screen.press("3")
    screen.wait("right, with difficulty, so it comes back later today", "3 done · 10 left")
    screen.press("q")
    screen.wait(
        "Session summary",
        "Cards answered 4 (5 answers, 1 of them same-day repeats)",
        "Right 3 of 4 (75%)",
        "Still to repeat 1 card graded below 4 today",
    )
    assert screen.finish() == 0
    rows = query(
        db, "SELECT grade, kind FROM reviews WHERE card_id = 'poor-service-causes' ORDER BY id"
    )
    assert rows == [(1, "learn"), (3, "repeat")]
    assert query(
        db, "SELECT repetitions, interval, again FROM state WHERE card_id = 'poor-service-causes'"
    ) == [(0, 1, 1)]


def test_typed_list_answer_suspend_and_typo(db: Path, screens: list[Screen]) -> None:
    screen = start(screens, db, "review", "--topic", "poor-service", "--mode", "type")
    screen.wait("What four reasons", "an empty line ends.", "1.")
    for n, line in enumerate(("promising too much", "poor comunication", "pizza"), start=2):
        screen.type_line(line)
        screen.wait(f"{n}.")
    screen.type_line("")
    result = screen.wait(
        "✓ recalled The business promises too much",
        "✓ recalled Poor communication",
        "✗ missed Poor management",
        "✗ missed External factors, such as supplier delays",
        "? no match pizza",
        "Recalled 2 of 4.",
        "Enter accept 3 (suggested)",
    )
    assert "(you: poor comunication)" in result
    screen.press("\r")
    screen.wait("How does promising too much", "Answer:")
    assert query(db, "SELECT card_id, grade FROM reviews") == [("poor-service-causes", 3)]

    screen.type_line("")  # nothing typed: the answer is shown, a blackout suggested
    screen.wait("(nothing)", "Enter accept 0 (suggested)")
    screen.press("s")
    screen.wait("Suspended poor-service-promise-too-much", "How does poor communication")
    assert query(
        db, "SELECT suspended FROM state WHERE card_id = 'poor-service-promise-too-much'"
    ) == [(1,)]
    assert query(db, "SELECT COUNT(*) FROM reviews") == [(1,)]

    screen.wait("Answer:")
    screen.type_line(
        "The busines does not make its level of service clear, so customers may be dissapointed"
    )
    typo = screen.wait(
        "You typed",
        "Key ideas",
        "✓ found",
        "right (allowing for a small typo)",
        "Enter accept 4 (suggested)",
    )
    assert "The business does not make its level of service clear" in " ".join(typo.split())
    screen.press("\r")
    screen.wait("What is poor management")
    assert query(db, "SELECT card_id, grade FROM reviews ORDER BY id") == [
        ("poor-service-causes", 3),
        ("poor-service-communication", 4),
    ]
    screen.child.sendintr()  # Ctrl-C while a typed answer is awaited
    screen.wait("Interrupted; everything answered so far is saved.")
    assert screen.finish() == 130
    assert query(db, "SELECT COUNT(*) FROM reviews") == [(2,)]


def test_ctrl_c_and_sigterm_keep_every_answer(db: Path, screens: list[Screen]) -> None:
    screen = start(screens, db, "review", "--topic", "poor-service")
    screen.wait("What four reasons")
    screen.press(" ")
    screen.wait("complete blackout")
    screen.press("4")
    screen.wait("How does promising")
    screen.child.sendintr()
    screen.wait("Interrupted; everything answered so far is saved.")
    assert screen.finish() == 130
    assert query(db, "SELECT card_id, grade FROM reviews") == [("poor-service-causes", 4)]

    again = start(screens, db, "review", "--topic", "poor-service")
    again.wait("1 done · 12 left today", "How does promising")
    again.press(" ")
    again.wait("complete blackout")
    again.press("5")
    again.wait("How does poor communication")
    again.child.kill(signal.SIGTERM)
    again.wait("Interrupted")
    assert again.finish() == 130
    assert query(db, "SELECT COUNT(*) FROM reviews") == [(2,)]


def test_nothing_due_offers_new_cards_and_bury(db: Path, screens: list[Screen]) -> None:
    screen = start(screens, db, "review", "--topic", "staff-benefits", "--new", "0")
    screen.wait(
        "Nothing is due today in staff-benefits.",
        "No card is scheduled yet.",
        "n learn 10 extra new cards",
    )
    screen.press("n")
    screen.wait("0 done · 6 left today", "Space/Enter show the answer")
    screen.press("b")
    screen.wait(
        "Buried staff-serve-each-other until tomorrow (u brings it back)", "0 done · 5 left today"
    )
    assert query(db, "SELECT card_id, buried_until FROM state WHERE buried_until IS NOT NULL") == [
        ("staff-serve-each-other", "2026-11-24")
    ]
    screen.press(" ")
    screen.wait("complete blackout")
    screen.press("5")
    screen.wait("1 done · 4 left today")
    screen.press("q")
    screen.wait("Session summary", "Cards answered 1", "Due next tomorrow: 1")
    assert screen.finish() == 0
    assert query(db, "SELECT COUNT(*) FROM reviews WHERE kind = 'learn'") == [(1,)]


def test_due_reviews_come_first_and_a_leech_is_announced(db: Path, screens: list[Screen]) -> None:
    from custserv_cards.store import Store

    card = "poor-service-unreported"
    with Store.open(db) as store:  # seven lapses on seven days, then due today
        for day in range(14, 21):
            store.record_answer(card, 0, datetime.fromisoformat(f"2026-11-{day}T12:00"))
        assert store.card(card).state.lapses == 7
    screen = start(screens, db, "review", "--topic", "poor-service")
    screen.wait("Unhappy customers often do not [...] their problems")
    screen.press(" ")
    screen.wait("report", "without knowing why")
    screen.press("0")
    screen.wait("Leech: poor-service-unreported has now been forgotten 8 times")
    screen.press("q")
    summary = screen.wait("Session summary", "New leeches poor-service-unreported")
    assert "Streak" in summary
    assert screen.finish() == 0
    assert query(db, f"SELECT lapses FROM state WHERE card_id = '{card}'") == [(8,)]


# --- quiz -----------------------------------------------------------------------------------


def _shown_card(text: str, cards: dict[str, dict[str, Any]]) -> str:
    """Which card's front is on the screen."""
    flat = " ".join(text.replace("│", " ").split())
    for card_id, content in cards.items():
        fields = content["fields"]
        front = fields.get("prompt") or re.sub(r"\{\{.*?\}\}", "[...]", fields.get("text", ""))
        if " ".join(front.split()) in flat:
            return card_id
    raise AssertionError(f"no poor-service card on screen:\n{text}")


def _drill_rows(db: Path) -> list[tuple[Any, ...]]:
    return query(db, "SELECT card_id, kind FROM reviews ORDER BY id")


def test_quiz_flip(db: Path, screens: list[Screen]) -> None:
    cards = card_fields(db, "poor-service")
    before = query(db, "SELECT * FROM state ORDER BY card_id")
    screen = start(screens, db, "quiz", "--topic", "poor-service", "--count", "3", "--seed", "7")
    seen = []
    for number, grade in ((1, "5"), (2, "1"), (3, "4")):
        shown = screen.wait(f"Drill · card {number} of 3", "Space/Enter show the answer")
        seen.append(_shown_card(shown, cards))
        screen.press(" ")
        screen.wait("complete blackout")
        screen.press(grade)
    screen.wait("Drill finished", "Score: 2 of 3 (67%)", "Missed:", seen[1], "schedule as it was")
    assert screen.finish() == 0
    assert _drill_rows(db) == [(card_id, "drill") for card_id in seen]
    assert query(db, "SELECT * FROM state ORDER BY card_id") == before

    # The same seed gives the same cards.
    replay = start(screens, db, "quiz", "-t", "poor-service", "-n", "3", "--seed", "7")
    first = replay.wait("Drill · card 1 of 3", "Space/Enter show the answer")
    assert _shown_card(first, cards) == seen[0]
    replay.press("q")
    replay.wait("Score: 0 of 0")
    assert replay.finish() == 0


def test_quiz_type_records_with_record(db: Path, screens: list[Screen]) -> None:
    cards = card_fields(db, "poor-service")
    screen = start(
        screens,
        db,
        "quiz",
        "--topic",
        "poor-service",
        "--mode",
        "type",
        "--count",
        "2",
        "--seed",
        "3",
        "--record",
    )
    seen = []
    for number in (1, 2):
        shown = screen.wait(f"Drill · card {number} of 2", "Ctrl-D quits.")
        card_id = _shown_card(shown, cards)
        seen.append(card_id)
        fields = cards[card_id]["fields"]
        kind = cards[card_id]["kind"]
        if kind == "list":
            for item in fields["items"]:
                screen.type_line(item.upper())
            screen.type_line("")
        elif kind == "cloze":
            for blank in re.findall(r"\{\{(.*?)\}\}", fields["text"]):
                screen.type_line(blank.strip() + "!")
        else:
            screen.type_line(fields["answer"].lower())
        screen.wait("Enter accept 5 (suggested)")
        screen.press("\r")
    screen.wait("Score: 2 of 2 (100%)", "Nothing missed.", "These answers counted as reviews.")
    assert screen.finish() == 0
    assert query(db, "SELECT card_id, grade, kind FROM reviews ORDER BY id") == [
        (card_id, 5, "learn") for card_id in seen
    ]


def test_quiz_choice(db: Path, screens: list[Screen]) -> None:
    cards = card_fields(db, "poor-service")
    screen = start(
        screens, db, "quiz", "--topic", "poor-service", "--mode", "choice", "-n", "4", "--seed", "1"
    )
    seen = []
    for number in range(1, 5):
        shown = screen.wait(f"Drill · card {number} of 4", "1-4 choose")
        card_id = _shown_card(shown, cards)
        seen.append(card_id)
        options = dict(re.findall(r"([1-4])\) (.+)", shown))
        assert len(options) == 4, shown
        content = cards[card_id]
        fields = content["fields"]
        if content["kind"] == "list":
            right = {" ".join(i.split())[:40] for i in fields["items"]}
        elif content["kind"] == "cloze":
            right = {" / ".join(b.strip() for b in re.findall(r"\{\{(.*?)\}\}", fields["text"]))}
        else:
            right = {" ".join(fields["answer"].split())[:40]}
        key = next(k for k, v in options.items() if any(v.strip().startswith(r) for r in right))
        # The first card is answered wrongly on purpose, the others rightly.
        pick = key if number > 1 else next(k for k in options if k != key)
        screen.press(pick)
        screen.wait("Right." if number > 1 else "Not quite: the answer is", "next card")
        screen.press(" ")
    screen.wait("Score: 3 of 4 (75%)", "Missed:", seen[0])
    assert screen.finish() == 0
    assert query(db, "SELECT card_id, grade, kind FROM reviews ORDER BY id") == [
        (seen[0], 1, "drill"),
        *((card_id, 4, "drill") for card_id in seen[1:]),
    ]


# --- the same marking as 'custserv check' -----------------------------------------------------

# What is typed for each card: right, wrong numbers, ranges in words, a list with an opposite
# and a repeat, a long answer with one key idea of two.
TYPED = {
    "complaints-tell-unresolved": ["nine or ten"],
    "complaints-tell-resolved": ["6"],
    "complaints-unreported": ["20"],
    "complaints-replace-vs-retain": ["five to ten times"],
    "complaints-time-split": ["ninety-five per cent"],
    "app-complaints-unreported-estimate": ["about two hundred"],
    "app-complaints-unreported-sales": ["customers don't report problems so sales are lost"],
    "poor-service-causes": [
        "promising too much",
        "good communication",
        "poor management",
        "poor management",
    ],
    "poor-service-promise-too-much": ["it raises customers' expectations"],
    "poor-service-communication": ["customers are disappointed"],
    "poor-service-management": ["the business does not manage its resources properly"],
}
SUGGESTED = re.compile(r"Enter accept (\d) \(suggested\)")


def _answer_typed(screen: Screen, card_id: str, kind: str) -> int:
    """Type the card's answer from TYPED; the grade the session suggests (then accepted)."""
    for line in TYPED[card_id]:
        screen.type_line(line)
    if kind == "list":
        screen.type_line("")
    shown = screen.wait("(suggested)")
    found = SUGGESTED.findall(shown)
    assert found, shown
    screen.press("\r")
    return int(found[-1])


def _check_grade(db: Path, card_id: str) -> int:
    result = _run(db, "check", card_id, "\n".join(TYPED[card_id]), "--json")
    assert result.returncode == 0, result
    return int(json.loads(result.stdout)["grade"])


def test_quiz_and_review_suggest_the_grade_check_gives(db: Path, screens: list[Screen]) -> None:
    cards = card_fields(db, "complaint-facts")
    assert set(cards) <= set(TYPED), "give TYPED an answer for each card of the topic"
    count = len(cards)
    screen = start(
        screens, db, "quiz", "--topic", "complaint-facts", "--mode", "type", "-n", str(count)
    )
    suggested: dict[str, int] = {}
    for number in range(1, count + 1):
        shown = screen.wait(f"Drill · card {number} of {count}", "Ctrl-D quits.")
        card_id = _shown_card(shown, cards)
        suggested[card_id] = _answer_typed(screen, card_id, cards[card_id]["kind"])
    screen.wait("Score:")
    assert screen.finish() == 0
    review_cards = card_fields(db, "poor-service")
    review = start(screens, db, "review", "--topic", "poor-service", "--mode", "type")
    for _ in range(4):
        shown = review.wait("Ctrl-D quits.")
        card_id = _shown_card(shown, review_cards)
        suggested[card_id] = _answer_typed(review, card_id, review_cards[card_id]["kind"])
    review.wait("Ctrl-D quits.")
    review.press("\x04")  # Ctrl-D at the next card's answer
    assert review.finish() == 0
    assert set(suggested) == set(TYPED)
    assert suggested == {card_id: _check_grade(db, card_id) for card_id in suggested}
    # The sessions recorded the grades they suggested.
    recorded = dict(query(db, "SELECT card_id, grade FROM reviews"))
    assert recorded == suggested
    assert 0 < sum(g >= 3 for g in suggested.values()) < len(suggested)


# --- refusals -------------------------------------------------------------------------------


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSTSERV_DB": str(db), "CUSTSERV_NOW": TODAY, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "custserv_cards", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )


@pytest.mark.parametrize("command", [["review"], ["quiz", "--topic", "poor-service"]])
def test_no_terminal_is_a_usage_error(db: Path, command: list[str]) -> None:
    result = _run(db, *command)
    assert result.returncode == 2, result
    assert "needs a terminal" in result.stderr
    assert "custserv grade CARD_ID GRADE" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_topic_suggests_the_closest(db: Path) -> None:
    result = _run(db, "quiz", "--topic", "poor-servce")
    assert result.returncode == 2, result
    assert "unknown topic 'poor-servce'" in result.stderr
    assert "did you mean 'poor-service'?" in result.stderr
    assert "staff-benefits" in result.stderr
    bad_mode = _run(db, "quiz", "--topic", "poor-service", "--mode", "guess")
    assert bad_mode.returncode == 2
    assert "--mode must be one of flip, type, choice" in bad_mode.stderr
    assert query(db, "SELECT COUNT(*) FROM reviews") == [(0,)]


# --- narrow terminals, keys help, weakest cards -------------------------------------------------


def test_at_40_columns_every_grade_key_shows_what_it_does(db: Path, screens: list[Screen]) -> None:
    screen = start(screens, db, "review", "--topic", "poor-service", size=(40, 24))
    screen.wait("Review · 0 done · 13 left", "░░░░", "What four reasons")
    screen.press(" ")
    shown = screen.wait(
        "5 perfect · in 1 day",
        "4 right, hesitated · in 1 day",
        "3 right, with difficulty · again today",
        "2 wrong, looked easy · again today",
        "1 wrong, recognised · again today",
        "0 complete blackout · again today",
        "u undo",
    )
    assert all(len(line) <= 40 for line in shown.splitlines()), shown
    screen.press("?")
    screen.wait("Keys", "undo the last grade, s or b", "5 perfect · in 1 day")
    screen.press("x")  # closes the help
    screen.wait("5 perfect · in 1 day")
    screen.press("4")
    screen.wait("Graded 4: done for today; next tomorrow.", "1 done · 12 left", "█")
    screen.press("q")
    assert screen.finish() == 0


def test_quiz_weakest(db: Path, screens: list[Screen]) -> None:
    from custserv_cards.store import Store

    with Store.open(db) as store:
        for day, grades in ((20, (5, 0, 4)), (21, (5, 0, 1))):
            cards = ("def-customer", "def-kpi", "poor-service-causes")
            for card, grade in zip(cards, grades, strict=True):
                store.record_answer(card, grade, datetime.fromisoformat(f"2026-11-{day}T12:00"))
    screen = start(screens, db, "quiz", "--weakest", "2")
    screen.wait("Drill · card 1 of 2", "weakest cards · flip · schedule unchanged", "KPI")
    screen.press(" ")
    screen.wait("complete blackout")
    screen.press("1")
    screen.wait("card 2 of 2", "What four reasons")
    screen.press(" ")
    screen.wait("complete blackout")
    screen.press("5")
    screen.wait("Score: 1 of 2 (50%)", "def-kpi")
    assert screen.finish() == 0
    assert query(db, "SELECT card_id FROM reviews WHERE kind = 'drill' ORDER BY id") == [
        ("def-kpi",),
        ("poor-service-causes",),
    ]


def test_quiz_weakest_refusals(db: Path) -> None:
    nothing = _run(db, "quiz", "--weakest")
    assert nothing.returncode == 1, nothing
    assert "none is weak" in nothing.stderr and len(nothing.stderr.strip().splitlines()) == 1
    stray = _run(db, "quiz", "5", "--topic", "poor-service")
    assert stray.returncode == 2, stray
    assert "the number 5 goes with --weakest" in stray.stderr


@pytest.mark.parametrize("size", [(80, 24), (40, 24)], ids=["80x24", "40x24"])
def test_keys_help_a_three_and_undo_of_a_suspension(
    db: Path, screens: list[Screen], size: tuple[int, int]
) -> None:
    screen = start(screens, db, "review", "--topic", "poor-service", size=size)
    screen.wait("0 done · 13 left", "░", "What four reasons")
    screen.press("?")
    screen.wait("Keys", "undo the last grade, s or b", "bury until tomorrow", "again today")
    screen.press(" ")  # closes the help only
    screen.wait("Space/Enter show the answer")
    screen.press(" ")
    screen.wait("3 right, with difficulty · again today")
    screen.press("3")
    screen.wait("Graded 3: right, with difficulty, so it comes back later today", "0 done · 13")
    assert query(db, "SELECT card_id, grade FROM reviews") == [("poor-service-causes", 3)]
    screen.press("s")
    screen.wait("u brings it back")
    suspended = query(db, "SELECT card_id FROM state WHERE suspended = 1")
    assert len(suspended) == 1
    screen.press("u")
    screen.wait(f"Undid the suspension of {suspended[0][0]}")
    assert query(db, "SELECT COUNT(*) FROM state WHERE suspended = 1") == [(0,)]
    assert query(db, "SELECT card_id, grade FROM reviews") == [("poor-service-causes", 3)]
    screen.press("q")
    screen.wait("Session summary", "Still to repeat")
    assert screen.finish() == 0


def _frame(screen: Screen) -> list[str]:
    """The lines of the last screen drawn (after its clear-screen), as the terminal has them."""
    raw = screen.raw
    last = max(raw.rfind("\x1b[2J"), raw.rfind("\x1b[H"))
    return ANSI.sub("", raw[last:]).rstrip("\n").split("\n")


@pytest.mark.parametrize("size", [(80, 24), (40, 24)], ids=["80x24", "40x24"])
def test_a_long_answer_keeps_the_header_and_question_on_screen(
    db: Path, screens: list[Screen], size: tuple[int, int]
) -> None:
    screen = start(screens, db, "review", "--topic", "glossary", size=size)
    screen.wait("Review · 0 done", "What is customer service?")
    screen.press(" ")
    screen.wait("Service to customers before, during and after a purchase.", "again today")
    screen.wait("quit")
    frame = _frame(screen)
    width, height = size
    assert len(frame) <= height - 1, "\n".join(frame)
    assert max(len(line) for line in frame) <= width, "\n".join(frame)
    assert frame[0].startswith("Review · 0 done"), "\n".join(frame)
    text = " ".join(" ".join(frame).replace("│", " ").split())
    assert "What is customer service?" in text
    assert text.count("again today") == 4 and text.count("in 1 day") == 2, text
    screen.press("5")
    screen.wait("Graded 5: done for today")
    screen.press("q")
    assert screen.finish() == 0


def test_a_cards_reverse_waits_until_every_other_card_is_done(
    db: Path, screens: list[Screen]
) -> None:
    screen = start(screens, db, "review", "--topic", "crm-and-retention", size=(40, 24))
    screen.wait("0 done · 13 left")
    for done in range(1, 13):
        screen.wait("Space/Enter show the answer")
        screen.press(" ")
        screen.wait("again today")  # the grade keys
        screen.press("5")
        screen.wait(f"{done} done · {13 - done} left")
    answered = [card for (card,) in query(db, "SELECT card_id FROM reviews ORDER BY id")]
    assert "def-crm" in answered and "def-crm:reverse" not in answered
    assert "reverse" not in screen.text.split("12 done")[0]  # never shown before now
    screen.wait("crm-and-retention · reverse", "What is the use of technology to organise")
    screen.press("q")
    assert screen.finish() == 0
