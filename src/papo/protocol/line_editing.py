"""Erasing as a terminal does, for a line client that sends each key as it is typed.

``telnet`` in character mode (and Windows' telnet, always) sends every key the moment it is
typed, Backspace included, and leaves the editing to the other end: ``helo``, Backspace, ``lo``,
Return arrives as ``helo\\x7flo``. Dropping control characters, as every message is cleaned,
then posted ``helolo``: the very typo its user had corrected. A line of a text-mode connection is
edited here as the terminal's own line discipline would have (``stty``'s erase, werase and
kill): Backspace or DEL takes back the character before it (a letter with its accents, as the
user saw one character), Ctrl-W the word before it, Ctrl-U the whole line so far. Lines of JSON
and IRC connections are programs' lines: they mean what they send, and are not edited.
"""

from __future__ import annotations

import re
import unicodedata

ERASE = "\x08\x7f"  # Backspace (^H) and DEL (^?): either is what the key sends, by terminal
ERASE_WORD = "\x17"  # ^W
ERASE_LINE = "\x15"  # ^U
_EDITING = re.compile(f"[{ERASE}{ERASE_WORD}{ERASE_LINE}]")


def edited(line: str) -> str:
    """``line`` as its user saw it when pressing Return (most lines: the same object)."""
    if _EDITING.search(line) is None:
        return line
    kept: list[str] = []
    for char in line:
        if char in ERASE:
            _erase_character(kept)
        elif char == ERASE_WORD:
            while kept and kept[-1].isspace():
                kept.pop()
            while kept and not kept[-1].isspace():
                kept.pop()
        elif char == ERASE_LINE:
            kept.clear()
        else:
            kept.append(char)
    return "".join(kept)


def _erase_character(kept: list[str]) -> None:
    """The last character seen: its combining marks, then the letter they sit on."""
    while kept and unicodedata.combining(kept[-1]):
        kept.pop()
    if kept:
        kept.pop()
