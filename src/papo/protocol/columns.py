"""How many columns of a terminal one character takes, for whoever draws on one: the terminal
client (``client.cells``) and the server echoing a telnet user's keys (``line_editing``).

After the rules terminals and readline follow (wcwidth): East Asian wide and fullwidth
characters take two columns, combining marks and format characters none, the rest one.
"""

from __future__ import annotations

import unicodedata

_ZERO_WIDTH_CATEGORIES = frozenset(("Mn", "Me", "Cf"))


def char_width(char: str) -> int:
    """The columns ``char`` takes: 0, 1 or 2."""
    if char.isascii():
        return 1
    if unicodedata.category(char) in _ZERO_WIDTH_CATEGORIES:
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
