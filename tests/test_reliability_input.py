"""Hostile deck folders and card text: bidi and zero-width characters are shown, not obeyed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Run, write_deck

# Right-to-left override, isolates, zero-width space and joiner, word joiner, BOM, a tag char
INVISIBLE = "\u202e\u2066\u2069\u200b\u200d\u2060\ufeff\U000e0041"
RAW_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)

BIDI_DECK = """\
topic: bidi
title: Bidi
description: Text that tries to reorder itself.
cards:
  - id: bidi-card
    kind: basic
    prompt: "Refund \\u202eowed\\u202c to the customer\\u200b\\ufeff"
    answer: "Yes\\u2066 no\\u2069"
    source: 000_notes.txt:1
"""


def test_printable_shows_invisible_format_characters() -> None:
    from custserv_cards.render import printable

    shown = printable(f"Q{INVISIBLE}end é ü 👍")
    assert not RAW_INVISIBLE.search(shown)
    assert shown == ("Q\\u202e\\u2066\\u2069\\u200b\\u200d\\u2060\\ufeff\\U000e0041end é ü 👍")


def test_json_text_escapes_them_and_reads_back_the_same() -> None:
    from custserv_cards.render import json_text

    data = {"prompt": f"Q{INVISIBLE}\x9b31m é"}
    text = json_text(data)
    assert not RAW_INVISIBLE.search(text) and "\x9b" not in text
    assert "\\u202e" in text and "é" in text
    assert json.loads(text) == data


@pytest.fixture
def bidi(cli: Run, tmp_path: Path) -> Run:
    deck = write_deck(tmp_path / "decks", "bidi", BIDI_DECK)
    assert cli("decks", "sync", str(deck)).code == 0
    return cli


def test_card_show_shows_bidi_overrides_escaped(bidi: Run) -> None:
    result = bidi("card", "show", "bidi-card")
    assert result.code == 0, result
    assert not RAW_INVISIBLE.search(result.out), repr(result.out)
    assert "Refund \\u202eowed\\u202c to the customer\\u200b\\ufeff" in result.out
    assert "Yes\\u2066 no\\u2069" in result.out


def test_card_show_json_keeps_bidi_text_exactly(bidi: Run) -> None:
    result = bidi("card", "show", "bidi-card", "--json")
    assert not RAW_INVISIBLE.search(result.out), repr(result.out)
    fields = json.loads(result.out)["fields"]
    assert fields["prompt"] == "Refund \u202eowed\u202c to the customer\u200b\ufeff"


def test_topics_and_stats_show_bidi_titles_escaped(cli: Run, tmp_path: Path) -> None:
    deck = BIDI_DECK.replace("title: Bidi", 'title: "Bidi \\u202eeltit"')
    write_deck(tmp_path / "decks", "bidi", deck)
    assert cli("decks", "sync", str(tmp_path / "decks")).code == 0
    assert cli("grade", "bidi-card", "0", now="2026-01-10").code == 0
    for args in (("topics",), ("topics", "--json"), ("stats",), ("stats", "--json")):
        result = cli(*args, now="2026-01-10")
        assert result.code == 0, result
        assert not RAW_INVISIBLE.search(result.out), (args, repr(result.out))
