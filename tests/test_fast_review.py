"""``custserv review`` starts without building typer's command (``cli.fast``), and reads
exactly what typer reads.

Typer stays the one definition of the command line: the options ``cli.fast`` knows are
derived here from typer's own ``review`` command, and over many command lines whatever the
fast path accepts, typer accepts with the same values; everything else goes to typer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from conftest import Run
from hypothesis import given, settings
from hypothesis import strategies as st

from custserv_cards.cli import fast
from custserv_cards.cli.commands import build


def _commands() -> tuple[Any, Any]:
    root = typer.main.get_command(build(["review"]))
    return root, root.commands["review"]  # type: ignore[attr-defined]


def typer_reads(argv: list[str]) -> dict[str, Any] | None:
    """The values typer's parser gives ``custserv ARGV`` (root and ``review`` options), or
    None when it refuses the line, runs another command or prints help."""
    root, _ = _commands()
    try:
        ctx = root.make_context("custserv", list(argv))
        protected = getattr(ctx, "_protected_args", None)
        if protected is None:
            protected = ctx.protected_args
        name, command, rest = root.resolve_command(ctx, [*protected, *ctx.args])
        if name != "review" or command is None:
            return None
        sub = command.make_context(name, rest, parent=ctx)
    except (Exception, SystemExit):  # click's usage errors, --help's exit, ...
        return None
    if ctx.params.get("version"):
        return None
    params = dict(sub.params)
    topic = params.get("topic")
    return {
        "db": ctx.params.get("db"),
        "topic": list(topic) if topic else None,
        "new": params.get("new"),
        "limit": params.get("limit"),
        "mode": params.get("mode"),
    }


def fast_reads(argv: list[str]) -> dict[str, Any] | None:
    args = fast.parse(argv)
    return None if args is None else vars(args)


def test_the_fast_options_are_typers_review_options() -> None:
    root, review = _commands()
    derived: dict[str, tuple[str, str, int | None]] = {}
    for param in review.params:
        if param.name == "help":
            continue
        kind_of_type = type(param.type).__name__
        largest = None
        if kind_of_type == "IntRange":
            assert (param.type.min, param.type.min_open, param.type.max_open) == (0, False, False)
            assert not param.type.clamp and not param.multiple
            kind, largest = "int", param.type.max
        else:
            assert kind_of_type == "StringParamType", param
            kind = "multiple" if param.multiple else "text"
        assert not param.is_flag and param.nargs == 1
        for opt in param.opts:
            derived[opt] = (param.name, kind, largest)
    assert derived == fast.REVIEW_OPTIONS
    valued = {opt: p.name for p in root.params if not p.is_flag for opt in p.opts}
    assert valued == fast.ROOT_OPTIONS


ACCEPTED = [
    ["review"],
    ["--db", "my.db", "review"],
    ["--db=my.db", "review", "--new", "5"],
    ["review", "--topic", "complaints", "-t", "loyalty", "--limit=20", "--mode", "type"],
    ["review", "--topic=complaints", "--new=0", "--new", "7", "--mode=flip"],
    ["review", "--mode", "choice"],  # typer accepts any text; review() then refuses it
    ["--db", "a.db", "--db", "b.db", "review", "--limit", "007"],
    ["review", "--new", "10000", "--limit", "100000"],
]


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_plain_review_lines_take_the_fast_path_with_typers_values(argv: list[str]) -> None:
    assert fast_reads(argv) is not None
    assert fast_reads(argv) == typer_reads(argv)


REFUSED = [
    [],
    ["stats"],
    ["review", "--help"],
    ["review", "-h"],
    ["--version", "review"],
    ["review", "--new", "-1"],
    ["review", "--new", "x"],
    ["review", "--new"],
    ["review", "--to", "complaints"],  # an abbreviation
    ["review", "-tcomplaints"],
    ["review", "--topic="],
    ["review", "extra"],
    ["review", "--", "--new", "3"],
    ["--db", "review"],
    ["review", "--unknown"],
    ["review", "--new", "٣"],
    ["review", "--new", "10001"],
]


@pytest.mark.parametrize("argv", REFUSED, ids=lambda a: " ".join(a) or "nothing")
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert fast_reads(argv) is None


TOKENS = st.sampled_from(
    [
        "review", "quiz", "--db", "--db=x.db", "x.db", "--topic", "-t", "--topic=alpha",
        "alpha", "--new", "--new=3", "--limit", "--limit=0", "3", "007", "-1", "+4", " 5",
        "5_0", "٣", "10001", "100001", "--mode", "--mode=type", "flip", "choice", "--help",
        "-h", "--", "-talpha", "--to", "--new=", "", "=", "--version", "--unknown",
        "--topic=--new", "-", "x=y",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, max_size=7).map(lambda rest: [*rest[:3], "review", *rest[3:]]))
def test_whatever_the_fast_path_accepts_typer_reads_the_same(argv: list[str]) -> None:
    read = fast_reads(argv)
    if read is not None:
        assert read == typer_reads(argv)


def test_review_starts_without_building_typers_command(tmp_path: Path) -> None:
    env = {**os.environ, "CUSTSERV_DB": str(tmp_path / "x.db")}
    code = (
        "import sys\n"
        "from custserv_cards.cli import main\n"
        "sys.argv = ['custserv', 'review', '--new', '3']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit_:\n"
        "    loaded = [m in sys.modules for m in ('custserv_cards.cli.session', 'rich', 'typer')]\n"
        "    print(exit_.code, *loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    # standard input is not a terminal: the usual one-line refusal, reached without the
    # typer command module (cli.session), without rich and without importing typer at all
    assert result.stdout.split() == ["2", "False", "False", "False"], result
    assert "needs a terminal to read key presses" in result.stderr


def test_a_bad_value_gets_typers_own_message(cli: Run) -> None:
    result = cli("review", "--new", "-1")
    assert result.code == 2
    assert "--new" in result.err and "-1" in result.err
