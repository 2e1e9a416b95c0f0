"""Which scheduler predicts memory better (``custserv eval``), and fitting FSRS to a
collection's own history (``custserv fsrs optimize``)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Run, dump
from real_collection import REVLOG, collection_from_revlog

from custserv_cards.errors import DataError
from custserv_cards.memory import memories
from custserv_cards.scheduler import evaluate
from custserv_cards.scheduler.fsrs import FSRS, default_parameters
from custserv_cards.scheduler.state import PastAnswer
from custserv_cards.store import Store


@pytest.fixture(scope="module")
def real() -> evaluate.Evaluation:
    return evaluate.evaluate(evaluate.read_revlog(REVLOG))


def test_three_models_on_the_real_log(real: evaluate.Evaluation) -> None:
    # The figures docs/scheduling.md gives, within a tolerance.
    assert (real.answers, real.cards, real.cases) == (12_580, 1_205, 6_276)
    sm2, default, personal = (real.score(m) for m in ("sm2", "fsrs_default", "fsrs_personal"))
    assert sm2 is not None and default is not None and personal is not None
    assert sm2.reviews == default.reviews == personal.reviews == 5_230  # the same reviews
    assert sm2.log_loss == pytest.approx(0.509, abs=0.005)
    assert default.log_loss == pytest.approx(0.444, abs=0.005)
    assert personal.log_loss == pytest.approx(0.441, abs=0.005)
    assert real.baseline_log_loss == pytest.approx(0.479, abs=0.005)
    # FSRS beats a constant guess and SM-2 on every figure; SM-2 is worse than the guess
    assert personal.log_loss < default.log_loss < real.baseline_log_loss < sm2.log_loss
    assert default.rmse_bins < 0.03 < 0.1 < sm2.rmse_bins
    assert sm2.auc is not None and default.auc is not None and personal.auc is not None
    assert 0.5 < sm2.auc < 0.6 < 0.68 < default.auc
    # the calibration table counts every scored review once
    assert sum(b.count for b in default.calibration) == default.reviews


def test_sm2_as_srs_benchmark_replays_it(real: evaluate.Evaluation) -> None:
    # srs-benchmark's SM-2 (models/sm_2.py) differs from ours in two rules: Again..Easy are
    # q = 2..5 (ours: 1, 3, 4, 5) and EF changes after every answer, a failure included (ours
    # keeps it, as Wozniak wrote); its intervals are not rounded and it skips same-day answers.
    # Replayed that way, this log gives 0.540 (docs/scheduling.md), near its 0.547.
    histories = evaluate.read_revlog(REVLOG)
    every = evaluate.cases(histories)
    scored = every[len(every) // evaluate.PARTS :]
    predicted: dict[tuple[str, int], float] = {}
    for card, answers in histories.items():
        interval, ef, repetitions, last = 0.0, 2.5, 0, None
        for index, answer in enumerate(answers):
            if last is not None and answer.day == last:
                continue
            if last is not None:
                predicted[(card, index)] = 0.9 ** ((answer.day - last).days / interval)
            q = {1: 2, 3: 3, 4: 4, 5: 5}[answer.grade]
            repetitions = repetitions + 1 if q > 2 else 1
            interval = 1 if repetitions == 1 else 6 if repetitions == 2 else interval * ef
            interval = min(interval, 36_500)
            ef = min(max(ef + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02), 1.3), 10.0)
            last = answer.day
    theirs = evaluate.score(
        "sm2", "", [predicted[(c.card, c.index)] for c in scored], [c.recalled for c in scored]
    )
    ours = real.score("sm2")
    assert ours is not None and theirs.reviews == ours.reviews
    assert theirs.log_loss == pytest.approx(0.540, abs=0.005)
    assert ours.log_loss < theirs.log_loss  # Wozniak's SM-2 is the less overconfident here


def test_fsrs_engine_agrees_with_its_own_evaluation(real: evaluate.Evaluation) -> None:
    # fsrs-rs's own time-series evaluation of the same items gives the same log loss.
    import fsrs_rs_python

    histories = evaluate.read_revlog(REVLOG)
    items = evaluate.training_items(histories, evaluate.cases(histories))
    own = fsrs_rs_python.evaluate_with_time_series_splits(items)
    personal = real.score("fsrs_personal")
    assert personal is not None and own.log_loss == pytest.approx(personal.log_loss, abs=0.002)


def test_metrics_on_known_cases() -> None:
    assert evaluate.auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert evaluate.auc([0.5, 0.5], [True, False]) == 0.5
    assert evaluate.auc([0.2, 0.9], [True, True]) is None
    two = evaluate.score("m", "m", [0.95, 0.55], [True, False])
    assert two.log_loss == pytest.approx(-(math.log(0.95) + math.log(0.45)) / 2)
    assert [(b.low, b.count) for b in two.calibration if b.count] == [(0.5, 1), (0.95, 1)]
    # bins: 0.55 predicted, 0 recalled; 0.95 predicted, all recalled
    assert two.rmse_bins == pytest.approx(math.sqrt((0.55**2 + 0.05**2) / 2))


def test_eval_command_on_the_real_log(cli: Run) -> None:
    result = cli("eval", "--log", str(REVLOG), "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert [s["model"] for s in data["scores"]] == ["sm2", "fsrs_default", "fsrs_personal"]
    assert data["benchmark_log_loss"] == {
        "fsrs_personal": 0.321, "fsrs_default": 0.339, "sm2": 0.547, "constant": 0.363
    }  # fmt: skip
    shown = cli("eval", "--log", str(REVLOG))
    assert shown.code == 0 and "FSRS personal" in shown.out and "Calibration" in shown.out


BAD_LOGS = [
    ("card_id,review_rating\n1,3\n", 1, "the header lacks review_time"),
    ("card_id,review_rating,review_time\n1,3,2024-01-01T10:00\n1,9,2024-01-02T10:00\n", 3,
     "review_rating must be 1, 2, 3 or 4"),
    ("card_id,review_rating,review_time\n1,3,yesterday\n", 2, "review_time must be an ISO"),
    ("card_id,review_rating,review_time\n,3,2024-01-01T10:00\n", 2, "card_id is empty"),
    ("card_id,review_rating,review_time\n", 2, "the log holds no reviews"),
    ("card_id;review_rating;review_time\n1;3;2024-01-01T10:00\n", 1,
     "the header lacks card_id, review_rating, review_time"),
    # an unterminated quote would otherwise swallow every row after it into one field
    ('card_id,review_rating,review_time\n1,3,2024-01-01T10:00\n1,3,"2024-01-02\n1,3,2024-01-03\n',
     3, "not readable as CSV (unexpected end of data); check the quotes"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "message"), BAD_LOGS)
def test_eval_refuses_a_bad_log_naming_file_and_line(
    cli: Run, tmp_path: Path, text: str, line: int, message: str
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(text, encoding="utf-8")
    result = cli("eval", "--log", str(log))
    assert result.code == 1 and result.out == "", result
    assert result.err.startswith(f"custserv: {log}:{line}: {message}"), result
    assert "Traceback" not in result.err and result.err.count("\n") == 1


def test_a_log_saved_with_a_byte_order_mark_reads_as_without(tmp_path: Path) -> None:
    # Spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
    text = "card_id,review_rating,review_time\n1,3,2024-01-01T10:00\n1,1,2024-01-03T10:00\n"
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    plain.write_text(text, encoding="utf-8")
    marked.write_text(text, encoding="utf-8-sig")
    assert evaluate.read_revlog(marked) == evaluate.read_revlog(plain)
    assert [a.grade for a in evaluate.read_revlog(marked)["1"]] == [4, 1]


def test_eval_refuses_a_binary_or_missing_log(cli: Run, tmp_path: Path) -> None:
    binary = tmp_path / "log.csv"
    binary.write_bytes(b"card_id,review_rating,review_time\n\xff\xfe\x00garbage\n")
    for path in (binary, tmp_path / "missing.csv"):
        result = cli("eval", "--log", str(path))
        assert result.code == 1 and str(path) in result.err and "Traceback" not in result.err


def test_optimize_fits_stores_and_is_used(cli: Run, db_path: Path) -> None:
    cards, answers = collection_from_revlog(db_path, cli)
    result = cli("fsrs", "optimize")
    assert result.code == 0, result
    assert "with your parameters against" in result.out and "Saved" in result.out, result
    with Store.open(db_path) as store:
        stored = store.fsrs_parameters()
        assert stored is not None and stored != list(default_parameters())
        assert cli("config", "scheduler", "fsrs").code == 0
        chosen = store.scheduler()
        assert isinstance(chosen, FSRS) and list(chosen.parameters) == stored
        known = memories(store)  # the predicted recall uses them too
        assert len(known) == cards and all(list(m.parameters) == stored for m in known.values())
    shown = json.loads(cli("eval", "--json").out)
    assert shown["answers"] == answers
    assert [s["model"] for s in shown["scores"]] == ["sm2", "fsrs_default", "fsrs_personal"]


def test_optimize_refuses_below_its_minimum(cli: Run, db_path: Path) -> None:
    for day in range(1, 20):
        assert cli("grade", "poor-service-causes", "4", now=f"2026-01-{day:02d}").code == 0
    before = dump(db_path)
    result = cli("fsrs", "optimize")
    assert result.code == 1 and result.out == "", result
    assert result.err.startswith("custserv: FSRS needs 1,000 reviews"), result
    assert "this collection has 18" in result.err and "Nothing was changed" in result.err
    assert dump(db_path) == before
    with Store.open(db_path) as store:
        assert store.fsrs_parameters() is None
    # eval still compares SM-2 and the defaults, and says why there is no personal column
    shown = cli("eval")
    assert shown.code == 0 and "needs 1,000 answers" in shown.out, shown


def test_the_optimisers_minimum_is_exactly_its_number_of_reviews() -> None:
    # MIN_REVIEWS answers that can be predicted are enough; one fewer is refused. Same-day
    # answers are not counted.
    def histories(cards: int) -> dict[str, list[PastAnswer]]:
        start = date(2026, 1, 1)
        return {
            f"c{n}": [
                PastAnswer(start, 4),
                PastAnswer(start, 5),  # a same-day repeat: not a prediction case
                PastAnswer(start + timedelta(days=1 + n % 9), 1 if n % 4 == 0 else 4),
            ]
            for n in range(cards)
        }

    with pytest.raises(DataError, match=r"needs 1,000 reviews .* this collection has 999\."):
        evaluate.optimize(histories(evaluate.MIN_REVIEWS - 1))
    fitted = evaluate.optimize(histories(evaluate.MIN_REVIEWS))
    assert fitted.reviews == evaluate.MIN_REVIEWS and len(fitted.parameters) == 21


def test_damaged_stored_parameters_are_a_clear_message(cli: Run, db_path: Path) -> None:
    import sqlite3

    assert cli("config", "scheduler", "fsrs").code == 0
    for damaged in ("[1, 2", "[1, 2, 3]", '["a"]'):
        conn = sqlite3.connect(db_path)
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('fsrs_parameters', ?)",
                (damaged,),
            )
        conn.close()
        result = cli("grade", "poor-service-causes", "4")
        assert result.code == 1 and "FSRS's stored parameters are damaged" in result.err, result
        assert "custserv fsrs optimize" in result.err and "Traceback" not in result.err
