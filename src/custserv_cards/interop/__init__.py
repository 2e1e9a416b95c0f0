"""Cards in and out of other tools: Anki packages, spreadsheets (CSV/TSV) and the review log
in the FSRS tools' CSV schema. Each module imports what it needs lazily (genanki, zstandard)."""
