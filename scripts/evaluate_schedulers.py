"""Replay a real review log through SM-2 and FSRS and print how they do.

    python scripts/evaluate_schedulers.py [REVLOG.csv]

The default log is tests/data/revlog_real_12k.csv (12,580 real reviews of 1,205 cards, from
the open-spaced-repetition project, MIT licensed; see the LICENSE file beside it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from custserv_cards.scheduler.evaluate import read_revlog, replay

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "revlog_real_12k.csv"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    result = replay(read_revlog(path))
    print(f"{result.reviews:,} reviews of {result.cards:,} cards ({path.name})")
    print(f"scheduled answers (first of a study day): {result.scheduled:,}")
    print(f"recalled at scheduled answers: {result.recall_rate:.1%}")
    print(
        f"FSRS log loss: {result.fsrs_log_loss:.4f} "
        f"(a constant guess of the recall rate: {result.constant_log_loss:.4f})"
    )
    print(
        f"SM-2: {result.on_time:,} answers on or after the due day, "
        f"{result.sm2_on_time_recall:.1%} recalled"
    )


if __name__ == "__main__":
    main()
