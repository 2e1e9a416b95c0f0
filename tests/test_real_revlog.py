"""SM-2's rules on a real review log: 12,580 answers to 1,205 cards (tests/data, MIT
licensed, from the open-spaced-repetition project; see the LICENSE file beside it). How well
each scheduler predicts these answers is tested in test_eval.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from custserv_cards.scheduler.evaluate import check_sm2_rules, read_revlog

REVLOG = Path(__file__).parent / "data" / "revlog_real_12k.csv"


def test_sm2_keeps_its_rules_on_every_real_answer() -> None:
    # check_sm2_rules() checks SM-2's rules after every answer (EF >= 1.3, interval >= 1, a
    # failure restarts, a success never shortens the interval, same-day repeats change
    # nothing) and raises AssertionError naming a broken one.
    result = check_sm2_rules(read_revlog(REVLOG))
    assert result.answers == 12_580
    assert 0 < result.scheduled < result.answers
    assert (result.on_time, result.on_time_recalled) == (4_932, 3_715)


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
    histories = dict(list(read_revlog(REVLOG).items())[:200])
    with pytest.raises(AssertionError, match="a failure restarts without changing EF"):
        check_sm2_rules(histories)
