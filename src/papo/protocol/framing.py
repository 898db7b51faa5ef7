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

    Lines are taken one at a time (``receive`` then ``next_event``, as in h11), so a reader that
    may not act on every line at once (the flood limit) keeps the peer's bytes as they came,
    never a line object per line: 128 KiB of LFs is 128 KiB held, not 128 Ki objects.
    """

    __slots__ = ("_buffer", "_discarding", "_ended", "_scanned", "_start", "max_line_bytes")

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self.max_line_bytes = max_line_bytes
        self._buffer = bytearray()
        self._start = 0  # where the next line begins; bytes before it are spent
        self._scanned = 0  # bytes from _start on already known to hold no LF
        self._discarding = False
        self._ended = False

    @property
    def pending_bytes(self) -> int:
        """Bytes received and not yet taken as lines (for flow control and memory accounting)."""
        return len(self._buffer) - self._start

    def receive(self, data: bytes) -> None:
        """Add bytes from the peer; take what they complete with ``next_event``."""
        if self._start and self._start == len(self._buffer):
            self._buffer.clear()
            self._start = self._scanned = 0
        self._buffer += data

    def next_event(self) -> FrameEvent | None:
        """The next complete line (or refusal), or None until more bytes are received."""
        buffer = self._buffer
        while True:
            start = self._start
            newline = buffer.find(b"\n", start + self._scanned)
            if newline < 0:
                return self._incomplete()
            self._start, self._scanned = newline + 1, 0
            if self._discarding:
                self._discarding = False
                continue
            event = self._complete(buffer, start, newline)
            if self._start > 65536 and self._start * 2 > len(buffer):
                del buffer[: self._start]  # compact now and then, not once per line
                self._start = 0
            return event

    def drop_unterminated(self) -> None:
        """Forget the line still being typed; the complete lines before it stay (telnet's
        interrupt: the user gave up on it)."""
        last = self._buffer.rfind(b"\n", self._start)
        if last < 0:
            del self._buffer[self._start :]
            self._scanned = 0
            self._discarding = False  # the line too long was that one
        else:
            del self._buffer[last + 1 :]

    def end_of_input(self) -> None:
        """The peer closed its side: once the lines held are taken, an unterminated last line
        counts too (``printf hi | nc``)."""
        self._ended = True

    def _incomplete(self) -> FrameEvent | None:
        """No LF in what is left: drop it if it is being discarded or is already too long; at
        the end of input it is the last line."""
        pending = len(self._buffer) - self._start
        if self._ended:
            event = None
            if pending and not self._discarding:
                event = self._complete(self._buffer, self._start, len(self._buffer))
            self._discarding = False
            self._drop_pending()
            return event
        if self._discarding:
            self._drop_pending()
            return None
        if pending > self.max_line_bytes + 1:
            # Even if the next byte is the LF and the last one a CR, the line is too long already.
            self._discarding = True
            self._drop_pending()
            return Refused(error=FramingError.LINE_TOO_LONG)
        self._scanned = pending
        return None

    def _drop_pending(self) -> None:
        self._buffer.clear()
        self._start = self._scanned = 0

    def feed(self, data: bytes) -> list[FrameEvent]:
        """Add bytes from the peer and return every event they complete, in order."""
        self.receive(data)
        events: list[FrameEvent] = []
        while (event := self.next_event()) is not None:
            events.append(event)
        return events

    def finish(self) -> list[FrameEvent]:
        """The peer closed its side: every event still held, the unterminated last line too."""
        self.end_of_input()
        return self.feed(b"")

    def _complete(self, buffer: bytearray, start: int, newline: int) -> FrameEvent:
        end = newline - 1 if newline > start and buffer[newline - 1] == 0x0D else newline
        # (At end of input ``newline`` is the buffer's length: a trailing CR is dropped the same.)
        if end - start > self.max_line_bytes:
            return Refused(error=FramingError.LINE_TOO_LONG)
        try:
            return Line(text=buffer[start:end].decode("utf-8"))
        except UnicodeDecodeError:
            return Refused(error=FramingError.BAD_ENCODING)
