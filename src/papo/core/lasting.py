"""What the log leaves behind that must outlive the log: rooms' topics, their locks, mutes.

Each of these is the state the newest event of its kind leaves (a room's topic is its last
``topic`` event), so a chat reads it from the log, in the log's order, on every server alike.
But the log is bounded (``--log-size``, and ``--history-days`` with ``--store``): a chat that
ran long enough would forget a 30-day mute, a lock or a year-old topic at its next restart,
and a server started late would never learn them. So every hub keeps, beside the log, the
newest event of each ``lasting_key``, and a chat starting reads those the log no longer has
before the log itself.

Bounded too, by keys rather than events: past ``LASTING_LIMIT`` keys, the one written least
recently goes (a topic of a room nobody has touched for ten thousand changes elsewhere).
"""

from __future__ import annotations

from collections import OrderedDict

from papo.protocol.events import Mute, RoomEvent, Topic
from papo.protocol.names import name_key, room_key

LASTING_LIMIT = 10_000  # keys kept at most (rooms' topics and locks, muted names)


def lasting_key(event: RoomEvent) -> str | None:
    """What ``event`` sets for good, until the next event of the same key: None for an event
    whose effect is only what it says (a message, an arrival)."""
    match event:
        case Topic(room=room, locked=locked):
            kind = "topic" if locked is None else "lock"
            return f"{kind} {room_key(room) if room else ''}"
        case Mute(name=name):
            return f"mute {name_key(name)}"
    return None


class Lasting:
    """The newest event of each lasting key, kept by a hub in this process."""

    __slots__ = ("_by_key", "_limit")

    def __init__(self, limit: int = LASTING_LIMIT) -> None:
        self._limit = limit
        self._by_key: OrderedDict[str, RoomEvent] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_key)

    def keep(self, event: RoomEvent) -> None:
        """Keep ``event`` if it sets something for good and is newer than what its key has
        (one read back from elsewhere may be older)."""
        if not isinstance(event, Topic | Mute):  # most events: one check, on the hot path
            return
        key = lasting_key(event)
        if key is None:
            return
        kept = self._by_key.get(key)
        if kept is not None and kept.id >= event.id:
            return
        self._by_key[key] = event
        self._by_key.move_to_end(key)
        while len(self._by_key) > self._limit:
            self._by_key.popitem(last=False)

    def events(self) -> list[RoomEvent]:
        """Every event kept, oldest first."""
        return sorted(self._by_key.values(), key=lambda event: event.id)

    def before(self, first_id: int) -> list[RoomEvent]:
        """The events kept that a log starting at ``first_id`` no longer has, oldest first
        (0: the log is empty, so all of them)."""
        return [event for event in self.events() if not first_id or event.id < first_id]
