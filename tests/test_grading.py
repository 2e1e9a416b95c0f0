"""Typed answers and typed lists are checked leniently, and a fair grade is suggested."""

from __future__ import annotations

import pytest

from custserv_cards.grading import (
    check_blanks,
    check_list,
    check_typed,
    grade_for_share,
    normalise,
    similarity,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  The CUSTOMER-loyalty! ", "customer loyalty"),
        ("Café  crème", "cafe creme"),
        ("customers' needs", "customers needs"),
        ("a good reputation", "good reputation"),
        ("", ""),
    ],
)
def test_normalise_ignores_case_accents_punctuation_spacing_and_articles(
    text: str, expected: str
) -> None:
    assert normalise(text) == expected


def test_same_answer_after_normalising_is_perfect() -> None:
    result = check_typed("customer-LOYALTY.", "Customer loyalty")
    assert result.exact
    assert result.grade == 5


def test_small_typo_is_right_after_hesitation() -> None:
    result = check_typed("custmer loyality", "Customer loyalty")
    assert not result.exact
    assert result.grade == 4
    ops = [(s.op, s.text) for s in result.diff]
    assert ("missing", "o") in ops
    assert ("wrong", "i") in ops
    # The diff rebuilds the expected answer from its "same" and "missing" pieces.
    assert "".join(s.text for s in result.diff if s.op != "wrong") == "Customer loyalty"


def test_paraphrase_with_the_key_words_is_close() -> None:
    expected = "It raises customers' expectations, but the business does not deliver to that level."
    result = check_typed("raises expectations but business does not deliver", expected)
    assert result.grade == 3


def test_wrong_and_empty_answers() -> None:
    assert check_typed("pizza", "Poor management").grade == 1
    assert check_typed("   ", "Poor management").grade == 0
    assert similarity("", "Poor management") == 0.0


def test_cloze_blanks_are_graded_together() -> None:
    results, grade = check_blanks(["nine or ten!"], ["nine or ten"])
    assert grade == 5 and results[0].exact
    results, grade = check_blanks(["report", "informaton"], ["report", "information"])
    assert grade == 4
    assert check_blanks(["", ""], ["report", "information"])[1] == 0


ITEMS = [
    "Loss of loyalty",
    "Loss of sales",
    "Damaged reputation",
    "Problems go unreported, so sales are lost without explanation",
    "Unhappy customers spread the word, in person or on social media",
]


def test_list_items_in_any_order_with_typos_and_gist() -> None:
    result = check_list(
        ["damaged reputaton", "unreported problems", "LOSS OF LOYALTY", "pizza", ""], ITEMS
    )
    assert result.matched == (2, None, 0, 1, None)
    assert result.extra == ("pizza",)
    assert result.recalled == 3
    assert result.share == pytest.approx(0.6)
    assert result.grade == 3


def test_every_list_item_recalled_exactly_is_perfect() -> None:
    assert check_list(list(reversed(ITEMS)), ITEMS).grade == 5
    assert check_list([], ITEMS).grade == 0


def test_ordered_list_credits_only_items_in_order() -> None:
    items = ["Know your product", "Display and information", "Engage", "Finalise the deal"]
    in_order = check_list(items, items, ordered=True)
    assert in_order.credited == 4 and in_order.grade == 5
    swapped = check_list([items[1], items[0], items[2], items[3]], items, ordered=True)
    assert swapped.recalled == 4
    assert swapped.credited == 3
    assert swapped.in_order.count(False) == 1
    assert swapped.grade == 4
    # The same lines for an unordered list: all credited.
    assert check_list([items[1], items[0], items[2], items[3]], items).grade == 5


@pytest.mark.parametrize(
    ("share", "grade"), [(1.0, 5), (0.8, 4), (0.5, 3), (0.25, 2), (0.1, 1), (0.0, 0)]
)
def test_grade_for_share(share: float, grade: int) -> None:
    assert grade_for_share(share) == grade
