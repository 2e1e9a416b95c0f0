"""Loading deck files into the store, and the cheap check that skips it when nothing changed."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from custserv_cards import paths
from custserv_cards.store import Store, SyncResult

if TYPE_CHECKING:
    from custserv_cards.model import Deck

BUNDLED_HASH_KEY = "bundled_decks_hash"
LAST_SYNC_KEY = "last_sync"  # "<hash of what was synced> <number of cards>"


def fingerprint(files: list[Path]) -> str:
    """A hash of the deck files' names and bytes."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(b"\0")
        try:  # bounded, and never waiting on a FIFO or reading a device
            digest.update(paths.read_deck_bytes(file))
        except OSError:  # missing or unreadable: check_decks reports it as file:line
            digest.update(b"\0unreadable")
        digest.update(b"\0")
    return digest.hexdigest()


def sync_paths(store: Store, targets: list[Path] | None = None) -> SyncResult:
    """Validate the decks at ``targets`` (default: the bundled decks) and sync them.

    If any deck is invalid, ``DeckError`` lists every problem and nothing is written.
    Re-syncing exactly the files of the most recent sync, unchanged, costs one hash of their
    bytes: nothing is parsed or written.
    """
    from custserv_cards import __version__

    files = _deck_files(store, targets)
    folders = targets or [paths.bundled_decks_dir()]
    origins = {t.resolve() for t in folders if t.is_dir()}
    content = fingerprint(files)
    # what the most recent sync was given: this version, the folders, the files and their bytes
    key = hashlib.sha256(
        "\0".join(
            [__version__, *sorted(map(str, origins)), *map(os.path.realpath, files), content]
        ).encode()
    ).hexdigest()
    last = (store.meta(LAST_SYNC_KEY) or "").split(" ")
    if last[0] == key and len(last) == 2 and last[1].isdigit():
        return SyncResult(unchanged=int(last[1]))
    from custserv_cards.decks import check_decks
    from custserv_cards.errors import DeckError

    locations: dict[str, str] = {}
    found, problems = check_decks(files, locations)
    if not problems and targets:
        problems = foreign_claims(store, found, locations)
    if problems:
        raise DeckError(problems)
    decks = sorted(found, key=lambda deck: (deck.order, deck.topic))
    count = sum(len(deck.cards) for deck in decks)
    meta = {LAST_SYNC_KEY: f"{key} {count}"}
    if not targets:
        meta[BUNDLED_HASH_KEY] = content
    return store.sync(decks, origins=origins, meta=meta)


def _deck_files(store: Store, targets: list[Path] | None) -> list[Path]:
    """The deck files of ``targets``. A folder that holds none is an error, unless decks were
    synced from it before: then its last deck files were deleted, and syncing it retires
    their topics (their cards and history are kept, and come back with the files)."""
    if not targets:
        return paths.deck_files(targets)
    from custserv_cards.errors import DataError

    files: list[Path] = []
    for target in targets:
        try:
            files.extend(paths.deck_files([target]))
        except DataError:
            if not (target.is_dir() and store.topics_from(target.resolve())):
                raise
    return files


def sync_bundled_if_changed(store: Store) -> SyncResult | None:
    """Sync the bundled decks when their content differs from the last sync; else do nothing."""
    files = paths.deck_files()
    if store.meta(BUNDLED_HASH_KEY) == fingerprint(files):
        return None
    return sync_paths(store)


def foreign_claims(store: Store, decks: list[Deck], locations: dict[str, str]) -> list[str]:
    """``file:line: message`` for each topic or card id of ``decks`` that the database holds
    from a deck file in another folder that still has it (a bundled deck, or another folder
    of yours). Syncing it would hand that card, with its progress, to the new deck; a deck
    file that has moved (its old file is gone, or no longer has the id) is not a claim."""
    conn = store.conn
    origins = dict(conn.execute("SELECT slug, origin FROM topics").fetchall())
    owners = dict(
        (row[0], (row[1], row[2]))
        for row in conn.execute(
            "SELECT c.grp, c.topic, t.origin FROM cards c JOIN topics t ON t.slug = c.topic"
        )
    )
    problems: list[str] = []
    for deck in decks:
        here = os.path.realpath(Path(deck.path).parent)
        other = _other_file(origins.get(deck.topic), deck.topic, here)
        if other is not None:
            problems.append(
                f"{deck.path}:{_topic_line(Path(deck.path))}: topic '{deck.topic}' is already "
                f"the topic of {other}; choose another topic (and rename the file to match)"
            )
        for group in dict.fromkeys(card.group for card in deck.cards):
            owner = owners.get(group)
            other = _other_file(owner[1], owner[0], here) if owner else None
            if owner is None or other is None or not _has_id(other, group):
                continue
            where = locations.get(group, f"{deck.path}:1")
            problems.append(
                f"{where}: card id '{group}' is already used by {other} (topic '{owner[0]}'); "
                "give this card another id, so that card and its progress stay its own"
            )
    return problems


def _other_file(origin: str | None, topic: str, here: str) -> Path | None:
    """The deck file of ``topic`` in the folder ``origin``, if that is another folder and the
    file still exists."""
    if not origin or os.path.realpath(origin) == here:
        return None
    for suffix in (*paths.DECK_SUFFIXES, *(s.upper() for s in paths.DECK_SUFFIXES)):
        candidate = Path(origin) / f"{topic}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _has_id(path: Path, card_id: str) -> bool:
    try:
        data = paths.read_deck_bytes(path)
    except OSError:
        return False
    pattern = rb"^[ \t-]*id:[ \t]*['\"]?" + re.escape(card_id.encode()) + rb"['\"]?[ \t]*(#.*)?\r?$"
    return re.search(pattern, data, re.MULTILINE) is not None


def _topic_line(path: Path) -> int:
    try:
        lines = paths.read_deck_bytes(path).splitlines()
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.startswith(b"topic:")), 1)
