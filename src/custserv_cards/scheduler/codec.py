"""The one translation between a ``CardState`` and what the database holds: a row of the
``state`` table, and the JSON the review log keeps before and after each answer.

Each scheduler's memory lives in its own place: SM-2's ease in the ``easiness`` column (EF x
100), FSRS's memory as JSON in the ``fsrs`` column (``stability``, ``difficulty``, ``day``).
The log's JSON holds the same fields, with FSRS's memory under ``fsrs`` as the same text.
Memories written by older versions (py-fsrs's card JSON, without ``day``) read as no memory:
FSRS then rebuilds it from the card's log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from custserv_cards.scheduler.state import CardState, FsrsMemory, SM2Memory

COLUMNS = ("repetitions", "easiness", "interval", "due", "lapses", "last_day", "again", "fsrs")
STATE_COLUMNS = ", ".join(COLUMNS)
UPDATE_STATE = f"UPDATE state SET {', '.join(f'{c} = ?' for c in COLUMNS)} WHERE card_id = ?"
INSERT_STATE = f"INSERT INTO state (card_id, {STATE_COLUMNS}) VALUES (?{', ?' * len(COLUMNS)})"


def fsrs_to_text(memory: FsrsMemory | None) -> str | None:
    if memory is None:
        return None
    return json.dumps(
        {
            "day": memory.day.isoformat(),
            "difficulty": memory.difficulty,
            "stability": memory.stability,
        },
        sort_keys=True,
    )


def fsrs_from_text(text: str | None) -> FsrsMemory | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        return FsrsMemory(
            float(data["stability"]), float(data["difficulty"]), date.fromisoformat(data["day"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def from_row(row: Sequence[Any]) -> CardState:
    """A state from the values of ``COLUMNS``, in order."""
    repetitions, easiness, interval, due, lapses, last_day, again, fsrs = row[:8]
    return CardState(
        repetitions,
        interval,
        date.fromisoformat(due) if due else None,
        lapses,
        date.fromisoformat(last_day) if last_day else None,
        bool(again),
        SM2Memory(easiness),
        fsrs_from_text(fsrs) if fsrs else None,
    )


def to_row(state: CardState) -> tuple[Any, ...]:
    """A state as the values of ``COLUMNS``, in order."""
    return (
        state.repetitions,
        state.sm2.easiness,
        state.interval,
        state.due.isoformat() if state.due else None,
        state.lapses,
        state.last_day.isoformat() if state.last_day else None,
        int(state.again),
        fsrs_to_text(state.fsrs),
    )


def to_log(state: CardState) -> dict[str, Any]:
    """A state as the review log keeps it (``fsrs`` only when FSRS has a memory)."""
    data = dict(zip(COLUMNS, to_row(state), strict=True))
    data["again"] = state.again
    if data["fsrs"] is None:
        del data["fsrs"]
    return data


def to_log_text(state: CardState) -> str:
    return json.dumps(to_log(state), sort_keys=True)


def from_log(data: dict[str, Any]) -> CardState:
    """A state from the log's JSON (as ``json.loads`` gives it)."""
    return from_row([data.get(c) if c != "fsrs" else data.get("fsrs") for c in COLUMNS])
