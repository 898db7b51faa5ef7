"""How much of a terminal a text takes: columns per character, rows per line, rows of a wrap.

The screen must know where a line it did not draw ends (to clear what readline drew), and the
view wraps long messages itself; counting characters gets both wrong as soon as a line holds an
emoji or a CJK character (two columns each) or an accent typed as a combining mark (none).
Pure functions, after the rules terminals and readline follow (wcwidth; a character's own
width is ``protocol.columns``'s). A wide character that does not fit in a row's last column
starts the next row. A text filled to the last column of its last row takes no more rows, but
readline's cursor is on the next row then, where the next character would go.

A newline in the text being typed (lines pasted at once, which readline holds as one until
Enter) starts a new row, as readline draws it: after a row filled to its last column, readline
has begun the next row already, and the newline begins one more. A tab goes to the next tab
stop, never past the row's end; a control character shows as ``^X``.
"""

from __future__ import annotations

import re

from papo.protocol.columns import char_width

TAB = 8  # columns between two tab stops
_PIECES = re.compile(r" +|[^ ]+")


def text_width(text: str) -> int:
    """The columns ``text`` takes on one row."""
    if text.isascii():
        return len(text)
    return sum(char_width(char) for char in text)


def rows_taken(text: str, columns: int) -> int:
    """The rows ``text`` fills, written from the start of a row ``columns`` wide (at least
    one: an empty line is a row too). An empty row that ends it (the text ends with a newline)
    is not counted: readline, once Enter is pressed, starts the next line there."""
    *ended, last = text.split("\n")
    rows = sum(_rows_to_newline(line, columns) for line in ended)
    return rows + _row_and_column(last, columns)[0] + 1 if last or not ended else rows


def cursor_row(text: str, at: int, columns: int) -> int:
    """The row (from 0) readline's cursor is on with ``text`` written and the cursor after its
    first ``at`` characters: on the next row when the next character no longer fits on this
    one, and after a row filled to its last column (readline moves it there, at the end of
    the text too)."""
    start = text.rfind("\n", 0, at) + 1
    above = sum(_rows_to_newline(line, columns) for line in text[:start].split("\n")[:-1])
    end = text.find("\n", start)
    line, at = (text[start:] if end < 0 else text[start:end]), at - start
    row, column = _row_and_column(line[:at], columns)
    if column >= max(columns, 2) or (
        at < len(line) and column + _drawn_widths(line[at])[0] > columns
    ):
        row += 1
    return above + row


def _rows_to_newline(line: str, columns: int) -> int:
    """The rows a line followed by a newline takes: one more when it fills its last row."""
    row, column = _row_and_column(line, columns)
    return row + 1 + (column >= max(columns, 2))


def _row_and_column(text: str, columns: int) -> tuple[int, int]:
    columns = max(columns, 2)
    if text.isascii() and text.isprintable():  # the usual case, without a loop
        row, column = divmod(len(text), columns)
        return (row - 1, columns) if row and not column else (row, column)
    row = column = 0
    for char in text:
        if char == "\t":  # to the next tab stop, or to the row's end (as readline draws it)
            if column >= columns:
                row, column = row + 1, 0
            column += min(TAB - column % TAB, columns - column)
            continue
        for width in _drawn_widths(char):
            if column + width > columns:
                row, column = row + 1, 0
            column += width
    return row, column


def _drawn_widths(char: str) -> tuple[int, ...]:
    """The columns readline draws a typed ``char`` in: a control character (pasted, or typed
    after Ctrl-V) as ``^X``, two narrow characters that a row's end may part."""
    if char < " " or char == "\x7f":
        return (1, 1)
    return (char_width(char),)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in rows of at most ``width`` columns, broken at spaces, and a word longer than
    a row between characters. The spaces where a row breaks are dropped (those that begin the
    text are kept)."""
    width = max(width, 2)
    rows: list[str] = []
    row, used = "", 0
    for piece in _PIECES.findall(text):
        size = text_width(piece)
        if used + size <= width:
            if piece[0] != " " or row or not rows:
                row, used = row + piece, used + size
            continue
        if row.strip():
            rows.append(row.rstrip(" "))
        row, used = "", 0
        if piece[0] == " ":
            continue  # where the row breaks
        while size > width:
            head, piece = _cut(piece, width)
            rows.append(head)
            size = text_width(piece)
        row, used = piece, size
    if row.strip() or not rows:
        rows.append(row.rstrip(" ") if rows else row)
    return rows


def _cut(word: str, width: int) -> tuple[str, str]:
    """The most of ``word`` that fits in ``width`` columns (at least one character), and
    the rest."""
    used = 0
    for index, char in enumerate(word):
        used += char_width(char)
        if used > width:
            return word[: max(index, 1)], word[max(index, 1) :]
    return word, ""
