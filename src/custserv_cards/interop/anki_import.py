"""An Anki package (``.apkg``) as deck files: basic and cloze notes become cards.

Reads every package Anki writes: the current format (``collection.anki21b``, a
zstd-compressed SQLite collection of schema 18, with a protobuf ``meta``), the
"support older Anki versions" one (``collection.anki21``) and the legacy one
(``collection.anki2``, also what genanki writes). It needs the small ``zstandard`` package
for the current format, never Anki itself.

Each Anki deck holding notes becomes one topic (its slug from the deck's last name, or the
``topic::<slug>`` tag this app's exports carry); HTML becomes plain text; images and sounds
are left out. A note's card id is its ``Card id`` field when it has a valid one (this app's
exports), else one derived from the note's guid, so importing the same package again gives
the same ids. A card's source is its ``Source`` field when that is ``NOTE:LINES``, else the
package's file name and the note's position in it, e.g. ``phone.apkg:3``.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from custserv_cards.errors import DataError
from custserv_cards.interop.csv_import import anki_cloze
from custserv_cards.interop.files import (
    html_list_items,
    html_to_text,
    slugify,
    source_note,
    stable_id,
    tag_slugs,
)

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
MAX_COLLECTION_BYTES = 1 << 30
TOPIC_TAG = "topic::"
ROLES = {
    "front": "prompt",
    "text": "prompt",
    "prompt": "prompt",
    "question": "prompt",
    "back": "answer",
    "answer": "answer",
    "items": "items",
    "extra": "extra",
    "back extra": "extra",
    "source": "source",
    "card id": "id",
    "marking": "marking",
    "reverse front": "reverse_prompt",
    "reverse back": "reverse_answer",
}


@dataclass
class Note:
    guid: str
    notetype: str
    cloze: bool
    fields: dict[str, str]  # role (or the field's own name) -> raw HTML
    tags: list[str]
    deck: str
    deck_description: str
    card_ords: set[int]


@dataclass
class ImportResult:
    decks: list[dict[str, Any]]
    notes: int
    cards: int
    media: int
    skipped: dict[str, int] = field(default_factory=dict)


def read_package(path: Path) -> tuple[list[Note], int]:
    """The notes of an Anki package and how many media files it carries."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder; give an .apkg file") from None
    except zipfile.BadZipFile:
        raise DataError(
            f"{path}: not an Anki package (not a zip file, or cut short); "
            "export it again from Anki as .apkg"
        ) from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror})") from None
    with archive:
        names = set(archive.namelist())
        member = next((name for name in COLLECTIONS if name in names), None)
        if member is None:
            raise DataError(
                f"{path}: a zip file without an Anki collection (collection.anki21b, "
                ".anki21 or .anki2); is it really an .apkg export?"
            )
        media = sum(1 for name in names if name.isdigit())
        with tempfile.TemporaryDirectory() as work:
            db_file = Path(work) / "collection.db"
            try:
                _extract(archive, member, db_file)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
                raise DataError(
                    f"{path}: the package is damaged ({member}: {error}); export it again"
                ) from None
            return _read_collection(path, db_file), media


def _extract(archive: zipfile.ZipFile, member: str, target: Path) -> None:
    info = archive.getinfo(member)
    if info.file_size > MAX_COLLECTION_BYTES:
        raise ValueError(f"{info.file_size:,} bytes is more than a package may hold")
    with archive.open(member) as source, target.open("wb") as out:
        if member.endswith("b"):
            _unzstd(source, out)
        else:
            while chunk := source.read(1 << 20):
                out.write(chunk)


def _unzstd(source: IO[bytes], out: IO[bytes]) -> None:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise ValueError(
            "reading it needs the zstandard package; reinstall custserv-cards"
        ) from None
    written = 0
    try:
        stream = zstandard.ZstdDecompressor().decompressobj()
        while chunk := source.read(1 << 20):
            data = stream.decompress(chunk)
            written += len(data)
            if written > MAX_COLLECTION_BYTES:
                raise ValueError("it unpacks to more than a package may hold")
            out.write(data)
    except zstandard.ZstdError as error:
        raise ValueError(f"not readable zstd data ({error})") from None
    if not stream.eof:
        raise ValueError("the compressed data ends early")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated protobuf")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def proto_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message: enough to read the few fields
    of Anki's schema-18 blobs the importer needs, without Anki's generated classes."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = data[pos : pos + size], pos + size
        else:
            raise ValueError(f"protobuf wire type {wire} is not supported")
        yield number, value


def _proto_get(data: bytes, number: int) -> int | bytes | None:
    for num, value in proto_fields(data):
        if num == number:
            return value
    return None


def _read_collection(path: Path, db_file: Path) -> list[Note]:
    try:
        conn = sqlite3.connect(f"{db_file.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise DataError(f"{path}: the collection cannot be opened ({error})") from None
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "notetypes" in tables:
            notetypes, decks = _schema18(conn)
        else:
            notetypes, decks = _legacy(conn)
        return _notes(conn, notetypes, decks)
    except (sqlite3.Error, ValueError, KeyError, TypeError) as error:
        raise DataError(
            f"{path}: the collection is damaged or of an unknown kind ({error}); export it again"
        ) from None
    finally:
        conn.close()


Notetypes = dict[int, tuple[str, bool, list[str]]]  # id -> (name, cloze, field names)
Decks = dict[int, tuple[str, str]]  # id -> (name with '::', description HTML)


def _schema18(conn: sqlite3.Connection) -> tuple[Notetypes, Decks]:
    notetypes: Notetypes = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        notetypes[ntid] = (name, _proto_get(bytes(config or b""), 1) == 1, [])
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        if ntid in notetypes:
            notetypes[ntid][2].append(name)
    decks: Decks = {}
    for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
        normal = _proto_get(bytes(kind or b""), 1)
        desc = _proto_get(normal, 4) if isinstance(normal, bytes) else None
        text = desc.decode("utf-8", "replace") if isinstance(desc, bytes) else ""
        decks[did] = (str(name).replace("\x1f", "::"), text)
    return notetypes, decks


def _legacy(conn: sqlite3.Connection) -> tuple[Notetypes, Decks]:
    models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
    notetypes: Notetypes = {
        int(mid): (m["name"], m.get("type") == 1, [f["name"] for f in m["flds"]])
        for mid, m in json.loads(models_json).items()
    }
    decks: Decks = {
        int(did): (d["name"], d.get("desc", "")) for did, d in json.loads(decks_json).items()
    }
    return notetypes, decks


def _notes(conn: sqlite3.Connection, notetypes: Notetypes, decks: Decks) -> list[Note]:
    card_rows: dict[int, list[tuple[int, int]]] = {}
    for nid, did, ord_ in conn.execute("SELECT nid, did, ord FROM cards ORDER BY nid, ord"):
        card_rows.setdefault(nid, []).append((ord_, did))
    notes: list[Note] = []
    for nid, guid, mid, tags, flds in conn.execute(
        "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
    ):
        name, cloze, names = notetypes.get(mid, ("unknown", False, []))
        values = str(flds).split("\x1f")
        fields: dict[str, str] = {}
        for index, value in enumerate(values):
            field_name = names[index] if index < len(names) else f"field {index + 1}"
            role = ROLES.get(field_name.strip().lower(), field_name)
            fields.setdefault(role, value)
            fields.setdefault(f"#{index}", value)
        cards = card_rows.get(nid, [])
        deck_id = cards[0][1] if cards else 0
        deck_name, deck_desc = decks.get(deck_id, ("Imported", ""))
        notes.append(
            Note(
                guid=str(guid),
                notetype=name,
                cloze=cloze,
                fields=fields,
                tags=str(tags).split(),
                deck=deck_name,
                deck_description=deck_desc,
                card_ords={ord_ for ord_, _did in cards},
            )
        )
    return notes


def import_package(path: Path) -> ImportResult:
    """The decks an Anki package makes (checked by the caller before anything is written)."""
    from custserv_cards.decks import SLUG, SOURCE, cloze_blanks

    notes, media = read_package(path)
    if not notes:
        raise DataError(f"{path}: the package holds no notes")
    note_name = source_note(path)
    topics: dict[str, dict[str, Any]] = {}
    deck_topics: dict[str, str] = {}
    seen: set[str] = set()
    skipped: dict[str, int] = {}
    cards = 0

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    for position, note in enumerate(notes, start=1):
        fields = note.fields
        extra = html_to_text(fields.get("extra", ""))
        card: dict[str, Any]
        if note.cloze:
            text = anki_cloze(html_to_text(fields.get("prompt", fields["#0"]))).replace("\n", " ")
            try:
                if not cloze_blanks(text):
                    skip("a cloze note without a blank")
                    continue
            except ValueError:
                skip("a cloze note with nested or broken blanks")
                continue
            card = {"kind": "cloze", "text": text}
        else:
            prompt = html_to_text(fields.get("prompt", fields["#0"]))
            if "items" in fields:
                items = html_list_items(fields["items"])
                if not prompt or len(items) < 2:
                    skip("a list note without a prompt or two items")
                    continue
                card = {"kind": "list", "prompt": prompt, "items": items}
                if "<ol" in fields["items"].lower():
                    card["ordered"] = True
            else:
                answer = html_to_text(fields.get("answer", fields.get("#1", "")))
                if not prompt or not answer:
                    skip("a note with a side that is empty without its images or formatting")
                    continue
                card = {"kind": "basic", "prompt": prompt, "answer": answer}
                if any(ord_ > 0 for ord_ in note.card_ords):
                    card["reverse"] = True
                    back_prompt = html_to_text(fields.get("reverse_prompt", ""))
                    back_answer = html_to_text(fields.get("reverse_answer", ""))
                    if back_prompt and back_prompt != answer:
                        card["reverse_prompt"] = back_prompt
                    if back_answer and back_answer != prompt:
                        card["reverse_answer"] = back_answer
        given_id = html_to_text(fields.get("id", ""))
        card_id = given_id if SLUG.match(given_id) else stable_id("anki", note.guid)
        if card_id in seen:
            skip("a second note with the same card id")
            continue
        seen.add(card_id)
        source = html_to_text(fields.get("source", ""))
        topic_tags = [t[len(TOPIC_TAG) :] for t in note.tags if t.lower().startswith(TOPIC_TAG)]
        topic = next((t for t in topic_tags if SLUG.match(t)), None)
        if topic is None:
            topic = deck_topics.get(note.deck) or _new_slug(note.deck, topics)
            deck_topics[note.deck] = topic
        if topic not in topics:
            title = note.deck.split("::")[-1].strip() or topic
            description = html_to_text(note.deck_description).replace("\n", " ")
            topics[topic] = {
                "topic": topic,
                "title": title,
                "description": description
                or f"Imported from {path.name} (Anki deck '{note.deck}').",
                "cards": [],
            }
        tags = tag_slugs(t for t in note.tags if not t.lower().startswith(TOPIC_TAG))
        out: dict[str, Any] = {"id": card_id, **card}
        out["source"] = source if SOURCE.match(source) else f"{note_name}:{position}"
        if tags:
            out["tags"] = tags
        if extra:
            out["extra"] = extra
        out.update(_marking(fields.get("marking", "")))
        topics[topic]["cards"].append(out)
        cards += 2 if card.get("reverse") else 1
    if not topics:
        reasons = "; ".join(f"{n} {reason}" for reason, n in skipped.items())
        raise DataError(f"{path}: no note could become a card ({reasons})")
    return ImportResult(list(topics.values()), len(notes), cards, media, skipped)


def _marking(value: str) -> dict[str, Any]:
    """The ``accept`` and ``distractors`` this app's exports keep in a note's Marking field
    (checked with the rest of the deck when it is loaded); anything else there is ignored."""
    try:
        marking = json.loads(html_to_text(value)) if value.strip() else {}
    except ValueError:
        return {}
    if not isinstance(marking, dict):
        return {}
    return {key: marking[key] for key in ("accept", "distractors") if marking.get(key)}


def _new_slug(deck: str, topics: dict[str, Any]) -> str:
    base = slugify(deck.split("::")[-1]) or "imported"
    slug, n = base, 2
    while slug in topics:
        slug, n = f"{base}-{n}", n + 1
    return slug
