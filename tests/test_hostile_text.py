"""Hostile card text reaches the terminal as text: escape sequences are shown, never obeyed.

(The HTML report's escaping is tested with the report.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import Run, write_deck

# ESC (clear screen, set the title), BEL, a C1 control (CSI), DEL, and a backspace trick
ESCAPES = ["\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\x7f", "\x08\x08\x08"]
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

DECK = """\
topic: hostile
title: "Hostile \\e]0;owned\\a <script>alert(1)</script>"
description: "Cards whose text tries to take over the screen \\e[2J"
cards:
  - id: hostile-card
    kind: basic
    prompt: "<script>alert('x')</script> <img src=x onerror=alert(1)> \\e[2J\\e[H"
    answer: "Plain \\e]0;owned\\a answer \\x9b31m red \\x7f \\b\\b\\b"
    source: 000_notes.txt:1
  - id: hostile-cloze
    kind: cloze
    text: "The {{\\e[5mblinking}} blank"
    source: 000_notes.txt:2
"""


def _synced(cli: Run, tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "hostile", DECK)
    result = cli("decks", "sync", str(deck))
    assert result.code == 0, result


def _no_raw_controls(text: str) -> None:
    assert not RAW_CONTROL.search(text), repr(text)


def test_card_show_prints_escapes_as_text(cli: Run, tmp_path: Path) -> None:
    _synced(cli, tmp_path)
    result = cli("card", "show", "hostile-card")
    assert result.code == 0, result
    _no_raw_controls(result.out)
    assert "<script>alert('x')</script>" in result.out
    assert "onerror=alert(1)" in result.out
    assert "\\x1b[2J" in result.out and "\\x07" in result.out and "\\x9b31m" in result.out


def test_card_show_json_keeps_the_text_exactly(cli: Run, tmp_path: Path) -> None:
    _synced(cli, tmp_path)
    result = cli("card", "show", "hostile-card", "--json")
    assert result.code == 0, result
    assert "\x1b" not in result.out  # JSON escapes control characters
    fields = json.loads(result.out)["fields"]
    assert fields["prompt"].endswith("\x1b[2J\x1b[H")
    assert "\x1b]0;owned\x07" in fields["answer"]


def test_topics_prints_a_hostile_title_as_text(cli: Run, tmp_path: Path) -> None:
    _synced(cli, tmp_path)
    result = cli("topics")
    assert result.code == 0, result
    _no_raw_controls(result.out)
    assert "<script>alert(1)</script>" in result.out
    assert "\\x1b]0;owned\\x07" in result.out


def test_errors_show_hostile_input_as_text(cli: Run, tmp_path: Path) -> None:
    _synced(cli, tmp_path)
    for args in (
        ["grade", "no-such\x1b]0;owned\x07card", "4"],
        ["card", "show", "\x1b[2Jgone"],
        ["suspend", "\x9b31mred"],
    ):
        result = cli(*args)
        assert result.code == 1, (args, result)
        _no_raw_controls(result.err)
        assert result.err.startswith("custserv: no card with id"), result.err
        assert "\\x" in result.err


def test_a_deck_error_message_shows_hostile_text_as_text(cli: Run, tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path / "decks",
        "bad-hostile",
        DECK.replace("topic: hostile", "topic: bad-hostile").replace(
            "kind: cloze", 'kind: "\\e[2Jcloze"'
        ),
    )
    result = cli("decks", "validate", str(deck))
    assert result.code == 1
    _no_raw_controls(result.err)
    assert "unknown kind '\\x1b[2Jcloze'" in result.err


def test_control_characters_in_the_database_are_not_obeyed_either(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    """Text that reached the database another way (an old version, an edit) is made safe
    when shown, not only when loaded."""
    import sqlite3

    _synced(cli, tmp_path)
    conn = sqlite3.connect(db_path)
    for escape in ESCAPES:
        conn.execute(
            "UPDATE cards SET content = json_set(content, '$.fields.answer', ?) "
            "WHERE id = 'hostile-card'",
            (f"answer {escape} end",),
        )
        conn.commit()
        result = cli("card", "show", "hostile-card")
        assert result.code == 0, result
        _no_raw_controls(result.out)
        assert "answer \\x" in result.out and " end" in result.out
    conn.close()
