"""Generated classes for 'custserv class': N students' JSON reports, and the time to merge them.

    python scripts/class_reports.py --students 200 --runs 5 [--work DIR]

Makes one real report ('custserv report -f json' on a fresh database with the bundled decks
and an exam date), then N students from it: each gets a name, a diligence that decides
which cards they have started, know and forgot, their recent days of study and the day
their report was made. Prints the median (and range) of the wall time of
'custserv class' over the N files for each output format, and of the merge alone.
The tests use ``base_report`` and ``students`` to make their classes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from copy import deepcopy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIRST = ("Ann", "Bo", "Chidi", "Dana", "Eli", "Farah", "Gus", "Hana", "Ivan", "Jo", "Kofi",
         "Lena", "Mo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tariq")  # fmt: skip
LAST = ("Lee", "Chen", "Okafor", "Novak", "Smith", "Haddad", "Berg", "Sato", "Petrov",
        "Diaz", "Mensah", "Kaur", "Ali", "Walsh", "Nguyen")  # fmt: skip


def base_report(work: Path, now: str = "2026-12-07T20:00", exam: str = "2027-01-15") -> Path:
    """A real JSON report of a fresh database holding the bundled decks, with an exam date."""
    env = {**os.environ, "CUSTSERV_DB": str(work / "base.db"), "CUSTSERV_NOW": now}
    command = [sys.executable, "-m", "custserv_cards"]
    for args in (["config", "exam_date", exam], ["config", "student", "Base Student"]):
        subprocess.run([*command, *args], env=env, check=True, capture_output=True)
    target = work / "base.json"
    subprocess.run(
        [*command, "report", "-f", "json", "-o", str(target), "--force"],
        env=env,
        check=True,
        capture_output=True,
    )
    return target


def student(
    base: dict[str, Any], n: int, rng: random.Random, name: str | None = None
) -> dict[str, Any]:
    """Student ``n``: the base report with their own name, cards, activity and report day."""
    data = deepcopy(base)
    end = date.fromisoformat(base["period"]["end"]) - timedelta(days=rng.choice((0, 0, 0, 1, 2)))
    diligence = rng.random() ** 0.7
    idle = rng.choice((0, 0, 0, 1, 2, 12)) if diligence > 0.2 else 20
    data["student"]["name"] = name if name is not None else (
        f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
        + (f" {n // (len(FIRST) * len(LAST)) + 1}" if n >= len(FIRST) * len(LAST) else "")
    )  # fmt: skip
    per_topic: dict[str, list[int]] = {}
    for card in data["cards"]:
        started = rng.random() < diligence * 0.95
        known = started and rng.random() < diligence * 0.85
        lapses = 0 if not started else min(12, int(rng.expovariate(1.0) * (1.3 - diligence) * 2))
        card.update(
            state="new" if not started else ("young" if known else "learning"),
            known=known,
            lapses=lapses,
            leech=lapses >= 8,
            repetitions=(2 if known else 0) if started else 0,
            interval=(rng.randint(6, 30) if known else 1) if started else 0,
            last_day=(end - timedelta(days=idle + rng.randint(0, 6))).isoformat()
            if started
            else None,
            reviews=(lapses + rng.randint(1, 4)) if started else 0,
        )
        if known:
            card["known"] = card["leech"] is False
        counts = per_topic.setdefault(card["topic"], [0, 0, 0])
        counts[0] += 1
        counts[1] += started
        counts[2] += card["known"]
    recent = []
    for i in range(14):
        day = end - timedelta(days=13 - i)
        active = (end - day).days >= idle and rng.random() < diligence
        answers = rng.randint(10, 60) if active else 0
        recent.append({"day": day.isoformat(), "answers": answers,
                       "minutes": round(answers * rng.uniform(0.1, 0.3), 1),
                       "started": rng.randint(0, 15) if active else 0})  # fmt: skip
    data["recent_activity"] = recent
    studied = [d["day"] for d in recent if d["answers"]]
    first = (end - timedelta(days=rng.randint(14, 60))).isoformat()
    data["period"] = {
        "start": first, "end": end.isoformat(), "first_day": first,
        "last_day": studied[-1] if studied else (end - timedelta(days=idle)).isoformat(),
        "days_studied": len(studied) + rng.randint(0, 20),
    }  # fmt: skip
    data["since"] = first
    data["generated_at"] = f"{end.isoformat()}T20:{n % 60:02d}:00+00:00"
    for topic in data["topics"]:
        _, started, known = per_topic.get(topic["topic"], [0, 0, 0])
        topic.update(started=started, known=known, answers=started * 3, minutes=started * 0.4)
    total = [sum(v[i] for v in per_topic.values()) for i in range(3)]
    data["summary"].update(cards=total[0], started=total[1], known=total[2],
                           answers=total[1] * 3, minutes=round(total[1] * 0.4, 1))  # fmt: skip
    exam = data.get("exam")
    if exam:
        exam["days_left"] = (date.fromisoformat(exam["exam_date"]) - end).days
        for row in exam["topics"]:
            _, started, known = per_topic.get(row["topic"], [0, 0, 0])
            _readiness(row, known, started, exam["days_left"])
        _readiness(exam["total"], total[2], total[1], exam["days_left"])
    return data


def _readiness(row: dict[str, Any], known: int, started: int, days_left: int) -> None:
    row["ready"] = known
    row["readiness"] = round(known / row["cards"], 4) if row["cards"] else None
    row["new"] = row["cards"] - started
    row["new_per_day_needed"] = -(-row["new"] // days_left) if days_left > 0 else row["new"]
    if row.get("predicted_recall") is not None and row["cards"]:
        # if they stopped now: most known cards and a few of the others recalled on the day
        guess = (0.85 * known + 0.3 * (started - known)) / row["cards"]
        row["predicted_recall"] = round(guess, 4)


def students(base: dict[str, Any], count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [student(base, n, rng) for n in range(count)]


def write_class(base: dict[str, Any], count: int, folder: Path, seed: int = 7) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n, data in enumerate(students(base, count, seed)):
        path = folder / f"student-{n:03d}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="custserv-class-"))
    work.mkdir(parents=True, exist_ok=True)
    base = json.loads(base_report(work).read_text(encoding="utf-8"))
    files = write_class(base, args.students, work / "class")
    size = sum(f.stat().st_size for f in files)
    print(
        f"{len(files)} reports of {len(base['cards'])} cards each, {size / 1e6:.1f} MB, in {work}"
    )
    env = {**os.environ, "CUSTSERV_DB": str(work / "unused.db")}
    for fmt in ("html", "md", "csv"):
        times, cpu = [], []
        for _ in range(args.runs):
            target = work / f"class.{fmt}"
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "custserv_cards", "class", *map(str, files),
                 "-o", str(target), "--force"],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
        print(
            f"custserv class, {len(files)} reports -> {fmt}: "
            f"median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs, whole process); "
            f"CPU time median {statistics.median(cpu):.3f} s"
        )
    from custserv_cards import classview

    inner = []
    for _ in range(args.runs):
        gc.disable()  # as the command does
        start = time.perf_counter()
        view = classview.merge(classview.read_reports([str(f) for f in files]))
        classview.render_html(view)
        inner.append(time.perf_counter() - start)
        gc.enable()
        del view
        gc.collect()
    print(f"load average while measured: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"read + merge + HTML in-process: median {statistics.median(inner):.3f} s "
        f"(min {min(inner):.3f}, max {max(inner):.3f})"
    )


if __name__ == "__main__":
    main()
