"""Is the time to the first card flat across collection sizes? ``custserv review`` on the
cached collections of each size (built by ``run.py``), in rotation, paired round by round.

    python scripts/bench/flat.py --sizes 1000,100000,1000000 --rounds 15 [--variant fsrs]

Each round starts the review once on every size, in turn, after one discarded warm-up round;
the table gives each size's median and the median over rounds of its ratio to the smallest
size's time in the same round (a load that comes and goes falls on every size alike).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=run.ROOT / "bench-data")
    parser.add_argument("--variant", choices=sorted(run.VARIANTS), default="plain")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    dbs = [
        run.variant_collection(run.custserv_collection(args.work, size, args.seed), args.variant)
        for size in sizes
    ]

    def first_card(db: Path) -> float:
        seconds = run.spawn([run.CUSTSERV, "review"], env=run._env(db), use_pty=True,
                            until=run.MARKER).seconds  # fmt: skip
        return seconds * 1000

    for db in dbs:  # warm-up round
        first_card(db)
    times: list[list[float]] = [[] for _ in sizes]
    for _ in range(args.rounds):
        for i, db in enumerate(dbs):
            times[i].append(first_card(db))
    print(f"time to first card ({args.variant}), {args.rounds} rounds in rotation, ms:")
    for i, size in enumerate(sizes):
        ratios = [t / base for t, base in zip(times[i], times[0], strict=True)]
        print(
            f"  {size:>9,} cards: median {statistics.median(times[i]):6.1f} "
            f"(min {min(times[i]):.1f}, max {max(times[i]):.1f}); "
            f"to {sizes[0]:,} cards {statistics.median(ratios):.2f}x"
        )


if __name__ == "__main__":
    main()
