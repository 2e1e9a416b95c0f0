"""``custserv decks validate|sync``, ``custserv topics`` and ``custserv card show``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from custserv_cards.cli.commands import App
from custserv_cards.cli.common import console, open_store

if TYPE_CHECKING:
    from custserv_cards.model import Deck

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Deck files or folders (default: the bundled decks).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

decks_app = App(help="Check deck files and load them into your database.", no_args_is_help=True)
card_app = App(help="Look at one card.", no_args_is_help=True)


@decks_app.command("validate")
def validate(paths: PathsArg = None) -> None:
    """Check deck files and report every problem as file:line: message (exit 1 if any).

    Valid decks also get card-writing advice (long lists, list prompts without a count,
    blanks on stop words, long answers, repeated prompts): printed, but not errors.
    """
    from custserv_cards import paths as paths_mod
    from custserv_cards.decks import card_advice, check_decks
    from custserv_cards.errors import DeckError
    from custserv_cards.render import printable

    files = paths_mod.deck_files(paths)
    locations: dict[str, str] = {}
    decks, problems = check_decks(files, locations)
    if not problems and paths:
        problems = _foreign_claims(decks, locations)
    if problems:
        raise DeckError(problems)
    advice = card_advice(decks, locations)
    for line in advice:
        print(printable(line))
    cards = sum(len(d.cards) for d in decks)
    if advice:
        print(
            f"{len(decks)} decks, {cards} cards: all valid, with {len(advice)} warnings "
            "(card-writing advice; see cards/README.md)."
        )
    else:
        print(f"{len(decks)} decks, {cards} cards: all valid.")


def _foreign_claims(decks: list[Deck], locations: dict[str, str]) -> list[str]:
    """The ids and topics of ``decks`` that your database already holds from a deck file in
    another folder (none when there is no database yet: nothing is created to check)."""
    from custserv_cards import paths
    from custserv_cards.cli import common
    from custserv_cards.sync import foreign_claims

    if not paths.db_path(common.options.db).exists():
        return []
    with open_store() as store:
        return foreign_claims(store, decks, locations)


@decks_app.command("sync")
def sync(paths: PathsArg = None) -> None:
    """Load decks into your database in one transaction, keeping everyone's progress.

    Prints how many cards were added, updated, retired and restored. If any deck is invalid,
    nothing is written.
    """
    from custserv_cards.sync import sync_paths

    # your decks are checked against the bundled ones, so those are brought in first
    with open_store(sync_bundled=bool(paths)) as store:
        result = sync_paths(store, paths)
    print(
        f"{result.added} added, {result.updated} updated, {result.retired} retired, "
        f"{result.restored} restored, {result.unchanged} unchanged."
    )


def topics(as_json: JsonOpt = False) -> None:
    """List the topics with their card counts, new cards and cards due today."""
    with open_store() as store:
        rows = store.topics(store.today())
    if as_json:
        from custserv_cards.render import json_text

        print(json_text(rows))
        return
    from rich.table import Table

    from custserv_cards.render import safe

    table = Table(title="Topics", title_justify="left")
    for name, justify in (
        ("topic", "left"),
        ("title", "left"),
        ("cards", "right"),
        ("new", "right"),
        ("due", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(
            safe(row["topic"]),
            safe(row["title"]),
            str(row["cards"]),
            str(row["new"]),
            str(row["due"]),
        )
    total = [sum(r[k] for r in rows) for k in ("cards", "new", "due")]
    table.add_section()
    table.add_row("all", "", *map(str, total))
    console().print(table)


@card_app.command("show")
def show(
    card_id: Annotated[
        str, typer.Argument(metavar="ID", help="The card's id, e.g. def-customer-loyalty.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Show a card, its source, its scheduling state and its history."""
    with open_store() as store:
        record = store.card(card_id)
        history = store.history(card_id)
    state = record.state
    data: dict[str, Any] = {
        "id": record.card.id,
        "topic": record.card.topic,
        "kind": record.card.kind,
        "fields": record.card.fields,
        "tags": list(record.card.tags),
        "source": str(record.card.source),
        "retired": record.retired,
        "suspended": record.suspended,
        "buried_until": record.buried_until.isoformat() if record.buried_until else None,
        "leech": state.leech,
        "state": {
            "repetitions": state.repetitions,
            "easiness": state.sm2.ef,
            "interval": state.interval,
            "due": state.due.isoformat() if state.due else None,
            "lapses": state.lapses,
            "fsrs": None
            if state.fsrs is None
            else {"stability": state.fsrs.stability, "difficulty": state.fsrs.difficulty},
        },
        "history": history,
    }
    if as_json:
        from custserv_cards.render import json_text

        print(json_text(data))
        return
    _print_card(data)


def _print_card(data: dict[str, Any]) -> None:
    from rich.table import Table

    from custserv_cards.render import safe

    out = console()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("id", safe(data["id"]))
    grid.add_row("topic", safe(f"{data['topic']} ({data['kind']})"))
    for key, value in data["fields"].items():
        text = "\n".join(f"- {v}" for v in value) if isinstance(value, list) else str(value)
        grid.add_row(key, safe(text))
    grid.add_row("source", safe(data["source"]))
    flags = [name for name in ("retired", "suspended", "leech") if data[name]]
    if data["buried_until"]:
        flags.append(f"buried until {data['buried_until']}")
    s = data["state"]
    due = s["due"] or "new (not yet studied)"
    grid.add_row(
        "state",
        f"due {due}; interval {s['interval']} d; EF {s['easiness']:.2f}; "
        + (
            f"FSRS stability {s['fsrs']['stability']:.1f} d, difficulty "
            f"{s['fsrs']['difficulty']:.1f}; "
            if s["fsrs"]
            else ""
        )
        + f"repetitions {s['repetitions']}; lapses {s['lapses']}"
        + (f"; {', '.join(flags)}" if flags else ""),
    )
    out.print(grid)
    if data["history"]:
        table = Table(title="History", title_justify="left")
        for name in ("when", "day", "grade", "kind", "interval after", "due after"):
            table.add_column(name)
        for row in data["history"]:
            after = row["after"]
            table.add_row(
                row["reviewed_at"][:16].replace("T", " "),
                row["day"],
                str(row["grade"]),
                row["kind"],
                str(after["interval"]),
                str(after["due"] or ""),
            )
        out.print(table)
    else:
        out.print("No answers yet.")


def register(app: typer.Typer) -> None:
    app.add_typer(decks_app, name="decks")
    app.command("topics")(topics)
    app.add_typer(card_app, name="card")
