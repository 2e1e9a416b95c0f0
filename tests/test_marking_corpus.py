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
    """The lines as the session reads them (a list on one line split as check splits it)."""
    answer = case["answer"]
    if isinstance(answer, list):
        return marking.answer_parts(card, [str(line) for line in answer])
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
        "negation",
        "key-ideas",
        "list-duplicate",
        "list-opposite",
        "accept",
        "list-accept",
        "cloze-blanks",
        "multiple-choice",
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


def _one_string(case: dict[str, Any]) -> str:
    answer = case["answer"]
    return "\n".join(str(a) for a in answer) if isinstance(answer, list) else str(answer)


def test_check_command_gives_the_marking_modules_verdict(cli: Run) -> None:
    """Every case, typed as one string (lines joined), through ``custserv check --json``."""
    checked = 0
    for case in corpus():
        card = bundled()[case["card"]]
        if not _one_string(case).strip():
            continue
        result = cli("check", case["card"], _one_string(case), "--json")
        assert result.code == 0, result
        checked += 1
        shown = json.loads(result.out)
        verdict = marking.mark(card, typed_lines(case, card), subject())
        assert (shown["correct"], shown["grade"]) == (verdict.correct, verdict.grade), label(case)
        if card.kind == "list":
            assert verdict.items is not None
            assert (shown["recalled"], shown["total"]) == (
                verdict.items.recalled,
                len(verdict.items.items),
            )
    assert checked >= len(corpus()) - 5  # only the empty answers are left out


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
    for answer in ("independent auditor\nannual", "independent auditor; annual", "auditor;annual"):
        shown = json.loads(cli("check", "quality-independent-audit", answer, "--json").out)
        assert [a["typed"] for a in shown["answers"]] == [
            p.strip() for p in answer.replace(";", "\n").split("\n")
        ], answer
    # A cloze card of one blank takes the whole answer, as a session reads it pasted.
    card = bundled()["complaints-time-split"]
    for answer in ("95", "ninety-five", "95; 5", "95\n5", "90\n95"):
        shown = json.loads(cli("check", card.id, answer, "--json").out)
        one_line = marking.mark(card, [answer.replace("\n", " ")], subject())
        assert [a["typed"] for a in shown["answers"]] == [answer.replace("\n", " ")]
        assert (shown["correct"], shown["grade"]) == (one_line.correct, one_line.grade), answer
    assert json.loads(cli("check", card.id, "90\n95", "--json").out)["grade"] < 3


def test_no_distractor_of_the_bundled_decks_is_a_right_answer() -> None:
    """Every card of the bundled decks, drilled by its topic and in a drill of every topic:
    four options, none repeated, none from the card's own group, none that marking counts as
    right (given the question and the deck's accept:, as in a session), and none drawn from
    a card that overlaps the question (for a list, no distractor shares a distinctive word
    with one of the card's items)."""
    import random

    cards = list(bundled().values())
    by_topic: dict[str, list[Card]] = {}
    for card in cards:
        by_topic.setdefault(card.topic, []).append(card)
    groups = {marking.answer_text(c): c.group for c in cards}
    short = 0
    for card in cards:
        for seed, pool in ((0, by_topic[card.topic]), (1, by_topic[card.topic]), (2, cards)):
            found = marking.choices(card, pool, random.Random(seed), subject())
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
                    marking.mark_text(
                        option,
                        a,
                        question=marking.question_of(card),
                        accept=marking.accepted(card, a),
                        subject=subject(),
                    ).correct
                    for a in answers
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


def test_no_answer_a_teacher_calls_right_is_offered_as_a_distractor() -> None:
    """The corpus's multiple-choice cases that a teacher calls right (other cards' answers
    that also answer this card) are never drawn as wrong options, from the card's topic or
    from every topic; its wrong ones are marked wrong."""
    import random

    cards = list(bundled().values())
    cases = [c for c in corpus() if c["class"] == "multiple-choice"]
    assert sum(c["right"] for c in cases) >= 4 and sum(not c["right"] for c in cases) >= 4
    for case in cases:
        card = bundled()[case["card"]]
        if not case["right"]:
            assert not marking.mark(card, typed_lines(case, card), subject()).correct, label(case)
            continue
        mine = marking.normalise(str(case["answer"]))
        topic = [c for c in cards if c.topic == card.topic]
        for seed in range(30):
            for pool in (topic, cards):
                found = marking.choices(card, pool, random.Random(seed), subject())
                assert found is not None
                _note, options, right = found
                wrong = [marking.normalise(o) for o in options if o != right]
                assert mine not in wrong, (label(case), options)


def _as_typed_in_a_session(case: dict[str, Any], card: Card) -> list[str]:
    """What a session's reader hands the engine for the case: a one-string answer typed on
    one line; a list's lines up to the first empty one; a cloze card's lines, one a blank."""
    answer = case["answer"]
    if not isinstance(answer, list):
        return [str(answer)]
    lines = [str(line) for line in answer]
    if card.kind == "list" and "" in lines:
        lines = lines[: lines.index("")]
    return lines


def test_the_drill_and_the_review_give_the_verdict_check_gives(cli: Run, tmp_path: Path) -> None:
    """Every case typed into a drill in typed mode (and the first case of each card of one
    topic into a review): the grade suggested, what the score counts, and check's JSON agree."""
    from datetime import datetime, timedelta

    from custserv_cards.keys import ENTER
    from custserv_cards.session import Phase, QuizEngine, QuizOptions, ReviewEngine, ReviewOptions
    from custserv_cards.store import Store
    from custserv_cards.sync import sync_paths

    now = [datetime(2026, 12, 1, 9, 0).astimezone()]

    def clock() -> datetime:
        now[0] += timedelta(seconds=5)
        return now[0]

    by_card: dict[str, list[dict[str, Any]]] = {}
    for case in corpus():
        if _one_string(case).strip():
            by_card.setdefault(case["card"], []).append(case)
    checked: dict[int, tuple[bool, int]] = {}
    for case in corpus():
        if case["card"] in by_card and _one_string(case).strip():
            shown = json.loads(cli("check", case["card"], _one_string(case), "--json").out)
            checked[id(case)] = (shown["correct"], shown["grade"])

    def typed_into(engine: QuizEngine | ReviewEngine, rounds: int) -> tuple[int, int]:
        """Type each shown card's case of this round (nothing for a card without one): the
        cases compared, and how many of them check counts as recalled."""
        compared = right = 0
        screen = engine.start()
        while screen.phase != Phase.END:
            assert screen.wants_typing and screen.card is not None, screen.phase
            cases = by_card.get(screen.card.id, [])
            case = cases[rounds] if rounds < len(cases) else None
            lines = _as_typed_in_a_session(case, screen.card) if case else [""]
            screen = engine.typed(lines)
            assert screen.phase == Phase.MARKED and screen.verdict is not None
            if case is not None:
                expected = checked[id(case)]
                assert (screen.verdict.correct, screen.suggested) == expected, label(case)
                compared += 1
                right += expected[0]
            screen = engine.press(ENTER)
        return compared, right

    with Store.open(tmp_path / "sessions.db") as store:
        sync_paths(store)
        compared = 0
        topics = sorted({bundled()[card_id].topic for card_id in by_card})
        for rounds in range(max(map(len, by_card.values()))):
            for topic in topics:
                if not any(
                    len(cases) > rounds and bundled()[card_id].topic == topic
                    for card_id, cases in by_card.items()
                ):
                    continue
                size = sum(c.topic == topic for c in bundled().values())
                quiz = QuizEngine(
                    store, QuizOptions(topics=(topic,), count=size, mode="type", seed=rounds), clock
                )
                typed, right = typed_into(quiz, rounds)
                assert quiz.result.correct == right  # the score counts what check calls right
                compared += typed
        assert compared == len(checked)
        review = ReviewEngine(
            store, ReviewOptions(topics=("complaint-facts",), new=50, mode="type"), clock
        )
        assert typed_into(review, 0)[0] >= 5
