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


DECK_SUFFIXES = (".yaml", ".yml")  # in any case: DECK.YAML is a deck too
MAX_DECK_BYTES = 2_000_000


class NotARegularFile(OSError):
    """A deck path that is a FIFO, a device or a socket: never read (it could block or never
    end)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is a {kind}")
        self.kind = kind


def read_deck_bytes(path: Path, limit: int = MAX_DECK_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of the regular file at ``path`` (symlinks followed).

    A FIFO is opened without waiting for a writer and, like a device or a socket, refused
    with ``NotARegularFile``; a symlink loop raises ``OSError`` (ELOOP). Reading stops one
    byte past ``limit``, so a huge file (or one that grows) costs no more than that.
    """
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(mode):
            kinds = ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                     (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))  # fmt: skip
            kind = next((name for test, name in kinds if test(mode)), "special file")
            raise NotARegularFile(path, kind)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def deck_files(paths: list[Path] | None = None) -> list[Path]:
    """The deck files named by ``paths`` (files or directories); the bundled decks by default.

    In a folder, every entry named ``*.yaml`` or ``*.yml`` (in any case) is a deck file; one
    that cannot be a deck (a FIFO, a device, a symlink loop) is reported when it is read.
    """
    if not paths:
        paths = [bundled_decks_dir()]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in DECK_SUFFIXES)
            if not found:
                from custserv_cards.errors import DataError

                raise DataError(f"{path} holds no deck files (*.yaml); name a folder of decks")
            files.extend(found)
        else:
            files.append(path)
    return files
