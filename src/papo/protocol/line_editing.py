"""Erasing as a terminal does, for a line client that sends each key as it is typed.

``telnet`` in character mode (and Windows' telnet, always) sends every key the moment it is
typed, Backspace included, and leaves the editing to the other end: ``helo``, Backspace, ``lo``,
Return arrives as ``helo\\x7flo``. Dropping control characters, as every message is cleaned,
then posted ``helolo``: the very typo its user had corrected. A line of a text-mode connection is
edited here as the terminal's own line discipline would have (``stty``'s erase, werase and
kill): Backspace or DEL takes back the character before it (a letter with its accents, as the
user saw one character), Ctrl-W the word before it, Ctrl-U the whole line so far. Lines of JSON
and IRC connections are programs' lines: they mean what they send, and are not edited.

Such a telnet also asks the server to echo (it shows nothing of what its user types itself):
``KeyEcho`` writes back what the terminal would have shown, an erased character rubbed out
(``\\b \\b``, twice for a wide one), by the same rules as the line the chat gets. Its terminal
is raw then, output included: a line of the chat must end in CR LF (telnet's new line) or the
next starts where the last ended; and one that comes while its user types would land in the
middle of their words, so the half-typed line is cleared first and drawn again below it.
A line typed past the terminal's width wraps onto the rows below; once telnet has said how wide
its window is (NAWS), all of those rows are cleared before the chat's line, and a character taken
back across a wrap is rubbed out by drawing the line again (``\b`` does not go up a row, nor
back over a character in a row's last column). Without the width, only the last row can be.
Its Ctrl-C comes as a key too (a byte 3, not telnet's IP): an interrupt, the user leaves; and,
knowing the line, a Ctrl-D typed on an empty one ends the input, as in a shell. Only for such a
telnet: from ``nc`` a byte 3 or 4 is data (a file piped in), cleaned out of its line.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from papo.protocol.columns import char_width

ERASE = "\x08\x7f"  # Backspace (^H) and DEL (^?): either is what the key sends, by terminal
ERASE_WORD = "\x17"  # ^W
ERASE_LINE = "\x15"  # ^U
INTERRUPT, END_OF_INPUT = 0x03, 0x04  # ^C, ^D: bytes, as they come
_INTERRUPTS = re.compile(b"[\x03\x04]")
CLEAR_ROW = b"\r\x1b[K"  # to the row's start, and clear it (ANSI, as every terminal does)
CLEAR_BELOW = "\x1b[J"  # clear from the cursor to the end of the screen
ECHOED_AT_MOST = 4096  # characters of one line: past it the line is refused (too long) anyway
_EDITING_KEYS = ERASE + ERASE_WORD + ERASE_LINE
_EDITING = re.compile(f"[{_EDITING_KEYS}]")


class TypedLine:
    """The line so far, key by key: what a key takes back, if it is an erasing one."""

    __slots__ = ("chars",)

    def __init__(self) -> None:
        self.chars: list[str] = []

    def key(self, char: str) -> list[str]:
        """Type ``char``: the characters it took back (none for any other key, kept)."""
        kept = self.chars
        if char in ERASE:
            at = len(kept)
            while at and unicodedata.combining(kept[at - 1]):  # its marks, then the letter
                at -= 1
            at = max(at - 1, 0)
        elif char == ERASE_WORD:
            at = len(kept)
            while at and kept[at - 1].isspace():
                at -= 1
            while at and not kept[at - 1].isspace():
                at -= 1
        elif char == ERASE_LINE:
            at = 0
        else:
            kept.append(char)
            return []
        taken = kept[at:]
        del kept[at:]
        return taken


def edited(line: str) -> str:
    """``line`` as its user saw it when pressing Return (most lines: the same object)."""
    if _EDITING.search(line) is None:
        return line
    typed = TypedLine()
    for char in line:
        typed.key(char)
    return "".join(typed.chars)


class KeyEcho:
    """What to write back as a telnet user types, for a terminal that shows nothing itself.
    Bytes in as they come (a character split across reads waits for the rest)."""

    __slots__ = ("_decoder", "_ends", "_line", "_resized_to", "_width")

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._line = TypedLine()
        self._width: int | None = None  # the terminal's columns, once telnet says (NAWS)
        # Where the cursor is (row, column) after each character typed, as the terminal wraps
        # them (known only with the width): column == width is a full row whose wrap waits for
        # the next character.
        self._ends: list[tuple[int, int]] = []
        self._resized_to: int | None = None  # a width told while a line was being typed

    def resized(self, width: int) -> None:
        """The terminal is ``width`` columns wide (0: telnet does not know): from now on, or,
        with a line half typed, from the next. Working out again where each character of
        a line of 4 096 went, for every 9 bytes a client may send, would cost the server far
        more than the client; and how a terminal shows a line typed before a resize (moved
        to the new width, or left as it was) varies anyway."""
        if self._line.chars:
            self._resized_to = width
        else:
            self._width = width or None

    def around(self, output: bytes) -> bytes:
        """``output`` of the chat as this terminal must get it: CR LF new lines, and the line
        being typed moved below it."""
        output = output.replace(b"\n", b"\r\n")
        if not self._line.chars:
            return output
        return self._cleared().encode() + output + self._typed().encode()

    def typed(self, data: bytes) -> tuple[bytes, int | None]:
        """What to write back for ``data``, keys as typed; and where its user left, if they
        did: the offset of a Ctrl-C, or of a Ctrl-D typed on an empty line, which ends input
        in a terminal (on a line with something typed it is a key like any other, and cleaned
        out of the line)."""
        shown: list[bytes] = []
        at = 0
        while (found := _INTERRUPTS.search(data, at)) is not None:
            stop = found.start()
            shown.append(self._keys(data[at:stop]))
            if data[stop] == INTERRUPT or not self._line.chars:
                return b"".join(shown), stop
            at = stop + 1
            shown.append(self._keys(data[stop:at]))  # a key like any other: kept, not shown
        shown.append(self._keys(data[at:]))
        return b"".join(shown), None

    def _keys(self, data: bytes) -> bytes:
        shown: list[str] = []
        for char in self._decoder.decode(data):
            if char == "\n":  # Return (CR NUL was made CR LF): the line is the chat's now
                shown.append("\r\n")
                self._line = TypedLine()
                self._emptied()
            elif char == "\r":  # of CR LF
                continue
            elif len(self._line.chars) < ECHOED_AT_MOST or char in _EDITING_KEYS:
                taken = self._line.key(char)
                if taken:
                    shown.append(self._rubbed_out(taken))
                    if not self._line.chars:
                        self._emptied()
                elif char in _EDITING_KEYS:
                    continue  # nothing before it to take back
                else:
                    self._place(char)
                    if char.isprintable():
                        shown.append(char)
        return "".join(shown).encode()

    def _emptied(self) -> None:
        """Nothing typed any more: a width told meanwhile holds from here."""
        self._ends = []
        if self._resized_to is not None:
            self._width, self._resized_to = self._resized_to or None, None

    def _place(self, char: str) -> None:
        """Where the cursor is once ``char`` is shown, as the terminal wraps it: a character
        that does not fit the row (a wide one in its last column) goes to the next."""
        width = self._width
        if width is None:
            return
        row, column = self._cursor()
        columns = _columns(char)
        if columns and column + columns > width:
            row, column = row + 1, 0
        self._ends.append((row, column + columns))

    def _rubbed_out(self, taken: list[str]) -> str:
        """What shows ``taken`` (the last characters typed) gone: each column rubbed out, or,
        where that would go up a row or back from a row's end, the line drawn again."""
        columns = sum(_columns(each) for each in taken)
        rub_out = "\b" * columns + " " * columns + "\b" * columns
        if self._width is None:
            return rub_out
        row, column = self._cursor()
        del self._ends[len(self._ends) - len(taken) :]
        if not columns or (self._cursor()[0] == row and column < self._width):
            return rub_out
        return self._cleared(row) + self._typed()

    def _cleared(self, row: int | None = None) -> str:
        """To the start of the typed line, its rows cleared (``row``: the cursor's, if not
        where the line typed now ends)."""
        if self._width is None:
            return CLEAR_ROW.decode()
        if row is None:
            row = self._cursor()[0]
        return "\r" + (f"\x1b[{row}A" if row else "") + CLEAR_BELOW

    def _cursor(self) -> tuple[int, int]:
        """Where the cursor is (row, column) after what is typed (nothing: its start)."""
        return self._ends[-1] if self._ends else (0, 0)

    def _typed(self) -> str:
        return "".join(char for char in self._line.chars if char.isprintable())


def _columns(char: str) -> int:
    """As shown back: a control character (a tab, an escape) was not shown at all, and the
    chat cleans it out of the line."""
    return char_width(char) if char.isprintable() else 0
