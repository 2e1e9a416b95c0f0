"""What every import and export shares: the output-path check, atomic writes, and turning
other tools' text, tags and names into what a deck file accepts."""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from custserv_cards.errors import DataError


def check_output(path: str | Path, *, force: bool, db: Path | None) -> Path:
    """``path`` once the shared output check allows it (never the database, its companion
    files or backups, nor anything but a regular file) and, without ``force``, only when no
    file is there yet."""
    from custserv_cards import outputs

    checked = outputs.check_output(path, db=db, overwrite=True, option=None)
    if not force and checked.exists():
        raise DataError(f"{path} already exists; add --force to replace it")
    return checked


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in its folder and a rename."""
    from custserv_cards import outputs

    outputs.write_bytes(path, data)


def stable_id(prefix: str, *parts: str) -> str:
    """A card id derived from ``parts``: the same input always gives the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:12]}"


def slugify(text: str) -> str:
    """Lowercase letters, digits and single hyphens (empty when nothing is left)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def tag_slugs(tags: Iterable[str]) -> list[str]:
    """Other tools' tags as deck tags (slugs), in order, without duplicates."""
    out: list[str] = []
    for tag in tags:
        slug = slugify(tag.replace("::", "-"))
        if slug and slug not in out:
            out.append(slug)
    return out


def source_note(file: Path) -> str:
    """A file's name as the note part of a ``NOTE:LINES`` source (no spaces or colons)."""
    return re.sub(r"[\s:]+", "-", file.name) or "imported"


class _TextParser(HTMLParser):
    BREAKS = frozenset({"br", "div", "p", "li", "tr", "h1", "h2", "h3", "h4", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "img":
            self.images += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


SOUND = re.compile(r"\[sound:[^\]]*\]")


def html_to_text(value: str) -> str:
    """An HTML field as plain text: tags, images and sounds dropped, entities decoded,
    line breaks kept between blocks, other runs of spaces made one."""
    parser = _TextParser()
    parser.feed(SOUND.sub("", value))
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_list_items(value: str) -> list[str]:
    """The items of an HTML list (``<li>``), or the lines of the text when it has none."""
    if "<li" in value.lower():
        pieces = re.split(r"<li[^>]*>", value, flags=re.IGNORECASE)[1:]
        items = [html_to_text(piece) for piece in pieces]
    else:
        items = html_to_text(value).split("\n")
    return [item.replace("\n", " ") for item in items if item.strip()]


def deck_yaml(deck: dict[str, Any]) -> str:
    """A deck (topic, title, description, cards) as the text of a deck file."""
    import yaml

    head = {k: v for k, v in deck.items() if k != "cards"}
    text = yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=100)
    text += "cards:\n"
    for card in deck["cards"]:
        body = yaml.safe_dump([card], sort_keys=False, allow_unicode=True, width=100)
        text += "\n" + "".join(f"  {line}\n" for line in body.splitlines())
    return text


def write_decks(
    decks: list[dict[str, Any]], out_dir: Path, *, force: bool, db: Path | None
) -> list[Path]:
    """Write each deck as ``out_dir/<topic>.yaml`` once all of them pass the deck validator
    and every target may be written; nothing is written otherwise."""
    from custserv_cards.decks import check_decks
    from custserv_cards.errors import DeckError

    if not out_dir.is_dir():
        raise DataError(f"--out {out_dir} is not a folder; create it or choose another")
    texts = [(deck["topic"], deck_yaml(deck)) for deck in decks]
    with tempfile.TemporaryDirectory() as work:
        files = []
        for topic, text in texts:
            file = Path(work) / f"{topic}.yaml"
            file.write_text(text, encoding="utf-8")
            files.append(file)
        _valid, problems = check_decks(files)
    if problems:  # e.g. more text than one deck may hold
        where = f"{out_dir}{os.sep}"
        raise DeckError(
            [f"the imported deck is not valid: {p.replace(work + os.sep, where)}" for p in problems]
        )
    targets = [
        check_output(out_dir / f"{topic}.yaml", force=force, db=db) for topic, _text in texts
    ]
    for target, (_topic, text) in zip(targets, texts, strict=True):
        write_bytes(target, text.encode("utf-8"))
    return targets
