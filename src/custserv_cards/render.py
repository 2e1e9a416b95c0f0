"""Rich renderables and the app's consoles: one for stdout, one for stderr.

Rich honours ``NO_COLOR`` and drops styling when output is not a terminal. Card text is
always passed to rich as ``Text`` (never as markup) and stripped of control characters, so
hostile text is shown as text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# C0 and C1 controls (terminal escapes among them), and the invisible format characters that
# reorder or hide text: bidi overrides and isolates, zero-width spaces and joiners, the BOM.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


@cache
def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


@cache
def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes among them) and invisible format
    characters (bidi overrides, zero-width spaces) shown as escapes, not obeyed."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def json_text(data: object) -> str:
    """``data`` as indented JSON for the terminal: text kept exactly, but the characters
    ``printable`` escapes are written as JSON escapes (``\\u202e``), which read back the same."""
    import json

    def escape(match: re.Match[str]) -> str:
        units = match.group().encode("utf-16-be")
        return "".join(
            f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
        )

    return _CONTROL.sub(escape, json.dumps(data, indent=2, ensure_ascii=False))


def safe(text: str, style: str = "") -> Text:
    """Card or user text as a rich ``Text``: no markup, control characters made visible."""
    from rich.text import Text

    return Text(printable(text), style=style)


def clip(text: str, width: int) -> str:
    """``text`` on at most ``width`` cells, cut after a whole word and ended with '…' when it
    is longer (a single word longer than ``width`` is cut inside, the only way to fit it)."""
    from rich.cells import cell_len, set_cell_size

    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    if width < 2:
        return set_cell_size(text, max(width, 0))
    kept = ""
    for word in text.split(" "):
        candidate = f"{kept} {word}" if kept else word
        if cell_len(candidate) + 2 > width:
            break
        kept = candidate
    if not kept:
        return set_cell_size(text, width - 1) + "…"
    return kept.rstrip(",;:—-") + " …"


def pack(pieces: list[str], width: int, sep: str = " · ") -> list[str]:
    """Short facts joined by ``sep`` into lines of at most ``width`` cells, breaking between
    facts, never inside one (a fact wider than ``width`` gets a line of its own)."""
    from rich.cells import cell_len

    lines: list[str] = []
    for piece in pieces:
        if lines and cell_len(lines[-1] + sep + piece) <= width:
            lines[-1] += sep + piece
        else:
            lines.append(piece)
    return lines
