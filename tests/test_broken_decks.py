"""Every broken deck file gets a ``file:line: message``, exit code 1, and no change to the data.

The corpus is ``tests/broken_decks/`` (one file per problem); ``EXPECTED.tsv`` gives, for each
file, the line the first message must name and a text it must contain. A few cases are made
here instead: a file too big to keep in the repository, a missing file, a folder, and the
same id in two files.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run
from integrity import checkpoint, file_digest

from custserv_cards.store import Store
from custserv_cards.sync import sync_bundled_if_changed

CORPUS = Path(__file__).parent / "broken_decks"


def _expected() -> list[tuple[str, int, str]]:
    rows = []
    for line in (CORPUS / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, number, text = line.split("\t")
            rows.append((name, int(number), text))
    return rows


CASES = _expected()


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database with the bundled decks and some answers, its WAL folded into the file."""
    db = tmp_path_factory.mktemp("broken") / "keep.db"
    with Store.open(db) as store:
        sync_bundled_if_changed(store)
        from datetime import datetime

        when = datetime(2026, 11, 23, 10, 0).astimezone()
        for card_id in ("def-customer-loyalty", "def-customer-loyalty:reverse"):
            store.record_answer(card_id, 4, when)
    checkpoint(db)
    yield db


def _unchanged(db: Path, digest: str) -> None:
    assert file_digest(db) == digest, "the database file changed"
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "something was written to the log"


def _check_failure(result: object, path: Path, line: int | None, text: str) -> str:
    from conftest import Result

    assert isinstance(result, Result)
    assert result.code == 1, result
    assert "Traceback" not in result.err + result.out
    first = result.err.splitlines()[0]
    match = re.match(rf"^custserv: {re.escape(str(path))}:(\d+): (.+)$", first)
    assert match, first
    if line is not None:
        assert int(match[1]) == line, first
    assert len(match[2]) > 15, first
    assert text in match[2], first
    return match[2]


def test_the_corpus_has_at_least_40_cases() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.yaml"))
    assert files == sorted(name for name, _line, _text in CASES)
    assert len(files) >= 40


@pytest.mark.parametrize(("name", "line", "text"), CASES, ids=[c[0] for c in CASES])
def test_broken_deck_is_refused_with_file_and_line(
    cli: Run, store_file: Path, tmp_path: Path, name: str, line: int, text: str
) -> None:
    deck = tmp_path / name
    shutil.copyfile(CORPUS / name, deck)
    digest = file_digest(store_file)
    for command in ("sync", "validate"):
        result = cli("--db", str(store_file), "decks", command, str(deck))
        _check_failure(result, deck, line, text)
        _unchanged(store_file, digest)
    assert not list(tmp_path.glob("PWNED*")), "a YAML tag ran code"


def test_a_huge_file_is_refused_before_it_is_read(
    cli: Run, store_file: Path, tmp_path: Path
) -> None:
    deck = tmp_path / "huge.yaml"
    card = "  - id: c{}\n    kind: basic\n    prompt: P\n    answer: A\n    source: n.txt:1\n"
    with deck.open("w", encoding="utf-8") as out:
        out.write("topic: huge\ntitle: T\ndescription: D\ncards:\n")
        for number in range(40_000):
            out.write(card.format(number))
    digest = file_digest(store_file)
    for command in ("sync", "validate"):
        result = cli("--db", str(store_file), "decks", command, str(deck))
        _check_failure(result, deck, 1, "split it into several decks")
        _unchanged(store_file, digest)


def test_a_missing_file(cli: Run, store_file: Path, tmp_path: Path) -> None:
    digest = file_digest(store_file)
    missing = tmp_path / "no-such-deck.yaml"
    for command in ("sync", "validate"):
        result = cli("--db", str(store_file), "decks", command, str(missing))
        _check_failure(result, missing, 1, "no such file")
        _unchanged(store_file, digest)


def test_the_same_id_in_two_files(cli: Run, store_file: Path, tmp_path: Path) -> None:
    card = "  - id: shared-id\n    kind: basic\n    prompt: P\n    answer: A\n    source: n.txt:1\n"
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    for path in (first, second):
        path.write_text(f"topic: {path.stem}\ntitle: T\ndescription: D\ncards:\n{card}")
    digest = file_digest(store_file)
    result = cli("--db", str(store_file), "decks", "sync", str(first), str(second))
    message = _check_failure(result, second, 5, "duplicate id 'shared-id'")
    assert f"{first}:5" in message
    _unchanged(store_file, digest)


def test_a_broken_deck_among_good_ones_writes_nothing(
    cli: Run, store_file: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good-deck.yaml"
    good.write_text(
        "topic: good-deck\ntitle: T\ndescription: D\ncards:\n"
        "  - id: fine-card\n    kind: basic\n    prompt: P\n    answer: A\n    source: n.txt:1\n"
    )
    bad = tmp_path / "tabs.yaml"
    shutil.copyfile(CORPUS / "tabs.yaml", bad)
    digest = file_digest(store_file)
    result = cli("--db", str(store_file), "decks", "sync", str(good), str(bad))
    _check_failure(result, bad, 6, "YAML syntax error")
    _unchanged(store_file, digest)
