"""Plain values shared by every part of the app: decks, cards and grades. No I/O here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any


class CardKind(StrEnum):
    """What a card asks: a question and answer, a text with blanks, or a list of items."""

    BASIC = "basic"
    CLOZE = "cloze"
    LIST = "list"


KINDS = tuple(CardKind)
CLOZE_BLANK = re.compile(r"\{\{(.*?)\}\}")
REVERSE_SUFFIX = ":reverse"


class Grade(IntEnum):
    """SM-2's six grades, as Wozniak (1990) defines them."""

    BLACKOUT = 0
    REMEMBERED_ONCE_SEEN = 1
    SEEMED_EASY_ONCE_SEEN = 2
    SERIOUS_DIFFICULTY = 3
    HESITATION = 4
    PERFECT = 5

    @property
    def meaning(self) -> str:
        return GRADE_MEANINGS[self]

    @property
    def passed(self) -> bool:
        return self >= Grade.SERIOUS_DIFFICULTY


GRADE_MEANINGS: dict[Grade, str] = {
    Grade.PERFECT: "perfect",
    Grade.HESITATION: "correct after hesitation",
    Grade.SERIOUS_DIFFICULTY: "correct with serious difficulty",
    Grade.SEEMED_EASY_ONCE_SEEN: "wrong, but it seemed easy once seen",
    Grade.REMEMBERED_ONCE_SEEN: "wrong, but remembered once seen",
    Grade.BLACKOUT: "complete blackout",
}


def cloze_answers(text: str) -> list[str]:
    """The answers of a checked cloze text's ``{{blanks}}``, in order."""
    return [blank.strip() for blank in CLOZE_BLANK.findall(text)]


def cloze_display(text: str, reveal: bool = False, mask: str = "[...]") -> str:
    """The cloze text with its blanks masked (or revealed, without the braces)."""
    return CLOZE_BLANK.sub((lambda m: m.group(1).strip()) if reveal else mask, text)


def card_text_and_answer(kind: str, fields: dict[str, Any]) -> tuple[str, str]:
    """What a card asks and what it expects, as plain text (a cloze's blanks masked in the
    question and listed in the answer; a list's items joined with '; ')."""
    if kind == "cloze":
        text = str(fields.get("text", ""))
        return cloze_display(text), "; ".join(cloze_answers(text))
    prompt = str(fields.get("prompt", ""))
    if kind == "list":
        return prompt, "; ".join(str(item) for item in fields.get("items", []))
    return prompt, str(fields.get("answer", ""))


@dataclass(frozen=True)
class Source:
    """Where a card's facts come from: a study note and a line range in it."""

    note: str
    start: int
    end: int

    def __str__(self) -> str:
        lines = str(self.start) if self.start == self.end else f"{self.start}-{self.end}"
        return f"{self.note}:{lines}"


@dataclass(frozen=True)
class Card:
    """One schedulable card: a deck entry, or the reverse direction of a ``basic`` entry.

    ``fields`` holds what the card shows: ``prompt``/``answer`` (basic), ``text`` (cloze),
    ``prompt``/``items``/``ordered`` (list), and ``extra`` when the deck gives one.
    """

    id: str
    group: str
    topic: str
    kind: CardKind
    fields: dict[str, Any]
    source: Source
    tags: tuple[str, ...] = ()
    position: int = 0

    @property
    def reverse(self) -> bool:
        return self.id.endswith(REVERSE_SUFFIX)

    def content_json(self) -> str:
        """The card's content as canonical JSON: what sync compares to spot an edit."""
        return json.dumps(
            {
                "group": self.group,
                "topic": self.topic,
                "kind": self.kind,
                "fields": self.fields,
                "source": str(self.source),
                "tags": list(self.tags),
                "position": self.position,
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Card:
        """Build a card from a ``cards`` table row."""
        content = json.loads(row["content"])
        note, _, lines = content["source"].rpartition(":")
        start, _, end = lines.partition("-")
        return cls(
            id=row["id"],
            group=content["group"],
            topic=content["topic"],
            kind=CardKind(content["kind"]),
            fields=content["fields"],
            source=Source(note, int(start), int(end or start)),
            tags=tuple(content["tags"]),
            position=content["position"],
        )


@dataclass(frozen=True)
class Deck:
    """A topic: its slug, title, description, file, cards, and where it comes in the course
    (``order``: new cards of lower-ordered decks are introduced first)."""

    topic: str
    title: str
    description: str
    path: str
    cards: tuple[Card, ...] = field(default=())
    order: int = 100
