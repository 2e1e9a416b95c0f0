"""``custserv eval`` (which scheduler predicts your memory better) and ``custserv fsrs
optimize`` (fit FSRS to your own history)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from custserv_cards.cli.commands import App
from custserv_cards.cli.common import console, open_store

if TYPE_CHECKING:
    from custserv_cards.scheduler.evaluate import Evaluation

# Log loss in the open srs-benchmark (README at commit 00c9de57, anki-revlogs-10k, weighted by
# each collection's reviews): FSRS-6 fitted per collection, FSRS-6's defaults, SM-2, and a
# constant guess (its "AVG").
BENCHMARK = {"fsrs_personal": 0.321, "fsrs_default": 0.339, "sm2": 0.547, "constant": 0.363}

fsrs_app = App(help="FSRS's personal parameters.", no_args_is_help=True)


@fsrs_app.command("optimize")
def optimize() -> None:
    """Fit FSRS's parameters to your own review history (as Anki's Optimize button does).

    They are kept, and used by FSRS from the next answer on, when they predict your answers
    better than the defaults. Needs 1,000 reviews given on a later day than the card's
    previous answer.
    """
    from custserv_cards.scheduler import evaluate

    with open_store(sync_bundled=False) as store:
        fitted = evaluate.optimize(store.all_past_answers())
        if fitted.better:
            store.set_fsrs_parameters(fitted.parameters)
    gain = 1 - fitted.personal_log_loss / fitted.default_log_loss
    print(
        f"Fitted FSRS to {fitted.reviews:,} reviews: log loss {fitted.personal_log_loss:.4f} "
        f"with your parameters against {fitted.default_log_loss:.4f} with the defaults "
        + (f"({gain:.1%} lower; lower is better)." if fitted.better else "(lower is better).")
    )
    if fitted.better:
        print(
            "Saved: FSRS schedules with them from your next answer. 'custserv eval' shows how "
            "they predict reviews they were not fitted on."
        )
    else:
        print("They predict no better than the defaults, so nothing was changed.")


def eval_(
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            metavar="FILE.csv",
            help="A review log to replay instead of your history (columns card_id, "
            "review_rating 1-4, review_time), as in the open-spaced-repetition data sets.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Which scheduler predicts your memory better: SM-2, FSRS, or FSRS fitted to you.

    Replays the history and scores each model's predicted recall before every review given
    on a later day than the card's previous one: log loss, RMSE over bins of predicted
    recall (lower is better), AUC (higher is better), and a calibration table. Personal
    parameters are fitted on earlier reviews only.
    """
    from custserv_cards.scheduler import evaluate

    if log is not None:
        result = evaluate.evaluate(evaluate.read_revlog(log))
    else:
        with open_store(sync_bundled=False) as store:
            histories = store.all_past_answers()
        result = evaluate.evaluate(histories)
    if as_json:
        data = result.to_dict()
        data["benchmark_log_loss"] = BENCHMARK
        print(json.dumps(data, indent=2))
        return
    _print(result)


def _print(result: Evaluation) -> None:
    from rich import box
    from rich.table import Table

    out = console()
    out.print(
        f"{result.answers:,} answers to {result.cards:,} cards; {result.cases:,} given on a later "
        f"day than the card's previous one. Scored: the last five sixths in time, "
        f"{result.scores[0].reviews:,} reviews, {result.recall_rate:.1%} recalled."
    )
    table = Table(box=box.SIMPLE_HEAD, title="Predicting recall", title_justify="left")
    for name in ("model", "log loss", "RMSE (bins)", "AUC", "reviews", "srs-benchmark"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for s in result.scores:
        reference = BENCHMARK.get(s.model)
        table.add_row(
            s.label,
            f"{s.log_loss:.4f}",
            f"{s.rmse_bins:.4f}",
            "–" if s.auc is None else f"{s.auc:.4f}",
            f"{s.reviews:,}",
            "–" if reference is None else f"{reference:.3f}",
        )
    table.add_row(
        "constant guess", f"{result.baseline_log_loss:.4f}", "", "", "", f"{BENCHMARK['constant']}"
    )
    out.print(table)
    if result.personal_note:
        out.print(f"FSRS with personal parameters: {result.personal_note}.")
    calibration = Table(
        box=box.SIMPLE_HEAD,
        title="Calibration: mean predicted recall → share recalled, reviews",
        title_justify="left",
    )
    calibration.add_column("predicted")
    for s in result.scores:
        calibration.add_column(s.label, justify="right")
    for index, first in enumerate(result.scores[0].calibration):
        cells = []
        for s in result.scores:
            b = s.calibration[index]
            cells.append(
                "–"
                if b.recalled is None or b.predicted is None
                else f"{b.predicted:.0%} → {b.recalled:.0%} {b.count:>6,}"
            )
        calibration.add_row(f"{first.low:.0%}–{first.high:.0%}", *cells)
    out.print(calibration)
    out.print(
        "Lower log loss and RMSE, and higher AUC, mean better predictions. SM-2 predicts "
        "0.9^(t/I); personal parameters are fitted on earlier reviews only. A constant guess "
        "of the recall rate gives the scale. srs-benchmark: log loss over about 10,000 Anki "
        "collections, weighted by their reviews (FSRS-6 fitted per collection)."
    )


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)
    app.add_typer(fsrs_app, name="fsrs")
