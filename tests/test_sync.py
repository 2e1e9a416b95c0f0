"""``custserv decks sync``: idempotent, progress kept through edits, retire and restore."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import DECK, Run, dump, write_deck

NOW = "2026-11-23T10:00"


def test_sync_is_idempotent(cli: Run, tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "decks"
    write_deck(folder)
    first = cli("decks", "sync", str(folder), now=NOW)
    assert first.code == 0, first
    assert first.out.strip() == "4 added, 0 updated, 0 retired, 0 restored, 0 unchanged."
    before = dump(db_path)
    second = cli("decks", "sync", str(folder), now="2026-11-24T10:00")
    assert second.out.strip() == "0 added, 0 updated, 0 retired, 0 restored, 4 unchanged."
    assert dump(db_path) == before


def test_editing_a_card_keeps_its_progress(cli: Run, tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "decks"
    write_deck(folder)
    cli("decks", "sync", str(folder), now=NOW)
    assert cli("grade", "t-basic", "4", now=NOW).code == 0
    edited = DECK.format(topic="test-topic").replace("as fully as possible", "as well as it can")
    write_deck(folder, text=edited)
    result = cli("decks", "sync", str(folder), now=NOW)
    assert "0 added, 2 updated" in result.out, result  # the card and its reverse
    shown = cli("card", "show", "t-basic", "--json")
    assert '"answer": "Meeting customers\' needs as well as it can."' in shown.out
    assert '"repetitions": 1' in shown.out and '"grade": 4' in shown.out


def test_removed_card_is_retired_and_restored_with_history(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    folder = tmp_path / "decks"
    path = write_deck(folder)
    cli("decks", "sync", str(folder), now=NOW)
    cli("grade", "t-cloze", "5", now=NOW)
    without = DECK.format(topic="test-topic").replace(
        "  - id: t-cloze\n    kind: cloze\n    text: A dissatisfied customer tells {{nine or ten}}"
        " other people.\n    source: 000_notes.txt:3\n",
        "",
    )
    assert without != DECK.format(topic="test-topic")
    path.write_text(without)
    assert "1 retired" in cli("decks", "sync", str(folder), now=NOW).out
    retired = cli("grade", "t-cloze", "4", now="2026-11-24T10:00")
    assert retired.code == 1 and "is retired" in retired.err, retired
    topics = cli("topics", "--json")
    assert '"cards": 3' in topics.out
    write_deck(folder)
    assert "1 restored" in cli("decks", "sync", str(folder), now=NOW).out
    shown = cli("card", "show", "t-cloze", "--json")
    assert '"retired": false' in shown.out and '"repetitions": 1' in shown.out


def test_removed_deck_file_retires_its_topic(cli: Run, tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    write_deck(folder, "alpha")
    other = write_deck(folder, "beta", DECK.format(topic="beta").replace("t-", "b-"))
    cli("decks", "sync", str(folder), now=NOW)
    other.unlink()
    result = cli("decks", "sync", str(folder), now=NOW)
    assert "4 retired" in result.out, result
    assert '"topic": "beta"' not in cli("topics", "--json").out


def test_invalid_deck_writes_nothing(cli: Run, tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "decks"
    write_deck(folder)
    cli("decks", "sync", str(folder), now=NOW)
    cli("grade", "t-list", "3", now=NOW)
    before = dump(db_path)
    write_deck(folder, "broken", "topic: broken\ntitle: B\ndescription: D\ncards: [1]\n")
    result = cli("decks", "sync", str(folder), now=NOW)
    assert result.code == 1, result
    assert "broken.yaml:4: a card must be a mapping" in result.err
    assert "Traceback" not in result.err
    assert dump(db_path) == before


def test_bundled_decks_sync_by_themselves(cli: Run, db_path: Path) -> None:
    result = cli("topics", "--json")
    assert result.code == 0, result
    assert '"topic": "poor-service"' in result.out
    conn = sqlite3.connect(db_path)
    count = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    assert count > 150
    conn.close()
    before = dump(db_path)
    cli("topics")
    assert dump(db_path) == before  # unchanged decks: no second sync


def test_deck_order_decides_which_new_cards_come_first(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    folder = tmp_path / "decks"
    write_deck(folder, "alpha", DECK.format(topic="alpha").replace("cards:", "order: 2\ncards:"))
    beta = DECK.format(topic="beta").replace("t-", "b-").replace("cards:", "order: 1\ncards:")
    write_deck(folder, "beta", beta)
    assert cli("decks", "sync", str(folder), now=NOW).code == 0
    conn = sqlite3.connect(db_path)
    first = conn.execute(
        "SELECT s.card_id FROM state s JOIN cards c ON c.id = s.card_id "
        "WHERE c.topic IN ('alpha', 'beta') ORDER BY s.rowid LIMIT 1"
    ).fetchone()[0]
    conn.close()
    assert first == "b-basic"


def test_a_folder_without_decks_is_an_error(cli: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in ("sync", "validate"):
        result = cli("decks", command, str(empty))
        assert result.code == 1, result
        assert f"{empty} holds no deck files (*.yaml)" in result.err
