"""Two custserv processes answering at the same time: nothing lost, nobody sees a lock error."""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest
from integrity import assert_sound, reuse_cli_command, warm_up

from custserv_cards.cli import main

ANSWERS_EACH = 500
ACK = re.compile(r"^(\S+): (\d) \(", re.MULTILINE)
CARDS = [
    "def-customer-loyalty",
    "def-customer-loyalty:reverse",
    "complaints-tell-unresolved",
    "retention-attract-and-hold",
]


def _fork_grader(db: Path, answers: list[tuple[str, int]], now: str) -> tuple[int, int]:
    """Start a process that answers with ``custserv grade``; (pid, read end of its output)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.dup2(write_end, 2)
            sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
            os.environ["CUSTSERV_NOW"] = now
            os.environ["NO_COLOR"] = "1"
            reuse_cli_command()
            for card, grade in answers:
                sys.argv = ["custserv", "--db", str(db), "grade", card, str(grade)]
                try:
                    main()
                except SystemExit as exit_:
                    if exit_.code not in (0, None):
                        print(f"EXIT {exit_.code}")
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> str:
    chunks = []
    with os.fdopen(read_end, "rb") as stream:
        chunks.append(stream.read())
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_two_processes_answer_500_each_on_a_new_database(tmp_path: Path) -> None:
    """Both start on a database that does not exist yet: they race to create it, migrate it,
    load the decks, then record 500 answers each."""
    db = tmp_path / "both.db"
    warm_up(tmp_path)
    rng = random.Random(2)
    plans = [[(rng.choice(CARDS), rng.randint(0, 5)) for _ in range(ANSWERS_EACH)] for _ in "ab"]
    started = [_fork_grader(db, plan, "2026-11-23T10:00") for plan in plans]
    outputs = [_collect(pid, fd) for pid, fd in started]
    for plan, output in zip(plans, outputs, strict=True):
        assert "locked" not in output
        assert "Traceback" not in output
        assert "EXIT" not in output, output[:2000]
        assert [(c, int(g)) for c, g in ACK.findall(output)] == plan
    log = assert_sound(db)
    assert len(log) == 2 * ANSWERS_EACH
    # Each process's answers are in the log in the order it gave them.
    for plan in plans:
        mine = iter(log)
        assert all(answer in mine for answer in plan)
