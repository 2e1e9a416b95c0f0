"""custserv export anki: the package holds one note per deck entry, and Anki's own library
imports it as decks, notes, tags and cards that render as the app shows them."""

from __future__ import annotations

import html
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import anki_lib
from conftest import Run, write_deck

from custserv_cards import paths
from custserv_cards.decks import load_decks
from custserv_cards.interop.anki_export import ROOT_DECK, note_guid
from custserv_cards.model import REVERSE_SUFFIX, cloze_answers, cloze_display

TEST_DECK_CARDS = {"t-basic", "t-cloze", "t-list"}


def bundled() -> tuple[dict[str, str], list[str], int]:
    """The bundled decks' titles by topic, their entry ids, and their number of cards."""
    decks = load_decks(paths.deck_files())
    titles = {d.topic: d.title for d in decks}
    entries = [c.id for d in decks for c in d.cards if not c.id.endswith(REVERSE_SUFFIX)]
    return titles, entries, sum(len(d.cards) for d in decks)


def package_notes(package: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(guid, tags, fields) of every note in a package genanki wrote."""
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", tmp_path / "unzipped")
    conn = sqlite3.connect(tmp_path / "unzipped" / "collection.anki2")
    try:
        return conn.execute("SELECT guid, tags, flds FROM notes").fetchall()
    finally:
        conn.close()


def test_one_note_per_deck_entry_named_by_the_card_id(cli: Run, tmp_path: Path) -> None:
    titles, entries, cards = bundled()
    package = tmp_path / "cards.apkg"
    result = cli("export", "anki", str(package))
    assert result.code == 0, result
    assert f"{len(entries)} notes ({cards} cards) in {len(titles)} decks" in result.out
    notes = package_notes(package, tmp_path)
    assert sorted(guid for guid, _tags, _flds in notes) == sorted(map(note_guid, entries))
    ids = {flds.split("\x1f")[-2] for _guid, _tags, flds in notes}
    assert ids == set(entries)


def test_accept_and_distractors_travel_in_a_field_no_template_shows(
    cli: Run, tmp_path: Path
) -> None:
    decks = load_decks(paths.deck_files())
    marked = {
        c.group: {k: c.fields[k] for k in ("accept", "distractors") if c.fields.get(k)}
        for d in decks
        for c in d.cards
        if c.fields.get("accept") or c.fields.get("distractors")
    }
    assert marked  # the bundled decks use both keys
    package = tmp_path / "cards.apkg"
    assert cli("export", "anki", str(package)).code == 0
    kept = {}
    for _guid, _tags, flds in package_notes(package, tmp_path):
        *_, card_id, marking = flds.split("\x1f")
        if marking:
            kept[card_id] = json.loads(html.unescape(marking))
    assert kept == marked


def test_anki_imports_decks_notes_tags_and_renders_a_cloze(cli: Run, tmp_path: Path) -> None:
    col = anki_lib.collection(tmp_path / "anki")
    titles, entries, cards = bundled()
    package = tmp_path / "cards.apkg"
    assert cli("export", "anki", str(package)).code == 0
    log = anki_lib.import_package(col, package)
    assert len(log.new) == len(entries)
    assert col.note_count() == len(entries)
    assert col.card_count() == cards
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {f"{ROOT_DECK}::{title}" for title in titles.values()} <= names
    for topic, title in titles.items():
        in_deck = col.find_notes(f'"deck:{ROOT_DECK}::{title}"')
        tagged = col.find_notes(f"tag:topic::{topic}")
        assert sorted(in_deck) == sorted(tagged) and in_deck, topic

    decks = load_decks(paths.deck_files())
    cloze = next(c for d in decks for c in d.cards if c.kind == "cloze")
    (note_id,) = col.find_notes(f'"Card id:{cloze.id}"')
    note = col.get_note(note_id)
    assert set(cloze.tags) <= set(note.tags) and f"topic::{cloze.topic}" in note.tags
    assert note["Source"] == str(cloze.source)
    (card,) = note.cards()
    question, answer = card.question(), card.answer()
    for blank in cloze_answers(cloze.fields["text"]):
        assert f'<span class="cloze" data-ordinal="1">{blank}</span>' in answer
    first_words = cloze_display(cloze.fields["text"], mask="\0").split("\0")[0].strip()
    assert html.escape(first_words, quote=False) in question
    assert question.count("[...]") == len(cloze_answers(cloze.fields["text"]))

    reverse = next(c for d in decks for c in d.cards if c.reverse)
    (note_id,) = col.find_notes(f'"Card id:{reverse.group}"')
    front, back = sorted(col.get_note(note_id).cards(), key=lambda c: c.ord)
    main = next(c for d in decks for c in d.cards if c.id == reverse.group)
    assert html.escape(main.fields["prompt"], quote=False) in front.question()
    assert html.escape(reverse.fields["prompt"], quote=False) in back.question()
    assert html.escape(reverse.fields["answer"], quote=False) in back.answer()
    listed = next(c for d in decks for c in d.cards if c.kind == "list")
    (note_id,) = col.find_notes(f'"Card id:{listed.id}"')
    (card,) = col.get_note(note_id).cards()
    assert all(f"<li>{item}</li>" in card.answer() for item in listed.fields["items"])
    col.close(downgrade=False)


def test_exporting_again_after_an_edit_updates_the_notes(
    cli: Run, tmp_path: Path, db_path: Path
) -> None:
    col = anki_lib.collection(tmp_path / "anki")
    deck = write_deck(tmp_path / "decks")
    assert cli("decks", "sync", str(deck.parent)).code == 0
    first = tmp_path / "first.apkg"
    assert cli("export", "anki", str(first), "--topic", "test-topic").code == 0
    assert len(anki_lib.import_package(col, first).new) == len(TEST_DECK_CARDS)
    # the first import was a while ago: Anki updates a note only from a newer one
    col.db.execute("UPDATE notes SET mod = mod - 60")

    deck.write_text(deck.read_text().replace("other people", "other people, or more"))
    assert cli("decks", "sync", str(deck.parent)).code == 0
    second = tmp_path / "second.apkg"
    assert cli("export", "anki", str(second), "--topic", "test-topic").code == 0
    log = anki_lib.import_package(col, second)
    assert len(log.new) == 0 and len(log.duplicate) == 0
    assert len(log.updated) == len(TEST_DECK_CARDS)  # newer notes, all taken
    assert col.note_count() == len(TEST_DECK_CARDS)
    (note_id,) = col.find_notes('"Card id:t-cloze"')
    assert "or more" in col.get_note(note_id)["Text"]
    col.close(downgrade=False)


def test_topic_option_and_unknown_topic(cli: Run, tmp_path: Path) -> None:
    titles, _entries, _cards = bundled()
    topic = sorted(titles)[0]
    package = tmp_path / "one.apkg"
    result = cli("export", "anki", str(package), "--topic", topic)
    assert result.code == 0 and "in 1 decks" in result.out, result
    tags = {tags.strip() for _g, tags, _f in package_notes(package, tmp_path)}
    assert all(tag.startswith(f"topic::{topic}") for tag in tags)
    missing = tmp_path / "none.apkg"
    result = cli("export", "anki", str(missing), "--topic", "no-such-topic")
    assert result.code == 2 and "unknown topic 'no-such-topic'" in result.err
    assert len(result.err.strip().splitlines()) == 1 and not missing.exists()


def test_dangerous_output_paths_are_refused(cli: Run, tmp_path: Path, db_path: Path) -> None:
    assert cli("topics").code == 0  # creates the database
    for companion in ("-wal", "-shm", "-journal"):
        Path(f"{db_path}{companion}").write_bytes(b"")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(db_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    cases = [
        ("anki", db_path, "is the database"),
        ("reviews", db_path, "is the database"),
        ("reviews", Path(f"{db_path}-wal"), "is the database's -wal file"),
        ("reviews", Path(f"{db_path}-journal"), "is the database's -journal file"),
        ("reviews", link, "is the database"),
        ("reviews", fifo, "not a regular file"),
        ("reviews", tmp_path, "is a folder"),
        ("reviews", tmp_path / "no-folder" / "x.csv", "does not exist"),
    ]
    for what, target, message in cases:
        result = cli("export", what, str(target), "--force")
        assert result.code in (1, 2) and message in result.err, (target, result)
        assert len(result.err.strip().splitlines()) == 1
    existing = tmp_path / "old.csv"
    existing.write_text("keep me")
    result = cli("export", "reviews", str(existing))
    assert result.code == 1 and "add --force" in result.err
    assert existing.read_text() == "keep me"
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p != existing}
    assert after == before
    assert cli("export", "reviews", str(existing), "--force").code == 0
    assert existing.read_text().startswith("card_id,")


def test_a_name_not_ending_in_apkg_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    result = cli("export", "anki", str(tmp_path / "cards.zip"))
    assert result.code == 2 and ".apkg" in result.err and not (tmp_path / "cards.zip").exists()
