"""Loading deck files into the store, and the cheap check that skips it when nothing changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from custserv_cards import paths
from custserv_cards.store import Store, SyncResult

BUNDLED_HASH_KEY = "bundled_decks_hash"
LAST_SYNC_KEY = "last_sync"  # "<hash of what was synced> <number of cards>"


def fingerprint(files: list[Path]) -> str:
    """A hash of the deck files' names and bytes."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(b"\0")
        try:
            digest.update(file.read_bytes())
        except OSError:  # missing or unreadable: load_decks reports it as file:line
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

    files = paths.deck_files(targets)
    folders = targets or [paths.bundled_decks_dir()]
    origins = {t.resolve() for t in folders if t.is_dir()}
    content = fingerprint(files)
    # what the most recent sync was given: this version, the folders, the files and their bytes
    key = hashlib.sha256(
        "\0".join(
            [__version__, *sorted(map(str, origins)), *(str(f.resolve()) for f in files), content]
        ).encode()
    ).hexdigest()
    last = (store.meta(LAST_SYNC_KEY) or "").split(" ")
    if last[0] == key and len(last) == 2 and last[1].isdigit():
        return SyncResult(unchanged=int(last[1]))
    from custserv_cards.decks import load_decks

    decks = sorted(load_decks(files), key=lambda deck: (deck.order, deck.topic))
    count = sum(len(deck.cards) for deck in decks)
    meta = {LAST_SYNC_KEY: f"{key} {count}"}
    if not targets:
        meta[BUNDLED_HASH_KEY] = content
    return store.sync(decks, origins=origins, meta=meta)


def sync_bundled_if_changed(store: Store) -> SyncResult | None:
    """Sync the bundled decks when their content differs from the last sync; else do nothing."""
    files = paths.deck_files()
    if store.meta(BUNDLED_HASH_KEY) == fingerprint(files):
        return None
    return sync_paths(store)
