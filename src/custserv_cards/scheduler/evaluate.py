"""Which scheduler predicts your memory better: a replay of a review history.

Every answer given on a later study day than the card's previous answer is a *prediction
case*: before it, each model states the probability that the card will be recalled (graded
3 or more), and the answer says whether it was. Three models:

* **SM-2**: predicted recall 0.9^(t/I), with t the days since the previous answer and I the
  interval SM-2 had set (the convention of the open srs-benchmark for SM-2, which gives no
  probabilities of its own).
* **FSRS, default parameters**: the memory after every earlier answer of the card (same-day
  ones included), through FSRS's forgetting curve.
* **FSRS, personal parameters**: the same, with parameters fitted on *earlier* reviews only.
  The cases are put in time order and cut into six equal parts; the parameters that predict
  part k (k = 2..6) are fitted on parts 1..k-1 (a time-series split, as srs-benchmark does).

All three are scored on the same cases: those of parts 2 to 6. The figures:

* **log loss**: the mean of -ln(p) over recalled cases and -ln(1 - p) over forgotten ones
  (lower is better; a constant guess of the recall rate scores about 0.5 on typical logs).
* **RMSE over bins**: the cases are put in bins of predicted recall (``BINS``); the root of the
  case-weighted mean squared gap between the mean prediction and the share recalled in each
  bin (lower is better; 0 is perfect calibration). srs-benchmark bins differently (by interval,
  answer count and lapses), so this figure is not comparable with its RMSE.
* **AUC**: the probability that a recalled case got a higher prediction than a forgotten one
  (higher is better; 0.5 is chance).
* **calibration**: per bin, the cases, the mean prediction and the share actually recalled.

Ratings on Anki's four-button scale map onto grades as Again 1, Hard 3, Good 4, Easy 5.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from custserv_cards.clock import DEFAULT_DAY_START_HOUR, study_day
from custserv_cards.errors import DataError
from custserv_cards.scheduler import sm2
from custserv_cards.scheduler.fsrs import FSRS, default_parameters, item, retrievability
from custserv_cards.scheduler.state import MIN_EASINESS, AnswerKind, CardState, PastAnswer

if TYPE_CHECKING:
    from fsrs_rs_python import FSRSItem

ANKI_RATING_TO_GRADE = {1: 1, 2: 3, 3: 4, 4: 5}
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
PARTS = 6  # the time-series split: parameters for part k are fitted on parts 1..k-1
MIN_REVIEWS = 1_000  # prediction cases the optimiser needs (see docs/scheduling.md)
CSV_COLUMNS = ("card_id", "review_rating", "review_time")
EPSILON = 1e-6

Histories = Mapping[str, Sequence[PastAnswer]]


@dataclass(frozen=True)
class Case:
    """An answer to predict: the card, its place in the card's history, and the outcome."""

    card: str
    index: int
    day: date
    elapsed: int
    recalled: bool


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    predicted: float | None
    recalled: float | None


@dataclass(frozen=True)
class Score:
    model: str
    label: str
    log_loss: float
    rmse_bins: float
    auc: float | None
    reviews: int
    calibration: list[Bin]


@dataclass
class Evaluation:
    answers: int
    cards: int
    cases: int  # answers on a later day than the card's previous one
    recall_rate: float = 0.0  # the share recalled among the scored cases
    baseline_log_loss: float = 0.0  # a constant guess of that share, for scale
    scores: list[Score] = field(default_factory=list)
    personal_note: str | None = None  # why there is no personal score, if there is none

    def score(self, model: str) -> Score | None:
        return next((s for s in self.scores if s.model == model), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- reading histories ------------------------------------------------------------------


def read_revlog(
    path: Path, day_start_hour: int = DEFAULT_DAY_START_HOUR
) -> dict[str, list[PastAnswer]]:
    """A review log in the CSV shape of the open-spaced-repetition data sets (``card_id,
    review_rating, review_time, ...``), as each card's answers in time order. Any bad row
    raises ``DataError`` naming ``file:line``."""
    rows: list[tuple[str, datetime, int]] = []
    read = 0  # the last line of the last row read
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte-order mark
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, strict=True)
            missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError(
                    f"{path}:1: the header lacks {', '.join(missing)}; a review log needs the "
                    f"columns {', '.join(CSV_COLUMNS)}, separated by commas"
                )
            read = reader.line_num
            for row in reader:
                rows.append(_read_row(path, reader.line_num, row))
                read = reader.line_num
    except OSError as error:
        raise DataError(f"cannot read {path} ({error.strerror}); name a review log CSV") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text; a review log is a CSV file") from None
    except csv.Error as error:
        raise DataError(
            f"{path}:{read + 1}: not readable as CSV ({error}); check the quotes in the row "
            "that starts on this line"
        ) from None
    if not rows:
        raise DataError(f"{path}:2: the log holds no reviews")
    histories: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for card, moment, grade in rows:
        histories[card].append((moment, grade))
    return {
        card: [PastAnswer(study_day(m, day_start_hour), g) for m, g in sorted(answers)]
        for card, answers in histories.items()
    }


def _read_row(path: Path, line: int, row: dict[str, str | None]) -> tuple[str, datetime, int]:
    card = (row.get("card_id") or "").strip()
    rating = (row.get("review_rating") or "").strip()
    time = (row.get("review_time") or "").strip()
    if not card:
        raise DataError(f"{path}:{line}: card_id is empty; every review names its card")
    if rating not in ("1", "2", "3", "4"):
        raise DataError(
            f"{path}:{line}: review_rating must be 1, 2, 3 or 4 (Again, Hard, Good, Easy), "
            f"not {rating!r}"
        )
    try:
        moment = datetime.fromisoformat(time)
    except ValueError:
        raise DataError(
            f"{path}:{line}: review_time must be an ISO date and time like "
            f"2024-03-29T20:32:32+00:00, not {time!r}"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)  # the wall-clock time decides the study day
    return card, moment, ANKI_RATING_TO_GRADE[int(rating)]


# --- the cases and the models -----------------------------------------------------------


def cases(histories: Histories) -> list[Case]:
    """Every answer given on a later study day than the card's previous one, in time order."""
    found = []
    for card, answers in histories.items():
        for index in range(1, len(answers)):
            elapsed = (answers[index].day - answers[index - 1].day).days
            if elapsed > 0:
                found.append(
                    Case(card, index, answers[index].day, elapsed, answers[index].grade >= 3)
                )
    found.sort(key=lambda c: (c.day, c.card, c.index))
    return found


def training_items(histories: Histories, chosen: Sequence[Case]) -> list[FSRSItem]:
    """FSRS training items for ``chosen``: each case's answers up to and including it."""
    return [item(histories[c.card][: c.index + 1]) for c in chosen]


def fit(histories: Histories, chosen: Sequence[Case]) -> list[float]:
    """FSRS parameters fitted on the cases ``chosen`` (Anki's optimiser, fsrs-rs)."""
    engine = FSRS().engine
    return list(engine.compute_parameters(training_items(histories, chosen)))


def fsrs_predictions(
    histories: Histories, chosen: Sequence[Case], parameters: Sequence[float]
) -> list[float]:
    """FSRS's predicted recall for each case, from the card's earlier answers."""
    engine = FSRS(parameters).engine
    memories = engine.memory_state_batch([item(histories[c.card][: c.index]) for c in chosen])
    return [
        retrievability(m.stability, c.elapsed, parameters)
        for m, c in zip(memories, chosen, strict=True)
    ]


def sm2_predictions(histories: Histories) -> dict[tuple[str, int], float]:
    """SM-2's predicted recall 0.9^(t/I) before every case, keyed by (card, index)."""
    predicted: dict[tuple[str, int], float] = {}
    for card, answers in histories.items():
        state = CardState()
        for index, answer in enumerate(answers):
            if state.last_day is not None and answer.day > state.last_day:
                elapsed = (answer.day - state.last_day).days
                predicted[(card, index)] = 0.9 ** (elapsed / max(state.interval, 1))
            state, _ = sm2.review(state, answer.grade, answer.day)
    return predicted


def evaluate(histories: Histories, *, personal: bool = True) -> Evaluation:
    """Score SM-2, FSRS with default parameters and FSRS with personal parameters (fitted on
    earlier reviews only) on the same answers of ``histories``."""
    every = cases(histories)
    result = Evaluation(
        answers=sum(len(a) for a in histories.values()), cards=len(histories), cases=len(every)
    )
    if len(every) < PARTS:
        raise DataError(
            f"{result.answers} answers hold {len(every)} that can be predicted (an answer on a "
            "later day than the card's previous one); there is nothing to evaluate yet"
        )
    bounds = [len(every) * k // PARTS for k in range(PARTS + 1)]
    scored = every[bounds[1] :]
    outcomes = [c.recalled for c in scored]
    rate = sum(outcomes) / len(outcomes)
    result.recall_rate = rate
    result.baseline_log_loss = score("constant", "", [rate] * len(outcomes), outcomes).log_loss
    sm2_all = sm2_predictions(histories)
    result.scores.append(
        score("sm2", "SM-2", [sm2_all[(c.card, c.index)] for c in scored], outcomes)
    )
    defaults = default_parameters()
    result.scores.append(
        score(
            "fsrs_default",
            "FSRS defaults",
            fsrs_predictions(histories, scored, defaults),
            outcomes,
        )
    )
    if not personal:
        result.personal_note = "not asked for"
    elif len(every) < MIN_REVIEWS:
        result.personal_note = (
            f"needs {MIN_REVIEWS:,} answers that can be predicted; there are {len(every):,}"
        )
    else:
        predicted: list[float] = []
        for k in range(1, PARTS):
            parameters = fit(histories, every[: bounds[k]])
            predicted += fsrs_predictions(histories, every[bounds[k] : bounds[k + 1]], parameters)
        result.scores.append(score("fsrs_personal", "FSRS personal", predicted, outcomes))
    return result


@dataclass(frozen=True)
class Fitted:
    """What fitting personal parameters to a whole history gave."""

    parameters: list[float]
    reviews: int
    default_log_loss: float
    personal_log_loss: float

    @property
    def better(self) -> bool:
        return self.personal_log_loss < self.default_log_loss


def optimize(histories: Histories) -> Fitted:
    """Fit FSRS's parameters to every answer that can be predicted (at least
    ``MIN_REVIEWS``, else ``DataError``), and score them against the defaults on the same
    answers."""
    every = cases(histories)
    if len(every) < MIN_REVIEWS:
        raise DataError(
            f"FSRS needs {MIN_REVIEWS:,} reviews to fit personal parameters (answers given on a "
            f"later day than the card's previous answer); this collection has {len(every):,}. "
            "Nothing was changed: keep reviewing and run 'custserv fsrs optimize' again later"
        )
    items = training_items(histories, every)
    default = FSRS().engine
    parameters = list(default.compute_parameters(items))
    return Fitted(
        parameters=parameters,
        reviews=len(items),
        default_log_loss=default.evaluate(items).log_loss,
        personal_log_loss=FSRS(parameters).engine.evaluate(items).log_loss,
    )


# --- the figures ------------------------------------------------------------------------


def score(model: str, label: str, predicted: Sequence[float], recalled: Sequence[bool]) -> Score:
    clipped = [min(max(p, EPSILON), 1 - EPSILON) for p in predicted]
    loss = -sum(
        math.log(p) if r else math.log(1 - p) for p, r in zip(clipped, recalled, strict=True)
    ) / len(clipped)
    table = calibration(predicted, recalled)
    squared = sum(
        b.count * (b.predicted - b.recalled) ** 2
        for b in table
        if b.predicted is not None and b.recalled is not None
    )
    return Score(
        model=model,
        label=label,
        log_loss=loss,
        rmse_bins=math.sqrt(squared / len(predicted)),
        auc=auc(predicted, recalled),
        reviews=len(predicted),
        calibration=table,
    )


def calibration(predicted: Sequence[float], recalled: Sequence[bool]) -> list[Bin]:
    members: list[list[tuple[float, bool]]] = [[] for _ in BINS[:-1]]
    for p, r in zip(predicted, recalled, strict=True):
        members[_bin(p)].append((p, r))
    table = []
    for low, high, inside in zip(BINS, BINS[1:], members, strict=False):
        count = len(inside)
        table.append(
            Bin(
                low,
                high,
                count,
                sum(p for p, _ in inside) / count if count else None,
                sum(r for _, r in inside) / count if count else None,
            )
        )
    return table


def _bin(p: float) -> int:
    for index, high in enumerate(BINS[1:]):
        if p < high:
            return index
    return len(BINS) - 2


def auc(predicted: Sequence[float], recalled: Sequence[bool]) -> float | None:
    """The area under the ROC curve (Mann-Whitney, ties counted half); None if every case
    has the same outcome."""
    positives = sum(recalled)
    negatives = len(recalled) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(predicted)), key=lambda i: predicted[i])
    rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and predicted[order[end + 1]] == predicted[order[start]]:
            end += 1
        average_rank = (start + end) / 2 + 1
        rank_sum += average_rank * sum(recalled[order[i]] for i in range(start, end + 1))
        start = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


# --- SM-2's rules on a real log ---------------------------------------------------------


@dataclass
class RuleCheck:
    answers: int = 0
    scheduled: int = 0  # first answers of a study day (the ones that move the schedule)
    on_time: int = 0  # scheduled answers given on or after the due day
    on_time_recalled: int = 0


def check_sm2_rules(histories: Histories) -> RuleCheck:
    """Replay every card through SM-2; raise ``AssertionError`` naming the rule if SM-2 ever
    breaks one of its rules."""
    result = RuleCheck()
    for answers in histories.values():
        state = CardState()
        for answer in answers:
            result.answers += 1
            if state.last_day != answer.day and state.due is not None and answer.day >= state.due:
                result.on_time += 1
                result.on_time_recalled += answer.grade >= 3
            new, kind = sm2.review(state, answer.grade, answer.day)
            _check_sm2(state, new, answer.grade, answer.day, kind)
            result.scheduled += kind != AnswerKind.REPEAT
            state = new
    return result


def _check_sm2(before: CardState, after: CardState, grade: int, day: date, kind: str) -> None:
    """Raise ``AssertionError`` naming the rule when an answer broke one of SM-2's rules."""
    broken = []
    if after.sm2.easiness < MIN_EASINESS or after.interval < 1:
        broken.append("EF >= 1.3 and interval >= 1")
    if kind == AnswerKind.REPEAT:
        if (after.repetitions, after.sm2, after.interval) != (
            before.repetitions,
            before.sm2,
            before.interval,
        ):
            broken.append("a same-day repeat changes neither n, EF nor the interval")
    elif after.last_day != day:
        broken.append("the answer's day is recorded")
    elif grade < 3 and (after.repetitions, after.interval, after.sm2) != (0, 1, before.sm2):
        broken.append("a failure restarts without changing EF")
    elif grade >= 3 and before.repetitions >= 2 and after.interval < before.interval:
        broken.append("a success never shortens the interval")
    if broken:
        raise AssertionError(f"SM-2 broke '{broken[0]}' at {day}: {before} -> {after}")
