"""Hostile card text and deck folders: bidi and zero-width characters are shown, not obeyed;
symlink loops, FIFOs and devices are refused; upper-case extensions are read; a deck cannot
take over another deck's card by reusing its id or topic."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run, dump, write_deck

from custserv_cards.paths import bundled_decks_dir

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


def test_a_review_session_shows_bidi_and_zero_width_characters_escaped(
    bidi: Run, db_path: Path
) -> None:
    """The session draws the card through the same escaping as ``card show``: the terminal
    never receives a raw override, isolate, zero-width space or byte-order mark."""
    pytest.importorskip("pexpect")
    from ptyscreen import Screen

    screen = Screen(db_path, "review", "--topic", "bidi")
    try:
        screen.wait("Refund \\u202eowed\\u202c to the customer\\u200b\\ufeff", "Space/Enter")
        screen.press(" ")
        screen.wait("Yes\\u2066 no\\u2069")
        screen.press("q")
        assert screen.finish() == 0
    finally:
        if screen.child.isalive():
            screen.child.terminate(force=True)
    assert not RAW_INVISIBLE.search(screen.raw), repr(screen.raw)


# --- hostile deck folders ----------------------------------------------------------------

CONC = """\
topic: {topic}
title: {topic}
description: A small deck.
cards:
  - id: {card}
    kind: basic
    prompt: What does {card} mean?
    answer: It means {card}.
    source: notes.txt:1
"""


def _deck(folder: Path, topic: str, card: str, suffix: str = ".yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{topic}{suffix}"
    path.write_text(CONC.format(topic=topic, card=card), encoding="utf-8")
    return path


def _custserv(args: list[str], db: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process (so that a hang is a timeout, and memory
    is limited to 1 GB: an unbounded read fails instead of swapping)."""

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "CUSTSERV_DB": str(db), "NO_COLOR": "1"}
    env.pop("CUSTSERV_NOW", None)
    return subprocess.run(
        [sys.executable, "-m", "custserv_cards", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
    )


def _hostile_folder(tmp_path: Path, make: str) -> tuple[Path, list[str]]:
    folder = tmp_path / "decks"
    _deck(folder, "conc", "c1")
    if make == "loop":
        (folder / "b.yaml").symlink_to("a.yaml")
        (folder / "a.yaml").symlink_to("b.yaml")
        return folder, ["a.yaml:1: is a symbolic link that leads back to itself", "b.yaml:1"]
    if make == "self-loop":
        (folder / "self.yaml").symlink_to("self.yaml")
        return folder, ["self.yaml:1: is a symbolic link that leads back to itself"]
    if make == "fifo":
        os.mkfifo(folder / "pipe.yaml")
        return folder, ["pipe.yaml:1: is a FIFO (named pipe), not a deck file"]
    (folder / "zero.yaml").symlink_to("/dev/zero")
    return folder, ["zero.yaml:1: is a character device, not a deck file"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX special files")
@pytest.mark.parametrize("make", ["loop", "self-loop", "fifo", "dev-zero"])
@pytest.mark.parametrize("command", ["validate", "sync"])
def test_hostile_folder_entries_are_refused_in_one_line_each(
    tmp_path: Path, make: str, command: str
) -> None:
    """Symlink loops, FIFOs and a link to /dev/zero: a file:line message each, exit 1, no
    hang, no traceback, no unbounded read, and the database as it was."""
    db = tmp_path / "c.db"
    assert _custserv(["topics"], db).returncode == 0
    before = dump(db)
    folder, expected = _hostile_folder(tmp_path, make)
    result = _custserv(["decks", command, str(folder)], db, timeout=30)
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), result.stderr
    for line, text in zip(lines, expected, strict=True):
        assert line.startswith(f"custserv: {folder}/") and text in line, result.stderr
    assert dump(db) == before


def test_deck_reads_stop_one_byte_past_the_limit(tmp_path: Path) -> None:
    from custserv_cards.paths import read_deck_bytes

    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(1 << 33)  # 8 GB, sparse: reading it whole would exhaust memory
    assert len(read_deck_bytes(huge, 1000)) == 1001


def test_a_huge_deck_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    _deck(folder, "conc", "c1")
    with (folder / "huge.yaml").open("wb") as handle:
        handle.truncate(1 << 33)
    db = tmp_path / "c.db"
    for command in ("validate", "sync"):
        result = _custserv(["decks", command, str(folder)], db)
        assert result.returncode == 1, result
        assert "huge.yaml:1: the file is 8,589,934,592 bytes, more than a deck may be" in (
            result.stderr
        )


@pytest.mark.parametrize("suffixes", [(".YAML", ".YML"), (".Yaml", ".yml")])
def test_upper_case_deck_extensions_are_read(
    cli: Run, tmp_path: Path, suffixes: tuple[str, str]
) -> None:
    folder = tmp_path / "decks"
    _deck(folder, "conc", "c1")
    _deck(folder, "other2", "o2", suffixes[0])
    _deck(folder, "other3", "o3", suffixes[1])
    result = cli("decks", "validate", str(folder))
    assert result.code == 0, result
    assert "3 decks, 3 cards: all valid" in result.out
    result = cli("decks", "sync", str(folder))
    assert result.code == 0 and result.out.startswith("3 added"), result
    assert cli("card", "show", "o2").code == 0 and cli("card", "show", "o3").code == 0


# --- a user deck reusing a card id or topic of another deck -----------------------------

BUNDLED = "def-customer-service-revision-notes"


def test_user_deck_reusing_a_bundled_id_is_refused(cli: Run, tmp_path: Path, db_path: Path) -> None:
    assert cli("grade", BUNDLED, "5", now="2026-01-10").code == 0
    shown = cli("card", "show", BUNDLED).out
    before = dump(db_path)
    mine = _deck(tmp_path / "mine", "mine", BUNDLED)
    bundled = bundled_decks_dir() / "glossary.yaml"
    for command in ("validate", "sync"):
        result = cli("decks", command, str(mine.parent))
        assert result.code == 1, result
        lines = result.err.splitlines()
        assert len(lines) == 1, result
        assert lines[0].startswith(f"custserv: {mine}:5: card id '{BUNDLED}' is already used by")
        assert str(bundled) in lines[0] and "give this card another id" in lines[0]
    assert dump(db_path) == before
    assert cli("card", "show", BUNDLED).out == shown  # still the glossary card, its progress


def test_user_deck_reusing_a_bundled_topic_is_refused(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    assert cli("topics").code == 0
    before = dump(db_path)
    mine = _deck(tmp_path / "mine", "glossary", "my-own-card")
    for command in ("validate", "sync"):
        result = cli("decks", command, str(mine.parent))
        assert result.code == 1, result
        assert f"{mine}:1: topic 'glossary' is already the topic of " in result.err
        assert str(bundled_decks_dir() / "glossary.yaml") in result.err
    assert dump(db_path) == before


def test_two_folders_of_yours_cannot_share_an_id(cli: Run, tmp_path: Path, db_path: Path) -> None:
    alpha = _deck(tmp_path / "a", "alpha", "m1")
    assert cli("decks", "sync", str(alpha.parent)).code == 0
    assert cli("grade", "m1", "4", now="2026-01-10").code == 0
    before = dump(db_path)
    beta = _deck(tmp_path / "b", "beta", "m1")
    result = cli("decks", "sync", str(beta.parent))
    assert result.code == 1, result
    assert f"{beta}:5: card id 'm1' is already used by {alpha} (topic 'alpha')" in result.err
    assert dump(db_path) == before


def test_moving_a_card_to_another_folder_is_not_a_clash(cli: Run, tmp_path: Path) -> None:
    """The old file no longer has the id (or is gone): the card moves with its progress."""
    alpha = _deck(tmp_path / "a", "alpha", "m1")
    assert cli("decks", "sync", str(alpha.parent)).code == 0
    assert cli("grade", "m1", "4", now="2026-01-10").code == 0
    alpha.write_text(CONC.format(topic="alpha", card="m2"), encoding="utf-8")
    beta = _deck(tmp_path / "b", "beta", "m1")
    result = cli("decks", "sync", str(beta.parent))
    assert result.code == 0, result
    card = json.loads(cli("card", "show", "m1", "--json").out)
    assert card["topic"] == "beta" and len(card["history"]) == 1
    moved = _deck(tmp_path / "c", "gamma", "m2")
    alpha.unlink()
    assert cli("decks", "sync", str(moved.parent)).code == 0


def test_first_sync_of_a_new_database_checks_against_the_bundled_decks(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    mine = _deck(tmp_path / "mine", "mine", BUNDLED)
    result = cli("decks", "sync", str(mine.parent))
    assert result.code == 1 and "is already used by" in result.err, result
    assert json.loads(cli("card", "show", BUNDLED, "--json").out)["topic"] == "glossary"


def test_validate_creates_no_database_to_check_against(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    mine = _deck(tmp_path / "mine", "mine", BUNDLED)
    assert cli("decks", "validate", str(mine.parent)).code == 0
    assert not db_path.exists()
