"""The one place that knows where things live: the database and the bundled decks.

The database is, in order of precedence: the ``--db`` option, the ``CUSTSERV_DB``
environment variable, or ``custserv.db`` in the per-user data directory
(``~/.local/share/custserv-cards`` on Linux, the platform's equivalent elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "custserv-cards"
DB_ENV = "CUSTSERV_DB"
DB_FILE = "custserv.db"


def default_db_path() -> Path:
    """The per-user database location, when nothing overrides it."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DB_FILE


def db_path(option: str | Path | None = None) -> Path:
    """The database to use: ``--db``, else ``$CUSTSERV_DB``, else the per-user default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def bundled_decks_dir() -> Path:
    """The decks shipped with the package.

    An installed wheel carries them as ``custserv_cards/cards``; a source checkout
    (editable install or tests run from the tree) has them at the repository root.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "cards"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "cards"


def deck_files(paths: list[Path] | None = None) -> list[Path]:
    """The deck files named by ``paths`` (files or directories); the bundled decks by default."""
    if not paths:
        paths = [bundled_decks_dir()]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                from custserv_cards.errors import DataError

                raise DataError(f"{path} holds no deck files (*.yaml); name a folder of decks")
            files.extend(found)
        else:
            files.append(path)
    return files
