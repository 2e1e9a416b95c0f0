"""Answering outside a session (``grade``, ``undo``, ``suspend``, ``unsuspend``, ``bury``)
and ``config``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from custserv_cards.cli.common import open_store

CardId = Annotated[str, typer.Argument(metavar="ID", help="The card's id.")]


def grade(
    card_id: Annotated[str, typer.Argument(metavar="CARD_ID", help="The card's id.")],
    value: Annotated[
        int,
        typer.Argument(
            metavar="GRADE",
            min=0,
            max=5,
            help="0 blackout, 1 wrong but remembered once seen, 2 wrong but seemed easy once "
            "seen, 3 right with serious difficulty, 4 right after hesitation, 5 perfect.",
        ),
    ],
) -> None:
    """Record an answer without a session (for scripts and editors); prints the new due date."""
    from custserv_cards import clock
    from custserv_cards.model import Grade

    now = clock.now()
    with open_store() as store:
        answer = store.record_answer(card_id, value, now)
        day = store.today_for(now)
    after = answer.after
    last_day = answer.before.last_day
    if last_day is not None and day < last_day:
        print(
            f"note: the clock's study day ({day}) is before this card's last answer "
            f"({last_day}); the answer counts as a further answer on {last_day}."
        )
    meaning = Grade(value).meaning
    if answer.kind == "repeat":
        note = "again later today" if after.again else "done for today"
        print(
            f"{card_id}: {value} ({meaning}) recorded as a same-day repeat; {note}; "
            f"next due {after.due}."
        )
    else:
        answered_on = last_day if last_day is not None and day < last_day else day
        wait = (after.due - answered_on).days if after.due else after.interval
        days = f"{wait} day{'s' if wait != 1 else ''}"
        if wait != after.interval:  # the exam planner moved the scheduler's date
            days += ", set by the exam plan"
        if answer.scheduler == "sm2":
            ef = f"EF {after.sm2.ef:.2f}, "
        else:
            ef = f"stability {after.fsrs.stability:.1f} d, " if after.fsrs else ""
        print(
            f"{card_id}: {value} ({meaning}); next due {after.due} (in {days}), "
            f"{ef}repetitions {after.repetitions}."
        )
    if after.leech and not answer.before.leech:
        print(
            f"{card_id} is now a leech (failed {after.lapses} times): rewrite it in your own "
            f"words, or 'custserv suspend {card_id}'."
        )


def undo(
    steps: Annotated[
        int, typer.Option("--steps", "-n", min=1, max=1_000_000, help="How many answers to undo.")
    ] = 1,
) -> None:
    """Revert the most recent answers exactly (state and log)."""
    from custserv_cards import clock

    with open_store(sync_bundled=False) as store:
        undone = store.undo(steps, clock.now())
    if not undone:
        print("Nothing to undo.")
        return
    for item in undone:
        when = item.reviewed_at[:16].replace("T", " ")
        print(f"Undid {item.card_id}: grade {item.grade} ({item.kind}) at {when}.")
    if len(undone) < steps:
        print(f"Only {len(undone)} answer{'s' if len(undone) != 1 else ''} to undo.")


def suspend(card_id: CardId) -> None:
    """Stop showing a card until you unsuspend it (its history is kept)."""
    with open_store() as store:
        changed = store.set_suspended(card_id, True)
    print(f"{card_id} suspended." if changed else f"{card_id} was already suspended.")


def unsuspend(card_id: CardId) -> None:
    """Show a suspended card again."""
    with open_store() as store:
        changed = store.set_suspended(card_id, False)
    print(f"{card_id} unsuspended." if changed else f"{card_id} was not suspended.")


def bury(card_id: CardId) -> None:
    """Hide a card until tomorrow."""
    with open_store() as store:
        until = store.today() + timedelta(days=1)
        store.bury(card_id, until)
    print(f"{card_id} buried until {until}.")


def config(
    key: Annotated[str | None, typer.Argument(help="A setting's name.")] = None,
    value: Annotated[str | None, typer.Argument(help="Its new value.")] = None,
) -> None:
    """Show the settings, or set one.

    Settings: day_start_hour, new_per_day, reviews_per_day, scheduler, desired_retention
    (FSRS, 0.70 to 0.97), answer_mode, exam_date, exam_target and exam_minutes (set them
    together with 'custserv exam set'), student (the name every report shows:
    custserv config student "Ann Lee").
    """
    if key is not None and value is not None:
        # A refused value opens nothing (a database that does not exist yet is not created).
        from custserv_cards.store import check_key, check_setting

        check_key(key)
        check_setting(key, value)
    with open_store(sync_bundled=False) as store:
        if key is None:
            for name, current in store.settings().items():
                print(f"{name} = {current}")
        elif value is None:
            print(store.setting(key))
        else:
            store.set_setting(key, value)
            print(f"{key} = {store.setting(key)}")


def register(app: typer.Typer) -> None:
    for command in (grade, undo, suspend, unsuspend, bury, config):
        app.command()(command)
