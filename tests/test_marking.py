"""Marking typed answers: what a teacher accepts and refuses, lists, cloze blanks, choices."""

from __future__ import annotations

import random

import pytest

from custserv_cards.marking import (
    Subject,
    choices,
    grade_for_share,
    mark,
    mark_list,
    mark_text,
    normalise,
)
from custserv_cards.model import Card, Source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  The CUSTOMER-loyalty! ", "customer loyalty"),
        ("Café  crème", "cafe creme"),
        ("customers' needs", "customers needs"),
        ("a good reputation", "good reputation"),
        ("Nine or ten", "9-10"),
        ("between 9 and 10", "9-10"),
        ("two hundred", "200"),
        ("twenty-five", "25"),
        ("M-commerce", "mcommerce"),
        ("m commerce", "mcommerce"),
        ("Sales & marketing", "sales and marketing"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_same_answer_after_normalising_is_exact() -> None:
    result = mark_text("customer-LOYALTY.", "Customer loyalty")
    assert result.exact
    assert result.grade == 5


def test_small_typo_in_long_words_is_right_after_hesitation() -> None:
    result = mark_text("custmer loyality", "Customer loyalty")
    assert not result.exact
    assert result.grade == 4
    assert result.reason == "allowing for a small typo"
    # The difference is word by word.
    assert [(s.op, s.text) for s in result.diff] == [
        ("wrong", "custmer loyality"),
        ("missing", "Customer loyalty"),
    ]


def test_a_known_word_is_never_a_typo() -> None:
    subject = Subject(frozenset({"external", "internal", "ecommerce", "mcommerce"}))
    assert not mark_text("external customers", "Internal customers", subject=subject).correct
    assert not mark_text("e-commerce", "M-commerce", subject=subject).correct
    assert mark_text("m commerce", "M-commerce", subject=subject).grade == 5


def test_the_reason_shows_words_as_they_were_written() -> None:
    subject = Subject(frozenset({"external", "internal", "ecommerce", "mcommerce"}))
    reasons = {
        ("e-commerce", "M-commerce"): "'e-commerce' is a different term from 'm-commerce'",
        ("External customers", "Internal customers"): "'external' is the opposite of 'internal'",
        ("twelve", "twenty"): "twelve is a different number from twenty",
        ("ISO 9000", "ISO 9001"): "9000 is a different number from 9001",
        ("eight or ten", "9-10"): "eight or ten is a different number from 9-10",
    }
    for (typed, answer), reason in reasons.items():
        assert mark_text(typed, answer, subject=subject).reason == reason, typed


def test_numbers_must_be_the_same_numbers() -> None:
    assert mark_text("20", "twenty").grade == 5
    assert mark_text("nine or ten", "9-10").grade == 5
    for wrong, right in (("90", "95"), ("200", "twenty"), ("ISO 9000", "ISO 9001")):
        result = mark_text(wrong, right)
        assert result.grade == 1, (wrong, right)
        assert "number" in result.reason


def test_long_answers_are_marked_by_key_ideas() -> None:
    expected = "It raises customers' expectations, but the business does not deliver to that level."
    result = mark_text("raises expectations but business does not deliver", expected)
    assert result.grade == 4
    assert [i.found for i in result.ideas] == [True, True]
    assert result.diff == ()
    half = mark_text("it raises expectations", expected)
    assert [i.found for i in half.ideas] == [True, False]
    assert half.grade == 3


def test_wrong_and_empty_answers() -> None:
    assert mark_text("pizza", "Poor management").grade == 1
    empty = mark_text("   ", "Poor management")
    assert empty.grade == 0 and not empty.correct


ITEMS = [
    "Loss of loyalty",
    "Loss of sales",
    "Damaged reputation",
    "Problems go unreported, so sales are lost without explanation",
    "Unhappy customers spread the word, in person or on social media",
]


def test_list_items_in_any_order_with_typos_and_gist() -> None:
    result = mark_list(
        ["damaged reputaton", "unreported problems", "LOSS OF LOYALTY", "pizza", ""], ITEMS
    )
    assert result.matched == (2, None, 0, 1, None)
    assert result.extra == ("pizza",)
    assert result.recalled == 3
    assert result.share == pytest.approx(0.6)
    assert result.grade == 3


def test_a_list_item_typed_twice_counts_once_and_an_opposite_never() -> None:
    items = ["Poor communication", "Poor management"]
    result = mark_list(["poor management"] * 3 + ["good communication"], items)
    assert result.recalled == 1
    assert result.repeats == ("poor management", "poor management")
    assert result.extra == ("good communication",)
    assert "opposite" in result.reasons[0]


def test_every_list_item_recalled_exactly_is_perfect() -> None:
    assert mark_list(list(reversed(ITEMS)), ITEMS).grade == 5
    assert mark_list([], ITEMS).grade == 0


def test_ordered_list_credits_only_items_in_order() -> None:
    items = ["Know your product", "Display and information", "Engage", "Finalise the deal"]
    in_order = mark_list(items, items, ordered=True)
    assert in_order.credited == 4 and in_order.grade == 5
    swapped = mark_list([items[1], items[0], items[2], items[3]], items, ordered=True)
    assert swapped.recalled == 4
    assert swapped.credited == 3
    assert swapped.in_order.count(False) == 1
    assert swapped.grade == 4
    assert mark_list([items[1], items[0], items[2], items[3]], items).grade == 5


@pytest.mark.parametrize(
    ("share", "grade"), [(1.0, 5), (0.8, 4), (0.5, 3), (0.25, 2), (0.1, 1), (0.0, 0)]
)
def test_grade_for_share(share: float, grade: int) -> None:
    assert grade_for_share(share) == grade


def _card(card_id: str, kind: str, **fields: object) -> Card:
    return Card(card_id, card_id, "topic", kind, dict(fields), Source("n.txt", 1, 1))


def test_cloze_blanks_are_right_only_together() -> None:
    card = _card("c", "cloze", text="Tells {{report}} and {{information}} to {{9-10}} people.")
    assert mark(card, ["report", "informaton", "nine or ten"]).grade == 4
    assert mark(card, ["report", "information", "90"]).grade == 2
    assert mark(card, ["", "", ""]).grade == 0


def test_deck_alternatives_are_accepted() -> None:
    card = _card("b", "basic", prompt="What is CRM?", answer="Customer relationship management")
    assert mark(card, ["client database"]).grade == 1
    accepting = _card(
        "b",
        "basic",
        prompt="What is CRM?",
        answer="Customer relationship management",
        accept=["client database"],
    )
    verdict = mark(accepting, ["Client database"])
    assert verdict.grade == 5 and verdict.answers[0].label == "accepted"


def test_no_distractor_is_a_right_answer() -> None:
    dangers = _card("dangers", "list", prompt="The dangers of poor service?", items=ITEMS)
    effects = _card(
        "effects",
        "list",
        prompt="The effects of poor service?",
        items=["Loss of revenue and profits", "Customers will not buy again"],
    )
    other = _card("methods", "list", prompt="Methods?", items=["Training", "Feedback", "Rewards"])
    for seed in range(20):
        found = choices(dangers, [dangers, effects, other], random.Random(seed))
        assert found is not None
        _note, options, right = found
        assert right in ITEMS
        assert [o for o in options if o != right] and all(
            o in ("Training", "Feedback", "Rewards") for o in options if o != right
        )
