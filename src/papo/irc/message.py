"""IRC lines, both ways (RFC 1459/2812 with IRCv3 message tags), sans I/O.

A line is at most 512 bytes with its CR LF, tags apart: a client may drop a longer one, or cut
it inside a character. What can go on several lines (a message, a list of names or rooms, papo's
own words) is split to fit, never cut. What IRC has one line for (a topic, a part or quit reason,
an away text: papo allows 300 characters of any alphabet, up to 1 200 bytes) is shortened to fit,
ending in "…"; papo's own clients read it whole. Nothing a user wrote can start a line of its
own, nor reach a terminal as a control: no control character but CTCP's ``\x01`` (which papo puts
around an action) reaches a line. papo's text has none; what is put in a parameter here is
checked again, which is what cleans a client's own word echoed back (``421 \x1b[31m``).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINE_BYTES = 512  # with CR LF, tags not counted (IRCv3)
ELLIPSIS = "…"  # ends a parameter shortened to fit
_CONTROLS = {*range(0x20), 0x7F, *range(0x80, 0xA0)} - {0x01}  # C0 but CTCP's, DEL, C1
_FORBIDDEN = {code: " " if chr(code) in "\r\n\0\t" else None for code in _CONTROLS}


@dataclass(frozen=True, slots=True)
class IrcMessage:
    command: str  # upper case (a numeric stays as it is)
    params: tuple[str, ...] = ()
    source: str | None = None
    tags: tuple[tuple[str, str], ...] = ()

    def param(self, index: int, default: str = "") -> str:
        return self.params[index] if index < len(self.params) else default


def parse(line: str) -> IrcMessage | None:
    """One line from a client (without its line end); None when it holds no command."""
    rest = line.lstrip(" ")
    tags: list[tuple[str, str]] = []
    if rest.startswith("@"):
        raw, _, rest = rest[1:].partition(" ")
        for tag in raw.split(";"):
            key, _, value = tag.partition("=")
            if key:
                tags.append((key, value))
        rest = rest.lstrip(" ")
    source = None
    if rest.startswith(":"):
        source, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    words: list[str] = []
    while rest:
        if rest.startswith(":") and words:  # the trailing parameter: the rest, spaces and all
            words.append(rest[1:])
            break
        word, _, rest = rest.partition(" ")
        rest = rest.lstrip(" ")
        words.append(word)
    if not words:
        return None
    return IrcMessage(words[0].upper(), tuple(words[1:]), source, tuple(tags))


def line(command: str, *params: str, source: str | None = None, trailing: bool = True) -> str:
    """A line to send, without its line end. The last parameter is trailing (``:``): always
    (text, as clients expect it), or with ``trailing=False`` only when it must be (empty,
    has a space, or starts with ``:``), as in ``JOIN #room``. Too long for a line, its longest
    parameter is shortened (``split_lines`` keeps all of a text that may take several)."""
    head = [":" + source, command] if source else [command]
    clean = [param.translate(_FORBIDDEN) for param in params]
    words: list[str] = []
    for index, param in enumerate(clean):
        last = index == len(clean) - 1
        if last and (trailing or not param or " " in param or param.startswith(":")):
            words.append(":" + param)
        else:
            words.append(param.replace(" ", "_") or "*")
    built = " ".join(head + words)
    if len(built.encode()) <= MAX_LINE_BYTES - 2:
        return built
    return " ".join(head + _shortened(words, len(built.encode()) - (MAX_LINE_BYTES - 2)))


def _shortened(words: list[str], excess: int) -> list[str]:
    """``words`` (the parameters as sent) ``excess`` bytes shorter: the longest is what made the
    line too long (a text, or a client's own over-long word echoed in an error), and is cut
    at a character, ending in an ellipsis; the next longest too if that is not enough."""
    words = list(words)
    while excess > 0 and words:
        longest = max(range(len(words)), key=lambda index: len(words[index].encode()))
        word = words[longest]
        colon = ":" if word.startswith(":") and longest == len(words) - 1 else ""
        encoded = word.removeprefix(colon).encode()
        keep = max(len(encoded) - excess - len(ELLIPSIS.encode()), 0)
        cut = colon + encoded[:keep].decode("utf-8", "ignore") + ELLIPSIS
        if len(cut.encode()) >= len(word.encode()):
            break  # nothing left to cut: every word is down to its ellipsis
        words[longest] = cut
        excess -= len(word.encode()) - len(cut.encode())
    return words


def split_lines(command: str, *params: str, text: str, source: str | None = None) -> list[str]:
    """Lines of ``command`` with ``params``, then ``text`` as the trailing parameter, split
    over as many lines as it takes to fit (a message, a list of names): none of it is cut."""
    head = line(command, *params, "x", source=source)
    return [line(command, *params, piece, source=source) for piece in split_text(head, text)]


def split_text(head: str, text: str) -> list[str]:
    """``text`` in pieces that each fit a line after ``head`` (the line up to the trailing
    parameter), split at spaces where it can, never inside a UTF-8 character."""
    room = MAX_LINE_BYTES - 2 - len(head.encode()) - 2  # CR LF, " :"
    room = max(room, 16)
    pieces: list[str] = []
    while len(text.encode()) > room:
        cut = room
        encoded = text.encode()[:cut]
        piece = encoded.decode("utf-8", "ignore")
        space = piece.rfind(" ")
        if space > len(piece) // 2:
            piece = piece[:space]
        pieces.append(piece)
        text = text[len(piece) :].lstrip(" ")
    pieces.append(text)
    return pieces
