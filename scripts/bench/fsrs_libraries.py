"""The two Python FSRS libraries side by side on our work: fsrs-rs-python (Anki's Rust engine,
the one the app uses) and py-fsrs (pure Python), both with FSRS-6's default parameters.

    python scripts/bench/fsrs_libraries.py [--runs 15] [--replays 5]

Run it in a throwaway virtual environment holding this project, ``fsrs-rs-python`` and
``fsrs`` (py-fsrs), which the app itself does not depend on:

    python3 -m venv /tmp/fsrs-venv && /tmp/fsrs-venv/bin/pip install -e . fsrs

1. **import**: each library imported alone in a fresh interpreter, in turn, ``--runs``
   times: the wall-clock time of ``python -c 'import X'`` less that of ``python -c pass``
   run just before it (the median of these paired differences); the package's cumulative
   time in ``python -X importtime``; and that time when the app's command line is imported
   first (what the library adds to a ``custserv`` process, which has already loaded
   ``typing``, ``dataclasses`` and the like). Medians.
2. **replay**: the real log in ``tests/data`` (12,580 answers to 1,205 cards), each card's
   answers applied one by one on their study days (as the app applies them, without fuzz or
   learning steps in minutes), and before every answer on a later day than the card's
   previous one, the predicted recall. The median time of ``--replays`` replays, and the
   log loss of those predictions (the same cases for both).
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from custserv_cards.scheduler.evaluate import read_revlog
from custserv_cards.scheduler.fsrs import FSRS
from custserv_cards.scheduler.state import CardState, PastAnswer

REVLOG = Path(__file__).resolve().parents[2] / "tests" / "data" / "revlog_real_12k.csv"
LIBRARIES = {"fsrs-rs-python": "fsrs_rs_python", "py-fsrs": "fsrs"}

Histories = dict[str, list[PastAnswer]]
Replay = Callable[[Histories], list[tuple[float, bool]]]


def wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def importtime(module: str, after: str = "") -> float:
    """The package's cumulative import time in seconds, from ``-X importtime``, imported
    after the modules ``after`` names (whose imports it then shares)."""
    first = f"import {after}; " if after else ""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"{first}import {module}"],
        check=True,
        capture_output=True,
        text=True,
    )
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    raise RuntimeError(f"-X importtime did not list {module}")


def replay_rs(histories: Histories) -> list[tuple[float, bool]]:
    fsrs = FSRS()
    found = []
    for answers in histories.values():
        state = CardState()
        for answer in answers:
            if state.fsrs is not None and answer.day > state.fsrs.day:
                found.append((fsrs.recall(state.fsrs, answer.day), answer.grade >= 3))
            state, _ = fsrs.review(state, answer.grade, answer.day)
    return found


def replay_py(histories: Histories) -> list[tuple[float, bool]]:
    from fsrs import Card, Rating, Scheduler

    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    ratings = [Rating.Again] * 3 + [Rating.Hard, Rating.Good, Rating.Easy]
    found = []
    for answers in histories.values():
        card, last = Card(), None
        for answer in answers:
            moment = datetime(answer.day.year, answer.day.month, answer.day.day, 12, tzinfo=UTC)
            if last is not None and answer.day > last:
                recall = scheduler.get_card_retrievability(card, moment)
                found.append((float(recall), answer.grade >= 3))
            card, _ = scheduler.review_card(card, ratings[answer.grade], moment)
            last = answer.day
    return found


def log_loss(cases: list[tuple[float, bool]]) -> float:
    clipped = [(min(max(p, 1e-6), 1 - 1e-6), r) for p, r in cases]
    return -sum(math.log(p) if r else math.log(1 - p) for p, r in clipped) / len(clipped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--replays", type=int, default=5)
    args = parser.parse_args()

    bare: list[float] = []
    walls: dict[str, list[float]] = {name: [] for name in LIBRARIES}
    cumulative: dict[str, list[float]] = {name: [] for name in LIBRARIES}
    in_app: dict[str, list[float]] = {name: [] for name in LIBRARIES}
    for _ in range(args.runs):  # in turn, so that both see the same machine
        bare.append(wall("pass"))
        for name, module in LIBRARIES.items():
            walls[name].append(wall(f"import {module}") - bare[-1])  # paired with this round
            cumulative[name].append(importtime(module))
            in_app[name].append(importtime(module, after="custserv_cards.cli"))
    print(f"python {sys.version.split()[0]}; medians of {args.runs} runs in turn")
    print(f"{'':16} {'wall, less bare start':>22} {'-X importtime':>14} {'after the app':>14}")
    for name in LIBRARIES:
        extra = statistics.median(walls[name])
        alone = statistics.median(cumulative[name]) * 1e3
        shared = statistics.median(in_app[name]) * 1e3
        print(f"{name:16} {extra * 1e3:19.1f} ms {alone:11.1f} ms {shared:11.1f} ms")

    histories = read_revlog(REVLOG)
    answers = sum(len(a) for a in histories.values())
    replays: dict[str, Replay] = {"fsrs-rs-python": replay_rs, "py-fsrs": replay_py}
    times: dict[str, list[float]] = {name: [] for name in replays}
    results: dict[str, list[tuple[float, bool]]] = {}
    for _ in range(args.replays):
        for name, replay in replays.items():
            start = time.perf_counter()
            results[name] = replay(histories)
            times[name].append(time.perf_counter() - start)
    print(f"\nreplay of {answers:,} answers to {len(histories):,} cards, medians of {args.replays}")
    for name in replays:
        print(
            f"{name:16} {statistics.median(times[name]):6.3f} s   "
            f"log loss {log_loss(results[name]):.4f} on {len(results[name]):,} predictions"
        )
    gaps = [abs(a[0] - b[0]) for a, b in zip(*results.values(), strict=True)]
    print(f"largest gap between the two predictions of one case: {max(gaps):.2e}")


if __name__ == "__main__":
    main()
