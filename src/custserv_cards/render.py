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

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@cache
def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


@cache
def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes among them) shown, not obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def safe(text: str, style: str = "") -> Text:
    """Card or user text as a rich ``Text``: no markup, control characters made visible."""
    from rich.text import Text

    return Text(printable(text), style=style)
