"""Files custserv writes on request (reports, exports, backups): where they may go.

Every command that writes a file the user names checks the name with ``check_output`` first.
It refuses, with one line naming the problem and the fix:

* the database itself and its companion files (``-wal``, ``-shm``, ``-journal``), whatever
  the path used to reach them (a ``..``, a symbolic link to a folder, a hard link);
* an existing file in the ``backups/`` folder beside the database;
* anything that exists and is not a regular file: a symbolic link, a FIFO, a device, a socket
  (writing "over" one would replace it, or write to whatever it stands for);
* a folder, a name ending in ``/`` (a folder that is not there), a missing parent folder;
* an existing file, unless the command's ``--force`` was given (``overwrite``).

``write_text`` then writes through a uniquely named temporary file in the same folder and a
rename, so a crash leaves either the old file or the complete new one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from custserv_cards.errors import DataError, UsageError

#: The files SQLite keeps beside a database while it is in use (and after a crash).
DB_COMPANIONS = ("", "-wal", "-shm", "-journal")
BACKUP_DIR = "backups"


def db_files(db: Path) -> list[Path]:
    """The database and its companion files, as absolute paths (symbolic links resolved)."""
    real = _real(db)
    return [real.with_name(real.name + suffix) for suffix in DB_COMPANIONS]


def _real(path: Path) -> Path:
    """``path`` made absolute with its folder's symbolic links resolved (the name itself is
    kept when it is a symbolic link: that link is what would be written over)."""
    path = path.expanduser()
    try:
        parent = path.parent.resolve()
    except (OSError, RuntimeError):
        parent = Path(os.path.abspath(path.parent))
    return parent / path.name


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_output(
    target: str | Path,
    *,
    db: Path | None,
    overwrite: bool = False,
    option: str | None = "--output",
) -> Path:
    """The file to write for ``target``, after refusing every dangerous choice.

    ``db`` is the database in use (its files and backups are protected); ``overwrite``
    allows replacing an existing regular file (a command's ``--force``); ``option`` names
    the option in messages (``None`` for a positional argument, which never overwrites).
    Raises ``UsageError`` for a folder and ``DataError`` for everything else.
    """
    text = str(target)
    named = f"{option} {text}" if option else text
    another = f"choose another {option}" if option else "choose another file name"
    if not text.strip():
        raise UsageError(f"{option or 'the file name'} is empty; give a file name")
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) and not path.is_dir():
        raise DataError(f"cannot write {text}: the folder {path} does not exist; create it first")
    try:
        info: os.stat_result | None = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise DataError(f"cannot write {text} ({error.strerror}); {another}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{named} is a folder; give a file name")
    if info is not None and stat.S_ISLNK(info.st_mode) and path.is_dir():
        raise UsageError(f"{named} is a folder; give a file name")
    if db is not None:
        _refuse_database_files(text, path, info, db, another)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise DataError(
            f"{text} is {_kind(info.st_mode)}, not a regular file; custserv never writes over "
            f"one — {another}"
        )
    if info is not None and not overwrite:
        if option:
            raise DataError(f"{text} already exists; add --force to overwrite it, or {another}")
        raise DataError(f"{text} already exists; choose a new file name or remove it first")
    if not path.parent.is_dir():
        raise DataError(f"cannot write {text}: the folder {path.parent} does not exist")
    return path


def _refuse_database_files(
    text: str, path: Path, info: os.stat_result | None, db: Path, another: str
) -> None:
    real = _real(path)
    protected = db_files(db)
    hit = real if real in protected else None
    if hit is None and info is not None:
        for other in protected:
            try:
                if os.path.samefile(path, other):
                    hit = other
                    break
            except OSError:
                continue
    if hit == protected[0]:
        itself = "" if str(protected[0]) == text else f" ({protected[0]})"
        raise DataError(f"{text} is the database itself{itself}; {another}")
    if hit is not None:
        suffix = hit.name[len(protected[0].name) :]
        raise DataError(
            f"{text} is the database's {suffix} file, part of {protected[0]}; {another}"
        )
    backups = protected[0].parent / BACKUP_DIR
    if info is not None and real.parent == backups:
        raise DataError(f"{text} is one of the database's backups; {another}")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as ``write_bytes`` does."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (checked by ``check_output``) through a temporary file in
    the same folder and a rename; the temporary file is removed if anything fails."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                raise DataError(f"{path} was replaced by a special file meanwhile; nothing written")
        except FileNotFoundError:
            pass
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise DataError(f"cannot write {path} ({error.strerror or error})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
