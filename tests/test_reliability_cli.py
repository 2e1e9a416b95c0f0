"""Bad input on the command line gets one line, an exit code and no traceback; output that
cannot be written (a full disk, a closed pipe, a terminal without UTF-8) never crashes.

Every command of the tree is tried (the walk of ``test_cli``), so a new command is covered
as soon as it exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import Result, Run, dump
from test_cli import all_commands

from custserv_cards.cli.commands import build

CARD = "def-customer-service-revision-notes"
COMMANDS = all_commands()


def _click_command(path: list[str]) -> Any:
    command: Any = typer.main.get_command(build())
    for name in path:
        command = command.commands[name]
    return command


def _required(path: list[str]) -> list[Any]:
    return [p for p in getattr(_click_command(path), "params", []) if p.required]


def _number_options(path: list[str]) -> list[Any]:
    """Whole-number options (a seed is any whole number and never reaches the database); click
    names a range "integer range", the copy of click in newer typer releases "int range"."""
    return [
        p
        for p in getattr(_click_command(path), "params", [])
        if p.param_type_name == "option"
        and getattr(p.type, "name", "") in ("integer", "int range", "integer range")
        and p.name != "seed"
    ]


GROUPS = [path for path in COMMANDS if hasattr(_click_command(path), "commands")]
WITH_ARGUMENTS = [p for p in COMMANDS if p not in GROUPS and _required(p)]
WITH_NUMBERS = [p for p in COMMANDS if _number_options(p)]


def _one_line(result: Result, *expected: str) -> str:
    """The one ``custserv: ...`` line on stderr (nothing on stdout, no box, no traceback)."""
    lines = result.err.splitlines()
    assert len(lines) == 1, result
    line = lines[0]
    assert line.startswith("custserv: "), result
    assert result.out == "", result
    for box in ("Traceback", "╭", "│", "Usage:", "Error"):
        assert box not in line, result
    for text in expected:
        assert text in line, result
    return line


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "custserv")
def test_unknown_option_is_one_line_everywhere(cli: Run, path: list[str]) -> None:
    result = cli(*path, "--no-such-option")
    assert result.code == 2, result
    line = _one_line(result, "--no-such-option", "--help")
    assert f"see '{' '.join(['custserv', *path])} --help'" in line


def test_the_walk_finds_arguments_and_numbers() -> None:
    assert ["grade"] in WITH_ARGUMENTS and ["card", "show"] in WITH_ARGUMENTS
    assert {"undo", "review", "quiz"} <= {p[0] for p in WITH_NUMBERS}
    assert ["decks"] in GROUPS and [] in GROUPS


@pytest.mark.parametrize("path", WITH_ARGUMENTS, ids=" ".join)
def test_missing_argument_is_one_line_everywhere(cli: Run, path: list[str]) -> None:
    result = cli(*path)
    assert result.code == 2, result
    _one_line(result, f"{_required(path)[0].human_readable_name} is missing", "--help")


@pytest.mark.parametrize("path", WITH_NUMBERS, ids=" ".join)
def test_huge_and_bad_numbers_are_one_line_everywhere(cli: Run, path: list[str]) -> None:
    """Every whole-number option refuses 2^66, 'abc' and '²' by name (2^63 and more once
    crashed SQLite with an OverflowError)."""
    for param in _number_options(path):
        flag = max(param.opts, key=len)
        for bad in (str(2**66), "abc", "²"):
            result = cli(*path, flag, bad)
            assert result.code == 2, result
            _one_line(result, flag, bad)


@pytest.mark.parametrize("group", GROUPS, ids=lambda p: " ".join(p) or "custserv")
def test_mistyped_command_suggests_the_closest(cli: Run, group: list[str]) -> None:
    command = _click_command(group)
    name = sorted(command.commands)[0]
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    result = cli(*group, typo)
    assert result.code == 2, result
    _one_line(result, f"'{typo}'", f"did you mean '{name}'?")


def test_unknown_command_without_a_close_match_points_at_help(cli: Run) -> None:
    result = cli("zzzzzz")
    assert result.code == 2
    _one_line(result, "no such command 'zzzzzz'", "see 'custserv --help'")


def test_negative_grade_is_read_as_a_value_and_refused_by_range(cli: Run, db_path: Path) -> None:
    assert cli("topics").code == 0
    before = dump(db_path)
    result = cli("grade", CARD, "-1")
    assert result.code == 2, result
    _one_line(result, "GRADE must be a whole number from 0 to 5, not -1")
    assert "No such option" not in result.err
    assert dump(db_path) == before


@pytest.mark.parametrize("key", ["new_per_day", "day_start_hour", "reviews_per_day"])
def test_negative_setting_is_read_as_a_value_and_refused_by_range(cli: Run, key: str) -> None:
    result = cli("config", key, "-1")
    assert result.code == 2, result
    _one_line(result, f"{key} must be a whole number from 0 to", "not '-1'")
    assert cli("config", key).out.strip() != "-1"


def test_negative_option_values_are_refused_by_range(cli: Run) -> None:
    for args, text in (
        (("undo", "--steps", "-3"), "--steps / -n must be a whole number from 1"),
        (("review", "--new", "-1"), "--new must be a whole number from 0 to 10000, not -1"),
        (("review", "--limit", "-5"), "--limit must be a whole number from 0"),
    ):
        result = cli(*args)
        assert result.code == 2, result
        _one_line(result, text)


@pytest.mark.parametrize("digit", ["²", "³", "¹", "①"])
@pytest.mark.parametrize("key", ["new_per_day", "day_start_hour", "reviews_per_day"])
def test_superscript_digit_setting_is_refused(
    cli: Run, db_path: Path, key: str, digit: str
) -> None:
    assert cli("topics").code == 0
    before = db_path.read_bytes()
    result = cli("config", key, digit)
    assert result.code == 2, result
    _one_line(result, f"{key} must be a whole number", repr(digit))
    assert db_path.read_bytes() == before


def test_huge_undo_steps_and_session_sizes_are_refused(cli: Run, db_path: Path) -> None:
    assert cli("grade", CARD, "4", now="2026-01-10").code == 0
    before = dump(db_path)
    for args in (
        ("undo", "--steps", "99999999999999999999"),
        ("review", "--new", "10000000000000000000"),
        ("review", "--limit", "10000000000000000000"),
        ("quiz", "--topic", "glossary", "--count", "10000000000000000000"),
    ):
        result = cli(*args)
        assert result.code == 2, result
        _one_line(result, "must be a whole number from")
    assert dump(db_path) == before
    assert cli("undo", "--steps", str(2**63 - 1)).code == 2  # over the documented maximum


# --- output that cannot be written ---------------------------------------------------------


def _run(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "custserv_cards", *args], env=env, stderr=subprocess.PIPE, **kwargs
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("CUSTSERV_NOW", "NO_COLOR")}
    environ.update(CUSTSERV_DB=str(tmp_path / "c.db"), HOME=str(tmp_path), COLUMNS="80")
    subprocess.run(
        [sys.executable, "-m", "custserv_cards", "grade", CARD, "4"],
        env=environ,
        capture_output=True,
        check=True,
    )
    return environ


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["report", "-f", "md", "-o", "-"],
        ["stats"],
        ["stats", "--json"],
        ["topics"],
        ["topics", "--json"],
        ["card", "show", CARD, "--json"],
        ["grade", CARD, "3"],
        ["config"],
        ["--help"],
        ["grade", "--help"],
    ],
    ids=" ".join,
)
def test_full_stdout_gives_one_line_not_a_traceback(env: dict[str, str], args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = _run(args, env, stdout=full)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err.count("\n") == 1 and err.startswith("custserv: cannot write the output"), err
    assert "No space left on device" in err and "Traceback" not in err


def test_full_stdout_still_records_the_answer(env: dict[str, str], tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    with open("/dev/full", "w") as full:
        assert _run(["grade", CARD, "5"], env, stdout=full).returncode == 1
    history = _run(["card", "show", CARD, "--json"], env, stdout=subprocess.PIPE)
    assert history.stdout.decode().count('"grade": ') == 2


@pytest.mark.parametrize("args", [["stats"], ["report", "-f", "md", "-o", "-"], ["--help"]])
def test_closed_pipe_ends_quietly(env: dict[str, str], args: list[str]) -> None:
    """``custserv stats | head -1``: the reader stopped reading; no message, exit 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "custserv_cards", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, err
    assert err == ""


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
@pytest.mark.parametrize(
    "args", [["topics"], ["stats"], ["report", "-f", "md", "-o", "-"], ["card", "show", CARD]]
)
def test_non_utf8_output_uses_look_alikes(
    env: dict[str, str], encoding: str, args: list[str]
) -> None:
    result = _run(args, {**env, "PYTHONIOENCODING": encoding}, stdout=subprocess.PIPE)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    text = result.stdout.decode(encoding)  # every byte is valid in the terminal's encoding
    assert text.strip()
    assert "\\u2026" not in text  # an ellipsis reads as '...', not as an escape
