"""Bytes in, lines out.

The buffer is the first line of defence against hostile peers, so its limits are built in rather
than left to callers: a line can never grow past ``max_line_bytes`` in memory, and every byte is
scanned once however the stream is split (a peer that trickles one byte at a time must not make the
server rescan its whole buffer each time).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

DEFAULT_MAX_LINE_BYTES = 2048


class FramingError(Enum):
    """Why a line was refused; the values are the protocol's error codes."""

    LINE_TOO_LONG = "line_too_long"
    BAD_ENCODING = "bad_encoding"


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One complete line, decoded, without its terminator."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Refused:
    """A line that could not be accepted; the connection goes on after it."""

    error: FramingError


FrameEvent = Line | Refused


class LineBuffer:
    """Accumulates bytes and splits them into LF-terminated lines.

    A CR right before the LF is dropped (telnet sends CRLF). A line longer than the cap is
    reported once, as soon as it is known to be too long, and its bytes are dropped up to the
    next LF, so memory stays bounded while the peer keeps sending.
    """

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self.max_line_bytes = max_line_bytes
        self._buffer = bytearray()
        self._scanned = 0
        self._discarding = False

    @property
    def pending_bytes(self) -> int:
        """Bytes held for an unfinished line (for tests and memory accounting)."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[FrameEvent]:
        """Add bytes from the peer and return every event they complete, in order."""
        events: list[FrameEvent] = []
        buffer = self._buffer
        buffer += data
        start = 0
        position = self._scanned
        while True:
            newline = buffer.find(b"\n", position)
            if newline < 0:
                break
            if self._discarding:
                self._discarding = False
            else:
                events.append(self._complete(buffer, start, newline))
            start = position = newline + 1
        if start:
            del buffer[:start]
        if self._discarding:
            buffer.clear()
        elif len(buffer) > self.max_line_bytes + 1:
            # Even if the next byte is the LF and the last one a CR, the line is too long already.
            events.append(Refused(error=FramingError.LINE_TOO_LONG))
            self._discarding = True
            buffer.clear()
        self._scanned = len(buffer)
        return events

    def finish(self) -> list[FrameEvent]:
        """The peer closed its side: an unterminated last line still counts (``printf hi | nc``)."""
        if self._discarding or not self._buffer:
            self._buffer.clear()
            self._discarding = False
            return []
        event = self._complete(self._buffer, 0, len(self._buffer))
        self._buffer.clear()
        self._scanned = 0
        return [event]

    def _complete(self, buffer: bytearray, start: int, newline: int) -> FrameEvent:
        end = newline - 1 if newline > start and buffer[newline - 1] == 0x0D else newline
        # (At end of input ``newline`` is the buffer's length: a trailing CR is dropped the same.)
        if end - start > self.max_line_bytes:
            return Refused(error=FramingError.LINE_TOO_LONG)
        try:
            return Line(text=buffer[start:end].decode("utf-8"))
        except UnicodeDecodeError:
            return Refused(error=FramingError.BAD_ENCODING)
