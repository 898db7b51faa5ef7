"""Telnet's commands taken out of what a text-mode line client sends.

``telnet`` speaks in-band: a byte 255 (IAC) starts a command. Pointed at a chat it sends none
on connect, but Ctrl-C sends "interrupt process" (IAC IP), then IAC DO TIMING-MARK, after which
telnet throws away everything the server sends until the server answers. Left in the stream,
those bytes turned the user's next line into a ``bad_encoding`` refusal, and the user then saw
nothing more of the chat. Taken out here, an interrupt means what Ctrl-C means to any terminal
program: the user leaves.

Only what telnet really sends is taken: a command byte (240-254) after IAC, and options of the
telnet registry (0-49, 255) after WILL, WONT, DO, DONT or SB. Any other byte after IAC
(``\xff\n``, ``\xff\xfe\xfd``...) stays as it came, so a line of broken UTF-8 is still refused
as one. A subnegotiation not closed within ``MAX_SUBNEGOTIATION`` bytes is not one, so a stray
IAC SB cannot swallow what follows. Byte 255 never occurs in UTF-8: no valid line loses a byte,
and the common case (no 255 in the data) returns the data untouched. A command may be split
across reads: its start waits for the next one.

In character mode (``mode character`` at telnet's prompt) Return is sent as CR NUL, telnet's
way of writing a carriage return alone, where a line ends with LF: no line of such a user ever
ended, and nothing they typed reached the chat. CR NUL is taken as CR LF, split across reads
too (a NUL anywhere else stays, and is cleaned out of the line as any control character).
Their other keys, Backspace included, come as typed: ``line_editing`` makes the line of them.
Such a telnet asks the server to echo (``DO ECHO``): the read that asks says so in its state,
and the connection answers ``WILL_ECHO`` and echoes from then on (``line_editing.KeyEcho``),
until telnet goes back to line mode and says ``DONT ECHO`` (answered ``WONT_ECHO``): its
terminal shows what is typed again, and an echo on top would show each line twice. Its Ctrl-C
is then a key like the others, a byte 3 rather than IAC IP: ``line_editing.KeyEcho`` finds it.

With the echo, papo asks for the window's size (``DO NAWS``, RFC 1073): a line typed past the
terminal's width wraps onto the next row, and only knowing the width can the echo clear all of
its rows or take back a character across the wrap. Telnet tells it (``IAC SB NAWS`` with the
width and height, again at each resize), and the read that does says the width in its state.
"""

from __future__ import annotations

from dataclasses import dataclass

IAC = 0xFF
_WILL, _WONT, _DO, _DONT = 0xFB, 0xFC, 0xFD, 0xFE
_NEGOTIATE = frozenset({_WILL, _WONT, _DO, _DONT})  # one option byte follows each
_SUBNEGOTIATION = 0xFA  # SB: an option, then everything up to IAC SE
_SUBNEGOTIATION_END = 0xF0  # SE
_INTERRUPT = 0xF4  # IP: what telnet sends for Ctrl-C
_FIRST_COMMAND = 0xF0
_ECHO, _SUPPRESS_GO_AHEAD, _WINDOW_SIZE = 0x01, 0x03, 0x1F  # 31: NAWS
# papo's answer to DO ECHO: it echoes, and sends no go-ahead (it never did): character mode;
# and it asks how wide the window is.
WILL_ECHO = bytes((IAC, _WILL, _ECHO, IAC, _WILL, _SUPPRESS_GO_AHEAD, IAC, _DO, _WINDOW_SIZE))
# ... and to DONT ECHO (which comes with DONT SUPPRESS-GO-AHEAD): back to line mode.
WONT_ECHO = bytes((IAC, _WONT, _ECHO, IAC, _WONT, _SUPPRESS_GO_AHEAD))
_OPTIONS = frozenset((*range(50), 0xFF))  # the IANA telnet options, EXOPL included
MAX_SUBNEGOTIATION = 64  # bytes: window sizes and terminal types are far shorter


@dataclass(frozen=True, slots=True)
class TelnetState:
    """Where the last read left off: the bytes of a command not yet complete (the connection
    keeps the one shared empty state until a read ends inside a command, which is rare)."""

    held: bytes = b""
    after_cr: bool = False  # the last byte kept was a CR: a NUL first in the next is CR NUL's
    # This read asked the server to echo (DO ECHO: True) or to stop (DONT ECHO: False); None:
    # it said nothing of it.
    echo: bool | None = None
    width: int | None = None  # the window's width, if this read told it (NAWS; 0: unknown)


CLEAR = TelnetState()


def strip_telnet(data: bytes, state: TelnetState) -> tuple[bytes, TelnetState, bool]:
    """``data`` without telnet commands, the state to pass with the next read, and whether an
    interrupt came (then what followed it is dropped: the user is leaving). IAC IAC, telnet's
    escape for a byte 255, stays a byte 255, which the line's UTF-8 check then refuses."""
    if state is CLEAR and IAC not in data and 0 not in data:
        return data, (CLEAR if data[-1:] != b"\r" else _AFTER_CR), False
    data = state.held + data
    if state.after_cr and data[:1] == b"\0":
        data = b"\n" + data[1:]
    kept = bytearray()
    echo: bool | None = None
    width: int | None = None
    at, end = 0, len(data)
    while at < end:
        iac = data.find(IAC, at)
        if iac < 0:
            kept += data[at:]
            break
        kept += data[at:iac]
        size = _command_size(data, iac)
        if size is None:  # the read ended inside a command: the rest waits for the next one
            return (*_ended(kept, data[iac:], echo, width), False)
        if size == 0:  # not a command telnet sends: the byte stays, for the UTF-8 check
            kept.append(IAC)
            at = iac + 1
            continue
        command = data[iac + 1]
        if command == IAC:
            kept.append(IAC)
        elif command == _INTERRUPT:
            return _ended(kept, b"", None, None)[0], CLEAR, True
        elif command in (_DO, _DONT) and data[iac + 2] == _ECHO:
            echo = command == _DO
        elif command == _SUBNEGOTIATION and data[iac + 2] == _WINDOW_SIZE:
            width = _width_in(data[iac + 3 : iac + size - 2], width)
        at = iac + size
    return (*_ended(kept, b"", echo, width), False)


_AFTER_CR = TelnetState(after_cr=True)


def _ended(
    kept: bytearray, held: bytes, echo: bool | None, width: int | None
) -> tuple[bytes, TelnetState]:
    """What a read kept, its CR NULs as CR LFs, and the state for the next read."""
    text = bytes(kept).replace(b"\r\0", b"\r\n")
    after_cr = text[-1:] == b"\r"
    if held or after_cr or echo is not None or width is not None:
        return text, TelnetState(held, after_cr, echo, width)
    return text, CLEAR


def _width_in(told: bytes, before: int | None) -> int | None:
    """The width in a NAWS subnegotiation's bytes (width and height, two bytes each, a 255 in
    them doubled as IAC IAC); one that is not four bytes says nothing (``before`` stands)."""
    told = told.replace(bytes((IAC, IAC)), bytes((IAC,)))
    return told[0] * 256 + told[1] if len(told) == 4 else before


def _command_size(data: bytes, iac: int) -> int | None:
    """How many bytes the command at ``iac`` takes; 0 if it is none; None if it is not whole
    yet."""
    if iac + 1 >= len(data):
        return None
    command = data[iac + 1]
    if command < _FIRST_COMMAND:
        return 0
    if command in _NEGOTIATE or command == _SUBNEGOTIATION:
        if iac + 2 >= len(data):
            return None
        if data[iac + 2] not in _OPTIONS:
            return 0
        if command in _NEGOTIATE:
            return 3
        closing = data.find(bytes((IAC, _SUBNEGOTIATION_END)), iac + 3)
        if closing >= 0:
            return closing + 2 - iac
        if len(data) - iac > MAX_SUBNEGOTIATION:
            return 0  # never closed: not telnet after all, and it swallows nothing
        return None
    return 2
