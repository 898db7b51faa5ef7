"""Telnet's commands taken out of what a line client sends.

``telnet`` speaks in-band: a byte 255 (IAC) starts a command. Pointed at a chat it sends none
on connect, but Ctrl-C sends "interrupt process" (IAC IP), then IAC DO TIMING-MARK, after which
telnet throws away everything the server sends until the server answers. Left in the stream,
those bytes turned the user's next line into a ``bad_encoding`` refusal, and the user then saw
nothing more of the chat. Taken out here, an interrupt means what Ctrl-C means to any terminal
program: the user leaves.

Byte 255 never occurs in UTF-8, so no valid line loses a byte; the common case (no 255 in the
data) returns the data untouched. A command may be split across reads: the state carries over.
"""

from __future__ import annotations

from enum import IntEnum

IAC = 0xFF
_NEGOTIATE = frozenset({0xFB, 0xFC, 0xFD, 0xFE})  # WILL, WONT, DO, DONT: one option byte follows
_SUBNEGOTIATION = 0xFA  # SB: everything up to IAC SE
_SUBNEGOTIATION_END = 0xF0  # SE
_INTERRUPT = 0xF4  # IP: what telnet sends for Ctrl-C


class TelnetState(IntEnum):
    """Where the last read left off (kept by the connection, one small int)."""

    DATA = 0
    COMMAND = 1  # after IAC
    OPTION = 2  # after IAC WILL/WONT/DO/DONT
    SUBNEGOTIATION = 3  # inside IAC SB ...
    SUBNEGOTIATION_IAC = 4  # an IAC inside it: SE ends it


def strip_telnet(data: bytes, state: TelnetState) -> tuple[bytes, TelnetState, bool]:
    """``data`` without telnet commands, the state to pass with the next read, and whether an
    interrupt came (then what followed it is dropped: the user is leaving). IAC IAC, telnet's
    escape for a byte 255, stays a byte 255, which the line's UTF-8 check then refuses."""
    if state is TelnetState.DATA and IAC not in data:
        return data, state, False
    kept = bytearray()
    for byte in data:
        match state:
            case TelnetState.DATA:
                if byte == IAC:
                    state = TelnetState.COMMAND
                else:
                    kept.append(byte)
            case TelnetState.COMMAND:
                state = TelnetState.DATA
                if byte == IAC:
                    kept.append(IAC)
                elif byte in _NEGOTIATE:
                    state = TelnetState.OPTION
                elif byte == _SUBNEGOTIATION:
                    state = TelnetState.SUBNEGOTIATION
                elif byte == _INTERRUPT:
                    return bytes(kept), TelnetState.DATA, True
            case TelnetState.OPTION:
                state = TelnetState.DATA
            case TelnetState.SUBNEGOTIATION:
                if byte == IAC:
                    state = TelnetState.SUBNEGOTIATION_IAC
            case TelnetState.SUBNEGOTIATION_IAC:
                ended = byte == _SUBNEGOTIATION_END
                state = TelnetState.DATA if ended else TelnetState.SUBNEGOTIATION
    return bytes(kept), state, False
