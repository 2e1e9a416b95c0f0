"""Anki's own library for the tests that check packages the way Anki reads them.

The ``anki`` package comes with the ``anki`` extra (``pip install -e ".[test,anki]"``, which
.ci/run installs); where it is missing, those tests skip and say why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SKIP_REASON = (
    "Anki's library is not installed; pip install -e '.[test,anki]' to check packages with it"
)


def collection(folder: Path) -> Any:
    """A new, empty Anki collection in ``folder`` (skips the test without the library)."""
    pytest.importorskip("anki", reason=SKIP_REASON)
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Any, package: Path) -> Any:
    """Import ``package`` with the options Anki's import dialog starts with; the log."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(
        package_path=str(package),
        options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False),
    )
    return col.import_anki_package(request).log


def export_current(col: Any, package: Path) -> None:
    """Export the whole collection as current Anki does (collection.anki21b)."""
    from anki.collection import ExportAnkiPackageOptions

    col.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
        ),
        limit=None,
    )
