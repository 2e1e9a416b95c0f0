"""Read deck files (YAML) into validated decks, reporting every problem as ``file:line: message``.

Decks are parsed with PyYAML's safe composer, which keeps each value's line, and then checked
node by node, so one pass finds every problem in every file. Only plain YAML is accepted: no
tags (``!!python/object`` and friends) and no aliases, which also rules out alias bombs.
"""

from __future__ import annotations

import difflib
import errno
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import yaml

from custserv_cards.errors import DeckError
from custserv_cards.model import (
    KINDS,
    REVERSE_SUFFIX,
    Card,
    CardKind,
    Deck,
    Source,
    cloze_display,
)
from custserv_cards.paths import MAX_DECK_BYTES, NotARegularFile, read_deck_bytes

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SOURCE = re.compile(r"^(?P<note>[^:\s]+):(?P<start>\d+)(?:-(?P<end>\d+))?$")

DECK_KEYS = ("topic", "title", "description", "order", "cards")
REQUIRED_DECK_KEYS = ("topic", "title", "description", "cards")
DEFAULT_ORDER = 100
COMMON_KEYS = ("id", "kind", "source", "tags", "extra", "accept", "distractors")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "basic": ("prompt", "answer", "reverse", "reverse_prompt", "reverse_answer"),
    "cloze": ("text",),
    "list": ("prompt", "items", "ordered"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "basic": ("prompt", "answer"),
    "cloze": ("text",),
    "list": ("prompt", "items"),
}
ALL_CARD_KEYS = COMMON_KEYS + tuple(k for keys in KIND_KEYS.values() for k in keys)

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


MAX_DEPTH = 32
"""How deeply collections may nest in a deck file; a deck needs four levels."""


class _TooDeep(yaml.composer.ComposerError):
    """A collection nested deeper than ``MAX_DEPTH``, raised where the limit is passed."""


class _DeckLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases where they appear (so alias bombs never expand) and
    nesting deeper than ``MAX_DEPTH`` where it goes too deep (so no parser's own limit, nor
    Python's recursion limit, decides the message)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = cast("yaml.Mark | None", event.start_mark)  # PyYAML's stubs differ by version
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML aliases (*name) are not allowed in decks; write the value out",
                mark,
            )
        if self._depth >= MAX_DEPTH:
            raise _TooDeep(
                None,
                None,
                f"the YAML nests more than {MAX_DEPTH} levels deep; a deck needs four",
                mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def cloze_blanks(text: str) -> list[str]:
    """The answers of a cloze text's ``{{blanks}}``; raises ``ValueError`` on bad markup."""
    blanks: list[str] = []
    pos = 0
    while True:
        opening = text.find("{{", pos)
        closing = text.find("}}", pos)
        if opening == -1:
            if closing != -1:
                raise ValueError("'}}' without an opening '{{'")
            return blanks
        if closing != -1 and closing < opening:
            raise ValueError("'}}' without an opening '{{'")
        if closing == -1:
            raise ValueError("a blank opened with '{{' is never closed with '}}'")
        inner = text[opening + 2 : closing]
        if "{{" in inner:
            raise ValueError("blanks cannot be nested")
        if not inner.strip():
            raise ValueError("a blank is empty; write the answer between '{{' and '}}'")
        blanks.append(inner.strip())
        pos = closing + 2


class _Checker:
    """Walks one file's YAML nodes, collecting problems and building a ``Deck``."""

    def __init__(self, path: Path, problems: list[str], seen_ids: dict[str, str]) -> None:
        self.path = path
        self.problems = problems
        self.seen_ids = seen_ids

    def problem(self, node: yaml.Node | int, message: str) -> None:
        line = node if isinstance(node, int) else _line(node)
        self.problems.append(f"{self.path}:{line}: {message}")

    # --- node helpers -------------------------------------------------------------------

    def mapping(self, node: yaml.Node, what: str, allowed: Iterable[str]) -> dict[str, Any]:
        """A mapping node's entries by key (key node, value node); reports bad keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values")
            return {}
        if node.tag != _TAG + "map":
            self.problem(node, f"{what}: YAML tag '{node.tag}' is not allowed; write plain YAML")
            return {}
        allowed = tuple(allowed)
        entries: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.problem(key_node, f"{what} has a key that is not plain text")
                continue
            key = str(key_node.value)
            if key in entries:
                first = _line(entries[key][0])
                self.problem(key_node, f"{what}: duplicate key '{key}' (first at line {first})")
                continue
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = (
                    f"did you mean '{hint[0]}'?" if hint else "allowed: " + ", ".join(allowed)
                )
                self.problem(key_node, f"{what}: unknown key '{key}' ({suggestion})")
                continue
            entries[key] = (key_node, value_node)
        return entries

    def plain(self, node: yaml.Node, what: str) -> bool:
        if isinstance(node, yaml.ScalarNode) and node.tag in _PLAIN_TAGS:
            return True
        if node.tag.startswith(_TAG) and node.tag[len(_TAG) :] in ("map", "seq"):
            kind = "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
            self.problem(node, f"{what} must be text, not {kind}")
        else:
            self.problem(node, f"{what}: YAML tag '{node.tag}' is not allowed; write plain text")
        return False

    def text(self, entries: dict[str, Any], key: str, what: str) -> str | None:
        """A text value; numbers and dates are taken as written."""
        if key not in entries:
            return None
        key_node, node = entries[key]
        if not self.plain(node, f"{what}: '{key}'"):
            return None
        value = "" if node.tag == _TAG + "null" else str(node.value).strip()
        if not value:
            self.problem(key_node, f"{what}: '{key}' is empty; write its text or remove the key")
            return None
        return value

    def boolean(self, entries: dict[str, Any], key: str, what: str) -> bool:
        if key not in entries:
            return False
        _key_node, node = entries[key]
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "bool":
            return str(node.value).lower() in ("true", "yes", "on")
        self.problem(node, f"{what}: '{key}' must be true or false, not {node.value!r}")
        return False

    def text_list(self, entries: dict[str, Any], key: str, what: str) -> list[str] | None:
        if key not in entries:
            return None
        node = entries[key][1]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what}: '{key}' must be a list ('- item' on each line)")
            return None
        if node.tag != _TAG + "seq":
            self.problem(node, f"{what}: YAML tag '{node.tag}' is not allowed; write plain YAML")
            return None
        values: list[str] = []
        for item in node.value:
            if not self.plain(item, f"{what}: an item of '{key}'"):
                continue
            value = "" if item.tag == _TAG + "null" else str(item.value).strip()
            if not value:
                self.problem(item, f"{what}: an item of '{key}' is empty")
                continue
            values.append(value)
        return values

    # --- the deck -----------------------------------------------------------------------

    def deck(self, root: yaml.Node) -> Deck | None:
        entries = self.mapping(root, "the deck", DECK_KEYS)
        if not entries and not isinstance(root, yaml.MappingNode):
            return None
        for key in REQUIRED_DECK_KEYS:
            if key not in entries:
                self.problem(root, f"the deck has no '{key}'; add '{key}:' at the top level")
        topic = self.text(entries, "topic", "the deck")
        title = self.text(entries, "title", "the deck")
        description = self.text(entries, "description", "the deck")
        if topic is not None:
            node = entries["topic"][1]
            if not SLUG.match(topic):
                self.problem(
                    node,
                    f"topic '{topic}' is not a slug; use lowercase letters, digits and hyphens",
                )
            elif topic != self.path.stem:
                self.problem(
                    node,
                    f"topic '{topic}' does not match the file name '{self.path.name}'; "
                    f"rename the file to {topic}.yaml or change the topic",
                )
        order = DEFAULT_ORDER
        if "order" in entries:
            node = entries["order"][1]
            if (
                isinstance(node, yaml.ScalarNode)
                and node.tag == _TAG + "int"
                and node.value.isdigit()
            ):
                order = int(node.value)
            else:
                self.problem(node, f"the deck: 'order' must be a whole number, not {node.value!r}")
        cards: list[Card] = []
        if "cards" in entries:
            key_node, node = entries["cards"]
            if not isinstance(node, yaml.SequenceNode):
                self.problem(node, "'cards' must be a list of cards ('- id: ...')")
            elif not node.value:
                self.problem(key_node, "'cards' is empty; a deck needs at least one card")
            else:
                for card_node in node.value:
                    cards.extend(self.card(card_node, topic or self.path.stem, len(cards)))
        if topic is None or title is None or description is None:
            return None
        return Deck(topic, title, description, str(self.path), tuple(cards), order)

    def card(self, node: yaml.Node, topic: str, position: int) -> list[Card]:
        entries = self.mapping(node, "a card", ALL_CARD_KEYS)
        if not entries:
            if isinstance(node, yaml.MappingNode) and not node.value:
                self.problem(node, "a card is empty; give it id, kind, source and its fields")
            return []
        card_id = self.text(entries, "id", "a card")
        what = f"card '{card_id}'" if card_id else "a card"
        ok = card_id is not None
        if card_id is not None:
            id_node = entries["id"][1]
            if not SLUG.match(card_id):
                self.problem(
                    id_node, f"{what}: id is not a slug; use lowercase letters, digits and hyphens"
                )
                ok = False
            elif card_id in self.seen_ids:
                self.problem(
                    id_node, f"duplicate id '{card_id}', first used at {self.seen_ids[card_id]}"
                )
                ok = False
            else:
                self.seen_ids[card_id] = f"{self.path}:{_line(id_node)}"
        for key in ("id", "kind", "source"):
            if key not in entries:
                self.problem(node, f"{what} has no '{key}'")
                ok = False
        kind = self.text(entries, "kind", what)
        if kind is not None and kind not in KINDS:
            self.problem(
                entries["kind"][1], f"{what}: unknown kind '{kind}'; use basic, cloze or list"
            )
            kind = None
        source = self.source(entries, what)
        tags = self.text_list(entries, "tags", what) or []
        for tag in tags:
            if not SLUG.match(tag):
                self.problem(entries["tags"][1], f"{what}: tag '{tag}' is not a slug")
        extra = self.text(entries, "extra", what)
        distractors = self.text_list(entries, "distractors", what)
        if kind is None or source is None:
            return []
        for key in entries:
            if key not in COMMON_KEYS and key not in KIND_KEYS[kind]:
                self.problem(entries[key][0], f"{what}: '{key}' does not belong to a {kind} card")
                ok = False
        for key in REQUIRED[kind]:
            if key not in entries:
                self.problem(node, f"{what} has no '{key}', which a {kind} card needs")
                ok = False
        fields = getattr(self, f"fields_{kind}")(entries, what)
        if fields is None or not ok or card_id is None:
            return []
        if extra:
            fields["extra"] = extra
        accept = self.accept(entries, kind, fields, what)
        if accept:
            fields["accept"] = accept
        if distractors:
            self.check_distractors(entries["distractors"][1], kind, fields, distractors, what)
            fields["distractors"] = distractors

        def make(cid: str, flds: dict[str, Any]) -> Card:
            return Card(cid, card_id, topic, CardKind(kind), flds, source, tuple(tags), position)

        if kind == "basic" and fields.pop("reverse"):
            reverse = {
                "prompt": fields.pop("reverse_prompt") or fields["answer"],
                "answer": fields.pop("reverse_answer") or fields["prompt"],
            }
            if extra:
                reverse["extra"] = extra
            return [make(card_id, fields), make(card_id + REVERSE_SUFFIX, reverse)]
        fields.pop("reverse_prompt", None)
        fields.pop("reverse_answer", None)
        return [make(card_id, fields)]

    def accept(
        self, entries: dict[str, Any], kind: str, fields: dict[str, Any], what: str
    ) -> list[str] | dict[str, list[str]] | None:
        """The alternatives marking accepts: a list for a basic card's answer or a cloze
        card's only blank; for a cloze card's blanks or a list card's items, a mapping from
        a blank's answer or an item to its list of alternatives."""
        if "accept" not in entries:
            return None
        key_node, node = entries["accept"]
        if kind == "list":
            answers = [str(i) for i in fields["items"]]
        elif kind == "cloze":
            answers = cloze_blanks(str(fields["text"]))
        else:
            answers = [str(fields["answer"])]
        if isinstance(node, yaml.SequenceNode) or (
            len(answers) == 1 and not isinstance(node, yaml.MappingNode)
        ):
            if len(answers) != 1:
                what_has = "items" if kind == "list" else "blanks"
                self.problem(
                    node,
                    f"{what}: 'accept' must map each of its {what_has} to its alternatives "
                    f"('answer: [alternative, ...]'), as the card has {len(answers)} {what_has}",
                )
                return None
            return self.text_list(entries, "accept", what)
        mapping = self.mapping(node, f"{what}: 'accept'", answers)
        if not mapping and not isinstance(node, yaml.MappingNode):
            return None
        accepted: dict[str, list[str]] = {}
        for answer, (_answer_node, value_node) in mapping.items():
            values = self.text_list({answer: (key_node, value_node)}, answer, f"{what}: 'accept'")
            if values:
                accepted[answer] = values
        return accepted

    def check_distractors(
        self, node: yaml.Node, kind: str, fields: dict[str, Any], distractors: list[str], what: str
    ) -> None:
        """A distractor must not be one of the card's right answers."""
        from custserv_cards.marking import normalise

        if kind == "list":
            right = [str(i) for i in fields["items"]]
        elif kind == "cloze":
            right = [" / ".join(cloze_blanks(str(fields["text"])))]
        else:
            right = [str(fields["answer"])]
        accept = fields.get("accept")
        if isinstance(accept, list):
            right.extend(accept)
        elif isinstance(accept, dict):
            right.extend(a for values in accept.values() for a in values)
        wanted = {normalise(r) for r in right}
        for distractor in distractors:
            if normalise(distractor) in wanted:
                self.problem(
                    node,
                    f"{what}: distractor '{distractor}' is a right answer of the card; "
                    "remove it from 'distractors'",
                )

    def source(self, entries: dict[str, Any], what: str) -> Source | None:
        value = self.text(entries, "source", what)
        if value is None:
            return None
        match = SOURCE.match(value)
        if not match:
            self.problem(
                entries["source"][1],
                f"{what}: source '{value}' is not NOTE:LINES, e.g. 000_notes.txt:12-18",
            )
            return None
        start = int(match["start"])
        end = int(match["end"] or start)
        if start < 1 or end < start:
            self.problem(
                entries["source"][1],
                f"{what}: source line range {start}-{end} is backwards or starts below 1",
            )
            return None
        return Source(match["note"], start, end)

    def fields_basic(self, entries: dict[str, Any], what: str) -> dict[str, Any] | None:
        prompt = self.text(entries, "prompt", what)
        answer = self.text(entries, "answer", what)
        reverse = self.boolean(entries, "reverse", what)
        reverse_prompt = self.text(entries, "reverse_prompt", what)
        reverse_answer = self.text(entries, "reverse_answer", what)
        if not reverse:
            for key in ("reverse_prompt", "reverse_answer"):
                if key in entries:
                    self.problem(entries[key][0], f"{what}: '{key}' needs 'reverse: true'")
        if prompt is None or answer is None:
            return None
        return {
            "prompt": prompt,
            "answer": answer,
            "reverse": reverse,
            "reverse_prompt": reverse_prompt,
            "reverse_answer": reverse_answer,
        }

    def fields_cloze(self, entries: dict[str, Any], what: str) -> dict[str, Any] | None:
        text = self.text(entries, "text", what)
        if text is None:
            return None
        try:
            blanks = cloze_blanks(text)
        except ValueError as error:
            self.problem(entries["text"][1], f"{what}: bad cloze markup: {error}")
            return None
        if not blanks:
            self.problem(
                entries["text"][1],
                f"{what}: the cloze text has no blank; mark each one {{{{like this}}}}",
            )
            return None
        return {"text": text}

    def fields_list(self, entries: dict[str, Any], what: str) -> dict[str, Any] | None:
        prompt = self.text(entries, "prompt", what)
        items = self.text_list(entries, "items", what)
        ordered = self.boolean(entries, "ordered", what)
        if items is not None and len(items) < 2:
            self.problem(
                entries["items"][1],
                f"{what}: a list card needs at least two items (it has {len(items)}); "
                "use a basic card for one answer",
            )
            return None
        if prompt is None or items is None:
            return None
        return {"prompt": prompt, "items": items, "ordered": ordered}


def _read_text(path: Path, problems: list[str]) -> str | None:
    try:
        data = read_deck_bytes(path, MAX_DECK_BYTES)
    except FileNotFoundError:
        problems.append(f"{path}:1: no such file; check the path")
        return None
    except IsADirectoryError:
        problems.append(f"{path}:1: is a directory, not a deck file")
        return None
    except NotARegularFile as error:
        problems.append(
            f"{path}:1: is a {error.kind}, not a deck file; remove it or name the deck files"
        )
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            problems.append(
                f"{path}:1: is a symbolic link that leads back to itself; remove it or point "
                "it at a deck file"
            )
        else:
            problems.append(f"{path}:1: cannot be read ({error.strerror}); check its permissions")
        return None
    if len(data) > MAX_DECK_BYTES:
        try:
            size = f"{path.stat().st_size:,} bytes"
        except OSError:
            size = "larger"
        problems.append(
            f"{path}:1: the file is {size}, more than a deck may be "
            f"({MAX_DECK_BYTES:,}); split it into several decks"
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(utf8_problem(path, data, error))
        return None


def utf8_problem(path: Path, data: bytes, error: UnicodeDecodeError) -> str:
    """``file:line: message`` naming the first byte of ``data`` that is not UTF-8."""
    line = data[: error.start].count(b"\n") + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    return (
        f"{path}:{line}: not valid UTF-8 (byte 0x{data[error.start]:02x} at column {column}); "
        "save the file as UTF-8"
    )


def _needs_exact_reading(root: yaml.Node) -> bool:
    """Whether a tree from libyaml must be read again by ``_DeckLoader``: a node appearing
    twice (the mark of a YAML alias) or nesting deeper than ``MAX_DEPTH``."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > MAX_DEPTH:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return False


def _parse(path: Path, text: str, problems: list[str]) -> yaml.Node | None:
    """The file's YAML node tree, or None with a problem appended.

    libyaml's parser (when PyYAML has it) reads a valid deck many times faster than the
    pure-Python one; a file it refuses, or one with an alias, is read again by the
    pure-Python loader, which says exactly what is wrong and where. Both readers stop nesting
    at the same depth, so a deep file gets the same message whatever libyaml's own limit is.
    """
    root: yaml.Node | None = None
    parsed = False
    if _FAST_LOADER is not None:
        try:
            root = yaml.compose(text, Loader=_FAST_LOADER)
            parsed = root is None or not _needs_exact_reading(root)
        except (yaml.YAMLError, RecursionError):
            parsed = False
    try:
        if not parsed:
            root = yaml.compose(text, Loader=_DeckLoader)
    except _TooDeep as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        problems.append(f"{path}:{line}: {error.problem}")
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if error.context and error.context_mark and error.context_mark is not mark:
            problem += f" ({error.context} that starts at line {error.context_mark.line + 1})"
            if mark and mark.line >= text.count("\n"):
                mark = error.context_mark  # the file ended first: point at what was left open
        line = mark.line + 1 if mark else 1
        column = f" column {mark.column + 1}:" if mark else ""
        problems.append(f"{path}:{line}: YAML syntax error at{column} {problem}")
        return None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        char = error.character
        code = ord(char) if isinstance(char, str) else int(char)
        problems.append(
            f"{path}:{line}: character U+{code:04X} is not allowed in YAML (is this a binary file?)"
        )
        return None
    except yaml.YAMLError as error:
        problems.append(f"{path}:1: YAML error: {str(error).splitlines()[0]}")
        return None
    if root is None:
        problems.append(
            f"{path}:1: the file is empty; a deck needs topic, title, description and cards"
        )
    return root


def check_decks(
    paths: Iterable[Path], locations: dict[str, str] | None = None
) -> tuple[list[Deck], list[str]]:
    """Read every deck file, returning the valid decks and every problem found.

    When ``locations`` is given it is filled with each card id's ``file:line``.
    """
    problems: list[str] = []
    decks: list[Deck] = []
    seen_ids: dict[str, str] = {} if locations is None else locations
    seen_topics: dict[str, str] = {}
    for path in paths:
        text = _read_text(path, problems)
        if text is None:
            continue
        root = _parse(path, text, problems)
        if root is None:
            continue
        deck = _Checker(path, problems, seen_ids).deck(root)
        if deck is None:
            continue
        if deck.topic in seen_topics:
            problems.append(
                f"{path}:1: topic '{deck.topic}' is also the topic of {seen_topics[deck.topic]}"
            )
            continue
        seen_topics[deck.topic] = str(path)
        decks.append(deck)
    return decks, problems


def load_decks(paths: Iterable[Path]) -> list[Deck]:
    """The decks in ``paths``; raises ``DeckError`` listing every problem if any deck is invalid."""
    decks, problems = check_decks(paths)
    if problems:
        raise DeckError(problems)
    return decks


# --- card-writing advice ---------------------------------------------------------------------
#
# Not errors: a deck that breaks this advice still loads. These are the habits that make
# cards hard to learn (see "Writing good cards" in cards/README.md).

MAX_LIST_ITEMS = 6
MAX_ANSWER_WORDS = 25


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_COUNT_WORDS = _words(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_COUNT = re.compile(r"(?<![\w-])(\d+|" + "|".join(_COUNT_WORDS) + r")(?![\w-])", re.IGNORECASE)
_STOP_WORDS = frozenset(
    _words(
        """
        a an the and or nor but if so as than then of to in on at by for with from into onto
        is are was were be been being am do does did has have had not no yes
        it its it's this that these those there here such
        i me my we us our you your he him his she her they them their who whom whose which what
        all any both each every either neither few many much more most less least some none
        other another same own only just also too very even still quite rather
        can could may might must shall should will would
        """
    )
)


def _count_of(word: str) -> int:
    return int(word) if word.isdigit() else _COUNT_WORDS.index(word.lower()) + 1


def _front(card: Card) -> str:
    """What the student sees before answering, normalised for comparison."""
    if card.kind is CardKind.CLOZE:
        text = cloze_display(str(card.fields["text"]))
    else:
        text = str(card.fields["prompt"])
    return " ".join(str(text).split()).casefold().rstrip(" ?.!:")


def _list_advice(prompt: str, items: int) -> list[str]:
    advice: list[str] = []
    if items > MAX_LIST_ITEMS:
        advice.append(
            f"a list of {items} items is hard to recall; split it into lists of at most "
            f"{MAX_LIST_ITEMS} (by theme), or into cards that ask which group an item belongs to"
        )
    counts = {_count_of(w) for w in _COUNT.findall(prompt)}
    if items not in counts:
        asked = " or ".join(map(str, sorted(counts)))
        said = f"asks for {asked}" if counts else "does not say how many items it wants"
        name = _COUNT_WORDS[items - 1] if items <= len(_COUNT_WORDS) else str(items)
        advice.append(
            f"the prompt {said} and the list has {items}; say how many, e.g. 'Name the {name} ...'"
        )
    return advice


def _cloze_advice(text: str) -> list[str]:
    advice: list[str] = []
    for blank in cloze_blanks(text):
        words = re.findall(r"[\w']+", blank.casefold())
        if words and all(w in _STOP_WORDS for w in words):
            advice.append(
                f"the blank '{blank}' holds only stop words, which tests grammar, not the "
                "subject; blank the term a student must know"
            )
    return advice


def _answer_advice(answer: str) -> list[str]:
    length = len(answer.split())
    if length <= MAX_ANSWER_WORDS:
        return []
    return [
        f"the answer has {length} words; keep it under about {MAX_ANSWER_WORDS} "
        "(split the card or make it a list)"
    ]


def card_advice(decks: Iterable[Deck], locations: dict[str, str] | None = None) -> list[str]:
    """Warnings about cards that are valid but hard to learn, as ``file:line: advice: ...``.

    ``locations`` maps a card id to its ``file:line`` (as filled in by ``check_decks``); a card
    without one is reported at its deck's file. The checks: a list of more than six items, a
    list prompt that does not say how many items it wants, a cloze blank made only of stop
    words, an answer of more than about 25 words, and a prompt that another card already asks.
    """
    where = locations or {}
    advice: list[str] = []
    fronts: dict[str, str] = {}
    for deck in decks:
        for card in deck.cards:
            place = where.get(card.group, f"{deck.path}:1")
            if card.kind is CardKind.LIST:
                found = _list_advice(str(card.fields["prompt"]), len(card.fields["items"]))
            elif card.kind is CardKind.CLOZE:
                found = _cloze_advice(str(card.fields["text"]))
            else:
                found = _answer_advice(str(card.fields["answer"]))
            front = _front(card)
            if front in fronts:
                found.append(f"the same prompt as card {fronts[front]}; ask each question once")
            else:
                fronts[front] = f"'{card.id}' ({place})"
            advice.extend(f"{place}: advice: card '{card.id}': {message}" for message in found)
    return advice
