"""``custserv check``: the session's verdict on a typed answer, recording nothing; the
deck's ``accept:`` and ``distractors:``; bad input refused in one line."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run, dump, write_deck

from custserv_cards import marking
from custserv_cards.decks import check_decks

ACCEPTING = """\
topic: accepting
title: Accepting deck
description: Alternatives and distractors.
cards:
  - id: a-crm
    kind: basic
    prompt: What does CRM stand for?
    answer: Customer relationship management
    accept: [client relationship management]
    distractors: [Customer resource management, Client records manager, Cost review meeting]
    source: 000_notes.txt:1
  - id: a-cloze
    kind: cloze
    text: Complaints reach {{nine or ten}} people, and {{five}} once resolved.
    accept:
      five: [a handful]
    source: 000_notes.txt:2
  - id: a-list
    kind: list
    prompt: Two kinds of customer?
    items: [Internal customers, External customers]
    accept:
      Internal customers: [colleagues]
    source: 000_notes.txt:3
"""


def test_check_prints_the_verdict_and_records_nothing(cli: Run, db_path: Path) -> None:
    assert cli("topics").code == 0  # the bundled decks are synced
    before = dump(db_path)
    result = cli("check", "app-ict-m-commerce", "e-commerce")
    assert result.code == 0, result
    assert "You typed" in result.out and "M-commerce" in result.out
    assert "'e-commerce' is a different term from 'm-commerce'" in " ".join(result.out.split())
    assert "Suggested grade 1" in result.out
    assert "Nothing was recorded." in " ".join(result.out.split())
    shown = json.loads(cli("check", "app-ict-m-commerce", "m commerce", "--json").out)
    assert (shown["correct"], shown["grade"]) == (True, 5)
    listed = json.loads(cli("check", "poor-service-causes", "poor management\n" * 3, "--json").out)
    assert (listed["recalled"], listed["total"], listed["correct"]) == (1, 4, False)
    assert listed["repeats"] == ["poor management", "poor management"]
    why = json.loads(
        cli("check", "poor-service-causes", "good communication; customer loyalty", "--json").out
    )
    assert why["unmatched"] == ["good communication", "customer loyalty"]
    assert why["unmatched_reasons"] == ["'good' is the opposite of 'poor'", None]
    assert dump(db_path) == before


def test_short_answers_show_a_word_level_difference(cli: Run) -> None:
    shown = json.loads(
        cli(
            "check",
            "poor-service-management",
            "the business does not manage its resources",
            "--json",
        ).out
    )
    difference = shown["answers"][0]["difference"]
    assert {"op": "missing", "text": "correctly."} in difference
    assert all(" " in d["text"] or d["text"].isalpha() or d["text"][-1] == "." for d in difference)


def test_long_answers_show_the_key_ideas_found_and_missed(cli: Run) -> None:
    result = cli("check", "poor-service-promise-too-much", "it raises customers' expectations")
    text = " ".join(result.out.split())
    assert "Key ideas ✓ found It raises customers' expectations" in text
    assert "✗ missed but the business does not deliver to that level" in text
    assert "Difference" not in result.out
    assert "Suggested grade 3" in result.out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["no-such-card", "x"], 1, "no card with id 'no-such-card'"),
        (["def-crm", ""], 2, "ANSWER is empty"),
        (["def-crm", "  \n "], 2, "ANSWER is empty"),
        (["def-crm", "x" * 30_000], 2, "ANSWER is longer than 20,000 characters"),
        (["poor-service-causes", "a," * 500], 2, "ANSWER has 500 parts"),
    ],
)
def test_bad_input_is_one_line(cli: Run, args: list[str], code: int, message: str) -> None:
    result = cli("check", *args)
    assert result.code == code, result
    assert result.err.count("\n") == 1 and message in result.err, result.err
    assert "Traceback" not in result.err and result.out == ""


def test_a_retired_card_is_refused(cli: Run, tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks")
    assert cli("decks", "sync", str(deck)).code == 0
    deck.write_text(deck.read_text().split("  - id: t-list")[0], encoding="utf-8")
    assert cli("decks", "sync", str(deck)).code == 0
    result = cli("check", "t-list", "Customer loyalty")
    assert result.code == 1
    assert result.err == (
        "custserv: card 't-list' is retired (no longer in the decks); its history is kept\n"
    )


def test_a_one_megabyte_answer_on_standard_input(db_path: Path) -> None:
    env = {**os.environ, "CUSTSERV_DB": str(db_path), "NO_COLOR": "1"}
    for data in (b"customer " * 116_509, os.urandom(1 << 20)):
        result = subprocess.run(
            [sys.executable, "-m", "custserv_cards", "check", "def-crm", "-"],
            input=data,
            capture_output=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 2, result
        assert result.stderr.decode().count("\n") == 1
        assert b"ANSWER is longer than 20,000 characters" in result.stderr
    small = subprocess.run(
        [sys.executable, "-m", "custserv_cards", "check", "complaints-unreported", "-", "--json"],
        input=b"20\n",
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert small.returncode == 0, small
    assert json.loads(small.stdout)["grade"] == 5


def test_deck_alternatives_are_accepted(cli: Run, tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "accepting", ACCEPTING)
    assert cli("decks", "sync", str(deck)).code == 0

    def grade(card_id: str, answer: str) -> int:
        return int(json.loads(cli("check", card_id, answer, "--json").out)["grade"])

    assert grade("a-crm", "client relationship management") == 5
    assert grade("a-crm", "customer relationship management") == 5
    assert grade("a-crm", "client records management") < 3
    assert grade("a-cloze", "9 or 10; a handful") == 5
    assert grade("a-cloze", "9 or 10; 6") < 3
    listed = json.loads(cli("check", "a-list", "colleagues, external customers", "--json").out)
    assert (listed["recalled"], listed["grade"]) == (2, 5)


def test_deck_distractors_come_first_and_never_a_right_answer(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "decks", "accepting", ACCEPTING)
    decks, problems = check_decks([deck])
    assert problems == []
    card = next(c for c in decks[0].cards if c.id == "a-crm")
    for seed in range(10):
        found = marking.choices(card, decks[0].cards, random.Random(seed))
        assert found is not None
        _note, options, right = found
        assert right == "Customer relationship management"
        assert sorted(options) == sorted([right, *card.fields["distractors"]])


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (
            "    kind: basic\n    prompt: Q?\n    answer: Yes\n    accept: yes please\n",
            "'accept' must be a list",
        ),
        (
            "    kind: basic\n    prompt: Q?\n    answer: Yes\n    distractors: [' yes! ']\n",
            "distractor 'yes!' is a right answer of the card",
        ),
        (
            "    kind: cloze\n    text: '{{a}} and {{b}}'\n    accept: [x]\n",
            "'accept' must map each of its blanks to its alternatives",
        ),
        (
            "    kind: list\n    prompt: Q?\n    items: [One, Two]\n    accept: {Three: [3]}\n",
            "'accept': unknown key 'Three'",
        ),
        (
            "    kind: list\n    prompt: Q?\n    items: [One, Two]\n    accept: {One: ''}\n",
            "'One' must be a list",
        ),
    ],
)
def test_accept_and_distractors_are_validated(tmp_path: Path, card: str, message: str) -> None:
    text = (
        "topic: bad\ntitle: Bad\ndescription: Bad.\ncards:\n  - id: c1\n"
        + card
        + "    source: n.txt:1\n"
    )
    path = write_deck(tmp_path, "bad", text)
    _decks, problems = check_decks([path])
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith(f"{path}:")
