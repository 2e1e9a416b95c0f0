"""The cards as an Anki package (``.apkg``) that Anki and AnkiDroid import, written by genanki.

One Anki deck per topic, each a subdeck of one "Customer service" deck. Each deck entry is
one note whose identity (Anki's note guid) comes from the card id, so importing a newer
export updates the notes already in Anki instead of adding copies. Three note types:

* basic: Front, Back, and for an entry asked both ways Reverse front and Reverse back, which
  make the second card; a basic entry asked one way has no second card;
* cloze: Text, with every blank ``{{c1::...}}`` (the app asks all blanks of a card together,
  and so does the one Anki card);
* list: Prompt, and Items shown as a numbered (ordered) or bulleted list on the back.

Every note type also has Extra, Source and Card id fields, and a Marking field that no
template shows: the card's ``accept`` and ``distractors`` as JSON, so that importing the
package back gives the same cards. The topic is the tag ``topic::<slug>``; the card's own
tags follow it.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from custserv_cards.model import REVERSE_SUFFIX, Card

if TYPE_CHECKING:
    import genanki

ROOT_DECK = "Customer service"
TOPIC_TAG = "topic::"
# fixed so that every export uses the same note types (Anki matches notes by guid and type)
BASIC_MODEL_ID = 1_733_150_101
CLOZE_MODEL_ID = 1_733_150_102
LIST_MODEL_ID = 1_733_150_103
ROOT_DECK_ID = 1_733_150_100

CSS = """.card { font-family: arial; font-size: 20px; text-align: center; color: black;
  background-color: white; }
.extra { margin-top: 1em; font-size: 16px; color: #555; }
.source { margin-top: 1em; font-size: 12px; color: #888; }
.items { display: inline-block; text-align: left; }
.cloze { font-weight: bold; color: blue; }
.nightMode .cloze { color: lightblue; }
"""
FOOTER = (
    '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}<div class="source">{{Source}}</div>'
)
COMMON_FIELDS = ("Extra", "Source", "Card id", "Marking")
MARKING_KEYS = ("accept", "distractors")


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    description: str


@dataclass(frozen=True)
class ExportResult:
    decks: int
    notes: int
    cards: int  # the app's cards (a basic entry asked both ways counts two)


def deck_id(topic: str) -> int:
    """A stable Anki deck id for a topic."""
    return int(hashlib.sha256(f"deck:{topic}".encode()).hexdigest()[:12], 16)


def note_guid(entry_id: str) -> str:
    import genanki

    return str(genanki.guid_for("custserv-cards", entry_id))


def _models() -> dict[str, genanki.Model]:
    import genanki

    def fields(*names: str) -> list[dict[str, str]]:
        return [{"name": name} for name in (*names, *COMMON_FIELDS)]

    basic = genanki.Model(
        BASIC_MODEL_ID,
        "Customer service: basic",
        fields=fields("Front", "Back", "Reverse front", "Reverse back"),
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + FOOTER,
            },
            {
                "name": "Reverse",
                "qfmt": "{{Reverse front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Reverse back}}' + FOOTER,
            },
        ],
        css=CSS,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "Customer service: cloze",
        fields=fields("Text"),
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}" + FOOTER,
            }
        ],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )
    listing = genanki.Model(
        LIST_MODEL_ID,
        "Customer service: list",
        fields=fields("Prompt", "Items"),
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Prompt}}",
                "afmt": '{{FrontSide}}<hr id="answer"><div class="items">{{Items}}</div>' + FOOTER,
            }
        ],
        css=CSS,
    )
    return {"basic": basic, "cloze": cloze, "list": listing}


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _cloze_html(text: str) -> str:
    from custserv_cards.model import CLOZE_BLANK

    out, pos = [], 0
    for match in CLOZE_BLANK.finditer(text):
        out.append(_html(text[pos : match.start()]))
        out.append("{{c1::" + _html(match.group(1).strip()) + "}}")
        pos = match.end()
    out.append(_html(text[pos:]))
    return "".join(out)


def note_fields(card: Card, reverse: Card | None) -> tuple[str, list[str]]:
    """The note type (basic, cloze or list) and the fields of a deck entry's note."""
    extra = _html(card.fields.get("extra", ""))
    marking = {key: card.fields[key] for key in MARKING_KEYS if card.fields.get(key)}
    common = [
        extra,
        _html(str(card.source)),
        html.escape(card.group, quote=False),
        html.escape(json.dumps(marking, ensure_ascii=False), quote=False) if marking else "",
    ]
    if card.kind == "cloze":
        return "cloze", [_cloze_html(card.fields["text"]), *common]
    if card.kind == "list":
        tag = "ol" if card.fields.get("ordered") else "ul"
        items = "".join(f"<li>{_html(item)}</li>" for item in card.fields["items"])
        return "list", [_html(card.fields["prompt"]), f"<{tag}>{items}</{tag}>", *common]
    back = [_html(reverse.fields["prompt"]), _html(reverse.fields["answer"])] if reverse else []
    front = [_html(card.fields["prompt"]), _html(card.fields["answer"])]
    return "basic", [*front, *(back or ["", ""]), *common]


def active_cards(conn: sqlite3.Connection, topics: Sequence[str]) -> tuple[list[Topic], list[Card]]:
    """The active topics (those named, or all) and their active cards, in course order."""
    rows = conn.execute(
        "SELECT slug, title, description FROM topics WHERE retired = 0 ORDER BY slug"
    ).fetchall()
    chosen = [Topic(*row) for row in rows if not topics or row[0] in topics]
    wanted = [t.slug for t in chosen]
    marks = ",".join("?" * len(wanted))
    cursor = conn.execute(
        f"SELECT id, content FROM cards WHERE retired = 0 AND topic IN ({marks}) "
        "ORDER BY topic, position, id",
        wanted,
    )
    cards = [Card.from_row({"id": row[0], "content": row[1]}) for row in cursor]
    return chosen, cards


def build_package(topics: list[Topic], cards: list[Card]) -> tuple[bytes, ExportResult]:
    """The ``.apkg`` bytes for ``cards``, one subdeck per topic."""
    import genanki

    models = _models()
    root = genanki.Deck(
        ROOT_DECK_ID, ROOT_DECK, description="Flashcards for revising customer service."
    )
    decks: dict[str, genanki.Deck] = {
        t.slug: genanki.Deck(
            deck_id(t.slug), f"{ROOT_DECK}::{t.title}", description=_html(t.description)
        )
        for t in topics
    }
    reverses = {c.group: c for c in cards if c.id.endswith(REVERSE_SUFFIX)}
    notes = 0
    for card in cards:
        if card.id.endswith(REVERSE_SUFFIX):
            continue
        kind, fields = note_fields(card, reverses.get(card.id))
        tags = [TOPIC_TAG + card.topic, *card.tags]
        note = genanki.Note(
            model=models[kind], fields=fields, tags=tags, guid=note_guid(card.group)
        )
        decks[card.topic].add_note(note)
        notes += 1
    package = genanki.Package([root, *decks.values()])
    buffer = io.BytesIO()
    package.write_to_file(buffer)
    used = sum(1 for d in decks.values() if d.notes)
    return buffer.getvalue(), ExportResult(used, notes, len(cards))


def export_anki(conn: sqlite3.Connection, topics: Sequence[str]) -> tuple[bytes, ExportResult]:
    chosen, cards = active_cards(conn, topics)
    return build_package(chosen, cards)
