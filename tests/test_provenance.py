"""Provenance checks for the bundled decks in ``cards/*.yaml``.

Every card names the study note and the lines it was distilled from (``source:
NOTE:START-END``).  These tests check, card by card, that the note exists, that the
line range lies inside it, and that the card's key terms really occur in those lines.

The study notes live outside the repository.  By default they are looked for in
``<repo>/../shared/seeds``; set ``CUSTSERV_SEEDS`` to point somewhere else.  When the
directory is absent the note-based tests are skipped (the structural tests still run).

The key-term check
------------------
A card's *key terms* are the significant words of what the student must recall:

* ``basic``: the answer;
* ``cloze``: each blank;
* ``list``: each item.

A significant word is a run of letters (lowercased) of length >= 4 that is not a
stopword, or a run of digits (figures such as ``95`` or ``9`` matter).  Words are
compared by their first five letters, so "satisfied" matches "satisfaction" and
"reliable" matches "reliability".  Words that occur in almost every line of every note
("customer", "service", "business", ...) are set aside while a distinctive word is
available, so that a card cannot pass on them alone when it has anything more specific
to say.

A source word matches a key when it starts with it (numbers must be equal).

* a ``basic`` answer passes when at least one of its key terms, and at least 40% of
  them, occur in the source lines;
* a ``list`` card passes when every item passes that same test;
* a ``cloze`` card passes when every blank (usually one or two words) has at least one
  key term in the source.

``test_check_rejects_wrong_range`` shows that the check fails on deliberately wrong
ranges, and ``test_most_cards_fail_when_moved_to_another_note`` that it rejects almost
every card moved to another note's lines.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CARDS_DIR = REPO / "cards"
SEEDS_DIR = Path(os.environ.get("CUSTSERV_SEEDS") or (REPO.parent / "shared" / "seeds"))

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SOURCE = re.compile(r"^(?P<note>[^:\s]+):(?P<start>\d+)(?:-(?P<end>\d+))?$")
CLOZE = re.compile(r"\{\{(.+?)\}\}")
PREFIX = 5


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """
    about above after again against also among and another any are around because been
    before being below between both but can could does doing down during each either
    else even every from further have having here into itself just like made make makes
    many more most much must none only other others ought over same should
    some such than that their them then there these they this those through under until
    very were what when where which while whom whose will with within without would your
    yours it's they'll
    """
)

# Words so common in the notes that on their own they prove nothing about a range.
COMMON = _words(
    """
    customer customers service services business businesses product products goods
    staff organisation organization company companies need needs
    """
)
COMMON_PREFIXES = frozenset(w[:PREFIX] for w in COMMON)


# --------------------------------------------------------------------------- helpers


def _tokens(text: str) -> list[str]:
    # Split on case changes too, so that a bullet glyph glued to a word in the
    # notes ("JSatisfied customers") still yields the word ("satisfied").
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", text)
    return [w.lower() for w in words]


def key_terms(text: str) -> list[str]:
    """The significant words of ``text`` as comparison keys (5-letter prefixes or digits)."""
    keys: list[str] = []
    for tok in _tokens(text):
        if tok.isdigit():
            keys.append(tok)
        elif len(tok) >= 4 and tok not in STOPWORDS:
            keys.append(tok[:PREFIX])
    return keys


SHORT_STOPWORDS = _words("a an and as at be by for in is it of on or so the to up")


def short_terms(text: str) -> list[str]:
    """Fallback for phrases made only of short words ("Sex", "Age")."""
    return [t for t in _tokens(text) if len(t) >= 2 and t not in SHORT_STOPWORDS]


def distinctive(keys: list[str]) -> list[str]:
    """Drop the ubiquitous words, unless nothing else is left."""
    rest = [k for k in keys if k not in COMMON_PREFIXES]
    return rest or keys


class SourceWords:
    """The words of some note lines, queried by comparison key.

    A key made of digits must occur exactly; a word key matches any word of the
    source that starts with it (so "know" matches "knowing" and "satis" matches
    "satisfaction").
    """

    def __init__(self, lines: list[str]) -> None:
        toks = [t for line in lines for t in _tokens(line)]
        self.numbers = {t for t in toks if t.isdigit()}
        self.words = {t for t in toks if not t.isdigit()}

    def __contains__(self, key: str) -> bool:
        if key.isdigit():
            return key in self.numbers
        return any(w.startswith(key) for w in self.words)


def source_keys(lines: list[str]) -> SourceWords:
    return SourceWords(lines)


def parse_source(source: str) -> tuple[str, int, int]:
    m = SOURCE.match(str(source).strip())
    if not m:
        raise ValueError(f"malformed source {source!r}")
    start = int(m["start"])
    end = int(m["end"] or start)
    return m["note"], start, end


def read_note(note: str) -> list[str]:
    return (SEEDS_DIR / note).read_text(encoding="utf-8").splitlines()


MIN_SHARE = 0.4


def _check_phrase(what: str, text: str, found: SourceWords) -> str | None:
    """A phrase passes when >= 1 and >= MIN_SHARE of its key terms are in the source."""
    keys = distinctive(key_terms(text)) or short_terms(text)
    if not keys:
        return f"{what} {text!r} has no significant word to check"
    hits = [k for k in keys if k in found]
    if not hits or len(hits) / len(keys) < MIN_SHARE:
        missing = sorted({k for k in keys if k not in found})
        return (
            f"{what} {text!r}: only {len(hits)}/{len(keys)} key terms in the source "
            f"lines (missing {missing})"
        )
    return None


def check_terms(card: dict, lines: list[str]) -> list[str]:
    """Return the problems found checking ``card``'s key terms against ``lines``.

    An empty list means the card is supported by those lines.
    """
    found = source_keys(lines)
    problems: list[str] = []
    kind = card.get("kind")
    if kind == "basic":
        problem = _check_phrase("answer", str(card["answer"]), found)
        if problem:
            problems.append(problem)
    elif kind == "cloze":
        for blank in CLOZE.findall(str(card["text"])):
            keys = distinctive(key_terms(blank)) or short_terms(blank)
            if not any(k in found for k in keys):
                problems.append(f"blank {blank!r} not found in the source lines")
    elif kind == "list":
        for item in card["items"]:
            problem = _check_phrase("item", str(item), found)
            if problem:
                problems.append(problem)
    else:
        problems.append(f"unknown kind {kind!r}")
    return problems


def check_card(card: dict) -> list[str]:
    """Full provenance check of one card against the seeds directory."""
    note, start, end = parse_source(card["source"])
    path = SEEDS_DIR / note
    if not path.is_file():
        return [f"source note {note} does not exist in {SEEDS_DIR}"]
    lines = read_note(note)
    if not (1 <= start <= end <= len(lines)):
        return [f"line range {start}-{end} outside {note} (1-{len(lines)})"]
    return check_terms(card, lines[start - 1 : end])


# --------------------------------------------------------------------------- loading


def _deck_files() -> list[Path]:
    return sorted(Path(p) for p in glob.glob(str(CARDS_DIR / "*.yaml")))


def _load_decks() -> list[tuple[Path, dict]]:
    return [(p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in _deck_files()]


DECKS = _load_decks()
CARDS = [(path, card) for path, deck in DECKS for card in (deck.get("cards") or [])]


def _card_id(entry: tuple[Path, dict]) -> str:
    return str(entry[1].get("id", f"{entry[0].name}:?"))


needs_seeds = pytest.mark.skipif(
    not SEEDS_DIR.is_dir(),
    reason=f"study notes not found at {SEEDS_DIR} (set CUSTSERV_SEEDS to their directory)",
)


# --------------------------------------------------------------------------- structure


def test_there_are_decks():
    assert DECKS, f"no decks found in {CARDS_DIR}"


@pytest.mark.parametrize("path", _deck_files(), ids=lambda p: p.name)
def test_topic_matches_file_name(path: Path):
    deck = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert deck["topic"] == path.stem
    assert SLUG.match(deck["topic"])
    assert deck.get("cards"), f"{path.name} has no cards"


def test_ids_unique_across_decks():
    seen: dict[str, str] = {}
    dups = []
    for path, card in CARDS:
        cid = card.get("id")
        if cid in seen:
            dups.append(f"{cid} in {seen[cid]} and {path.name}")
        seen.setdefault(cid, path.name)
    assert not dups, "duplicate ids: " + "; ".join(dups)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


@pytest.mark.parametrize("entry", CARDS, ids=_card_id)
def test_card_is_wellformed(entry):
    """Id, source and the texts the provenance check reads.

    (A plain YAML scalar with ": " in it turns into a mapping; catch that here, since
    the key-term check would otherwise happily read the mapping's repr.)
    """
    _, card = entry
    assert SLUG.match(str(card.get("id", ""))), f"bad id {card.get('id')!r}"
    assert card.get("source"), "card has no source"
    _note, start, end = parse_source(card["source"])
    assert start <= end
    kind = card.get("kind")
    if kind == "basic":
        assert _is_text(card.get("prompt")) and _is_text(card.get("answer"))
    elif kind == "cloze":
        assert _is_text(card.get("text")) and CLOZE.search(card["text"])
    elif kind == "list":
        items = card.get("items")
        assert isinstance(items, list) and len(items) >= 2
        assert all(_is_text(i) for i in items), f"non-text item in {items!r}"
    else:
        pytest.fail(f"unknown kind {kind!r}")


# --------------------------------------------------------------------------- provenance


@needs_seeds
@pytest.mark.parametrize("entry", CARDS, ids=_card_id)
def test_card_supported_by_its_source(entry):
    _, card = entry
    problems = check_card(card)
    assert not problems, f"{card['id']} ({card['source']}): " + "; ".join(problems)


SALES_STAGES = {
    "id": "probe-sales-stages",
    "kind": "list",
    "items": [
        "Know your good or service",
        "Provide appropriate display and information",
        "Engage with the customer to create a positive experience",
        "Finalise the deal and agree the sale",
        "Provide good payment options",
        "Give good post-sales service",
    ],
}
COMPLAINT_FIGURE = {
    "id": "probe-complaint",
    "kind": "cloze",
    "text": "A customer with a complaint tells {{9-10}} people.",
}
DEFINITION = {
    "id": "probe-m-commerce",
    "kind": "basic",
    "answer": "Buying or selling through wireless handheld devices such as smartphones.",
}


@needs_seeds
@pytest.mark.parametrize(
    "card, note, right, wrong",
    [
        (SALES_STAGES, "001_a0d10dbdb5bdf1dd.txt", (7, 13), (64, 70)),
        (SALES_STAGES, "001_a0d10dbdb5bdf1dd.txt", (7, 13), (37, 42)),
        (COMPLAINT_FIGURE, "003_07885438e130f692.txt", (32, 32), (28, 28)),
        (DEFINITION, "000_ecf73123d468c87f.txt", (16, 16), (14, 15)),
        (DEFINITION, "000_ecf73123d468c87f.txt", (16, 16), (35, 39)),
    ],
    ids=["list-shifted", "list-other-list", "cloze-shifted", "basic-shifted", "basic-far"],
)
def test_check_rejects_wrong_range(card, note, right, wrong):
    lines = read_note(note)
    assert check_terms(card, lines[right[0] - 1 : right[1]]) == []
    assert check_terms(card, lines[wrong[0] - 1 : wrong[1]]) != []


@needs_seeds
def test_most_cards_fail_when_moved_to_another_note():
    """Moving every card's range to the same lines of a different note should break it.

    A weak check would let most cards pass anywhere; this one must reject the great
    majority of such misplaced ranges.
    """
    notes = sorted(p.name for p in SEEDS_DIR.iterdir() if p.is_file())
    assert len(notes) >= 2
    passed = total = 0
    for _, card in CARDS:
        note, start, end = parse_source(card["source"])
        for other in notes:
            if other == note:
                continue
            lines = read_note(other)
            lo = min(start, max(1, len(lines) - (end - start)))
            hi = min(len(lines), lo + (end - start))
            total += 1
            if not check_terms(card, lines[lo - 1 : hi]):
                passed += 1
    assert total
    assert passed / total < 0.1, f"{passed}/{total} misplaced ranges still passed"


# --------------------------------------------------------------------------- teaching


NOTE_NAMES = re.compile(
    r"revision notes|flashcard set|lecture slides|textbook|study cards|the notes?\b|"
    r"jamier|scott|quality progress|angry customers",
    re.IGNORECASE,
)


@pytest.mark.parametrize("entry", CARDS, ids=_card_id)
def test_no_card_asks_which_note_said_it(entry):
    """A prompt tied to a note marks a student wrong for giving another note's right answer;
    and who wrote a sentence is not the subject. (``extra`` may name them.)"""
    _, card = entry
    asked = [card.get(k) for k in ("prompt", "text", "reverse_prompt") if card.get(k)]
    named = [text for text in asked if NOTE_NAMES.search(str(text))]
    assert not named, f"{card['id']} names a note or an author: {named}"


def _readme_examples() -> list[dict]:
    """The example cards in ``cards/README.md`` (YAML blocks holding an ``id``)."""
    text = (CARDS_DIR / "README.md").read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL):
        if "  - id:" in block:
            loaded = yaml.safe_load(re.sub(r"\s+#.*", "", block))
            examples.extend(loaded)
    return examples


def test_the_format_documentation_has_examples():
    assert {card["kind"] for card in _readme_examples()} == {"basic", "cloze", "list"}


@needs_seeds
@pytest.mark.parametrize("card", _readme_examples(), ids=lambda c: c["id"])
def test_format_examples_cite_the_right_lines(card):
    assert check_card(card) == [], card


# --------------------------------------------------------------------------- coverage

# Every line of the notes with words on it is either cited by a card's source, or listed
# here: a heading or site boilerplate, a fact a card teaches from another line (named as
# "card:<id>", in its prompt, answer or extra), or text not taught (cards/SOURCES.md says why).
HEADING = "a heading or the site's boilerplate"
NOT_CITED: dict[str, dict[int, str]] = {
    "000_ecf73123d468c87f.txt": {
        35: HEADING,
        36: "card:benefits-flashcards",  # attracts new customers (accepted for word of mouth)
        37: "card:benefits-inside-business",  # increase profit / what customers spend
        38: "card:benefit-market-share",
        39: "card:benefit-retention-why",
    },
    "001_a0d10dbdb5bdf1dd.txt": {
        1: HEADING,
        66: HEADING,
        67: "card:def-customer-loyalty",  # the revision notes' definition, word for word
        74: HEADING,
        86: HEADING,
        87: "card:def-ict",  # the revision notes' definition
    },
    "002_4272ad119b94a6eb.txt": {
        **dict.fromkeys([1, 2, 4, 6, 13, 20, 27, 34, 55, 62, 69], HEADING),
        7: "card:def-customer-service-before-during-after",  # line 3 again
        9: "card:quality-perception",  # line 24 again
        10: "card:ict-person-or-automated",  # the lecture slides' line 38
        11: "not taught: cut out of its context",
        18: "not taught: a learning objective",
        39: "not taught: Total CVM's voices, jargon the excerpt never explains",
        46: "card:inseparability-barber",  # line 42 again
        56: "not taught: announces a definition",
        59: "not taught: the lead-in to a list the excerpt does not include",
        60: "card:def-external-customers",  # in its extra
        67: "not taught: a learning objective",
        72: "not taught: the lead-in to a process the excerpt does not include",
    },
    "003_07885438e130f692.txt": {
        **dict.fromkeys([1, 3, 4, 5, 6, 20, 26, 31, 36, 39, 40], HEADING),
        22: "not taught: who is said to have written a definition",
        27: "card:def-customer-service-scott",  # lines 3 and 23 again
    },
    "004_d701c4029a49ac59.txt": {
        **dict.fromkeys([1, 3, 7, 21, 23, 37, 49, 51, 57, 59, 71, 73, 91, 93, 95, 97, 99], HEADING),
        75: "card:app-benefit-increased-sales",  # impact on sales volume
    },
}


def _cited() -> dict[str, set[int]]:
    cited: dict[str, set[int]] = {}
    for _, card in CARDS:
        note, start, end = parse_source(card["source"])
        cited.setdefault(note, set()).update(range(start, end + 1))
    return cited


@needs_seeds
@pytest.mark.parametrize("note", sorted(NOT_CITED))
def test_every_line_of_the_notes_is_taught_or_said_why_not(note: str):
    cited = _cited().get(note, set())
    worded = {n for n, line in enumerate(read_note(note), 1) if re.search(r"\w", line)}
    uncited = worded - cited
    listed = NOT_CITED[note]
    assert sorted(uncited - set(listed)) == [], "lines no card cites: cite them or list them"
    assert sorted(set(listed) - uncited) == [], "listed lines that are cited or empty"
    ids = {str(card["id"]) for _, card in CARDS}
    missing = [why for why in listed.values() if why.startswith("card:") and why[5:] not in ids]
    assert missing == [], "a listed line's card is not in the decks"
