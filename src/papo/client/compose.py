"""A message longer than the server takes, cut into messages that fit before it is sent.

The server refuses a line over its ``max_line_bytes`` (2048 by default), and what the user had
typed or pasted was then lost. A chat client cuts it instead, as IRC clients do: at the last
space that fits (the space itself is not sent), or between two characters when a piece has no
space, never inside a character's UTF-8 bytes. Only messages are cut: a command cut in two
would be a command and a message.
"""

from __future__ import annotations

from papo.protocol.commands import CommandError, Invoke, parse_line


def is_message(line: str) -> bool:
    """Whether the server takes ``line`` as a message, not a command: asked of the parser the
    server runs, so the ``//`` escape and leading spaces count as they do there."""
    return not isinstance(parse_line(line, registered=True), Invoke | CommandError)


def fit(line: str, limit: int) -> list[str]:
    """``line`` (a message) as lines of at most ``limit`` bytes, in order. A piece that would
    start with a slash gets the ``//`` escape, so it stays a message."""
    if len(line.encode()) <= limit:
        return [line]
    escaped = line.startswith("//")
    text = line[1:] if escaped else line
    pieces = cut(text, limit - 1)  # a byte kept for the escape any piece may need
    return ["/" + piece if piece.startswith("/") else piece for piece in pieces]


def cut(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` bytes, in order: at the last space that fits,
    or between two characters when a piece has none."""
    pieces: list[str] = []
    while len(text.encode()) > limit:
        # Whole characters only; at least one, whatever limit a server may announce.
        head = text.encode()[:limit].decode("utf-8", "ignore") or text[0]
        space = head.rfind(" ") if len(head) < len(text) and text[len(head)] != " " else len(head)
        if space > 0:
            pieces.append(head[:space])
            text = text[space:].lstrip()  # the server strips each line: " /x" would be a command
        else:
            pieces.append(head)
            text = text[len(head) :]
    if text:
        pieces.append(text)
    return pieces
