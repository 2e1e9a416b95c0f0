"""Card-writing advice from ``custserv decks validate``: warnings, never errors."""

from __future__ import annotations

from pathlib import Path

from conftest import Run, write_deck

from custserv_cards import paths
from custserv_cards.decks import card_advice, check_decks

HEAD = "topic: advice\ntitle: Advice\ndescription: Cards that break the advice.\ncards:\n"


def _deck(tmp_path: Path, cards: str) -> Path:
    return write_deck(tmp_path / "decks", "advice", HEAD + cards)


def _advice(path: Path) -> list[str]:
    locations: dict[str, str] = {}
    decks, problems = check_decks([path], locations)
    assert problems == []
    return card_advice(decks, locations)


def _list(cid: str, prompt: str, items: int, line: int = 1) -> str:
    body = "".join(f"      - Item number {n}\n" for n in range(1, items + 1))
    return (
        f"  - id: {cid}\n    kind: list\n    prompt: {prompt}\n    items:\n{body}"
        f"    source: n.txt:{line}\n"
    )


def test_a_list_over_six_items(tmp_path: Path) -> None:
    path = _deck(tmp_path, _list("seven", "Name the seven items.", 7))
    assert _advice(path) == [
        f"{path}:5: advice: card 'seven': a list of 7 items is hard to recall; split it into "
        "lists of at most 6 (by theme), or into cards that ask which group an item belongs to"
    ]
    six = _deck(tmp_path, _list("six", "Name the six items.", 6))
    assert _advice(six) == []


def test_a_list_prompt_must_say_how_many(tmp_path: Path) -> None:
    path = _deck(
        tmp_path,
        _list("none", "What are the items?", 3)
        + _list("wrong", "Name the four items.", 3)
        + _list("digits", "Name the 3 items.", 3)
        + _list("hyphen", "What does a two-way exchange involve, in three parts?", 3)
        + _list("compound", "What does a two-way exchange involve?", 3),
    )
    advice = _advice(path)
    assert len(advice) == 3, advice
    assert advice[0].endswith(
        "card 'none': the prompt does not say how many items it wants and the list has 3; "
        "say how many, e.g. 'Name the three ...'"
    )
    assert "card 'wrong': the prompt asks for 4 and the list has 3" in advice[1]
    # "two-way" is not a count.
    assert "card 'compound': the prompt does not say how many" in advice[2]


def test_a_cloze_blank_on_a_stop_word(tmp_path: Path) -> None:
    path = _deck(
        tmp_path,
        "  - id: stop\n    kind: cloze\n"
        "    text: '{{Every}} customer must get {{excellent}} service, {{all of them}}.'\n"
        "    source: n.txt:1\n"
        "  - id: term\n    kind: cloze\n"
        "    text: Service is given {{before}}, during and after a purchase.\n"
        "    source: n.txt:1\n",
    )
    advice = _advice(path)
    assert [a.split(": advice: ")[1] for a in advice] == [
        "card 'stop': the blank 'Every' holds only stop words, which tests grammar, not the "
        "subject; blank the term a student must know",
        "card 'stop': the blank 'all of them' holds only stop words, which tests grammar, not the "
        "subject; blank the term a student must know",
    ]
    assert advice[0].startswith(f"{path}:5: ")


def test_an_answer_over_25_words(tmp_path: Path) -> None:
    long = " ".join(["word"] * 26)
    path = _deck(
        tmp_path,
        f"  - id: long\n    kind: basic\n    prompt: Long?\n    answer: {long}\n"
        "    source: n.txt:1\n"
        f"  - id: short\n    kind: basic\n    prompt: Short?\n    answer: {long[5:]}\n"
        "    source: n.txt:1\n",
    )
    assert [a.split(": advice: ")[1] for a in _advice(path)] == [
        "card 'long': the answer has 26 words; keep it under about 25 "
        "(split the card or make it a list)"
    ]


def test_two_cards_with_the_same_prompt_across_decks(tmp_path: Path) -> None:
    first = _deck(
        tmp_path,
        "  - id: one\n    kind: basic\n    prompt: What is customer service?\n"
        "    answer: Service before, during and after a purchase.\n    source: n.txt:1\n"
        "  - id: loyal\n    kind: basic\n    prompt: What is loyalty?\n    answer: Repeat buying.\n"
        "    reverse: true\n    source: n.txt:1\n",
    )
    second = write_deck(
        tmp_path / "decks",
        "other",
        HEAD.replace("advice", "other")
        + "  - id: two\n    kind: basic\n    prompt: '  what is CUSTOMER service '\n"
        "    answer: Meeting needs.\n    source: n.txt:1\n"
        "  - id: three\n    kind: basic\n    prompt: Repeat buying.\n    answer: Loyalty\n"
        "    source: n.txt:1\n",
    )
    locations: dict[str, str] = {}
    decks, problems = check_decks([first, second], locations)
    assert problems == []
    assert [a.split(": advice: ")[1] for a in card_advice(decks, locations)] == [
        f"card 'two': the same prompt as card 'one' ({first}:5); ask each question once",
        # The reverse of 'loyal' shows its answer as the prompt.
        f"card 'three': the same prompt as card 'loyal:reverse' ({first}:10); "
        "ask each question once",
    ]


def test_validate_prints_advice_but_succeeds(cli: Run, tmp_path: Path) -> None:
    path = _deck(tmp_path, _list("seven", "What are the items?", 7))
    result = cli("decks", "validate", str(path))
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{path}:5: advice: card 'seven': a list of 7 items")
    assert lines[1].startswith(f"{path}:5: advice: card 'seven': the prompt does not say")
    assert lines[2] == (
        "1 decks, 1 cards: all valid, with 2 warnings (card-writing advice; see cards/README.md)."
    )
    assert result.err == ""


def test_the_bundled_decks_follow_the_advice(cli: Run) -> None:
    locations: dict[str, str] = {}
    decks, problems = check_decks(paths.deck_files(), locations)
    assert problems == []
    assert card_advice(decks, locations) == []
    result = cli("decks", "validate")
    assert result.code == 0, result
    assert "warning" not in result.out and "advice" not in result.out, result.out
    assert result.out.strip().endswith("cards: all valid."), result.out
