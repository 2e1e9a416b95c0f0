"""Where the time to the first card goes: ``custserv review`` profiled in a pseudo-terminal.

    python scripts/bench/profile_startup.py DB [--runs 5]

1. ``-X importtime``: the import time of each top-level package (self time summed over its
   modules), median over the runs;
2. ``cProfile``: the functions with the most cumulative time before the first card is shown
   (the session is quit with Ctrl-C as soon as it is; time spent waiting for a key is left
   out).
"""

from __future__ import annotations

import argparse
import io
import pstats
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402

STDLIB_GROUPS = {"encodings", "site", "codecs", "io", "abc", "os", "stat", "posixpath"}


def group_of(module: str) -> str:
    top = module.split(".")[0]
    if top in ("custserv_cards", "typer", "click", "pydantic", "pydantic_core", "rich"):
        return top if top != "pydantic_core" else "pydantic"
    libraries = ("sqlite_utils", "yaml", "platformdirs", "rapidfuzz", "fsrs_rs_python")
    if top in (*libraries, "markdown_it"):
        return top
    if top in ("sqlite3", "_sqlite3"):
        return "sqlite3"
    if top in STDLIB_GROUPS:
        return "interpreter start-up"
    return "other standard library"


def importtime(db: Path, runs: int) -> dict[str, float]:
    totals: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
            env = run._env(db)
            argv = [run.PYTHON, "-X", "importtime", "-c", _wrapper(log.name)]
            run.spawn(argv, env=env, use_pty=True, until=run.MARKER)
            sums: dict[str, float] = defaultdict(float)
            for line in Path(log.name).read_text().splitlines():
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                _, self_us, _cumulative, name = (
                    p.strip() for p in line.replace(":", "|", 1).split("|")
                )
                sums[group_of(name)] += int(self_us) / 1000
            for group, ms in sums.items():
                totals[group].append(ms)
    return {group: statistics.median(values) for group, values in totals.items()}


def _wrapper(log: str) -> str:
    # importtime writes to stderr: send it to a file, keep the terminal for the session
    return (
        "import os, sys\n"
        f"fd = os.open({log!r}, os.O_WRONLY | os.O_TRUNC)\n"
        "os.dup2(fd, 2)\n"
        "sys.argv = ['custserv', 'review']\n"
        "from custserv_cards.cli import main\n"
        "main()\n"
    )


def profile(db: Path) -> str:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "review.prof"
        code = (
            "import cProfile, sys\n"
            "sys.argv = ['custserv', 'review']\n"
            "profiler = cProfile.Profile()\n"
            "profiler.enable()\n"
            "try:\n"
            "    from custserv_cards.cli import main\n"
            "    main()\n"
            "except BaseException:\n"
            "    pass\n"
            "finally:\n"
            "    profiler.disable()\n"
            f"    profiler.dump_stats({str(out)!r})\n"
        )
        run.spawn([run.PYTHON, "-c", code], env=run._env(db), use_pty=True, until=run.MARKER)
        stream = io.StringIO()
        stats = pstats.Stats(str(out), stream=stream)
        stats.sort_stats("cumulative").print_stats(45)
        return stream.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    first = [run.spawn([run.CUSTSERV, "review"], env=run._env(args.db), use_pty=True,
                       until=run.MARKER).seconds * 1000 for _ in range(args.runs)]  # fmt: skip
    print(f"time to first card: median {statistics.median(first):.1f} ms over {args.runs} runs")
    groups = importtime(args.db, args.runs)
    print("\nimport time by package (self time, ms, median):")
    for group, ms in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"  {ms:7.1f}  {group}")
    print(f"  {sum(groups.values()):7.1f}  all imports")
    print("\ncProfile, cumulative (one run; the wait for a key at the end is excluded):")
    print(profile(args.db))


if __name__ == "__main__":
    main()
