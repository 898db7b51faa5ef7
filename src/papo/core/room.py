"""One room of the chat: its members, its recent history and its topic.

A room is a set of sessions, not of connections: the chat decides who is in it, the shell's
fan-out only reads it. Rooms other than the default one appear with their first member and go
with their last; what they said (history, topic) is kept a while longer by ``Dormant``, so a
room re-created soon after, or found in the log after a restart, still has them.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterator

from papo.core.session import Session
from papo.protocol.events import Action, Message

DORMANT_ROOMS = 1000  # empty rooms whose history and topic are kept, the least recent dropped


class Room:
    __slots__ = (
        "history",
        "key",
        "members",
        "name",
        "topic",
        "topic_at",
        "topic_by",
        "topic_locked",
    )

    def __init__(self, name: str, key: str, history: int) -> None:
        self.name = name  # as its creator spelled it
        self.key = key
        self.members: dict[int, Session] = {}  # of this process (all of them: the hub's)
        # Kept as the replays newcomers get (flagged once here, not once per newcomer).
        self.history: deque[Message | Action] = deque(maxlen=history)
        self.topic: str | None = None
        self.topic_by: str | None = None
        self.topic_at: float | None = None  # when it was set
        self.topic_locked = False  # only operators may change it (/locktopic)

    def __repr__(self) -> str:
        return f"Room({self.name!r}, {len(self.members)} members)"


class Dormant:
    """Empty rooms, kept for their history and topic: bounded, the least recently left first
    to go, so creating rooms by the thousand cannot grow memory without end."""

    def __init__(self, limit: int = DORMANT_ROOMS) -> None:
        self.limit = limit
        self._rooms: OrderedDict[str, Room] = OrderedDict()

    def __iter__(self) -> Iterator[Room]:
        return iter(self._rooms.values())

    def keep(self, room: Room) -> None:
        self._rooms[room.key] = room
        self._rooms.move_to_end(room.key)
        while len(self._rooms) > self.limit:
            self._rooms.popitem(last=False)

    def wake(self, key: str) -> Room | None:
        """The room, taken out of the dormant ones, if it was kept."""
        return self._rooms.pop(key, None)
