"""The UTS #39 skeleton: two strings that look alike have the same skeleton.

NFKC and case folding make ``Alice`` and its fullwidth form one name, but not ``joe`` and the
same three letters in Cyrillic, ``ANA`` and its Greek twin, or ``greg`` with a script g (U+0261):
every letter of each is from one script, so the single-script rule lets them in, and on a
terminal they are the same name. The skeleton maps every character to its prototype (Unicode's
confusables data, shipped as generated data so the server needs nothing but the standard
library).
"""

from __future__ import annotations

import unicodedata
from functools import cache

from papo.protocol.confusables_data import PROTOTYPES, UNICODE_VERSION

__all__ = ["UNICODE_VERSION", "skeleton"]


@cache
def _prototypes() -> dict[str, str]:
    """Parsed on first use, not at import: only registrations and renames need it."""
    table: dict[str, str] = {}
    for entry in PROTOTYPES.split(";"):
        if entry:
            source, target = entry.split(":")
            table[chr(int(source, 16))] = "".join(chr(int(h, 16)) for h in target.split())
    return table


def skeleton(text: str) -> str:
    """UTS #39 skeleton: decompose, map each character to its prototype, decompose again."""
    table = _prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)
