"""Build the two Anki packages the import tests read, with Anki's own library.

    python scripts/make_anki_samples.py tests/data

writes ``anki-current.apkg`` (what current Anki exports: a zstd-compressed
``collection.anki21b`` and a protobuf ``meta``) and ``anki-legacy.apkg`` (the
"support older Anki versions" export: ``collection.anki21``). Both hold the same notes: a
Basic note with HTML, a "Basic (and reversed card)" note, a Cloze note with two numbered
blanks and a hint, a note naming an image, and one of a note type the importer does not
know, in a two-level deck with a description. Needs the ``anki`` package (the test extra).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def build(folder: Path) -> None:
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    with tempfile.TemporaryDirectory() as work:
        col = Collection(str(Path(work) / "collection.anki2"))
        parent = col.decks.id("Phone support")
        child = col.decks.id("Phone support::Call openings")
        deck = col.decks.get(child)
        assert deck is not None
        deck["desc"] = "How to open a support call."
        col.decks.save(deck)

        def add(model_name: str, fields: list[str], tags: str) -> None:
            model = col.models.by_name(model_name)
            assert model is not None
            note = col.new_note(model)
            for i, value in enumerate(fields):
                note.fields[i] = value
            note.set_tags_from_str(tags)
            col.add_note(note, child)

        add(
            "Basic",
            ["What do you say <b>first</b> on a call?", "Your name &amp; the company's name"],
            "greeting phone",
        )
        add("Basic (and reversed card)", ["Hold time", "How long a caller waits"], "term")
        add(
            "Cloze",
            ["Smile: callers {{c1::hear}} it, even {{c2::on the phone::where?}}.", "Tone"],
            "tone",
        )
        image = Path(work) / "headset.png"
        image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
        name = col.media.add_file(str(image))
        add("Basic", [f'Which headset? <img src="{name}">', "A noise-cancelling one"], "")
        add("Basic (type in the answer)", ["Spell 'courteous'", "courteous"], "")
        for legacy, file_name in ((False, "anki-current.apkg"), (True, "anki-legacy.apkg")):
            col.export_anki_package(
                out_path=str(folder / file_name),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
                ),
                limit=DeckIdLimit(parent),
            )
        col.close(downgrade=False)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
