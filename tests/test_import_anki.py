"""custserv import anki: packages of every Anki format as deck files; this app's own export
comes back card for card; damaged packages get one line saying why, and nothing is written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import anki_lib
import pytest
from conftest import Run

from custserv_cards import paths
from custserv_cards.decks import load_decks
from custserv_cards.model import Card, Deck

DATA = Path(__file__).parent / "data"
CURRENT = DATA / "anki-current.apkg"  # built by scripts/make_anki_samples.py
LEGACY = DATA / "anki-legacy.apkg"


def import_into(cli: Run, package: Path, out: Path, *extra: str) -> tuple[list[Deck], str]:
    out.mkdir(exist_ok=True)
    result = cli("import", "anki", str(package), "--out", str(out), *extra)
    assert result.code == 0, result
    return load_decks(sorted(out.glob("*.yaml"))), result.out


def comparable(card: Card) -> tuple[object, ...]:
    return (card.id, card.topic, card.kind, card.fields, str(card.source), card.tags)


def test_the_fixtures_are_the_formats_they_stand_for() -> None:
    with zipfile.ZipFile(CURRENT) as archive:
        assert "collection.anki21b" in archive.namelist()
        assert archive.read("meta") == b"\x08\x03"  # PackageMetadata: version LATEST
    with zipfile.ZipFile(LEGACY) as archive:
        assert "collection.anki21" in archive.namelist()


def test_a_current_anki_package(cli: Run, tmp_path: Path) -> None:
    (deck,), out = import_into(cli, CURRENT, tmp_path / "out")
    assert (deck.topic, deck.title, deck.description) == (
        "call-openings",
        "Call openings",
        "How to open a support call.",
    )
    cards = {c.fields.get("prompt") or c.fields["text"]: c for c in deck.cards}
    greeting = cards["What do you say first on a call?"]  # <b> and &amp; made plain text
    assert greeting.fields["answer"] == "Your name & the company's name"
    assert greeting.tags == ("greeting", "phone")
    assert str(greeting.source) == "anki-current.apkg:1"
    hold = cards["Hold time"]  # a Basic (and reversed card) note
    assert cards["How long a caller waits"] is not None and hold.kind == "basic"
    assert cards["How long a caller waits"].id == f"{hold.id}:reverse"
    cloze = cards["Smile: callers {{hear}} it, even {{on the phone}}."]  # c1, c2 and a hint
    assert cloze.kind == "cloze" and cloze.fields["extra"] == "Tone"
    assert cards["Which headset?"].fields["answer"] == "A noise-cancelling one"
    assert "Left out 1 media file" in out
    assert f"({len(deck.cards)} cards)" in out


def test_every_format_gives_the_same_cards_and_ids_stay_the_same(cli: Run, tmp_path: Path) -> None:
    (current,), _ = import_into(cli, CURRENT, tmp_path / "current")
    (legacy,), _ = import_into(cli, LEGACY, tmp_path / "legacy")
    (again,), _ = import_into(cli, CURRENT, tmp_path / "current", "--force")

    def without_source(deck: Deck) -> list[tuple[object, ...]]:
        return [comparable(c)[:4] + comparable(c)[5:] for c in deck.cards]

    assert without_source(current) == without_source(legacy)
    assert [comparable(c) for c in again.cards] == [comparable(c) for c in current.cards]


def test_export_then_import_gives_the_same_cards(cli: Run, tmp_path: Path) -> None:
    bundled = load_decks(paths.deck_files())
    package = tmp_path / "cards.apkg"
    assert cli("export", "anki", str(package)).code == 0
    decks, out = import_into(cli, package, tmp_path / "fresh")
    assert f"({sum(len(d.cards) for d in bundled)} cards)" in out
    assert {(d.topic, d.title, d.description) for d in decks} == {
        (d.topic, d.title, d.description) for d in bundled
    }
    mine = sorted(comparable(c) for d in bundled for c in d.cards)
    theirs = sorted(comparable(c) for d in decks for c in d.cards)
    assert theirs == mine
    # valid decks on their own (against the database they would clash with the bundled ids)
    alone = cli("--db", str(tmp_path / "none.db"), "decks", "validate", str(tmp_path / "fresh"))
    assert alone.code == 0, alone
    clash = cli("decks", "validate", str(tmp_path / "fresh"))
    assert clash.code == 1 and "is already used by" in clash.err


def test_through_anki_and_back_in_its_current_format(cli: Run, tmp_path: Path) -> None:
    col = anki_lib.collection(tmp_path / "anki")
    bundled = load_decks(paths.deck_files())
    package = tmp_path / "cards.apkg"
    assert cli("export", "anki", str(package)).code == 0
    anki_lib.import_package(col, package)
    from_anki = tmp_path / "from-anki.apkg"
    anki_lib.export_current(col, from_anki)
    col.close(downgrade=False)
    with zipfile.ZipFile(from_anki) as archive:
        assert "collection.anki21b" in archive.namelist()
    decks, _out = import_into(cli, from_anki, tmp_path / "back")
    mine = sorted(comparable(c) for d in bundled for c in d.cards)
    assert sorted(comparable(c) for d in decks for c in d.cards) == mine


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _damaged_member() -> bytes:
    with zipfile.ZipFile(CURRENT) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["collection.anki21b"] = members["collection.anki21b"][:200]
    return _zip(members)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("text.apkg", b"just some text\n", "not an Anki package (not a zip file"),
        ("empty.apkg", b"", "not an Anki package (not a zip file"),
        ("notes.apkg", _zip({"notes.txt": b"hi"}), "a zip file without an Anki collection"),
        ("cut.apkg", CURRENT.read_bytes()[:-300], "not an Anki package (not a zip file, or cut"),
        ("damaged.apkg", _damaged_member(), "the package is damaged (collection.anki21b"),
        (
            "not-sqlite.apkg",
            _zip({"collection.anki2": b"no database here" * 100}),
            "the collection is damaged or of an unknown kind",
        ),
    ],
)
def test_unreadable_packages(
    cli: Run, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    package = tmp_path / name
    package.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    result = cli("import", "anki", str(package), "--out", str(out))
    assert result.code == 1 and message in result.err, result
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert list(out.iterdir()) == []
