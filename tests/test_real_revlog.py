"""The schedulers on a real review log: 12,580 answers to 1,205 cards (tests/data, MIT
licensed, from the open-spaced-repetition project; see the LICENSE file beside it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from custserv_cards.scheduler.evaluate import Evaluation, read_revlog, replay

REVLOG = Path(__file__).parent / "data" / "revlog_real_12k.csv"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return replay(read_revlog(REVLOG))


def test_sm2_keeps_its_rules_on_every_real_answer(evaluation: Evaluation) -> None:
    # replay() checks SM-2's rules after every answer (EF >= 1.3, interval >= 1, a failure
    # restarts, a success never shortens the interval, same-day repeats change nothing).
    assert (evaluation.reviews, evaluation.cards) == (12_580, 1_205)
    assert 0 < evaluation.scheduled < evaluation.reviews
    assert evaluation.on_time > 1_000


def test_fsrs_predicts_recall_better_than_a_constant_guess(evaluation: Evaluation) -> None:
    assert len(evaluation.predictions) > 5_000
    assert all(0.0 <= p <= 1.0 for p, _ in evaluation.predictions)
    assert evaluation.fsrs_log_loss < evaluation.constant_log_loss


def test_the_replay_catches_a_broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from custserv_cards.scheduler import sm2
    from custserv_cards.scheduler.state import CardState, SM2Memory

    exact = sm2.review

    def lowers_ef_on_failure(state: CardState, grade: int, day: object) -> object:
        new, kind = exact(state, grade, day)  # type: ignore[arg-type]
        lowered = SM2Memory(max(130, new.sm2.easiness - 20))
        return (replace(new, sm2=lowered) if grade < 3 else new), kind

    monkeypatch.setattr(sm2, "review", lowers_ef_on_failure)
    with pytest.raises(AssertionError, match="a failure restarts without changing EF"):
        replay(read_revlog(REVLOG)[:2_000])
