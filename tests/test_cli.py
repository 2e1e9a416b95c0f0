"""The command line as a whole: help everywhere, the version, where the data lives, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import Run

from custserv_cards import __version__
from custserv_cards.cli.commands import GROUPS, build


def all_commands() -> list[list[str]]:
    root = typer.main.get_command(build())
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(root, [])
    return found


def test_the_expected_commands_exist() -> None:
    names = {" ".join(p) for p in all_commands()}
    assert {"decks validate", "decks sync", "topics", "card show", "grade", "undo"} <= names


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "custserv")
def test_every_command_has_help(cli: Run, path: list[str]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0, result
    assert "Usage: custserv" in result.out
    command: Any = typer.main.get_command(build())
    for name in path:
        command = command.commands[name]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


def test_groups_name_every_command() -> None:
    top = {path[0] for path in all_commands() if len(path) == 1}
    assert top == set(GROUPS)


def test_only_the_chosen_command_group_is_loaded(tmp_path: Path) -> None:
    code = (
        "import sys; from custserv_cards.cli.commands import build; build(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('custserv_cards.cli.')))"
    )
    env = {**os.environ, "CUSTSERV_DB": str(tmp_path / "x.db")}
    loaded = subprocess.run(
        [sys.executable, "-c", code, "--db", "x.db", "grade", "card", "4"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert "custserv_cards.cli.answers" in loaded and "custserv_cards.cli.session" not in loaded
    everything = subprocess.run(
        [sys.executable, "-c", code, "--help"], capture_output=True, text=True, env=env
    ).stdout
    assert all(f"custserv_cards.cli.{group}" in everything for group in set(GROUPS.values()))


def test_version(cli: Run) -> None:
    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"custserv-cards {__version__}"


def test_python_dash_m_and_console_script(tmp_path: Path) -> None:
    env = {**os.environ, "CUSTSERV_DB": str(tmp_path / "x.db")}
    result = subprocess.run(
        [sys.executable, "-m", "custserv_cards", "--version"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0 and __version__ in result.stdout
    script = Path(sys.executable).with_name("custserv")
    if script.exists():
        result = subprocess.run([script, "--version"], capture_output=True, text=True, env=env)
        assert result.returncode == 0 and __version__ in result.stdout


def test_usage_errors_exit_2(cli: Run) -> None:
    for args in (("--bogus",), ("nosuchcommand",), ("undo", "--steps", "0"), ("grade",)):
        result = cli(*args)
        assert result.code == 2, result
        assert "Traceback" not in result.err + result.out


def test_db_option_beats_environment(cli: Run, tmp_path: Path, db_path: Path) -> None:
    chosen = tmp_path / "chosen" / "mine.db"
    assert cli("--db", str(chosen), "topics").code == 0
    assert chosen.exists()
    assert not db_path.exists()
    assert cli("topics").code == 0
    assert db_path.exists()


def test_default_location_is_the_user_data_dir(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CUSTSERV_DB"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["HOME"] = str(tmp_path / "home")
    code = "from custserv_cards import paths; print(paths.db_path())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if sys.platform.startswith("linux"):
        assert out.stdout.strip() == str(tmp_path / "data" / "custserv-cards" / "custserv.db")
    else:
        assert out.stdout.strip().endswith("custserv.db")


def test_bad_custserv_now_is_a_usage_error(cli: Run) -> None:
    result = cli("grade", "x", "4", now="yesterday")
    assert result.code == 2, result
    assert "CUSTSERV_NOW='yesterday' is not an ISO date" in result.err


def test_config(cli: Run) -> None:
    assert "day_start_hour = 4" in cli("config").out
    assert cli("config", "new_per_day", "5").out.strip() == "new_per_day = 5"
    assert cli("config", "new_per_day").out.strip() == "5"
    bad = cli("config", "new_per_day", "many")
    assert bad.code == 2 and "new_per_day must be a whole number" in bad.err, bad
    bad = cli("config", "colour", "red")
    assert bad.code == 2 and "unknown setting 'colour'" in bad.err, bad
    assert cli("config", "exam_date", "2027-06-01").code == 0
    assert cli("config", "exam_date", "June").code == 2


def test_day_start_hour_is_configurable(cli: Run) -> None:
    cli("config", "day_start_hour", "0")
    shown = cli("grade", "poor-service-causes", "4", now="2026-11-24T02:30")
    assert "next due 2026-11-25" in shown.out, shown  # 02:30 already counts as the 24th


def test_topics_json(cli: Run) -> None:
    import json

    rows = json.loads(cli("topics", "--json").out)
    poor = next(r for r in rows if r["topic"] == "poor-service")
    assert poor["cards"] == poor["new"] > 0 and poor["due"] == 0


def test_daily_backup_is_taken_once_the_command_is_done(cli: Run, db_path: Path) -> None:
    assert cli("grade", "poor-service-causes", "4", now="2026-11-23T10:00").code == 0
    copies = sorted((db_path.parent / "backups").glob("*-daily-*.db"))
    assert len(copies) == 1, copies
    assert cli("grade", "poor-service-causes", "5", now="2026-11-23T11:00").code == 0
    assert sorted((db_path.parent / "backups").glob("*-daily-*.db")) == copies


def test_help_paragraphs_wrap_to_the_terminal() -> None:
    """Every command's help has one line per paragraph, so the terminal wraps it: a line break
    kept from the source would show mid-sentence at any width."""
    import typer.main

    from custserv_cards.cli.commands import app

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    commands = list(walk(typer.main.get_command(app), "custserv"))
    assert len(commands) > 25
    for path, command in commands:
        for paragraph in (command.help or "").split("\n\n"):
            assert "\n" not in paragraph, (path, paragraph)
