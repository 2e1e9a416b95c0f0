"""custserv import csv: spreadsheets (CSV, TSV, Anki's text exports) as deck files that
validate, with ids that stay the same when the file is imported again; a bad row is
reported as file:line and nothing is written."""

from __future__ import annotations

from pathlib import Path

import anki_lib
from conftest import Run

from custserv_cards.decks import load_decks
from custserv_cards.model import Card


def imported(cli: Run, source: Path, out: Path, topic: str = "returns", *extra: str) -> list[Card]:
    out.mkdir(exist_ok=True)
    result = cli("import", "csv", str(source), "--topic", topic, "--out", str(out), *extra)
    assert result.code == 0, result
    (deck,) = load_decks([out / f"{topic}.yaml"])
    return list(deck.cards)


def test_a_csv_with_a_header_row(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "questions.csv"
    source.write_text(
        "prompt,answer,tags,extra\n"
        'How long is the refund window?,"30 days, with a receipt",policy refunds,\n'
        "\n"
        'Who approves a refund over $100?,"A supervisor",policy,"Ask before you promise."\n',
        encoding="utf-8",
    )
    cards = imported(cli, source, tmp_path / "out")
    assert [(c.kind, c.fields["prompt"], c.fields["answer"]) for c in cards] == [
        ("basic", "How long is the refund window?", "30 days, with a receipt"),
        ("basic", "Who approves a refund over $100?", "A supervisor"),
    ]
    assert [str(c.source) for c in cards] == ["questions.csv:2", "questions.csv:4"]
    assert cards[0].tags == ("policy", "refunds") and cards[1].fields["extra"]
    assert cli("decks", "validate", str(tmp_path / "out")).code == 0


def test_ids_stay_the_same_when_the_file_is_imported_again(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "questions.csv"
    source.write_text("front,back\nQ one,A one\nQ two,A two\n", encoding="utf-8")
    first = [c.id for c in imported(cli, source, tmp_path / "a")]
    source.write_text('front,back\nQ zero,A zero\nQ one,"A one, edited"\nQ two,A two\n')
    again = imported(cli, source, tmp_path / "a", "returns", "--force")
    assert [c.id for c in again][1:] == first
    assert again[1].fields["answer"] == "A one, edited"
    assert len(set(first)) == 2


def test_an_existing_deck_file_is_kept_without_force(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text("prompt,answer\nQ,A\n")
    target = tmp_path / "returns.yaml"
    target.write_text("mine")
    result = cli("import", "csv", str(source), "--topic", "returns", "--out", str(tmp_path))
    assert result.code == 1 and "add --force" in result.err and target.read_text() == "mine"


def test_kinds_ids_cloze_lists_and_reverse(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "mixed.tsv"
    source.write_text(
        "id\tkind\tprompt\tanswer\ttext\treverse\n"
        "hold-time\tbasic\tHold time\tHow long a caller waits\t\tyes\n"
        "\tcloze\t\t\tCallers {{c1::hear::what?}} a {{c2::smile}}.\t\n"
        "\t\t\t\tA {{refund}} needs a receipt.\t\n"
        'steps\tlist\tThe steps of a refund\t"Check the receipt\nRefund\nThank"\t\t\n',
        encoding="utf-8",
    )
    cards = imported(cli, source, tmp_path / "out")
    by_kind = {c.id: c for c in cards}
    assert by_kind["hold-time"].fields["answer"] == "How long a caller waits"
    assert by_kind["hold-time:reverse"].fields["prompt"] == "How long a caller waits"
    clozes = [c.fields["text"] for c in cards if c.kind == "cloze"]
    assert clozes == ["Callers {{hear}} a {{smile}}.", "A {{refund}} needs a receipt."]
    assert by_kind["steps"].fields["items"] == ["Check the receipt", "Refund", "Thank"]


def test_anki_text_export_headers(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "anki.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#tags column:5\n"
        "#columns:Notetype\tDeck\tFront\tBack\tTags\n"
        "Basic\tPhone\tWhat do you say <b>first</b>?\tYour name &amp; the company's\tgreeting\n"
        "Cloze\tPhone\tCallers {{c1::hear}} a smile<br>on the phone.\t\ttone Phone::Calls\n",
        encoding="utf-8",
    )
    cards = imported(cli, source, tmp_path / "out")
    assert cards[0].fields == {
        "prompt": "What do you say first?",
        "answer": "Your name & the company's",
    }
    assert cards[1].kind == "cloze"
    assert cards[1].fields["text"] == "Callers {{hear}} a smile\non the phone."
    assert cards[1].tags == ("tone", "phone-calls")
    assert str(cards[0].source) == "anki.txt:7"


def test_anki_text_export_without_columns(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "plain.txt"
    source.write_text(
        "#separator:tab\n#html:false\n#guid column:1\n#tags column:4\n"
        "a1b2c3\tHold time\tHow long a caller waits\tterm\n"
        "d4e5f6\tFirst-call resolution\tSolving it in one call\t\n",
        encoding="utf-8",
    )
    cards = imported(cli, source, tmp_path / "out")
    assert [c.fields["prompt"] for c in cards] == ["Hold time", "First-call resolution"]
    assert all(c.id.startswith("anki-") for c in cards) and cards[0].tags == ("term",)


def test_bad_rows_are_each_reported_and_nothing_is_written(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "prompt,answer,kind,id\n"
        "Fine,Yes,,\n"
        "No answer,,,\n"
        "x,y,essay,\n"
        "Bad id,z,,Not A Slug\n"
        "Fine,Again,,\n"
        "Too,many,,,fields\n"
        "Broken {{cloze,,cloze,\n"
        "One item,Only,list,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    result = cli("import", "csv", str(source), "--topic", "returns", "--out", str(out))
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [f"{source}:{n}" for n in range(3, 10)]
    assert "answer is empty" in lines[0] and "unknown kind 'essay'" in lines[1]
    assert "not a slug" in lines[2] and "same card as line 2" in lines[3]
    assert "5 fields" in lines[4] and "bad cloze markup" in lines[5]
    assert "at least two items" in lines[6]
    assert list(out.iterdir()) == []


def test_a_missing_column(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text("question,notes\nWhat?,nothing\n")
    result = cli("import", "csv", str(source), "--topic", "returns", "--out", str(tmp_path))
    assert result.code == 1 and f"{source}:1: no 'answer' column" in result.err, result
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "returns.yaml").exists()


def test_bad_encoding_binary_and_missing_files(cli: Run, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("prompt,answer\nCaf\u00e9?,Yes\n".encode("latin-1"))
    result = cli("import", "csv", str(latin), "--topic", "returns", "--out", str(tmp_path))
    assert result.code == 1 and f"{latin}:2: not valid UTF-8 (byte 0xe9" in result.err, result
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"PK\x03\x04\0\0\0")
    result = cli("import", "csv", str(binary), "--topic", "returns", "--out", str(tmp_path))
    assert result.code == 1 and "binary file" in result.err
    result = cli("import", "csv", str(tmp_path / "none.csv"), "--topic", "t", "--out", ".")
    assert result.code == 1 and "no such file" in result.err
    assert not (tmp_path / "returns.yaml").exists()


def test_usage_errors(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text("prompt,answer\nQ,A\n")
    result = cli("import", "csv", str(source), "--topic", "Bad Topic", "--out", str(tmp_path))
    assert result.code == 2 and "not a slug" in result.err
    result = cli("import", "csv", str(source), "--topic", "ok", "--out", str(tmp_path / "no"))
    assert result.code == 1 and "not a folder" in result.err


def test_a_text_export_written_by_anki(cli: Run, tmp_path: Path) -> None:
    """Anki's own "Notes in Plain Text" export of a package gives the cards (and ids) that
    importing the package itself gives."""
    col = anki_lib.collection(tmp_path / "anki")
    anki_lib.import_package(col, Path(__file__).parent / "data" / "anki-current.apkg")
    notes = tmp_path / "notes.txt"
    col.export_note_csv(
        out_path=str(notes),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    col.close(downgrade=False)
    from_text = imported(cli, notes, tmp_path / "text", "phone")
    package = tmp_path / "package"
    package.mkdir()
    sample = Path(__file__).parent / "data" / "anki-current.apkg"
    assert cli("import", "anki", str(sample), "--out", str(package)).code == 0
    (deck,) = load_decks(sorted(package.glob("*.yaml")))

    def same(card: Card) -> tuple[object, ...]:
        return (card.id, card.kind, card.fields, card.tags)

    assert [same(c) for c in from_text] == [same(c) for c in deck.cards]


def test_too_much_text_for_one_deck_and_a_cell_too_large(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    big = tmp_path / "big.csv"
    rows = "".join(f"Question {i} {'x' * 400},Answer {i}\n" for i in range(6000))
    big.write_text("prompt,answer\n" + rows, encoding="utf-8")
    result = cli("import", "csv", str(big), "--topic", "big", "--out", str(out))
    assert result.code == 1 and f"{out / 'big.yaml'}:1: the file is" in result.err, result
    assert "split it into several decks" in result.err
    huge = tmp_path / "huge.csv"
    huge.write_text('prompt,answer\nQ,"' + "y" * 200_000 + '"\n', encoding="utf-8")
    result = cli("import", "csv", str(huge), "--topic", "huge", "--out", str(out))
    assert result.code == 1 and f"{huge}:" in result.err and "field larger" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert list(out.iterdir()) == []
