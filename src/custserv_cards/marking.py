"""Marking typed answers the way a teacher would, and choosing multiple-choice distractors.

Pure functions over cards: the review, the drill and ``custserv check`` all mark through
``mark()``, so they give the same verdict for the same answer.

What is accepted: case, punctuation, accents, spacing, articles, singular or plural, ``&``
for "and", hyphens or none (``m-commerce``, ``mcommerce``, ``m commerce``), numbers as
digits or words and ranges written either way (``nine or ten`` = ``9-10``), small typos in
long words, the distinctive word of a term whose other words are in the question, and the
alternatives a deck lists under ``accept:``.

What is refused however close the letters: a different number, a different term of the
subject (a word the decks use elsewhere is never a typo of another word), an opposite.

Short answers are compared word by word (a word-level difference is shown); long answers
are marked by their key ideas (the parts of the answer between commas and joining words).
rapidfuzz is imported on the first comparison, never at start-up.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from custserv_cards.model import Card, cloze_answers, cloze_display

if TYPE_CHECKING:
    from random import Random

    from custserv_cards.store import Store

# --- words -----------------------------------------------------------------------------------

# Words that carry no content: ignored when matching content words. Negations are content.
_STOPWORDS = """a all also an and any are as at be been but by can could do does for from
    has have if in into is it its may of on or so such than that the their them there
    they this those these to was were what when which who will with would your you he she
    his her our we us i me my about around approximately roughly some just being only
    instead rather even ever still how"""
STOPWORDS = frozenset(_STOPWORDS.split())
ARTICLES = frozenset({"a", "an", "the"})
_NON_WORD = re.compile(r"[^\w]+")

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS: dict[str, int] = {w: n for n, w in enumerate(_UNITS)} | {
    w: 20 + 10 * n for n, w in enumerate(_TENS)
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_DIGIT_RANGE = re.compile(r"(\d)\s*[-–—]\s*(\d)")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$|^\d+(?:\.\d+)?-\d+(?:\.\d+)?$")
RANGE_WORDS = frozenset({"or", "to"})
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# Phrases a teacher takes for one word.
_PHRASE_WORDS = {
    "come back": "return",
    "came back": "return",
    "coming back": "return",
    "comes back": "return",
    "make sure": "ensure",
    "makes sure": "ensure",
    "making sure": "ensure",
}
_PHRASES = re.compile(r"\b(?:" + "|".join(_PHRASE_WORDS) + r")\b")
_CONTRACTION = re.compile(r"\b(\w+)n't\b")
_CONTRACTIONS = {"can't": "can not", "won't": "will not", "shan't": "shall not"}

# Opposites a teacher never takes for each other (both directions are checked).
_OPPOSITES = """good/poor good/bad best/worst internal/external inside/outside high/low
    higher/lower increase/decrease increase/reduce more/less more/fewer gain/loss gain/lose
    win/lose positive/negative before/after formal/informal direct/indirect open/closed
    new/existing new/old loyal/disloyal strength/weakness short/long fast/slow cheap/expensive
    public/private proactive/reactive tangible/intangible verbal/nonverbal verbal/written
    satisfied/dissatisfied happy/unhappy satisfaction/dissatisfaction present/future
    current/future past/future first/last primary/secondary profit/loss always/never
    exceed/meet many/few most/least easy/difficult simple/complex have/lack with/without
    raise/lower raise/reduce one/two once/again quickly/slowly quick/slow clean/dirty
    easy/hard keep/lose attract/repel before/during during/after satisfied/unhappy
    every/no all/none all/no within/outside"""
OPPOSITES: frozenset[tuple[str, str]] = frozenset(
    pair for a, b in (p.split("/") for p in _OPPOSITES.split()) for pair in ((a, b), (b, a))
)
_NEGATING_PREFIXES = ("un", "dis", "in", "im", "non", "ir", "il")
# Words that reverse a statement: an answer with one where the card has none (or the other
# way round) says the opposite, however many other words it shares ("expectations have not
# been met"). "n't" is read as "not".
NEGATIONS = frozenset(
    {"not", "no", "never", "cannot", "nothing", "none", "nobody", "neither", "nor"}
)
CONTRASTS = frozenset({"than", "instead"})  # "rather than a person": a negation in the answer
NEGATION_REACH = 3  # a negation governs this many content words after it, in its clause
CLAUSE_WORDS = frozenset({"so", "but", "and", "because", "which", "while", "although"})
# "de" reverses a longer word (demotivation, destabilise); before a short one it is seldom a
# prefix at all (deserve, design, detail).
_REVERSING_PREFIX, _REVERSED_MIN = "de", 6

# Words a teacher takes for each other in this subject (each group is one meaning).
_SYNONYMS = """correctly/properly firm/business/company/organisation
    staff/employee/worker/workforce buy/purchase shop/store profit/profits money/cash
    associated/linked/connected
    reply/respond quick/fast problem/issue poor/bad unhappy/dissatisfied happy/satisfied
    info/information annual/yearly current/existing/present tech/technical
    competition/competitor
    higher/greater/more/increased lower/reduced/less/fewer/decreased"""
# Irregular forms, read as their plain form.
_IRREGULAR = """made/make bought/buy sold/sell told/tell kept/keep paid/pay gave/give
    given/give went/go gone/go met/meet got/get brought/bring took/take taken/take
    chose/choose chosen/choose spent/spend lost/lose won/win did/do done/do saw/see
    seen/see knew/know known/know left/leave felt/feel thought/think better/good
    best/good worse/bad goods/product"""
IRREGULAR: dict[str, str] = dict(pair.split("/") for pair in _IRREGULAR.split())


def _plain(text: str) -> str:
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number_value(words: Sequence[str], start: int) -> tuple[str, int] | None:
    """A number written in words (or digits) at ``words[start]``: its digits and length."""
    total = current = 0
    seen = False
    i = start
    while i < len(words):
        word = words[i]
        if word in NUMBER_WORDS and NUMBER_WORDS[word] >= 10 and 10 <= current < 100:
            total, current = total + current * 100, NUMBER_WORDS[word]  # nineteen ninety
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word in SCALES and (seen or word == "hundred"):
            current = max(current, 1) * SCALES[word]
            if SCALES[word] > 100:
                total, current = total + current, 0
        elif word == "and" and seen and i + 1 < len(words) and words[i + 1] in NUMBER_WORDS:
            i += 1
            continue
        elif word == "a" and not seen and i + 1 < len(words) and words[i + 1] in SCALES:
            current = 1
        elif not seen and _DIGITS.fullmatch(word):
            return word.lstrip("0") or "0", 1
        else:
            break
        seen = seen or word != "a"
        i += 1
    if not seen:
        return None
    return str(total + current), i - start


def words(text: str) -> list[str]:
    """The words of a text as marking compares them: lower case, no accents or punctuation,
    ``&`` as "and", numbers in digits, a range as ``9-10``, single letters joined to the
    next word (``m commerce`` is ``mcommerce``)."""
    plain = _plain(text).replace("&", " and ").replace("%", " percent ").replace("’", "'")
    plain = _CONTRACTION.sub(lambda m: _CONTRACTIONS.get(m[0], m[1] + " not"), plain)
    plain = plain.replace("'", "")
    plain = re.sub(r"(\d),(\d{3})\b", r"\1\2", plain)
    plain = _DIGIT_RANGE.sub(r"\1 to \2", plain)
    plain = re.sub(r"\bper cent\b", "percent", plain)
    plain = _PHRASES.sub(lambda m: _PHRASE_WORDS[m[0].replace("  ", " ")], plain)
    raw = [w for w in _NON_WORD.sub(" ", plain).replace("_", " ").split() if w]
    # Numbers in words to digits.
    tokens: list[str] = []
    i = 0
    while i < len(raw):
        word = raw[i]
        found = (
            _number_value(raw, i)
            if word in NUMBER_WORDS or word in SCALES or word == "a" or word[0].isdigit()
            else None
        )
        if found:
            tokens.append(found[0])
            i += found[1]
        else:
            tokens.append(raw[i])
            i += 1
    # Ranges: "9 or 10", "9 to 10", "between 9 and 10", "from 9 to 10".
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        if (
            word in ("between", "from")
            and i + 3 < len(tokens)
            and tokens[i + 1].isdigit()
            and tokens[i + 2] in ("and", "to")
            and tokens[i + 3].isdigit()
        ):
            out.append(f"{tokens[i + 1]}-{tokens[i + 3]}")
            i += 4
            continue
        if (
            word.isdigit()
            and i + 2 < len(tokens)
            and tokens[i + 1] in RANGE_WORDS
            and tokens[i + 2].isdigit()
        ):
            out.append(f"{word}-{tokens[i + 2]}")
            i += 3
            continue
        out.append(word)
        i += 1
    # Single letters (e-commerce, m commerce) join the next word.
    joined: list[str] = []
    i = 0
    while i < len(out):
        word = out[i]
        if len(word) == 1 and word.isalpha() and word not in ("a", "i") and i + 1 < len(out):
            joined.append(word + out[i + 1])
            i += 2
            continue
        joined.append(word)
        i += 1
    return joined


def normalise(text: str) -> str:
    """A text as marking compares it, as one string (articles left out)."""
    return " ".join(w for w in words(text) if w not in ARTICLES)


def is_number(word: str) -> bool:
    return bool(_NUMBER.match(word))


def _stem(word: str) -> str:
    """A light English stem: singular and plural, -ing and -ed forms, a final e, -ly."""
    word = IRREGULAR.get(word, word)
    if len(word) <= 3 or is_number(word):
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ness") and len(w) > 6:  # friendliness, helpfulness
        w = w[:-4]
        w = w[:-1] + "y" if w.endswith("i") else w
    if w.endswith(("ence", "ance")) and len(w) > 6:  # competence: competent
        w = w[:-2] + "t"
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) > 4:
        w = _undouble(w[:-2])
    elif w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def _undouble(w: str) -> str:
    """ "plann" to "plan", "shopp" to "shop" (short stems only: "trainn" is a typo)."""
    if len(w) <= 5 and w[-1] == w[-2] and w[-1] not in "lsz":
        return w[:-1]
    return w


SYNONYMS: dict[str, str] = {
    _stem(word): _stem(group.split("/")[0])
    for group in _SYNONYMS.split()
    for word in group.split("/")
}


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's stem (``_stem``), the same for words a teacher takes for each other."""
    found = _stem(word)
    return SYNONYMS.get(found, found)


_OPPOSITE_STEMS = frozenset((stem(a), stem(b)) for a, b in OPPOSITES)


def content(tokens: Iterable[str]) -> list[str]:
    """The content words of a token list (stop words left out)."""
    return [w for w in tokens if w not in STOPWORDS]


def opposite(a: str, b: str) -> bool:
    """Whether two words are opposites (a listed pair, or one is the other negated)."""
    if (a, b) in OPPOSITES or (stem(a), stem(b)) in _OPPOSITE_STEMS:
        return True
    for prefix in _NEGATING_PREFIXES:
        for x, y in ((a, b), (b, a)):
            if x.startswith(prefix) and len(y) > 3 and stem(x[len(prefix) :]) == stem(y):
                return True
    for x, y in ((a, b), (b, a)):
        rest = x[len(_REVERSING_PREFIX) :]
        if x.startswith(_REVERSING_PREFIX) and len(rest) >= _REVERSED_MIN and stem(rest) == stem(y):
            return True
    return False


def _typo_allowance(word: str) -> int:
    """How many edits count as a small typo in ``word``: none in short words."""
    if len(word) < 5 or is_number(word):
        return 0
    if len(word) < 8:
        return 1
    return 2


# --- the subject's vocabulary -------------------------------------------------------------------


_VOCABULARY_WORD = re.compile(r"\b[b-hj-z][-\s]+[a-z]+|[a-z]+")
_VOCABULARY_SINGLE = re.compile(r"\b[b-hj-z][-\s]+[a-z]")
_LETTERS = re.compile(r"[a-z]+")


def vocabulary_words(text: str) -> set[str]:
    """The words of a text for the vocabulary, read quickly (letters only, no numbers):
    the same words as ``words()`` gives, single letters joined to the next word."""
    plain = text.casefold().replace("'", "").replace("’", "")
    if not plain.isascii():
        plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    if not _VOCABULARY_SINGLE.search(plain):
        return set(_LETTERS.findall(plain)) - STOPWORDS
    found = {
        w if w.isalpha() else "".join(filter(str.isalpha, w))
        for w in _VOCABULARY_WORD.findall(plain)
    }
    return found - STOPWORDS


@dataclass(frozen=True)
class Subject:
    """The words the decks use (a typed word that is one of them is never taken as a typo
    of another word) and on how many cards each stem appears. ``cards`` (where
    distractors are drawn from) are read only when asked for."""

    vocabulary: frozenset[str] = frozenset()
    frequency: dict[str, int] = field(default_factory=dict)  # stem: cards using it
    size: int = 0  # cards counted
    loader: Callable[[], tuple[Card, ...]] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], loader: Callable[[], tuple[Card, ...]] | None = None
    ) -> Subject:
        """The subject of cards given as one text each. A stem's count adds up the cards
        of each of its forms (a card with "customer" and "customers" counts twice), which
        keeps the work in C: 100,000 cards take about a second."""
        counts: Counter[str] = Counter()
        size = 0
        for text in texts:
            size += 1
            counts.update(vocabulary_words(text))
        frequency: dict[str, int] = {}
        for word, count in counts.items():
            each = stem(word)
            frequency[each] = min(frequency.get(each, 0) + count, size)
        found = set(counts) | set(frequency)
        return cls(frozenset(found), frequency, size, loader)

    @classmethod
    def from_cards(cls, cards: Iterable[Card]) -> Subject:
        cards = tuple(cards)
        return cls.from_texts((" ".join(card_texts(c)) for c in cards), lambda: cards)

    @functools.cached_property
    def cards(self) -> tuple[Card, ...]:
        return self.loader() if self.loader else ()

    def known(self, word: str) -> bool:
        return word in self.vocabulary or stem(word) in self.vocabulary

    def share(self, word: str) -> float:
        """The share of the subject's cards that use a word (0 for a small subject)."""
        if self.size < COMMON_MIN_CARDS:
            return 0.0
        return self.frequency.get(stem(word), 0) / self.size


COMMON_MIN_CARDS = 20  # a subject must have this many cards to tell common words from rare
COMMON_SHARE = 0.15  # a word on one card in seven or more says little ("customer", "service")
RARE_SHARE = 0.03  # a word on few cards is distinctive ("bundling", "internal")

_LAST_SUBJECT: list[tuple[list[str], Subject]] = []
_SUBJECTS: weakref.WeakKeyDictionary[Store, Subject] = weakref.WeakKeyDictionary()
# Every text a card shows, read by SQLite (a list card's items as a JSON array).
_CARD_TEXTS = (
    "SELECT "
    + " || ' ' || ".join(
        f"coalesce(json_extract(content, '$.fields.{key}'), '')"
        for key in ("prompt", "answer", "text", "extra", "items")
    )
    + " FROM cards WHERE retired = 0 ORDER BY id"
)


def subject_of(store: Store) -> Subject:
    """The vocabulary of the store's active cards: read once per open store (a session
    does not change its cards), and built again only when the cards have changed."""
    known = _SUBJECTS.get(store)
    if known is None:
        known = _SUBJECTS[store] = _read_subject(store)
    return known


def _read_subject(store: Store) -> Subject:
    texts = [str(r[0] or "") for r in store.conn.execute(_CARD_TEXTS)]

    def load() -> tuple[Card, ...]:
        rows = store.conn.execute(
            "SELECT id, content FROM cards WHERE retired = 0 ORDER BY id"
        ).fetchall()
        return tuple(Card.from_row({"id": r[0], "content": r[1]}) for r in rows)

    if _LAST_SUBJECT and _LAST_SUBJECT[0][0] == texts:
        return dataclasses.replace(_LAST_SUBJECT[0][1], loader=load)
    found = Subject.from_texts(texts, load)
    _LAST_SUBJECT[:] = [(texts, found)]
    return found


def card_texts(card: Card) -> list[str]:
    """Every text a card shows (its vocabulary)."""
    texts: list[str] = []
    for key in ("prompt", "answer", "text", "extra"):
        if card.fields.get(key):
            texts.append(str(card.fields[key]))
    texts.extend(str(i) for i in card.fields.get("items") or ())
    return texts


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of a word-level difference: ``op`` is ``same``, ``wrong`` (typed, not
    expected) or ``missing`` (expected, not typed)."""

    op: str
    text: str


@dataclass(frozen=True)
class Idea:
    """A key idea of a long answer, and whether the typed answer holds it."""

    text: str
    found: bool


@dataclass(frozen=True)
class TypedResult:
    """One typed answer marked against one expected answer (a basic card's answer or a
    cloze blank). ``label`` is the verdict in a word or two; ``reason`` says why, when the
    answer is refused or only partly right."""

    typed: str
    expected: str
    grade: int
    label: str
    reason: str = ""
    diff: tuple[Segment, ...] = ()
    ideas: tuple[Idea, ...] = ()

    @property
    def exact(self) -> bool:
        return self.label == "exact"

    @property
    def correct(self) -> bool:
        return self.grade >= 3

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "typed": self.typed,
            "expected": self.expected,
            "correct": self.correct,
            "grade": self.grade,
            "verdict": self.label,
        }
        if self.reason:
            data["reason"] = self.reason
        if self.diff:
            data["difference"] = [{"op": s.op, "text": s.text} for s in self.diff]
        if self.ideas:
            data["ideas"] = [{"idea": i.text, "found": i.found} for i in self.ideas]
        return data


@dataclass(frozen=True)
class ListResult:
    """Which items a typed list recalled: ``matched[i]`` is the index of the typed line that
    recalled item ``i`` (or None); ``extra`` are typed lines that matched no item (with the
    reason, when one is known, in ``reasons``); ``repeats`` are lines that recalled an item
    already recalled; ``in_order`` whether each recalled item is in its right place."""

    items: tuple[str, ...]
    typed: tuple[str, ...]
    matched: tuple[int | None, ...]
    in_order: tuple[bool, ...]
    extra: tuple[str, ...]
    ordered: bool
    grade: int
    repeats: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def recalled(self) -> int:
        return sum(m is not None for m in self.matched)

    @property
    def credited(self) -> int:
        """Items recalled (and, for an ordered list, in the right order)."""
        if not self.ordered:
            return self.recalled
        return sum(m is not None and ok for m, ok in zip(self.matched, self.in_order, strict=True))

    @property
    def share(self) -> float:
        return self.credited / len(self.items) if self.items else 0.0


@dataclass(frozen=True)
class Verdict:
    """What marking says of a typed answer to a card: the suggested grade, and the marks of
    each blank (``answers``) or of the list (``items``)."""

    card_id: str
    kind: str
    grade: int
    answers: tuple[TypedResult, ...] = ()
    items: ListResult | None = None

    @property
    def correct(self) -> bool:
        return self.grade >= 3

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "card": self.card_id,
            "kind": self.kind,
            "correct": self.correct,
            "grade": self.grade,
        }
        if self.items is not None:
            result = self.items
            data["recalled"] = result.recalled
            data["total"] = len(result.items)
            if result.ordered:
                data["in_order"] = result.credited
            data["items"] = [
                {
                    "item": item,
                    "recalled": match is not None,
                    "typed": None if match is None else result.typed[match],
                }
                for item, match in zip(result.items, result.matched, strict=True)
            ]
            data["unmatched"] = list(result.extra)
            data["unmatched_reasons"] = [
                (result.reasons[n] if n < len(result.reasons) else "") or None
                for n in range(len(result.extra))
            ]
            data["repeats"] = list(result.repeats)
        else:
            data["answers"] = [a.to_json() for a in self.answers]
        return data


# --- marking one answer ---------------------------------------------------------------------

TYPO_REASON = "allowing for a small typo"
GRADE_LABELS = {5: "right", 4: "right", 3: "close", 2: "not quite", 1: "wrong", 0: "no answer"}


@dataclass
class _Match:
    """How typed content words line up with expected ones."""

    matched: int = 0
    needed: int = 0
    typos: int = 0
    forgiven: int = 0
    extras: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    found: set[int] = field(default_factory=set)  # indexes of expected content words found


def _same(typed: str, expected: str) -> bool:
    return typed == expected or stem(typed) == stem(expected) or _derived(typed, expected)


_DERIVING = ("ic", "ment", "ement", "ation", "ion", "ance", "ence")


def _derived(a: str, b: str) -> bool:
    """Whether one word is the other with a noun-making ending ("serving" and "service",
    "managing" and "management")."""
    x, y = sorted((stem(a), stem(b)), key=len)
    return len(x) >= 4 and y.startswith(x) and y[len(x) :] in _DERIVING


def _typo(typed: str, expected: str, subject: Subject) -> bool:
    from rapidfuzz.distance import OSA

    allowance = _typo_allowance(expected)
    if not allowance or is_number(typed) or subject.known(typed):
        return False
    if opposite(typed, expected):
        return False
    return int(OSA.distance(typed, expected)) <= allowance


def _close_letters(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return len(a) >= 4 and len(b) >= 4 and fuzz.ratio(a, b) >= 70.0


def _align(typed: Sequence[str], expected: Sequence[str], subject: Subject) -> _Match:
    """Match the typed content words to the expected ones (each used once)."""
    result = _Match(needed=len(expected))
    used: set[int] = set()
    pending: list[int] = []
    for ei, want in enumerate(expected):
        hit = next(
            (ti for ti, got in enumerate(typed) if ti not in used and _same(got, want)), None
        )
        if hit is None:
            # Joined or split compounds: "after sales" for "aftersales", and back.
            for ti in range(len(typed) - 1):
                if ti not in used and ti + 1 not in used and typed[ti] + typed[ti + 1] == want:
                    used.add(ti + 1)
                    hit = ti
                    break
        if hit is None and ei + 1 < len(expected):
            joined = want + expected[ei + 1]
            hit = next(
                (ti for ti, got in enumerate(typed) if ti not in used and got == joined), None
            )
        if hit is None:
            pending.append(ei)
            continue
        used.add(hit)
        result.matched += 1
        result.found.add(ei)
    # Typos, only among what is left over.
    for ei in list(pending):
        want = expected[ei]
        hit = next(
            (ti for ti, got in enumerate(typed) if ti not in used and _typo(got, want, subject)),
            None,
        )
        if hit is not None:
            used.add(hit)
            pending.remove(ei)
            result.matched += 1
            result.typos += 1
            result.found.add(ei)
    result.missing = [expected[ei] for ei in pending]
    result.extras = [got for ti, got in enumerate(typed) if ti not in used]
    return result


_EDGE_PUNCTUATION = "\"'.,;:!?()[]{}"


def _as_written(word: str, text: str) -> str:
    """How a word as marking compares it (``mcommerce``, ``20``) is written in ``text``
    (``M-commerce``, ``twenty``), for a reason the student reads; a capital that only starts
    the text is left out. The word itself when the text does not have it."""
    raw = text.split()
    for n in (1, 2, 3):
        for i in range(len(raw) - n + 1):
            span = " ".join(raw[i : i + n]).strip(_EDGE_PUNCTUATION)
            if span and words(span) == [word]:
                rest = span[1:]
                return span[0].lower() + rest if rest == rest.lower() else span
    return word


def _conflict(
    match: _Match,
    expected: Sequence[str],
    typed: Sequence[str],
    subject: Subject,
    *,
    short: bool,
    term: bool,
    texts: tuple[str, str] = ("", ""),
) -> str:
    """Why what was typed contradicts the answer (a different number, an opposite, a
    different term of the subject), or "" when it does not. ``expected`` and ``typed`` are
    every word, stop words included; a different term is looked for only in a ``short``
    answer, and a word put in place of a term's word only in a ``term``. ``texts`` (what was
    typed, and the answer with its question) give the words as they were written."""
    typed_text, expected_text = texts

    def mine(word: str) -> str:
        return _as_written(word, typed_text)

    def theirs(word: str) -> str:
        return _as_written(word, expected_text)

    for got in match.extras:
        if is_number(got):
            other = next((w for w in match.missing if is_number(w)), None)
            if other is not None:
                return f"{mine(got)} is a different number from {theirs(other)}"
            if not any(_same(got, w) for w in expected):
                return f"{mine(got)} is not the number in the answer"
        against = next(
            (w for w in expected if opposite(got, w) and got not in expected and w not in typed),
            None,
        )
        if against is not None:
            return f"'{mine(got)}' is the opposite of '{theirs(against)}'"
        if not short or not subject.known(got):
            continue
        close = next((w for w in match.missing if _close_letters(got, w)), None)
        if close is not None and not is_number(close) and not _derived(got, close):
            return f"'{mine(got)}' is a different term from '{theirs(close)}'"
        if term and match.missing:
            missing = " ".join(theirs(w) for w in match.missing)
            return f"'{mine(got)}' is not part of the term ('{missing}' is missing)"
    return ""


def _word_diff(typed: str, expected: str) -> tuple[Segment, ...]:
    """A word-level difference of ``typed`` against ``expected``, compared as marking sees
    words (case, punctuation, plural and number forms are no difference; a synonym is
    shown, so the student sees the answer's own word). Words that carry no content
    ("is", "its") are left out of what is wrong or missing."""
    typed_words = typed.split()
    expected_words = expected.split()

    def key(word: str) -> str:
        return " ".join(_stem(w) for w in words(word) if w not in ARTICLES)

    def carries(text: str) -> bool:
        return bool(content(words(text)))

    a = [key(w) for w in typed_words]
    b = [key(w) for w in expected_words]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, f"{segments[-1].text} {text}")
        else:
            segments.append(Segment(op, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("same", " ".join(expected_words[j1:j2]))
            continue
        wrong = " ".join(typed_words[i1:i2])
        if wrong and carries(wrong):
            add("wrong", wrong)
        missing = " ".join(expected_words[j1:j2])
        if missing and carries(missing):
            add("missing", missing)
        elif missing:
            add("same", missing)
    return tuple(segments)


_IDEA_SPLIT = re.compile(
    r"[,;:()\[\].!?]+|\s(?=(?:and|but|so|because|while|whereas|such as|for example|"
    r"e\.g\.|eg|i\.e\.|ie)\s)",
    re.I,
)
_SECONDARY = re.compile(r"^(?:so|such as|for example|e\.g\.|eg|i\.e\.|ie|like)\b", re.I)
LONG_ANSWER_WORDS = 6  # content words from which an answer is marked by its key ideas
TERM_WORDS = 3  # an answer of up to this many content words names a term


def ideas_of(expected: str) -> list[tuple[str, float]]:
    """The key ideas of an answer with their weights: its parts between punctuation and
    joining words, each with a content word (a part of one word joins the next: "collecting
    and examining data" is one idea). An example or a consequence ("such as ...", "so ...")
    weighs half."""
    parts = [p.strip() for p in _IDEA_SPLIT.split(expected) if p and p.strip()]
    parts = [p for p in parts if content(words(p))] or [expected]
    merged: list[str] = []
    carry = ""
    for part in parts:
        part = f"{carry} {part}".strip() if carry else part
        if len(content(words(part))) < 2 and part is not parts[-1]:
            carry = part
            continue
        carry = ""
        merged.append(part)
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]} {carry}"
        else:
            merged.append(carry)
    return [(idea, 0.5 if _SECONDARY.match(idea) else 1.0) for idea in merged]


def _grade_for_recall(match: _Match) -> int:
    share = match.matched / max(match.needed, 1)
    clean = not match.typos and not match.forgiven and len(match.extras) <= 1
    if share >= 1.0:
        return 5 if clean else 4
    if share >= 0.75:
        return 4
    if share >= 0.6:
        return 3
    if share >= 0.34:
        return 2
    return 1


def _question_words(question: str) -> set[str]:
    return {stem(w) for w in content(words(question))}


def mark_text(
    typed: str,
    expected: str,
    *,
    question: str = "",
    accept: Sequence[str] = (),
    subject: Subject | None = None,
) -> TypedResult:
    """Mark one typed answer against one expected answer (and its accepted alternatives)."""
    subject = subject or Subject()
    typed_tokens = [w for w in words(typed) if w not in ARTICLES]
    if not typed_tokens:
        return TypedResult(typed, expected, 0, GRADE_LABELS[0])
    best: TypedResult | None = None
    alternatives = [expected, *accept]
    inner = " ".join(_PARENTHESES.findall(expected))
    inner_words = content(words(inner))
    if inner_words and len(inner_words) <= TERM_WORDS and not any(map(is_number, inner_words)):
        alternatives.append(inner)  # "supplier delays" for "An external factor (supplier delays)"
    either = re.split(r"\s+or\s+", _PARENTHESES.sub(" ", expected).rstrip(" ."))
    if len(either) > 1 and all(len(content(words(p))) >= 2 for p in either):
        alternatives.extend(either)  # "customer care processes" for "Client services or ..."
    for n, answer in enumerate(alternatives):
        result = _mark_one(typed, typed_tokens, answer, question, subject, alternative=n > 0)
        if result.grade == 5:
            return TypedResult(
                typed, expected, 5, result.label, result.reason, result.diff, result.ideas
            )
        if best is None or result.grade > best.grade:
            best = result
    assert best is not None
    return TypedResult(typed, expected, best.grade, best.label, best.reason, best.diff, best.ideas)


def _mark_one(
    typed: str,
    typed_tokens: list[str],
    expected: str,
    question: str,
    subject: Subject,
    alternative: bool,
) -> TypedResult:
    expected_tokens = [w for w in words(expected) if w not in ARTICLES]
    if typed_tokens == expected_tokens or "".join(typed_tokens) == "".join(expected_tokens):
        return TypedResult(typed, expected, 5, "accepted" if alternative else "exact")
    core = _PARENTHESES.sub(" ", expected)
    if content(words(core)):
        # What a parenthesis adds is an explanation, not part of what must be recalled.
        expected, expected_tokens = core, [w for w in words(core) if w not in ARTICLES]
    want = content(expected_tokens) or expected_tokens
    got = _over_as_too_much(content(typed_tokens) or typed_tokens, want)
    match = _align(got, want, subject)
    ideas = ideas_of(expected)
    long = len(want) >= LONG_ANSWER_WORDS or (len(ideas) >= 2 and len(want) >= 4)
    conflict = _conflict(
        match,
        [*expected_tokens, *(w for w in words(question) if w not in expected_tokens)],
        typed_tokens,
        subject,
        short=not long,
        term=len(want) <= TERM_WORDS,
        texts=(typed, f"{expected} {question}"),
    )
    if conflict:
        return TypedResult(
            typed,
            expected,
            1,
            GRADE_LABELS[1],
            conflict,
            () if long else _word_diff(typed, expected),
        )
    reversed_by = _negation_differs(typed_tokens, expected_tokens)
    if reversed_by:
        diff = () if long else _word_diff(typed, expected)
        return TypedResult(typed, expected, 1, GRADE_LABELS[1], reversed_by, diff)
    asked = _question_words(question)
    typed_terms = set(want) - set(match.missing)
    if any(stem(w) not in asked for w in typed_terms):
        # The distinctive word of a term whose other words are in the question, or are
        # words so common in the subject that they add nothing ("bundling" for "product
        # bundling").
        rare = not long and all(subject.share(w) <= RARE_SHARE for w in typed_terms)
        forgiven = [
            w
            for w in match.missing
            if stem(w) in asked or (rare and subject.share(w) >= COMMON_SHARE)
        ]
        match.forgiven = len(forgiven)
        match.matched += len(forgiven)
        asked |= {stem(w) for w in forgiven}
    if long:
        return _mark_ideas(typed, expected, got, ideas, match, subject, asked)
    grade = _grade_for_recall(match)
    numbers = [w for w in want if is_number(w)]
    if grade < 3 and numbers and not any(is_number(w) for w in match.missing):
        grade = 3  # "9001" for "ISO 9001": the number is what is asked
    reason = TYPO_REASON if match.typos else ""
    if grade < 5 and match.missing and match.forgiven < len(match.missing):
        left = [w for w in match.missing if stem(w) not in asked]
        reason = "missing: " + ", ".join(left)
    diff = _word_diff(typed, expected) if grade < 5 else ()  # nothing to correct at 5
    return TypedResult(typed, expected, grade, GRADE_LABELS[grade], reason, diff)


_PARENTHESES = re.compile(r"\(([^)]*)\)")


def _negated(tokens: Sequence[str], reach: int, also: frozenset[str] = frozenset()) -> set[str]:
    """The stems of the content words a negation (or a word of ``also``) governs: the
    ``reach`` content words after it, within its clause."""
    out: set[str] = set()
    for i, word in enumerate(tokens):
        if word in NEGATIONS or word in also:
            clause = list(itertools.takewhile(lambda w: w not in CLAUSE_WORDS, tokens[i + 1 :]))
            out.update(stem(w) for w in content(clause)[:reach])
    return out


def _negation_differs(typed: Sequence[str], expected: Sequence[str]) -> str:
    """Why the answer is reversed, or "" when nothing is: a word of the answer typed under a
    negation ("have not been met" for "meet") where the answer neither negates nor contrasts
    it ("rather than a person" is "not a person"); or the word the answer negates first
    ("cannot both receive") typed without a negation or a contrast ("can both receive")."""
    answer = {stem(w) for w in content(expected)}
    # what was typed is read closely, the answer's negation broadly (to the end of its clause)
    reversed_words = (_negated(typed, NEGATION_REACH) & answer) - _negated(
        expected, 2 * NEGATION_REACH, CONTRASTS
    )
    if reversed_words:
        negation = next(w for w in typed if w in NEGATIONS)
        return f"'{negation}' reverses the answer"
    said = {stem(w) for w in content(typed)} - _negated(typed, 2 * NEGATION_REACH, CONTRASTS)
    for word in (w for w in expected if w in NEGATIONS):
        if _negated(expected[expected.index(word) :], 1) & said:
            return f"the answer says '{word}'"
    return ""


def _over_as_too_much(typed: list[str], expected: Sequence[str]) -> list[str]:
    """ "overpromising" read as "promising too much" when the answer says "too much"."""
    if "too" not in expected:
        return typed
    stems = {stem(w) for w in expected}
    out: list[str] = []
    for word in typed:
        rest = word[4:]
        if out and out[-1] == "over" and stem(word) in stems:
            out[-1:] = [word, "too", "much"]
        elif word.startswith("over") and len(rest) > 3 and stem(rest) in stems:
            out.extend((rest, "too", "much"))
        else:
            out.append(word)
    return out


def _alternatives(idea: str) -> list[str]:
    """An idea, and its parts joined by "or" when each is one on its own ("client services
    or customer care processes"): either is the idea."""
    parts = [p for p in re.split(r"\s+or\s+", idea) if len(content(words(p))) >= 2]
    return [idea, *parts] if len(parts) > 1 else [idea]


def _idea_found(got: list[str], idea: str, subject: Subject, asked: set[str]) -> bool:
    """Whether most of an idea's content words were typed (those the question gives aside;
    half of one or two words is enough)."""
    idea_words = content(w for w in words(idea) if w not in ARTICLES)
    idea_words = [w for w in idea_words if stem(w) not in asked] or idea_words
    if not idea_words:
        return False
    matched = _align(got, idea_words, subject).matched
    return matched * 2 > len(idea_words) or (
        len(idea_words) <= 2 and matched * 2 >= len(idea_words)
    )


def _mark_ideas(
    typed: str,
    expected: str,
    got: list[str],
    ideas: list[tuple[str, float]],
    match: _Match,
    subject: Subject,
    asked: set[str],
) -> TypedResult:
    """Mark a long answer by its key ideas: an idea is found when most of its content
    words are (those the question already says aside); the grade follows the weighted
    share of ideas found."""
    marked: list[Idea] = []
    found_weight = total_weight = 0.0
    for idea, weight in ideas:
        hit = any(_idea_found(got, part, subject, asked) for part in _alternatives(idea))
        marked.append(Idea(idea, hit))
        total_weight += weight
        found_weight += weight if hit else 0.0
    share = found_weight / total_weight if total_weight else 0.0
    main_found = all(i.found for i, (_t, w) in zip(marked, ideas, strict=True) if w >= 1.0)
    recall = match.matched / max(match.needed, 1)
    if share >= 1.0:
        grade = 5 if recall >= 0.9 and not match.typos else 4
    elif share >= 0.66:
        grade = 4 if recall >= 0.75 or main_found else 3
    elif share >= 0.5:
        grade = 3
    elif share > 0.0:
        grade = 2
    else:
        grade = 1
    found = sum(i.found for i in marked)
    reason = f"{found} of {len(marked)} key ideas" if found < len(marked) else ""
    if not reason and match.typos:
        reason = TYPO_REASON
    return TypedResult(typed, expected, grade, GRADE_LABELS[grade], reason, (), tuple(marked))


# --- cards ------------------------------------------------------------------------------------


def question_of(card: Card) -> str:
    if card.kind == "cloze":
        return cloze_display(str(card.fields["text"]), mask=" ")
    return str(card.fields.get("prompt", ""))


def accepted(card: Card, answer: str) -> list[str]:
    """The deck's accepted alternatives for one answer, blank or item of a card."""
    accept = card.fields.get("accept")
    if not accept:
        return []
    if isinstance(accept, list):
        return [str(a) for a in accept]
    if isinstance(accept, dict):
        return [str(a) for a in accept.get(answer, ())]
    return []


def mark(card: Card, answers: Sequence[str], subject: Subject | None = None) -> Verdict:
    """Mark a typed answer to a card: one line (basic), one per blank (cloze) or the lines of
    a list."""
    subject = subject or Subject()
    question = question_of(card)
    if card.kind == "list":
        items = [str(i) for i in card.fields["items"]]
        result = mark_list(
            answers,
            items,
            bool(card.fields.get("ordered")),
            question=question,
            accept={item: accepted(card, item) for item in items},
            subject=subject,
        )
        return Verdict(card.id, card.kind, result.grade, items=result)
    if card.kind == "cloze":
        blanks = cloze_answers(str(card.fields["text"]))
        typed = list(answers) + [""] * (len(blanks) - len(answers))
        results = tuple(
            mark_text(t, b, question=question, accept=accepted(card, b), subject=subject)
            for t, b in zip(typed, blanks, strict=False)
        )
        return Verdict(card.id, card.kind, _combine(results), answers=results)
    answer = str(card.fields["answer"])
    typed_line = answers[0] if answers else ""
    single = mark_text(
        typed_line, answer, question=question, accept=accepted(card, answer), subject=subject
    )
    return Verdict(card.id, card.kind, single.grade, answers=(single,))


def _combine(results: Sequence[TypedResult]) -> int:
    """A cloze card's grade from its blanks': right only when every blank is right."""
    if not results or all(r.grade == 0 for r in results):
        return 0
    grades = [r.grade for r in results]
    if all(r.correct for r in results):
        return min(grades)
    return 2 if any(r.correct for r in results) else max(1, min(max(grades), 2))


def split_answer(card: Card, answer: str) -> list[str]:
    """A one-string answer (``custserv check``'s ANSWER) as marking reads it: list items one
    per line (or separated by semicolons or commas), cloze blanks one per line (or by
    semicolons)."""
    return answer_parts(card, [line for line in answer.splitlines() if line.strip()])


def answer_parts(card: Card, lines: Sequence[str]) -> list[str]:
    """The typed lines of an answer as marking reads them, in a session as in ``custserv
    check``: a basic answer is one line; a list typed on a single line holds its items
    separated by semicolons (or, without any, by commas); a cloze card of several blanks
    typed on a single line holds them separated by semicolons, and lines beyond the last
    blank belong to it (as a session reads lines pasted into the last blank)."""
    if card.kind == "basic":
        return [" ".join(" ".join(lines).split())]
    parts = list(lines)
    if len(parts) == 1 and card.kind == "list":
        separator = ";" if ";" in parts[0] else ","
        parts = [part.strip() for part in parts[0].split(separator) if part.strip()] or parts
    if card.kind != "cloze":
        return parts
    blanks = len(cloze_answers(str(card.fields["text"])))
    if len(parts) == 1 and blanks > 1:
        parts = [part.strip() for part in parts[0].split(";") if part.strip()] or parts
    if len(parts) > blanks >= 1:
        parts[blanks - 1 :] = [" ".join(parts[blanks - 1 :])]
    return parts


# --- lists ----------------------------------------------------------------------------------


def grade_for_share(share: float, *, exact: bool = True) -> int:
    """The grade suggested for the share of list items recalled."""
    if share >= 1.0:
        return 5 if exact else 4
    if share >= 0.75:
        return 4
    if share >= 0.5:
        return 3
    if share >= 0.25:
        return 2
    if share > 0.0:
        return 1
    return 0


def mark_list(
    typed: Sequence[str],
    items: Sequence[str],
    ordered: bool = False,
    *,
    question: str = "",
    accept: dict[str, list[str]] | None = None,
    subject: Subject | None = None,
) -> ListResult:
    """Match typed lines to list items: each item recalled at most once, each line used at
    most once, best pairs first; a line that recalls an item already recalled is a repeat."""
    subject = subject or Subject()
    accept = accept or {}
    lines = tuple(t.strip() for t in typed if t.strip())
    marks = {
        (li, ii): mark_text(
            line, item, question=question, accept=accept.get(item, ()), subject=subject
        )
        for li, line in enumerate(lines)
        for ii, item in enumerate(items)
    }
    pairs = sorted(
        ((m.grade, li, ii) for (li, ii), m in marks.items() if m.correct),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    matched: list[int | None] = [None] * len(items)
    used: set[int] = set()
    grades: dict[int, int] = {}
    for grade, li, ii in pairs:
        if li in used or matched[ii] is not None:
            continue
        matched[ii] = li
        used.add(li)
        grades[ii] = grade
    repeats: list[str] = []
    extra: list[str] = []
    reasons: list[str] = []
    for li, line in enumerate(lines):
        if li in used:
            continue
        if any(marks[(li, ii)].correct for ii in range(len(items))):
            repeats.append(line)
            continue
        extra.append(line)
        reason = next(
            (
                marks[(li, ii)].reason
                for ii in range(len(items))
                if "opposite" in marks[(li, ii)].reason or "different" in marks[(li, ii)].reason
            ),
            "",
        )
        reasons.append(reason)
    in_order = _in_order(matched)
    result = ListResult(tuple(items), lines, tuple(matched), in_order, (), ordered, 0)
    exact = all(g >= 5 for g in grades.values()) and not extra and not repeats
    grade = grade_for_share(result.share, exact=exact)
    if result.credited < 2 and result.credited < len(items):
        grade = min(grade, 2)  # one item of a pair is not the pair recalled
    if lines and grade == 0:
        grade = 1
    return ListResult(
        tuple(items),
        lines,
        tuple(matched),
        in_order,
        tuple(extra),
        ordered,
        grade,
        tuple(repeats),
        tuple(reasons),
    )


def _in_order(matched: Sequence[int | None]) -> tuple[bool, ...]:
    """For each item, whether it sits in a longest run of recalled items typed in order."""
    positions = [(ii, li) for ii, li in enumerate(matched) if li is not None]
    # Longest increasing subsequence of typed positions, over items in their true order.
    best: list[int] = [1] * len(positions)
    back: list[int] = [-1] * len(positions)
    for j in range(len(positions)):
        for i in range(j):
            if positions[i][1] < positions[j][1] and best[i] + 1 > best[j]:
                best[j], back[j] = best[i] + 1, i
    keep: set[int] = set()
    if positions:
        j = max(range(len(positions)), key=lambda k: best[k])
        while j != -1:
            keep.add(positions[j][0])
            j = back[j]
    return tuple(ii in keep for ii in range(len(matched)))


# --- multiple choice ------------------------------------------------------------------------


def answer_text(card: Card) -> str:
    """The answer as one line of text (choices, the list of missed cards)."""
    if card.kind == "cloze":
        return " / ".join(cloze_answers(str(card.fields["text"])))
    if card.kind == "list":
        return "; ".join(str(i) for i in card.fields["items"])
    return str(card.fields["answer"])


def _answers_of(card: Card) -> list[str]:
    if card.kind == "list":
        return [str(i) for i in card.fields["items"]]
    return [answer_text(card)]


def _answers_and_alternatives(card: Card) -> list[str]:
    """A card's answers (its items for a list) and the alternatives its deck accepts."""
    answers = _answers_of(card)
    return answers + [alt for answer in answers for alt in accepted(card, answer)]


def _distinctive(text: str, subject: Subject) -> set[str]:
    """The stems of a text's words that are not common to the whole subject."""
    return {stem(w) for w in content(words(text)) if subject.share(w) < COMMON_SHARE}


def _overlaps(card: Card, other: Card, subject: Subject) -> bool:
    """Whether ``other`` answers the same or an overlapping question: its question names a
    distinctive word of one of ``card``'s answers (or the other way round), or, for a
    list, one of its items shares a distinctive word with an answer of ``other``. The
    alternatives a deck accepts count as answers."""
    mine = [_distinctive(a, subject) for a in _answers_and_alternatives(card)]
    theirs = [_distinctive(b, subject) for b in _answers_and_alternatives(other)]
    their_question = {stem(w) for w in content(words(question_of(other)))}
    my_question = {stem(w) for w in content(words(question_of(card)))}
    if any(a & their_question for a in mine) or any(b & my_question for b in theirs):
        return True
    if card.kind == "list":
        return any(a & b for a in mine for b in theirs)
    return False


def _candidates(card: Card, others: Sequence[Card]) -> list[list[Card]]:
    """The cards whose answers are wrong answers of the same shape as the card's, the
    closest first: lists for a list (then short basic answers), the same number of blanks
    for a cloze, answers of a like length for a basic card."""
    if card.kind == "list":
        return [
            [c for c in others if c.kind == "list"],
            [c for c in others if c.kind == "basic" and len(words(answer_text(c))) <= 6],
        ]
    alike = [c for c in others if c.kind == card.kind]
    if card.kind == "cloze":
        blanks = len(cloze_answers(str(card.fields["text"])))
        alike = [c for c in alike if len(cloze_answers(str(c.fields["text"]))) == blanks]
        return [[c for c in alike if set(c.tags) == set(card.tags)], alike]
    length = len(words(answer_text(card)))
    alike = [c for c in alike if length / 2 <= len(words(answer_text(c))) <= length * 2 + 1]
    return [[c for c in alike if set(c.tags) == set(card.tags)], alike]


def choices(
    card: Card, pool: Sequence[Card], rng: Random, subject: Subject | None = None
) -> tuple[str, list[str], str] | None:
    """(question note, options, right option) for a multiple-choice question, or None when
    there are too few wrong answers to offer. The deck's ``distractors:`` come first; the
    others are answers of other cards of the same shape, first from the pool, then from
    other topics: never of a card answering the same or an overlapping question, and never
    an option that marking would count as right."""
    subject = subject or Subject()
    if card.kind == "list":
        items = [str(i) for i in card.fields["items"]]
        right = rng.choice(items)
        note = "Which of these is one of the answers?"
    else:
        items = [answer_text(card)]
        right = items[0]
        note = "Choose the answer."
    taken = {normalise(i) for i in items}
    question = question_of(card)
    distractors: list[str] = []
    for option in card.fields.get("distractors") or ():
        if len(distractors) < 3 and normalise(str(option)) not in taken:
            distractors.append(str(option))  # the deck's own, taken as written
            taken.add(normalise(str(option)))
    in_pool = {c.id for c in pool}
    wider = [c for c in subject.cards if c.id not in in_pool and c.topic != card.topic]
    checked: dict[str, bool] = {}
    for cards in (pool, wider):
        others = [c for c in cards if c.group != card.group]
        for group in _candidates(card, others):
            group = list(group)
            rng.shuffle(group)
            for other in group:
                if len(distractors) >= 3:
                    break
                if other.id not in checked:
                    checked[other.id] = _overlaps(card, other, subject)
                if checked[other.id]:
                    continue
                answers = _answers_of(other) if card.kind == "list" else [answer_text(other)]
                option = rng.choice(answers)
                if normalise(option) in taken or any(
                    mark_text(
                        option, i, question=question, accept=accepted(card, i), subject=subject
                    ).correct
                    for i in items
                ):
                    continue
                distractors.append(option)
                taken.add(normalise(option))
    if not distractors:
        return None
    options = [right, *distractors]
    rng.shuffle(options)
    return note, options, right
