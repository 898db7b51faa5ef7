"""The messages and actions of each room that a bounded log holds, in the log's order.

``/history`` asks for the last few messages of one room. Read from the whole log, newest
first, that cost a pass over every event kept (10 000 by default) whenever the room was
quiet: 3 ms of the server's only core per line, which a client could ask twenty times a
second from each address. Indexed by room as they are logged, and dropped as the log drops
them, it costs what it returns.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from functools import lru_cache

from papo.core.shared import Logged
from papo.protocol.events import Action, Message
from papo.protocol.names import room_key

# A room's key is asked for every message logged: its few names are remembered.
_key_of = lru_cache(maxsize=1024)(room_key)


class SaidInRooms:
    """Kept beside a log that tells it what it adds and what it drops, oldest first: so each
    room's messages are exactly those of the log, and their memory is the log's."""

    __slots__ = ("_rooms",)

    def __init__(self) -> None:
        self._rooms: dict[str, deque[Logged]] = {}  # by room key

    def added(self, logged: Logged) -> None:
        key = _said_in(logged)
        if key is None:
            return
        said = self._rooms.get(key)
        if said is None:
            said = self._rooms[key] = deque()
        said.append(logged)

    def dropped(self, logged: Logged) -> None:
        """The log dropped its oldest, ``logged``: the oldest of its room too."""
        key = _said_in(logged)
        if key is None:
            return
        said = self._rooms.get(key)
        if said is None or said[0] is not logged:
            return
        said.popleft()
        if not said:
            del self._rooms[key]

    def said_in(self, key: str) -> Sequence[Logged]:
        """The messages and actions of the room whose key is ``key``, oldest first."""
        return self._rooms.get(key, ())


def _said_in(logged: Logged) -> str | None:
    """The key of the room a logged message or action was said in (None for other events)."""
    event = logged[0]
    if isinstance(event, Message | Action) and event.room:  # "": of a protocol-1 log
        return _key_of(event.room)
    return None
