"""Random documents fed to the deck loader: it reports problems as ``file:line: message`` and
never raises (no traceback can reach the user)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from custserv_cards.decks import check_decks

PROBLEM = re.compile(r"^(?P<path>.+):(?P<line>\d+): \S")

KEYS = [
    "topic",
    "title",
    "description",
    "cards",
    "id",
    "kind",
    "prompt",
    "answer",
    "text",
    "items",
    "source",
    "tags",
    "extra",
    "reverse",
    "ordered",
    "reverse_prompt",
    "other",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        ["basic", "cloze", "list", "a {{blank}}", "n.txt:1-2", "fuzz-deck", "{{", "}}"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=6),
    ),
    max_leaves=25,
)
FRAGMENTS = [
    "topic: fuzz-deck\n",
    "cards:\n",
    "  - id: x\n",
    "    kind: basic\n",
    "- ",
    ": ",
    "&a ",
    "*a ",
    "!!python/object:os.system ",
    "!tag ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "\t",
    "\n",
    "  ",
    "#",
    "---\n",
    "...\n",
    "? ",
    "|\n",
    ">\n",
    "%YAML 1.1\n",
    "\x00",
    "\x1b",
    "\ufeff",
    "é",
    "\\",
    ",",
    "<<: *a\n",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40).map(
    "".join
)

SETTINGS = settings(max_examples=150, deadline=None)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check(path: Path) -> None:
    decks, problems = check_decks([path])
    for problem in problems:
        match = PROBLEM.match(problem)
        assert match, problem
        assert match["path"] == str(path)
        assert int(match["line"]) >= 1
    assert decks or problems


@SETTINGS
@given(document=values)
def test_random_yaml_documents(folder: Path, document: object) -> None:
    path = folder / "fuzz-deck.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _check(path)


@SETTINGS
@given(text=texts)
def test_random_yaml_like_text(folder: Path, text: str) -> None:
    path = folder / "fuzz-deck.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check(path)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes(folder: Path, data: bytes) -> None:
    path = folder / "fuzz-deck.yaml"
    path.write_bytes(data)
    _check(path)
