"""How well each card is remembered, and will be on any day: FSRS's memory model applied to
the card's own review log, whichever scheduler runs the reviews.

    from custserv_cards.memory import memories, recall_on
    known = memories(store)                 # {card_id: CardMemory} for every card answered
    known["some-card"].recall(date(2027, 6, 1))   # probability of recall that day, 0..1
    recall_on(store, date(2027, 6, 1))      # {card_id: probability} for every card answered

The memory of a card is its stability and difficulty after its last answer that moved the
schedule (drills do not), replayed through FSRS with the collection's personal parameters
when ``custserv fsrs optimize`` has fitted them, else FSRS's defaults. A card whose state has
progress but whose log does not account for it (answers undone, say) is read from its SM-2
state instead. New cards have no memory and are absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from custserv_cards.scheduler import codec
from custserv_cards.scheduler.fsrs import FSRS, item, retrievability

if TYPE_CHECKING:
    from custserv_cards.store import Store


@dataclass(frozen=True)
class CardMemory:
    card_id: str
    stability: float  # days until recall falls to 90 %
    difficulty: float  # 1 (easy) to 10 (hard)
    last_day: date  # the study day of the last answer
    parameters: tuple[float, ...]

    def recall(self, day: date) -> float:
        """The probability of recalling the card on study day ``day`` (for a day before the
        last answer, the recall just after it)."""
        return retrievability(self.stability, (day - self.last_day).days, self.parameters)


def memories(store: Store, card_ids: Iterable[str] | None = None) -> dict[str, CardMemory]:
    """The memory of every answered card (or of the ``card_ids`` among them)."""
    wanted = set(card_ids) if card_ids is not None else None
    fsrs = FSRS(store.fsrs_parameters())
    history = store.all_past_answers()
    found: dict[str, CardMemory] = {}
    rows = store.conn.execute(
        f"SELECT card_id, {codec.STATE_COLUMNS} FROM state WHERE last_day IS NOT NULL"
    ).fetchall()
    from_log: list[tuple[str, date]] = []
    for row in rows:
        card_id, state = row[0], codec.from_row(row[1:])
        if wanted is not None and card_id not in wanted:
            continue
        answers = history.get(card_id)
        if answers and answers[-1].day == state.last_day:
            from_log.append((card_id, answers[-1].day))
            continue
        seeded = fsrs.memory_from_sm2(state)
        if seeded is not None:
            found[card_id] = CardMemory(
                card_id, seeded.stability, seeded.difficulty, seeded.day, fsrs.parameters
            )
    if from_log:
        replayed = fsrs.engine.memory_state_batch([item(history[c]) for c, _ in from_log])
        for (card_id, last_day), memory in zip(from_log, replayed, strict=True):
            found[card_id] = CardMemory(
                card_id, memory.stability, memory.difficulty, last_day, fsrs.parameters
            )
    return found


def recall_on(store: Store, day: date, card_ids: Iterable[str] | None = None) -> dict[str, float]:
    """Each answered card's probability of recall on study day ``day``."""
    return {card_id: m.recall(day) for card_id, m in memories(store, card_ids).items()}
