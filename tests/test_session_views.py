"""The session's screens as drawn for a terminal of a given size, without a terminal: the
engine's screens rendered by ``views.View`` on a rich console of that size. Every screen fits
(no line wider than the terminal, no screen taller, so the header and the question never
scroll away), names are never cut, and what is shortened ends after a whole word. The whole
loop in a real pseudo-terminal is in test_session_pty.py."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import write_deck

from custserv_cards.keys import SPACE
from custserv_cards.render import clip, pack
from custserv_cards.session import (
    Phase,
    QuizEngine,
    QuizOptions,
    ReviewEngine,
    ReviewOptions,
    Screen,
)
from custserv_cards.store import Store
from custserv_cards.sync import sync_paths
from custserv_cards.views import View

NOW = datetime(2026, 11, 23, 12, 0).astimezone()
TOPIC = "expectations-and-satisfaction-cases"  # longer than a 40-column border allows
EXTRA = " ".join(["The notes describe the same thing from different angles."] * 8)
DECK = f"""\
topic: {TOPIC}
title: Views
description: Cards for the view tests.
cards:
""" + "".join(
    f"  - id: customer-expectations-card-number-{n}\n    kind: basic\n"
    f"    prompt: What does a customer expect in case {n}?\n"
    f"    answer: To be kept informed of developments.\n    extra: {EXTRA}\n"
    f"    source: 000_notes.txt:{n}\n"
    for n in range(1, 4)
)
SIZES = [(80, 24), (40, 24)]
CUT_MID_WORD = re.compile(r"\w…")


def clock() -> datetime:
    return NOW


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    write_deck(tmp_path / "decks", TOPIC, DECK)
    with Store.open(tmp_path / "custserv.db") as opened:
        sync_paths(opened, [tmp_path / "decks"])
        yield opened


def draw(screen: Screen, size: tuple[int, int]) -> list[str]:
    """The lines a terminal of ``size`` shows for ``screen``."""
    from rich.console import Console

    width, height = size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    for part in View(console).fit(screen):
        if part is not None:
            console.print(part)
    return console.export_text().splitlines()


def fits(lines: list[str], size: tuple[int, int]) -> None:
    width, height = size
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= width, text
    assert len(lines) <= height - 1, f"{len(lines)} lines on a {height}-line terminal:\n{text}"
    assert not CUT_MID_WORD.search(text), f"cut inside a word:\n{text}"


def flat(lines: list[str]) -> str:
    return " ".join(" ".join(lines).replace("│", " ").split())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "40x24"])
def test_every_review_screen_fits_with_the_header_and_the_question_on_it(
    store: Store, size: tuple[int, int]
) -> None:
    engine = ReviewEngine(store, ReviewOptions(topics=(TOPIC,)), clock)
    screens = {"front": engine.start()}
    screens["answer"] = engine.press(SPACE)
    screens["help"] = engine.press("?")
    engine.press("x")  # closes the help
    screens["graded 3"] = engine.press("3")
    engine.press(SPACE)
    engine.press("5")
    screens["summary"] = engine.press("q")
    for name, screen in screens.items():
        lines = draw(screen, size)
        fits(lines, size)
        text = flat(lines)
        if name != "summary":
            assert lines[0].startswith("Review · "), f"{name}: header gone\n" + "\n".join(lines)
            assert TOPIC in text, f"{name}: topic cut\n" + "\n".join(lines)
            assert "What does a customer expect in case" in text, name
    answer = flat(draw(screens["answer"], size))
    assert "To be kept informed of developments." in answer
    for grade, label in ((5, "in 1 day"), (4, "in 1 day"), (3, "again today"), (0, "again today")):
        assert re.search(rf"\b{grade} (\D+ · )?{label}", answer), (grade, answer)
    assert "Graded 3: right, with difficulty, so it comes back later today" in flat(
        draw(screens["graded 3"], size)
    )
    summary = flat(draw(screens["summary"], size))
    assert "Still to repeat" in summary and "1 card graded below 4 today" in summary


def test_a_long_extra_note_is_cut_after_a_word_only_when_the_screen_is_too_tall(
    store: Store,
) -> None:
    engine = ReviewEngine(store, ReviewOptions(topics=(TOPIC,)), clock)
    engine.start()
    answer = engine.press(SPACE)
    tall = flat(draw(answer, (40, 60)))
    assert EXTRA in tall and "…" not in tall  # room enough: nothing squeezed
    assert "complete blackout" in tall and "? keys" in tall and "u undo" in tall
    short = flat(draw(answer, (40, 24)))
    assert "…" in short and EXTRA not in short
    assert "u undo" not in short and "? keys q quit" in short  # the short keys line


def test_the_keys_help_fits_its_grade_keys_inside_its_frame_at_80_columns(store: Store) -> None:
    engine = ReviewEngine(store, ReviewOptions(topics=(TOPIC,)), clock)
    engine.start()
    lines = draw(engine.press("?"), (80, 24))
    fits(lines, (80, 24))
    text = flat(lines)
    assert "…" not in text
    assert text.count("again today") == 4 and text.count("in 1 day") == 2
    assert "right, with difficulty · again today" in text


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "40x24"])
def test_a_drill_never_cuts_its_header_topics_or_missed_ids(
    store: Store, size: tuple[int, int]
) -> None:
    options = QuizOptions(topics=(TOPIC,), count=3, mode="flip", seed=1)
    engine = QuizEngine(store, options, clock)
    first = engine.start()
    lines = draw(first, size)
    fits(lines, size)
    text = flat(lines)
    assert lines[0].startswith("Drill · card 1 of 3")
    if size[0] >= 60:  # where and how: on the header's second line, whole
        assert f"{TOPIC} · flip · schedule unchanged" in text
    screen = first
    while screen.phase != Phase.END:
        engine.press(SPACE)
        screen = engine.press("1")
    lines = draw(screen, size)
    fits(lines, size)
    text = flat(lines)
    assert "Score: 0 of 3 (0%)" in text
    for n in range(1, 4):
        assert f"customer-expectations-card-number-{n}" in text.split(), text


def test_clip_cuts_after_a_whole_word_and_pack_between_facts() -> None:
    assert clip("Customer service is how a business looks", 20) == "Customer service …"
    assert clip("short enough", 20) == "short enough"
    assert clip("Unbreakableword", 8) == "Unbreak…"  # one word wider than the room
    for width in range(len("Customer …"), 60):
        clipped = clip("Customer service means identifying and satisfying needs", width)
        assert len(clipped) <= width and not CUT_MID_WORD.search(clipped), (width, clipped)
    assert pack(["Drill", "card 1 of 10", "0 right", "under 1 min"], 30) == [
        "Drill · card 1 of 10 · 0 right",
        "under 1 min",
    ]


@pytest.mark.parametrize("width", [80, 40])
def test_the_summarys_days_ahead_break_between_days_never_inside_one(width: int) -> None:
    from datetime import date, timedelta

    from rich.console import Console

    from custserv_cards.session import Summary

    today = date(2026, 11, 24)
    coming = [(today + timedelta(days=n), n) for n in (1, 6, 7, 9, 13)]
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(View(console).summary_panel(Summary(today=today, coming=coming)))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= width
    for day in ("tomorrow: 1", "Mon 30 Nov: 6", "Tue 1 Dec: 7", "Thu 3 Dec: 9", "Mon 7 Dec: 13"):
        assert any(day in line for line in lines), (day, "\n".join(lines))


def test_a_keys_line_breaks_between_keys() -> None:
    from rich.console import Console

    console = Console(width=40, file=io.StringIO(), record=True, color_system=None)
    keys = (("n", "learn 10 extra new cards"), ("u", "undo the last action"), ("q", "quit"))
    console.print(View(console).keys_line(*keys))
    assert console.export_text().splitlines() == [
        "n learn 10 extra new cards",
        "u undo the last action   q quit",
    ]


KINDS = f"""\
topic: marked-answers
title: Kinds
description: A cloze and a list with long text, for the typed screens.
cards:
  - id: long-cloze
    kind: cloze
    text: Customer service is the part of a business's activities concerned with meeting
      customers' needs {{{{as fully as possible}}}}, before, during and after a purchase.
    extra: {EXTRA}
    source: 000_notes.txt:1
  - id: long-list
    kind: list
    prompt: What four reasons make poor customer service happen?
    items:
      - The business promises too much
      - Poor communication
      - Poor management
      - External factors, such as supplier delays
    source: 000_notes.txt:2-6
"""


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "40x24"])
def test_marked_typed_answers_fit_and_list_items_wrap_beside_their_marks(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    write_deck(tmp_path / "decks", "marked-answers", KINDS)
    with Store.open(tmp_path / "custserv.db") as store:
        sync_paths(store, [tmp_path / "decks"])
        options = ReviewOptions(topics=("marked-answers",), mode="type")
        engine = ReviewEngine(store, options, clock)
        assert engine.start().phase == Phase.TYPING
        marked = {"cloze": engine.typed(["meeting needs"])}
        engine.press("1")
        marked["list"] = engine.typed(["poor management", "rude staff"])
    for kind, screen in marked.items():
        assert screen.phase == Phase.MARKED, kind
        lines = draw(screen, size)
        fits(lines, size)
        assert lines[0].startswith("Review · 0 done"), "\n".join(lines)
        text = flat(lines)
        assert "Enter accept 1 (suggested)" in text or "Enter accept 2 (suggested)" in text
        assert "again today" in text
    lines = draw(marked["list"], size)
    items = [n for n, line in enumerate(lines) if "✗ missed" in line or "✓ recalled" in line]
    assert len(items) == 4
    wrapped = 0
    for n in items:  # a wrapped item continues under its text, never under the mark
        follow = lines[n + 1].lstrip("│ ")
        if follow[:1] in ("✗", "✓", "~", "?", "=") or follow.startswith("Recalled"):
            continue
        wrapped += 1
        indent = len(lines[n + 1]) - len(lines[n + 1].lstrip("│ "))
        assert indent >= len("│ ✓ recalled "), "\n".join(lines)
    assert wrapped or size[0] > 40  # at 40 columns the longest item does wrap


@pytest.mark.parametrize("width", [80, 40])
def test_the_suggested_grade_is_marked_without_passing_the_width(store: Store, width: int) -> None:
    from rich.console import Console

    engine = ReviewEngine(store, ReviewOptions(topics=(TOPIC,)), clock)
    engine.start()
    outcomes = engine.press(SPACE).outcomes
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    for suggested in range(6):
        console.print(View(console).grade_legend(outcomes, suggested))
        lines = console.export_text().splitlines()
        assert len(lines) == (3 if width >= 60 else 6), lines  # no mark wrapped alone
        assert max(len(line) for line in lines) <= width
        marked = [line for line in lines if "◀" in line or f"▶{suggested} " in line]
        assert len(marked) == 1 and f"{suggested}  " in marked[0].replace("▶", " "), lines
