"""A spreadsheet (CSV or TSV) as a deck: one card a row.

The first row names the columns, unless the file starts with Anki's text-export headers
(``#separator:``, ``#html:``, ``#columns:``, ``#tags column:``, ``#guid column:``,
``#notetype column:``, ...), which are read as Anki writes them. Columns (any case; other
columns are ignored):

* ``prompt`` (or ``front``, ``question``) and ``answer`` (or ``back``): a basic card;
* ``text`` (or ``cloze``): a cloze sentence, blanks as ``{{answer}}`` or Anki's ``{{c1::answer}}``;
* ``kind``: basic, cloze or list (default: cloze when the row has cloze text, else basic);
  a list card's items are the lines of its answer cell;
* ``id``, ``tags`` (separated by spaces or commas), ``extra``, ``source``, ``reverse``
  (yes/no), ``guid`` (Anki's note id) and ``notetype`` (a name with "cloze" makes a cloze
  card, the second column its extra; "Basic (and reversed card)" one asked both ways).

A row's card id is its ``id`` cell; else one derived from Anki's ``guid``; else one derived
from the topic and the row's prompt (or cloze text), so importing the same file again gives
the same ids. A row's source is its ``source`` cell when that is ``NOTE:LINES``, else the
file's name and the row's line, e.g. ``questions.csv:12``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from custserv_cards.errors import DataError, DeckError, UsageError
from custserv_cards.interop.files import html_to_text, source_note, stable_id, tag_slugs

COLUMN_NAMES: dict[str, str] = {
    "prompt": "prompt",
    "front": "prompt",
    "question": "prompt",
    "answer": "answer",
    "back": "answer",
    "text": "text",
    "cloze": "text",
    "cloze text": "text",
    "kind": "kind",
    "id": "id",
    "tags": "tags",
    "extra": "extra",
    "back extra": "extra",
    "source": "source",
    "reverse": "reverse",
    "guid": "guid",
    "notetype": "notetype",
    "deck": "deck",
}
SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
ANKI_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^{}]*?)?\}\}", re.DOTALL)
YES = ("yes", "true", "1", "y")
NO = ("no", "false", "0", "n", "")


@dataclass
class Header:
    """What the ``#`` lines at the top of an Anki text export say."""

    separator: str | None = None
    html: bool = False
    columns: list[str] | None = None
    special: dict[str, int] = field(default_factory=dict)  # name -> 1-based column
    lines: int = 0


def anki_cloze(text: str) -> str:
    """Anki's ``{{c1::answer::hint}}`` blanks written as the deck format's ``{{answer}}``."""
    return ANKI_CLOZE.sub(lambda m: "{{" + m.group(1) + "}}", text)


def decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        from custserv_cards.decks import utf8_problem

        raise DeckError([utf8_problem(path, data, error)]) from None


def _read_header(lines: list[str]) -> Header:
    header = Header()
    for line in lines:
        if not line.startswith("#") or ":" not in line:
            break
        key, _, value = line[1:].partition(":")
        key, value = key.strip().lower(), value.rstrip("\r\n")
        if key == "separator":
            header.separator = SEPARATORS.get(value.strip().lower(), value[:1] or None)
        elif key == "html":
            header.html = value.strip().lower() == "true"
        elif key == "columns":
            header.columns = [c.strip() for c in value.split(header.separator or "\t")]
        elif key.endswith(" column") and value.strip().isdigit():
            header.special[key.removesuffix(" column")] = int(value.strip())
        header.lines += 1
    return header


def _separator(path: Path, first_line: str, header: Header) -> str:
    if header.separator:
        return header.separator
    if path.suffix.lower() in (".tsv", ".tab") or (header.lines and "\t" in first_line):
        return "\t"
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _column_names(raw: list[str]) -> list[str | None]:
    return [COLUMN_NAMES.get(name.strip().lower()) for name in raw]


def read_csv(path: Path, topic: str) -> dict[str, Any]:
    """The deck a spreadsheet makes; raises ``DeckError`` with every bad row's
    ``file:line: message``."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", topic):
        raise UsageError(
            f"--topic '{topic}' is not a slug; use lowercase letters, digits and hyphens"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder; give a CSV or TSV file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror})") from None
    if b"\0" in data[:4096]:
        raise DataError(f"{path}:1: a binary file, not CSV or TSV text")
    text = decode(path, data)
    lines = text.splitlines(keepends=True)
    header = _read_header(lines)
    body = lines[header.lines :]
    first = next((line for line in body if line.strip()), "")
    sep = _separator(path, first, header)
    if header.columns is not None and header.separator is None:
        header.columns = [c.strip() for c in _split_header(lines, sep)]
    reader = csv.reader(io.StringIO("".join(body)), delimiter=sep)
    rows: list[tuple[int, list[str]]] = []
    end = header.lines
    try:
        for row in reader:
            start = end + 1
            end = header.lines + reader.line_num
            rows.append((start, row))
    except csv.Error as error:
        raise DeckError([f"{path}:{header.lines + reader.line_num}: {error}"]) from None
    names: list[str | None]
    if header.columns is not None:
        names = _column_names(header.columns)
        header_line = header.lines
    elif header.lines:
        names = _positional_names(header)
        header_line = header.lines
    else:
        while rows and not any(cell.strip() for cell in rows[0][1]):
            rows.pop(0)
        if not rows:
            raise DataError(f"{path}:1: the file has no rows; the first row names the columns")
        header_line, raw = rows.pop(0)
        names = _column_names(raw)
        if not any(names):
            raise DataError(
                f"{path}:{header_line}: the first row names no known column; "
                "name them, e.g. prompt,answer (or front,back; text for cloze)"
            )
    for name, column in header.special.items():
        if name in ("tags", "guid", "notetype", "deck") and 0 < column <= len(names):
            names[column - 1] = name
    missing = _missing_columns(names)
    if missing:
        raise DataError(f"{path}:{max(header_line, 1)}: {missing}")
    return _deck(path, topic, rows, names, header.html)


def _split_header(lines: list[str], sep: str) -> list[str]:
    for line in lines:
        if line.lower().startswith("#columns:"):
            return line.split(":", 1)[1].rstrip("\r\n").split(sep)
    return []


def _positional_names(header: Header) -> list[str | None]:
    """An Anki export without ``#columns:``: the special columns where it says, and the first
    two others as front and back."""
    width = max([*header.special.values(), 2 + len(header.special)])
    names: list[str | None] = [None] * width
    for name, column in header.special.items():
        if 0 < column <= width:
            names[column - 1] = name
    free = iter(i for i, name in enumerate(names) if name is None)
    for role in ("prompt", "answer"):
        index = next(free, None)
        if index is not None:
            names[index] = role
    return names


def _missing_columns(names: list[str | None]) -> str | None:
    present = set(filter(None, names))
    if "text" in present or "notetype" in present:
        if "prompt" not in present and "text" not in present:
            return "no 'prompt' or 'text' column; name the column with the questions"
        return None
    for column in ("prompt", "answer"):
        if column not in present:
            other = "answer" if column == "prompt" else "prompt"
            return (
                f"no '{column}' column; the header row must name a '{column}' "
                f"and an '{other}' column (or 'text' for cloze cards)"
            )
    return None


def _deck(
    path: Path, topic: str, rows: list[tuple[int, list[str]]], names: list[str | None], html: bool
) -> dict[str, Any]:
    from custserv_cards.decks import SOURCE, cloze_blanks

    problems: list[str] = []
    cards: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    note = source_note(path)
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue

        def bad(message: str, line: int = line) -> None:
            problems.append(f"{path}:{line}: {message}")

        if len(row) > len(names) and any(cell.strip() for cell in row[len(names) :]):
            bad(f"{len(row)} fields where the header names {len(names)}; check the separators")
            continue
        cells: dict[str, str] = {}
        for name, cell in zip(names, row, strict=False):
            if name and name not in cells:
                value = html_to_text(cell) if html else cell.strip()
                cells[name] = value
        kind = cells.get("kind", "").lower()
        if not kind:
            cloze = cells.get("text") or ("cloze" in cells.get("notetype", "").lower())
            kind = "cloze" if cloze else "basic"
        if kind not in ("basic", "cloze", "list"):
            bad(f"unknown kind '{kind}'; use basic, cloze or list")
            continue
        card: dict[str, Any] = {"id": "", "kind": kind}
        if kind == "cloze":
            text = anki_cloze(cells.get("text") or cells.get("prompt", ""))
            if not text:
                bad("a cloze card needs its text; fill the 'text' cell")
                continue
            try:
                blanks = cloze_blanks(text)
            except ValueError as error:
                bad(f"bad cloze markup: {error}")
                continue
            if not blanks:
                bad("the cloze text has no blank; mark each one {{like this}}")
                continue
            card["text"] = text
            key = text
            if not cells.get("extra") and cells.get("answer"):
                cells["extra"] = cells["answer"]  # Anki's cloze notes: Text, then Back Extra
        else:
            prompt, answer = cells.get("prompt", ""), cells.get("answer", "")
            if not prompt:
                bad("the prompt is empty; fill it or remove the row")
                continue
            if not answer:
                bad("the answer is empty; fill it or remove the row")
                continue
            card["prompt"] = prompt
            key = prompt
            if kind == "list":
                items = [item.strip() for item in answer.split("\n") if item.strip()]
                if len(items) < 2:
                    bad("a list card needs at least two items, one a line in its answer cell")
                    continue
                card["items"] = items
            else:
                card["answer"] = answer
                reverse = cells.get("reverse", "").lower()
                if not reverse and "reversed card" in cells.get("notetype", "").lower():
                    reverse = "yes"  # Anki's "Basic (and reversed card)"
                if reverse in YES:
                    card["reverse"] = True
                elif reverse not in NO:
                    bad(f"reverse must be yes or no, not {cells['reverse']!r}")
                    continue
        card_id = cells.get("id", "")
        if card_id and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", card_id):
            bad(f"id '{card_id}' is not a slug; use lowercase letters, digits and hyphens")
            continue
        if not card_id:
            guid = cells.get("guid", "")
            card_id = stable_id("anki", guid) if guid else stable_id(topic, topic, kind, key)
        if card_id in seen:
            bad(
                f"duplicate id '{card_id}' (the same card as line {seen[card_id]}); "
                "give one of them an 'id' cell"
            )
            continue
        seen[card_id] = line
        card["id"] = card_id
        source = cells.get("source", "")
        card["source"] = source if SOURCE.match(source) else f"{note}:{line}"
        tags = tag_slugs(re.split(r"[\s,]+", cells.get("tags", "")))
        if tags:
            card["tags"] = tags
        if cells.get("extra"):
            card["extra"] = cells["extra"]
        cards.append(card)
    if problems:
        raise DeckError(problems)
    if not cards:
        raise DataError(f"{path}: no cards; every row is empty")
    return {
        "topic": topic,
        "title": topic.replace("-", " ").capitalize(),
        "description": f"Imported from {path.name}.",
        "cards": cards,
    }
