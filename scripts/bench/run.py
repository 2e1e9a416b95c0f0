"""custserv against Anki, side by side: start-up, answers, statistics and loading decks.

    python scripts/bench/run.py                      # 1,000 / 10,000 / 100,000 cards, 10 runs
    python scripts/bench/run.py --quick              # 1,000 cards, 3 runs
    python scripts/bench/run.py --sizes 200 --runs 2 --no-anki   # the smoke test

Run it with the project's Python (the one ``custserv`` is installed in). The Anki side runs
in its own virtual environment, created with ``pip install anki`` when missing (``--anki-venv``,
default ``<work>/anki-venv``). Generated collections are cached in the work folder
(``--work``, default ``bench-data/``) keyed by size, seed and day. Every measure alternates
the two tools (custserv, Anki, custserv, Anki ...) after one discarded warm-up each, and
reports the median and the min-max. See docs/benchmarks.md for what each measure means.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

PYTHON = sys.executable
CUSTSERV = str(Path(PYTHON).with_name("custserv"))
MARKER = synth.MARKER.encode()
TIMEOUT = 120.0


@dataclass
class Sample:
    seconds: float
    maxrss_kb: int
    output: str = ""
    ok: bool = True


@dataclass
class Measure:
    name: str
    size: int
    unit: str  # "s" or "ms" or "cards/s" or "MB"
    goal: str = ""
    target: float | None = None  # the ratio custserv/Anki to beat (lower is better) ...
    higher_is_better: bool = False
    custserv: list[float] = field(default_factory=list)
    anki: list[float] = field(default_factory=list)
    note: str = ""

    def row(self) -> list[str]:
        def cell(values: list[float]) -> str:
            if not values:
                return "n/a"
            med = statistics.median(values)
            return f"{fmt(med)} ({fmt(min(values))}–{fmt(max(values))})"

        ratio = ""
        verdict = ""
        if self.custserv and self.anki:
            r = self.ratio()
            ratio = f"{r:.2f}x"
            if self.target is not None:
                met = r >= self.target if self.higher_is_better else r <= self.target
                verdict = "met" if met else "missed"
        return [
            self.name,
            f"{self.size:,}",
            cell(self.custserv) + (f" {self.unit}" if self.custserv else ""),
            cell(self.anki) + (f" {self.unit}" if self.anki else ""),
            ratio,
            self.goal,
            verdict or self.note,
        ]

    def ratio(self) -> float:
        """custserv/Anki: the median of the ratios of the runs made side by side (run i of
        each tool, one right after the other), which a shared machine's changing load
        affects less than the ratio of the two medians; that one when the runs do not pair."""
        if len(self.custserv) == len(self.anki):
            return statistics.median(c / a for c, a in zip(self.custserv, self.anki, strict=True))
        return statistics.median(self.custserv) / statistics.median(self.anki)


def fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


# --- running a process --------------------------------------------------------------------


def spawn(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    use_pty: bool = False,
    until: bytes | None = None,
    check: bool = True,
) -> Sample:
    """Run ``argv`` as a fresh process; time it from just before the fork until ``until``
    appears on its output (then stop it) or until it exits. Returns the wall time and the
    child's peak resident memory (``ru_maxrss`` from ``wait4``)."""
    environment = dict(os.environ if env is None else env)
    start = time.perf_counter()
    if use_pty:
        pid, fd = pty.fork()
        if pid == 0:  # the child
            try:
                os.execvpe(argv[0], list(argv), environment)
            finally:
                os._exit(127)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    else:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(write_end, 1)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os.close(read_end)
                os.execvpe(argv[0], list(argv), environment)
            finally:
                os._exit(127)
        os.close(write_end)
        fd = read_end
    output = bytearray()
    stopped: float | None = None
    deadline = start + TIMEOUT
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.perf_counter()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the pty closes with EIO when the child exits
            chunk = b""
        if not chunk:
            break
        output.extend(chunk)
        if until is not None and until in output:
            stopped = time.perf_counter()
            break
    if stopped is not None and use_pty:
        # leave the session the way a user would: Ctrl-C (every answer is already saved)
        os.write(fd, b"\x03")
        _drain(fd, pid)
    elif stopped is None and time.perf_counter() >= deadline:
        os.kill(pid, signal.SIGKILL)
    if not use_pty:
        _drain(fd, pid)
    _, status, usage = os.wait4(pid, 0)
    end = time.perf_counter()
    os.close(fd)
    text = output.decode(errors="replace")
    ok = (stopped is not None) if until is not None else os.waitstatus_to_exitcode(status) == 0
    if check and not ok:
        raise RuntimeError(f"{' '.join(argv)} failed (status {status}):\n{text[-2000:]}")
    return Sample((stopped or end) - start, int(usage.ru_maxrss), text, ok)


# A small process that starts ``argv``, waits for it and writes its ``ru_maxrss`` (KiB) to a
# file. A child's ``ru_maxrss`` includes the memory its parent had at fork time, so peak
# memory is never read from this script (which may be large), but from this launcher, which
# built nothing (about 9 MB, below every measured process). It ignores Ctrl-C, which the
# measured process receives to leave.
LAUNCHER = """import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
"""


def peak_memory(argv: Sequence[str], report: Path, **kwargs: object) -> float:
    """Peak resident memory (MB) of ``argv`` run to its first card, measured by LAUNCHER."""
    report.unlink(missing_ok=True)
    spawn([PYTHON, "-I", "-S", "-c", LAUNCHER, str(report), *argv], **kwargs)  # type: ignore[arg-type]
    return int(report.read_text()) / 1024


def _drain(fd: int, pid: int) -> None:
    """Read the rest of the output until the child exits (killing it after 5 s)."""
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return
        elif os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
    os.kill(pid, signal.SIGKILL)


def alternate(
    runs: int, custserv: Callable[[], float | None], anki: Callable[[], float | None] | None
) -> tuple[list[float], list[float]]:
    """Run the two sides A B A B ..., after one discarded warm-up of each."""
    custserv()
    if anki:
        anki()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        value = custserv()
        if value is not None:
            ours.append(value)
        if anki:
            value = anki()
            if value is not None:
                theirs.append(value)
    return ours, theirs


# --- setting up ---------------------------------------------------------------------------


def ensure_anki(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists():
        return python
    print(f"installing anki into {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "anki"], check=True)
    return python


def anki_version(python: Path) -> str:
    out = subprocess.run(
        [str(python), "-c", "import anki.buildinfo as b; print(b.version)"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "unknown"


def custserv_collection(work: Path, size: int, seed: int) -> Path:
    """The cached custserv collection for ``size``, built and brought up to date in child
    processes, so that this process stays small (see ``peak_memory``)."""
    today = synth.study_today()
    path = work / f"custserv-{size}-s{seed}-{today}.db"
    generate = str(HERE / "generate.py")
    if not path.exists():
        t = time.perf_counter()
        partial = path.with_suffix(".partial")
        for leftover in work.glob(partial.name + "*"):
            leftover.unlink()
        out = subprocess.run(
            [PYTHON, generate, "--size", str(size), "--seed", str(seed), "--out", str(partial)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        partial.rename(path)
        print(f"  generated {path.name}: {out.stdout.strip()} in {time.perf_counter() - t:.1f} s")
    # bundled decks may have changed since it was generated; new migrations apply here too
    subprocess.run([PYTHON, generate, "--prepare", "--out", str(path)], check=True)
    return path


def variant_collection(db: Path, variant: str) -> Path:
    """A copy of ``db`` with FSRS switched on (``fsrs``) or an exam date 30 days ahead
    (``exam``), set through ``custserv config`` as a user would; ``plain`` is ``db`` itself."""
    if variant == "plain":
        return db
    path = db.with_name(f"{db.stem}-{variant}.db")
    if not path.exists() or path.stat().st_mtime < db.stat().st_mtime:
        partial = copy_db(db, db.with_name(f"{db.stem}-{variant}.partial"))
        if variant == "fsrs":
            settings = [("scheduler", "fsrs")]
        else:
            exam_day = synth.study_today() + timedelta(days=30)
            settings = [("exam_date", exam_day.isoformat())]
        for key, value in settings:
            subprocess.run(
                [CUSTSERV, "config", key, value], check=True, capture_output=True, env=_env(partial)
            )
        remove_db(path)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(path)
    return path


def anki_collection(work: Path, python: Path, size: int, seed: int) -> Path:
    today = synth.study_today()
    path = work / f"anki-{size}-s{seed}-{today}.anki2"
    if not path.exists():
        t = time.perf_counter()
        partial = work / f"partial-{path.name}"
        for leftover in work.glob(partial.name + "*"):
            leftover.unlink()
        out = subprocess.run(
            [str(python), str(HERE / "anki_side.py"), "generate", str(partial), "--size",
             str(size), "--seed", str(seed)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        partial.rename(path)
        print(f"  generated {path.name}: {out.stdout.strip()} in {time.perf_counter() - t:.1f} s")
    return path


def deck_folder(work: Path, size: int, seed: int) -> Path:
    from generate import deck_files

    folder = work / f"decks-{size}-s{seed}"
    if not folder.exists():
        partial = work / f"partial-decks-{size}"
        shutil.rmtree(partial, ignore_errors=True)
        deck_files(partial, size, seed)
        partial.rename(folder)
    return folder


def csv_file(work: Path, size: int, seed: int) -> Path:
    path = work / f"notes-{size}-s{seed}.csv"
    if not path.exists():
        lines = ["#separator:tab", "#html:false", "#notetype:Basic", "#deck column:3"]
        for index in range(size):
            prompt, answer = synth.texts(index)
            lines.append(f"{prompt}\t{answer}\tbench::{synth.topic_of(index)}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def copy_db(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
        if Path(str(source) + suffix).exists():
            shutil.copyfile(str(source) + suffix, str(target) + suffix)
    return target


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def custserv_commands() -> set[str]:
    """The custserv commands that exist in this checkout."""
    out = subprocess.run([CUSTSERV, "--help"], capture_output=True, text=True, env=_env()).stdout
    names = set()
    for line in out.splitlines():
        parts = line.strip("│ ").split()
        if parts:
            names.add(parts[0])
    return names


def _env(db: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CUSTSERV_NOW", None)
    env.setdefault("TERM", "xterm-256color")
    env["COLUMNS"] = "100"
    if db is not None:
        env["CUSTSERV_DB"] = str(db)
    return env


# --- the measures -------------------------------------------------------------------------


VARIANTS = {"plain": "SM-2", "fsrs": "FSRS", "exam": "exam in 30 days"}
BIG = 1_000_000  # from this size only the start, an answer, stats and memory are timed


def bench_size(
    size: int, args: argparse.Namespace, anki_py: Path | None, commands: set[str]
) -> list[Measure]:
    work: Path = args.work
    scratch = work / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    runs: int = args.runs
    big = size >= BIG
    print(f"\n== {size:,} cards ==", file=sys.stderr)
    db = custserv_collection(work, size, args.seed)
    if anki_py and size > args.anki_max_size:
        anki_py = None
        print(f"  Anki not measured above {args.anki_max_size:,} cards", file=sys.stderr)
    col = anki_collection(work, anki_py, size, args.seed) if anki_py else None
    anki_side = str(HERE / "anki_side.py")
    cs_side = str(HERE / "custserv_side.py")
    measures: list[Measure] = []
    env = _env(db)

    def anki_or_none(fn: Callable[[], float | None]) -> Callable[[], float | None] | None:
        return fn if anki_py else None

    # floors
    bare = Measure("floor: python -c pass", size, "ms", note="floor")
    bare.custserv, _ = alternate(runs, lambda: spawn([PYTHON, "-c", "pass"]).seconds * 1000, None)
    measures.append(bare)
    floor = Measure("floor: sqlite3 next due card", size, "ms", note="floor")
    floor.custserv, _ = alternate(
        runs,
        lambda: spawn([PYTHON, cs_side, "floor", str(db)], until=MARKER).seconds * 1000,
        None,
    )
    measures.append(floor)
    version = Measure("custserv --version (typer start-up)", size, "ms", note="floor")
    version.custserv, _ = alternate(
        runs, lambda: spawn([CUSTSERV, "--version"]).seconds * 1000, None
    )
    measures.append(version)

    def an_first() -> float:
        assert anki_py and col
        return spawn([str(anki_py), anki_side, "first-card", str(col)], until=MARKER).seconds * 1000

    def an_answer() -> float:
        assert anki_py and col
        copy = copy_db(col, scratch / "answer.anki2")
        s = spawn([str(anki_py), anki_side, "answer", str(copy), "--count", "20"])
        return statistics.median(json.loads(s.output.strip().splitlines()[-1])) * 1000

    def an_stats() -> float:
        assert anki_py and col
        return spawn([str(anki_py), anki_side, "stats", str(col)]).seconds * 1000

    variants = args.variants
    for variant in variants:
        vdb = variant_collection(db, variant)
        venv = _env(vdb)
        suffix = "" if variant == "plain" else f" [{VARIANTS[variant]}]"

        # 1. time to first card
        print(f"  time to first card{suffix}", file=sys.stderr)
        first = Measure("time to first card" + suffix, size, "ms", "≤ 0.25x", 0.25)

        def cs_first(venv: dict[str, str] = venv) -> float:
            return spawn([CUSTSERV, "review"], env=venv, use_pty=True, until=MARKER).seconds * 1000

        first.custserv, first.anki = alternate(runs, cs_first, anki_or_none(an_first))
        measures.append(first)

        # 2. answer latency, in process; on a fresh copy each run (below BIG: copying a
        # million-card collection each time would take longer than the runs)
        print(f"  answer latency{suffix}", file=sys.stderr)
        latency = Measure("answer latency (median of 20)" + suffix, size, "ms", "≤ 0.9x", 0.9)
        reused = copy_db(vdb, scratch / "answer.db") if big else None

        def cs_answer(vdb: Path = vdb, reused: Path | None = reused) -> float:
            copy = reused or copy_db(vdb, scratch / "answer.db")
            s = spawn([PYTHON, cs_side, "answer", str(copy), "--count", "20"])
            return statistics.median(json.loads(s.output)) * 1000

        latency.custserv, latency.anki = alternate(runs, cs_answer, anki_or_none(an_answer))
        measures.append(latency)

        # 3. statistics
        print(f"  statistics{suffix}", file=sys.stderr)
        m = Measure("custserv stats vs Anki graphs (1 year)" + suffix, size, "ms", "≤ 0.3x", 0.3)
        m.custserv, m.anki = alternate(
            runs,
            lambda venv=venv: spawn([CUSTSERV, "stats"], env=venv).seconds * 1000,  # type: ignore[misc]
            anki_or_none(an_stats),
        )
        measures.append(m)

    # peak memory to the first card, from a launcher that built nothing (see LAUNCHER)
    print("  peak memory", file=sys.stderr)
    memory = Measure("peak memory to first card", size, "MB", "≤ 0.5x", 0.5)
    report = scratch / "maxrss"
    mem_runs = min(runs, 3)
    memory.custserv, memory.anki = alternate(
        mem_runs,
        lambda: peak_memory([CUSTSERV, "review"], report, env=env, use_pty=True, until=MARKER),
        anki_or_none(
            lambda: peak_memory(
                [str(anki_py), anki_side, "first-card", str(col)], report, until=MARKER
            )
        ),
    )
    measures.append(memory)
    if big:
        return measures

    year_ago = (synth.study_today() - timedelta(days=365)).isoformat()
    html = Measure("HTML report vs Anki graphs (1 year)", size, "ms", "≤ 0.3x", 0.3)
    html_argv = [CUSTSERV, "report", "--format", "html", "--force", "--since", year_ago,
                 "--output", str(scratch / "r.html")]  # fmt: skip
    html.custserv, html.anki = alternate(
        runs, lambda: spawn(html_argv, env=env).seconds * 1000, anki_or_none(an_stats)
    )
    measures.append(html)
    for fmt_name in ("json", "csv"):
        whole = Measure(f"report --format {fmt_name} (whole process)", size, "ms", "≤ 1,300 ms")
        argv = [CUSTSERV, "report", "--format", fmt_name, "--force",
                "--output", str(scratch / f"r.{fmt_name}")]  # fmt: skip
        whole.custserv, _ = alternate(
            runs,
            lambda argv=argv: spawn(argv, env=env).seconds * 1000,  # type: ignore[misc]
            None,
        )
        med = statistics.median(whole.custserv)
        whole.note = "met" if med <= 1300 else f"missed ({med:,.0f} ms)"
        measures.append(whole)

    # 4. loading decks
    print("  loading decks", file=sys.stderr)
    decks = deck_folder(work, size, args.seed)
    load_runs = max(3, runs // 2) if size >= 100_000 else runs
    imported = scratch / "import.db"
    anki_imported = scratch / "import.anki2"

    def cs_import() -> float:
        remove_db(imported)
        s = spawn([CUSTSERV, "decks", "sync", str(decks)], env=_env(imported))
        return size / s.seconds

    def an_import() -> float:
        assert anki_py
        remove_db(anki_imported)
        s = spawn([str(anki_py), anki_side, "import", str(anki_imported), "--size", str(size)])
        return size / s.seconds

    load = Measure("first import (whole process)", size, "cards/s", "≥ 1x", 1.0, True)
    load.custserv, load.anki = alternate(load_runs, cs_import, anki_or_none(an_import))
    measures.append(load)

    resync = Measure("re-sync unchanged decks (whole process)", size, "ms", "", None)
    csv = csv_file(work, size, args.seed) if anki_py else None

    def cs_resync() -> float:
        return spawn([CUSTSERV, "decks", "sync", str(decks)], env=_env(imported)).seconds * 1000

    def an_resync() -> float:
        assert anki_py
        return (
            spawn([str(anki_py), anki_side, "csv-import", str(anki_imported), str(csv)]).seconds
            * 1000
        )

    resync.custserv, resync.anki = alternate(load_runs, cs_resync, anki_or_none(an_resync))
    resync.note = "Anki: CSV re-import, update on match"
    measures.append(resync)

    work_only = Measure("re-sync unchanged decks: work beyond start-up", size, "ms", "< 50 ms")
    samples = []
    for _ in range(load_runs + 1):
        s = spawn([PYTHON, cs_side, "resync", str(imported), str(decks)])
        samples.append(json.loads(s.output)["sync_s"] * 1000)
    work_only.custserv = samples[1:]
    med = statistics.median(work_only.custserv)
    work_only.note = "met" if med < 50 else f"missed ({med:.0f} ms)"
    measures.append(work_only)
    return measures


# --- reporting ----------------------------------------------------------------------------

HEADER = ["measure", "cards", "custserv median (min–max)", "Anki median (min–max)",
          "ratio (paired)", "goal", "result"]  # fmt: skip


def table(measures: list[Measure]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(m.row()) + " |" for m in measures]
    return "\n".join(lines)


def machine(anki_py: Path | None) -> str:
    cpu = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = [ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Model name" in ln]
        cpu = model[0] if model else ""
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    parts = [
        f"{os.cpu_count()} CPUs ({cpu or platform.processor()})",
        f"{mem_kb / 1024 / 1024:.1f} GiB RAM",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
    ]
    if anki_py:
        parts.append(f"anki {anki_version(anki_py)}")
    return ", ".join(parts)


def load() -> str:
    """The load average (1, 5 and 15 minutes): how busy the machine was while measuring."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated card counts")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per measure and tool")
    parser.add_argument("--quick", action="store_true", help="1,000 cards, 3 runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=ROOT / "bench-data")
    parser.add_argument("--anki-venv", type=Path, help="default: <work>/anki-venv")
    parser.add_argument("--no-anki", action="store_true", help="measure custserv only")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    parser.add_argument(
        "--variants",
        default="plain,fsrs,exam",
        help="start, answer and stats also with FSRS on (fsrs) and an exam date set (exam)",
    )
    parser.add_argument(
        "--anki-max-size", type=int, default=10**9, help="measure custserv alone above this"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs = "1000", 3
    sizes = [int(s) for s in args.sizes.split(",")]
    args.variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        known = ", ".join(VARIANTS)
        parser.error(f"--variants: unknown {', '.join(unknown)} (choose from {known})")
    args.work.mkdir(parents=True, exist_ok=True)
    anki_py = None if args.no_anki else ensure_anki(args.anki_venv or args.work / "anki-venv")
    commands = custserv_commands()
    missing = [c for c in ("review", "stats", "report") if c not in commands]
    measures: list[Measure] = []
    loads = [f"start {load()}"]
    for size in sizes:
        done = bench_size(size, args, anki_py, commands)
        loads.append(f"after {size:,} cards {load()}")
        measures += done
        print(table(done), file=sys.stderr, flush=True)  # each size as soon as it is measured
        if args.json:
            args.json.write_text(json.dumps([m.__dict__ for m in measures], indent=1))
    print(f"\nMachine: {machine(anki_py)}")
    print(f"Load average (1 / 5 / 15 min): {'; '.join(loads)}")
    print(f"Runs: {args.runs} per measure and tool (medians; min–max in brackets)\n")
    print(table(measures))
    if missing:
        print(f"\nNot measured (custserv has no such command yet): {', '.join(missing)}")
    if args.json:
        args.json.write_text(json.dumps([m.__dict__ for m in measures], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
