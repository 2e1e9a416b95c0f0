"""Checking typed answers: lenient comparison, the differences, and a suggested grade.

Pure functions. A typed answer is compared after normalising both sides (case, accents,
punctuation, spacing, a leading article), so "  the CUSTOMER-loyalty! " matches "Customer
loyalty"; small typos are forgiven through rapidfuzz's edit-distance ratios, and a longer
answer counts as right when it holds most of the expected answer's key words. rapidfuzz is
imported on the first comparison, never at start-up.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Words that carry no content: ignored when counting key words.
_STOPWORDS = """a all also an and any are as at be been but by can do does for from go has have
    if in into is it its may more not of on or so such than that the their them there they
    this to was were what when which who will with would your you"""
STOPWORDS = frozenset(_STOPWORDS.split())
_ARTICLE = re.compile(r"^(?:the|a|an) ")
_NON_WORD = re.compile(r"[^\w]+")

# Thresholds on the 0-100 similarity scale.
TYPO_SCORE = 88.0  # a small typo: counted as right after hesitation
CLOSE_SCORE = 70.0  # mostly right: serious difficulty
PARTIAL_SCORE = 40.0  # partly there
ITEM_MATCH_SCORE = 60.0  # a typed line counts as a recalled list item


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces, no leading article."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("’", "")
    words = _NON_WORD.sub(" ", plain).replace("_", " ").split()
    return _ARTICLE.sub("", " ".join(words))


def key_words(normalised: str) -> list[str]:
    """The content words of a normalised text."""
    return [w for w in normalised.split() if w not in STOPWORDS]


def _word_found(word: str, pool: Sequence[str]) -> bool:
    from rapidfuzz import fuzz

    limit = 100.0 if len(word) <= 3 else 80.0
    return any(word == other or fuzz.ratio(word, other) >= limit for other in pool)


def _coverage(wanted: Sequence[str], pool: Sequence[str]) -> float:
    """The share of ``wanted`` words found (allowing typos) among ``pool``."""
    if not wanted:
        return 0.0
    return sum(_word_found(w, pool) for w in wanted) / len(wanted)


def similarity(typed: str, expected: str) -> float:
    """How close a typed answer is to the expected one, from 0 to 100 (100: the same after
    normalising). A paraphrase holding the expected key words scores by their share."""
    from rapidfuzz import fuzz

    a, b = normalise(typed), normalise(expected)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    whole = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    whole = min(whole, 99.0)
    wanted, given = key_words(b), key_words(a)
    recall = _coverage(wanted, given)
    precision = _coverage(given, wanted)
    # Key words recalled, with a little weight on not adding unrelated words.
    words = 100.0 * recall * (0.8 + 0.2 * precision) if given else 0.0
    return float(max(whole, min(words, 99.0)))


def grade_for_score(score: float) -> int:
    """The SM-2 grade suggested for a non-empty answer's similarity score (the user can
    change it); an empty answer is a blackout (0)."""
    if score >= 100.0:
        return 5
    if score >= TYPO_SCORE:
        return 4
    if score >= CLOSE_SCORE:
        return 3
    if score >= PARTIAL_SCORE:
        return 2
    return 1


@dataclass(frozen=True)
class Segment:
    """A piece of a character diff: ``op`` is ``same``, ``wrong`` (typed, not expected) or
    ``missing`` (expected, not typed)."""

    op: str
    text: str


@dataclass(frozen=True)
class TypedResult:
    typed: str
    expected: str
    score: float
    grade: int
    diff: tuple[Segment, ...]

    @property
    def exact(self) -> bool:
        return self.score >= 100.0


def diff(typed: str, expected: str) -> tuple[Segment, ...]:
    """A case-insensitive character diff of ``typed`` against ``expected``."""
    matcher = difflib.SequenceMatcher(None, typed.casefold(), expected.casefold(), autojunk=False)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", expected[j1:j2]))
            continue
        if i2 > i1:
            segments.append(Segment("wrong", typed[i1:i2]))
        if j2 > j1:
            segments.append(Segment("missing", expected[j1:j2]))
    return tuple(segments)


def check_typed(typed: str, expected: str) -> TypedResult:
    """Compare one typed answer with the expected answer."""
    score = similarity(typed, expected)
    grade = grade_for_score(score) if normalise(typed) else 0
    return TypedResult(typed, expected, score, grade, diff(typed, expected))


def check_blanks(typed: Sequence[str], expected: Sequence[str]) -> tuple[list[TypedResult], int]:
    """Check a cloze card's blanks one by one; the grade follows the mean score."""
    results = [check_typed(t, e) for t, e in zip(typed, expected, strict=True)]
    if not results:
        return results, 0
    if not any(normalise(t) for t in typed):
        return results, 0
    mean = sum(r.score for r in results) / len(results)
    return results, grade_for_score(mean)


def item_score(typed: str, item: str) -> float:
    """How well a typed line recalls a list item (0-100): the whole text, or its gist (most
    typed key words are in the item and they cover a fair share of it)."""
    from rapidfuzz import fuzz

    a, b = normalise(typed), normalise(item)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    whole = float(max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)))
    given, wanted = key_words(a), key_words(b)
    if not given:
        return whole
    precision = _coverage(given, wanted)
    recall = _coverage(wanted, given)
    gist = 60.0 + 40.0 * recall if precision >= 0.5 and recall >= 0.25 else 0.0
    return min(99.0, max(whole, gist))


@dataclass(frozen=True)
class ListResult:
    """Which items a typed list recalled: ``matched[i]`` is the index of the typed line that
    recalled item ``i`` (or None); ``extra`` are typed lines that matched no item;
    ``in_order`` whether each recalled item is in its right place (ordered lists)."""

    items: tuple[str, ...]
    typed: tuple[str, ...]
    matched: tuple[int | None, ...]
    in_order: tuple[bool, ...]
    extra: tuple[str, ...]
    ordered: bool
    grade: int

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


def check_list(typed: Sequence[str], items: Sequence[str], ordered: bool = False) -> ListResult:
    """Match typed lines to list items (each used at most once, best pairs first)."""
    lines = tuple(t.strip() for t in typed if t.strip())
    pairs = sorted(
        (
            (item_score(line, item), li, ii)
            for li, line in enumerate(lines)
            for ii, item in enumerate(items)
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    matched: list[int | None] = [None] * len(items)
    used: set[int] = set()
    scores: dict[int, float] = {}
    for score, li, ii in pairs:
        if score < ITEM_MATCH_SCORE:
            break
        if li in used or matched[ii] is not None:
            continue
        matched[ii] = li
        used.add(li)
        scores[ii] = score
    in_order = _in_order(matched)
    extra = tuple(line for li, line in enumerate(lines) if li not in used)
    result = ListResult(tuple(items), lines, tuple(matched), in_order, extra, ordered, 0)
    exact = all(s >= 100.0 for s in scores.values()) and not extra
    return ListResult(
        result.items,
        result.typed,
        result.matched,
        result.in_order,
        result.extra,
        ordered,
        grade_for_share(result.share, exact=exact),
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
