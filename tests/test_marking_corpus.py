"""A teacher's verdicts on typed answers (tests/data/marking_corpus.yaml), run through the
marking module and through ``custserv check``.

Every case marked differently from the teacher must say why under ``differs:``; a case that
starts to agree, or a new disagreement, fails the test, so the list stays exact.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Run

from custserv_cards import marking, paths
from custserv_cards.decks import load_decks
from custserv_cards.model import Card

CORPUS = Path(__file__).parent / "data" / "marking_corpus.yaml"


@cache
def corpus() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["cases"]
    return cases


@cache
def bundled() -> dict[str, Card]:
    return {card.id: card for deck in load_decks(paths.deck_files(None)) for card in deck.cards}


@cache
def subject() -> marking.Subject:
    return marking.Subject.from_cards(bundled().values())


def typed_lines(case: dict[str, Any], card: Card) -> list[str]:
    answer = case["answer"]
    if isinstance(answer, list):
        return [str(line) for line in answer]
    return marking.split_answer(card, str(answer))


def teacher_grades(case: dict[str, Any]) -> list[int] | None:
    grade = case.get("grade")
    if grade is None:
        return None
    return [int(g) for g in grade] if isinstance(grade, list) else [int(grade)]


def disagreement(case: dict[str, Any], verdict: marking.Verdict) -> str:
    """How the verdict differs from the teacher's ("" when it does not)."""
    if verdict.correct != case["right"]:
        return "verdict"
    grades = teacher_grades(case)
    if grades is not None and verdict.grade not in grades:
        return "grade"
    return ""


def label(case: dict[str, Any]) -> str:
    return f"{case['card']} {case['answer']!r}"


def test_every_card_of_the_corpus_is_in_the_bundled_decks() -> None:
    missing = sorted({c["card"] for c in corpus() if c["card"] not in bundled()})
    assert not missing, (
        f"{len(missing)} card ids of {CORPUS.name} are no longer in the bundled decks: "
        f"{', '.join(missing)}; rewrite those cases for the cards as they are now"
    )


def test_the_corpus_covers_every_class_and_kind() -> None:
    cases = corpus()
    assert len(cases) >= 150
    kinds = Counter(bundled()[c["card"]].kind for c in cases if c["card"] in bundled())
    assert set(kinds) == {"basic", "cloze", "list"}, kinds
    classes = {c["class"] for c in cases}
    for needed in (
        "case",
        "punctuation",
        "accents",
        "article",
        "plural",
        "ampersand",
        "hyphen",
        "number-form",
        "range-form",
        "typo",
        "distinctive-word",
        "wrong-number",
        "different-term",
        "opposite",
        "key-ideas",
        "list-duplicate",
        "list-opposite",
    ):
        assert needed in classes, needed
    assert sum(c["right"] for c in cases) >= 60
    assert sum(not c["right"] for c in cases) >= 60


def test_marking_agrees_with_the_teacher_except_where_the_corpus_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found: dict[str, str] = {}
    agree = 0
    graded = graded_agree = 0
    for case in corpus():
        card = bundled()[case["card"]]
        verdict = marking.mark(card, typed_lines(case, card), subject())
        how = disagreement(case, verdict)
        agree += verdict.correct == case["right"]
        if teacher_grades(case) is not None:
            graded += 1
            graded_agree += how == ""
        if how:
            found[label(case)] = f"{how}: marked {verdict.grade}, teacher {case.get('grade')}"
    documented = {label(c) for c in corpus() if c.get("differs")}
    with capsys.disabled():
        print(
            f"\nmarking corpus: {len(corpus())} cases, right/wrong agreement "
            f"{agree}/{len(corpus())} ({agree / len(corpus()):.1%}); grade within the "
            f"teacher's {graded_agree}/{graded}"
        )
    undocumented = {k: v for k, v in found.items() if k not in documented}
    assert not undocumented, f"marked differently from the teacher: {undocumented}"
    now_agree = documented - set(found)
    assert not now_agree, f"these cases now agree; remove their 'differs': {now_agree}"
    assert agree / len(corpus()) >= 0.95


def _cases_for_check() -> list[dict[str, Any]]:
    """Every fifth case, and every list and multi-blank case (the answer splitting)."""
    picked = []
    for n, case in enumerate(corpus()):
        card = bundled().get(case["card"])
        if card is None:
            continue
        if n % 5 == 0 or card.kind == "list" or isinstance(case["answer"], str):
            picked.append(case)
    return picked


def _one_string(case: dict[str, Any]) -> str:
    answer = case["answer"]
    return "\n".join(str(a) for a in answer) if isinstance(answer, list) else str(answer)


def test_check_command_gives_the_marking_modules_verdict(cli: Run) -> None:
    cases = _cases_for_check()
    assert len(cases) >= 100
    for case in cases:
        card = bundled()[case["card"]]
        if not _one_string(case).strip():
            continue
        result = cli("check", case["card"], _one_string(case), "--json")
        assert result.code == 0, result
        shown = json.loads(result.out)
        verdict = marking.mark(card, typed_lines(case, card), subject())
        assert (shown["correct"], shown["grade"]) == (verdict.correct, verdict.grade), label(case)
        if card.kind == "list":
            assert verdict.items is not None
            assert (shown["recalled"], shown["total"]) == (
                verdict.items.recalled,
                len(verdict.items.items),
            )


def test_list_and_cloze_answers_split_on_lines_commas_and_semicolons(cli: Run) -> None:
    items = "promising too much\npoor communication"
    for answer in (items, "promising too much, poor communication", items.replace("\n", "; ")):
        shown = json.loads(cli("check", "poor-service-causes", answer, "--json").out)
        assert (shown["recalled"], shown["total"], shown["grade"]) == (2, 4, 3), answer
    # A comma inside one item stays in it when items are on lines or split by semicolons.
    one = json.loads(
        cli(
            "check", "poor-service-causes", "external factors, such as supplier delays; x", "--json"
        ).out
    )
    assert one["recalled"] == 1 and one["unmatched"] == ["x"]
    for answer in ("95\n5", "95; 5", "ninety-five;five"):
        shown = json.loads(cli("check", "complaints-time-split", answer, "--json").out)
        assert shown["grade"] == 5, answer


def test_no_distractor_of_the_bundled_decks_is_a_right_answer() -> None:
    """Every card of the bundled decks, drilled by topic: four options, none repeated, none
    from the card's own group, none that marking counts as right, and none drawn from a
    card that overlaps the question (for a list, no distractor shares a distinctive word
    with one of the card's items)."""
    import random

    cards = list(bundled().values())
    by_topic: dict[str, list[Card]] = {}
    for card in cards:
        by_topic.setdefault(card.topic, []).append(card)
    groups = {marking.answer_text(c): c.group for c in cards}
    short = 0
    for card in cards:
        for seed in range(2):
            found = marking.choices(card, by_topic[card.topic], random.Random(seed), subject())
            assert found is not None, card.id
            _note, options, right = found
            short += len(options) < 4
            assert len(set(map(marking.normalise, options))) == len(options), options
            answers = (
                [str(i) for i in card.fields["items"]]
                if card.kind == "list"
                else [marking.answer_text(card)]
            )
            assert right in answers
            for option in options:
                if option == right:
                    continue
                assert groups.get(option) != card.group, (card.id, option)
                assert not any(
                    marking.mark_text(option, a, subject=subject()).correct for a in answers
                ), (card.id, option)
                if card.kind == "list":
                    mine = {
                        marking.stem(w)
                        for a in answers
                        for w in marking.content(marking.words(a))
                        if subject().share(w) < marking.COMMON_SHARE
                    }
                    theirs = {
                        marking.stem(w)
                        for w in marking.content(marking.words(option))
                        if subject().share(w) < marking.COMMON_SHARE
                    }
                    assert not mine & theirs, (card.id, option)
    assert short == 0
