"""``custserv check``: mark a typed answer as a session would, recording nothing."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from custserv_cards.marking import Verdict
    from custserv_cards.model import Card

MAX_ANSWER_CHARS = 20_000  # far more than any card's answer; a longer one is refused
MAX_LINES = 200  # items or blanks in one answer


def check(
    card_id: Annotated[str, typer.Argument(metavar="CARD_ID", help="The card's id.")],
    answer: Annotated[
        str,
        typer.Argument(
            metavar="ANSWER",
            help="What you would type; '-' reads it from standard input. A list card's items "
            "go one per line, or separated by commas or semicolons; a cloze card's blanks one "
            "per line or separated by semicolons.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Mark an answer to a card as the review would, and suggest its grade; records nothing.

    The verdict and the grade are those a review or a drill in typed mode gives the same
    answer. With --json: correct (grade 3 or more), grade (0-5) and the details; for a list
    card, recalled and total.
    """
    from custserv_cards import marking
    from custserv_cards.cli.common import open_store
    from custserv_cards.errors import UsageError

    if answer == "-":
        data = sys.stdin.buffer.read(4 * MAX_ANSWER_CHARS + 4)
        answer = data.decode("utf-8", errors="replace")
    if len(answer) > MAX_ANSWER_CHARS:
        raise UsageError(
            f"ANSWER is longer than {MAX_ANSWER_CHARS:,} characters; "
            "type the answer you would give to the card"
        )
    if not answer.strip():
        raise UsageError(
            "ANSWER is empty; give the answer you would type (in a session an empty answer "
            "just shows the card's answer)"
        )
    with open_store() as store:
        card = store.active_card(card_id).card
        answers = marking.split_answer(card, answer)
        if len(answers) > MAX_LINES:
            raise UsageError(
                f"ANSWER has {len(answers):,} parts; a list or cloze answer may have up to "
                f"{MAX_LINES} (one per item or blank)"
            )
        verdict = marking.mark(card, answers, marking.subject_of(store))
    if as_json:
        print(json.dumps(verdict.to_json(), indent=2, ensure_ascii=False))
        return
    _print(card, verdict)


def _print(card: Card, verdict: Verdict) -> None:
    from custserv_cards.cli.common import console
    from custserv_cards.model import Grade
    from custserv_cards.views import View

    out = console()
    view = View(out)
    out.print(view.card_panel(card))
    out.print(view.answer_panel(view.check_body(card, verdict), "Your answer"))
    counted = "counts as recalled" if verdict.correct else "does not count as recalled"
    line = view.text(f"Suggested grade {verdict.grade} ({Grade(verdict.grade).meaning}): ")
    line.append(view.text(counted, "bold"))
    line.append(view.text(". Nothing was recorded.", "dim"))
    out.print(line)


def register(app: typer.Typer) -> None:
    app.command()(check)
