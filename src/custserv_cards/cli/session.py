"""``custserv review`` (today's cards) and ``custserv quiz`` (topic drills)."""

from __future__ import annotations

from typing import Annotated

import typer

from custserv_cards.cli.fast import check_mode as _check_mode
from custserv_cards.cli.fast import need_terminal as _need_terminal

TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help="Only this topic (repeat for several; see 'custserv topics').",
        show_default=False,
    ),
]


def review(
    topic: TopicOpt = None,
    new: Annotated[
        int | None,
        typer.Option("--new", min=0, max=10_000, metavar="N", help="New cards for this session."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=0, max=100_000, metavar="N", help="Due reviews for this session."
        ),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            metavar="flip|type",
            help="Reveal and grade yourself, or type answers (default: answer_mode setting).",
        ),
    ] = None,
) -> None:
    """Today's revision: due cards first, new cards mixed in, failed cards again later.

    Keys: Space/Enter show the answer, 0-5 grade it (each key shows what it will do), u undo
    the last action, s suspend, b bury, e source, ? all the keys, q quit.

    Every answer is saved as you give it; Ctrl-C stops at any point.
    """
    from custserv_cards.cli import fast

    fast.review(fast.ReviewArgs(topic=topic, new=new, limit=limit, mode=mode))


def quiz(
    weakest_count: Annotated[
        int | None,
        typer.Argument(
            metavar="[N]",
            min=1,
            help="With --weakest: how many of the weakest cards (default: --count).",
            show_default=False,
        ),
    ] = None,
    topic: TopicOpt = None,
    weakest: Annotated[
        bool,
        typer.Option(
            "--weakest",
            help="Drill your weakest cards, weakest first: leeches, then the lowest share of "
            "answers right, the most lapses, the lowest EF (all topics unless --topic).",
        ),
    ] = False,
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=10_000, metavar="N", help="How many cards.")
    ] = 10,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            metavar="flip|type|choice",
            help="Reveal and grade yourself, type answers, or pick from four.",
        ),
    ] = "flip",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Shuffle the same way every time.")
    ] = None,
    record: Annotated[
        bool,
        typer.Option("--record", help="Count the answers as reviews (changes the schedule)."),
    ] = False,
) -> None:
    """Drill a topic, whatever is due, in random order; or your weakest cards
    ('custserv quiz --weakest [N]'). Ends with a score.

    A drill leaves your review schedule alone unless you pass --record.
    """
    from custserv_cards.errors import DataError, UsageError
    from custserv_cards.session import QUIZ_MODES

    _check_mode(mode, QUIZ_MODES)
    if weakest_count is not None and not weakest:
        raise UsageError(
            f"the number {weakest_count} goes with --weakest ('custserv quiz --weakest "
            f"{weakest_count}'); for a topic drill use --count {weakest_count}"
        )
    if not topic and not weakest:
        raise UsageError(
            "quiz needs --topic TOPIC (see 'custserv topics' for the list), or --weakest"
        )
    from custserv_cards import clock, queue, views
    from custserv_cards.cli.common import console, open_store
    from custserv_cards.keys import Terminal
    from custserv_cards.session import QuizEngine, QuizOptions

    with open_store() as store:
        topics = queue.check_topics(store, topic or [])
        options = QuizOptions(
            topics=topics,
            count=weakest_count or count,
            mode=mode,
            seed=seed,
            record=record,
            weakest=weakest,
        )
        engine = QuizEngine(store, options, clock.now)
        if weakest and not engine.cards:
            scope = f" in {', '.join(topics)}" if topics else ""
            raise DataError(
                f"no card{scope} has been answered yet, so none is weak; "
                "answer some with 'custserv review' first"
            )
        _need_terminal("quiz")
        terminal = Terminal()
        # Ctrl-C (or SIGTERM) ends the session: the terminal is restored on the way out and
        # cli.main() says that every answer given is saved (each was committed as given).
        with terminal.session():
            views.run(engine, console(), terminal)


def register(app: typer.Typer) -> None:
    app.command()(review)
    app.command()(quiz)
