"""``custserv decks validate``: one test per kind of problem, each reported as file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DECK, Run, write_deck

from custserv_cards.decks import check_decks, cloze_blanks
from custserv_cards.model import cloze_answers, cloze_display
from custserv_cards.paths import bundled_decks_dir, deck_files

HEAD = "topic: t\ntitle: T\ndescription: D\ncards:\n"


def problems_for(tmp_path: Path, text: str, topic: str = "t") -> list[str]:
    path = write_deck(tmp_path, topic, text)
    decks, problems = check_decks([path])
    assert problems, f"expected a problem, got decks {decks}"
    for problem in problems:
        assert re.match(rf"^{re.escape(str(path))}:\d+: \S", problem), problem
    return problems


def card(body: str) -> str:
    return HEAD + "  - id: c1\n    source: n.txt:1\n" + body


CASES = [
    # (name, deck text, expected line, expected fragment)
    ("yaml syntax", HEAD + "  - id: c1\n    prompt: [unclosed\n", 6, "YAML syntax error at column"),
    ("tab indentation", HEAD + "\t- id: c1\n", 5, "YAML syntax error"),
    (
        "unknown top key",
        HEAD.replace("cards:", "colour: red\ncards:") + "  - id: c1\n",
        4,
        "unknown key 'colour'",
    ),
    (
        "unknown card key",
        card("    kind: basic\n    prompt: P\n    anser: A\n"),
        9,
        "did you mean 'answer'?",
    ),
    ("missing deck key", "topic: t\ntitle: T\ncards:\n  - id: c1\n", 1, "has no 'description'"),
    ("missing field", card("    kind: basic\n    prompt: P\n"), 5, "has no 'answer'"),
    (
        "empty field",
        card("    kind: basic\n    prompt: P\n    answer: ''\n"),
        9,
        "'answer' is empty",
    ),
    (
        "wrong type list",
        card("    kind: list\n    prompt: P\n    items: just one string\n"),
        9,
        "'items' must be a list",
    ),
    (
        "wrong type bool",
        card("    kind: list\n    prompt: P\n    ordered: maybe\n    items: [a, b]\n"),
        9,
        "must be true or false",
    ),
    (
        "wrong type text",
        card("    kind: basic\n    prompt: {a: 1}\n    answer: A\n"),
        8,
        "must be text, not a mapping",
    ),
    (
        "bad cloze unclosed",
        card("    kind: cloze\n    text: A {{blank without end\n"),
        8,
        "never closed",
    ),
    ("bad cloze empty", card("    kind: cloze\n    text: A {{ }} blank\n"), 8, "blank is empty"),
    ("bad cloze nested", card("    kind: cloze\n    text: A {{x {{y}} }} blank\n"), 8, "nested"),
    ("cloze without blank", card("    kind: cloze\n    text: No blank here\n"), 8, "has no blank"),
    (
        "list too short",
        card("    kind: list\n    prompt: P\n    items: [only]\n"),
        9,
        "at least two items",
    ),
    ("unknown kind", card("    kind: flip\n    prompt: P\n"), 7, "unknown kind 'flip'"),
    (
        "bad topic slug",
        "topic: Bad Topic\ntitle: T\ndescription: D\ncards:\n  - id: c1\n",
        1,
        "is not a slug",
    ),
    (
        "topic not file name",
        HEAD.replace("topic: t", "topic: other") + "  - id: c1\n",
        1,
        "does not match the file name",
    ),
    (
        "bad source",
        HEAD + "  - id: c1\n    kind: basic\n    prompt: P\n    answer: A\n    source: somewhere\n",
        9,
        "is not NOTE:LINES",
    ),
    (
        "bad id",
        HEAD + "  - id: Not A Slug\n    kind: basic\n    prompt: P\n    answer: A\n"
        "    source: n.txt:1\n",
        5,
        "id is not a slug",
    ),
    (
        "bad order",
        HEAD.replace("cards:", "order: first\ncards:") + "  - id: c1\n",
        4,
        "'order' must be a whole number",
    ),
    ("empty file", "", 1, "the file is empty"),
    ("not a mapping", "- just\n- a list\n", 1, "must be a mapping"),
    ("python tag", HEAD + "  - !!python/object:os.system {id: c1}\n", 5, "YAML tag"),
    (
        "alias",
        HEAD + "  - &a {id: c1, kind: basic, prompt: P, answer: A, source: 'n.txt:1'}\n  - *a\n",
        6,
        "aliases",
    ),
    (
        "duplicate key",
        card("    kind: basic\n    prompt: P\n    prompt: Q\n    answer: A\n"),
        9,
        "duplicate key 'prompt' (first at line 8)",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_reported_with_its_line(
    tmp_path: Path, name: str, text: str, line: int, fragment: str
) -> None:
    problems = problems_for(tmp_path, text)
    matching = [p for p in problems if fragment in p]
    assert matching, f"{name}: no problem mentions {fragment!r} in {problems}"
    assert any(p.split(":")[1] == str(line) for p in matching), (name, problems)


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    first = write_deck(tmp_path, "alpha")
    second = write_deck(tmp_path, "beta", DECK.format(topic="beta"))
    _, problems = check_decks([first, second])
    assert any(
        p.startswith(f"{second}:5: duplicate id 't-basic', first used at {first}:5")
        for p in problems
    ), problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = card("    kind: basic\n    prompt: ''\n    anser: A\n")
    problems = problems_for(tmp_path, text)
    assert len(problems) >= 3, problems  # empty prompt, unknown key, missing answer


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(HEAD.encode() + b"  - id: caf\xe9\n")
    _, problems = check_decks([path])
    assert problems == [
        f"{path}:5: not valid UTF-8 (byte 0xe9 at column 12); save the file as UTF-8"
    ]


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"topic: t\n\x00\x01\x02")
    _, problems = check_decks([path])
    assert len(problems) == 1 and problems[0].startswith(f"{path}:2: "), problems


def test_bundled_decks_are_valid() -> None:
    decks, problems = check_decks(deck_files())
    assert problems == []
    assert bundled_decks_dir().is_dir()
    assert {d.topic for d in decks} >= {"poor-service", "sales-process", "glossary"}


def test_reverse_cards_and_fields(tmp_path: Path) -> None:
    decks, problems = check_decks([write_deck(tmp_path)])
    assert problems == []
    cards = {c.id: c for c in decks[0].cards}
    assert set(cards) == {"t-basic", "t-basic:reverse", "t-cloze", "t-list"}
    reverse = cards["t-basic:reverse"]
    assert reverse.fields["prompt"] == cards["t-basic"].fields["answer"]
    assert reverse.group == "t-basic"
    assert cards["t-list"].fields == {
        "prompt": "Name two benefits of good service.",
        "items": ["Customer loyalty", "A good reputation"],
        "ordered": False,
    }


def test_cloze_helpers() -> None:
    assert cloze_blanks("a {{b}} c {{ d e }}") == ["b", "d e"]
    assert cloze_answers("a {{b}} c {{ d e }}") == ["b", "d e"]
    assert cloze_display("a {{b}} c") == "a [...] c"
    assert cloze_display("a {{b}} c", reveal=True) == "a b c"


def test_validate_command_exit_codes(cli: Run, tmp_path: Path) -> None:
    good = write_deck(tmp_path / "good")
    result = cli("decks", "validate", str(good))
    assert result.code == 0, result
    assert "1 decks, 4 cards: all valid." in result.out
    bad = write_deck(tmp_path / "bad", "t", card("    kind: basic\n    prompt: P\n"))
    result = cli("decks", "validate", str(bad))
    assert result.code == 1, result
    assert f"custserv: {bad}:5: card 'c1' has no 'answer'" in result.err
    assert "Traceback" not in result.err
    result = cli("decks", "validate")
    assert result.code == 0 and "all valid" in result.out, result
