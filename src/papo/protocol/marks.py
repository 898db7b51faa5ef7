"""A point of the log as papo's lines name one: an event's id (what programs see; IRC's
``msgid``) or a time (RFC 3339, with its zone). ``/history`` pages a room's past from such
points (``papo.core.history_window``), and the IRC door reads CHATHISTORY's into them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Logged(Protocol):
    """What has a place in the log: an event."""

    @property
    def id(self) -> int: ...

    @property
    def ts(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Mark:
    """A point of the log: an event's id, or else a time."""

    id: int | None = None
    ts: float = 0.0

    def before(self, event: Logged) -> bool:
        """Whether ``event`` came before this point (not at it)."""
        return event.id < self.id if self.id is not None else event.ts < self.ts

    def after(self, event: Logged) -> bool:
        """Whether ``event`` came after this point (not at it)."""
        return event.id > self.id if self.id is not None else event.ts > self.ts

    def reached(self, event: Logged) -> bool:
        """Whether ``event`` is at this point or after it."""
        return not self.before(event)


def read_mark(word: str) -> Mark | None:
    """``1234`` (an id) or ``2026-12-06T10:00:00.000Z`` (a time, with its zone); None if
    it is neither."""
    if word.isascii() and word.isdigit():
        return Mark(id=int(word))
    try:
        when = datetime.fromisoformat(word.replace("Z", "+00:00"))
    except ValueError:
        return None
    return Mark(ts=when.timestamp()) if when.tzinfo is not None else None
