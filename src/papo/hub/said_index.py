"""The messages and actions of each room that a bounded log holds, in the log's order; and
the private messages of each member.

``/history`` asks for the last few messages of one room. Read from the whole log, newest
first, that cost a pass over every event kept (10 000 by default) whenever the room was
quiet: 3 ms of the server's only core per line, which a client could ask twenty times a
second from each address. Indexed by room as they are logged, and dropped as the log drops
them, it costs what it returns. ``/history NAME`` asks for one's privates with somebody:
indexed by member the same way (each private under its sender and its recipient).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from functools import lru_cache

from papo.core.shared import Logged
from papo.protocol.events import Action, Message, Private
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


class PrivatesOfMembers:
    """The private messages a bounded log holds, by each member they were for, kept as
    ``SaidInRooms`` is."""

    __slots__ = ("_members",)

    def __init__(self) -> None:
        self._members: dict[int, deque[Logged]] = {}  # by member id

    def added(self, logged: Logged) -> None:
        event, route = logged
        if not isinstance(event, Private):
            return
        for member in route.to:
            said = self._members.get(member)
            if said is None:
                said = self._members[member] = deque()
            said.append(logged)

    def dropped(self, logged: Logged) -> None:
        """The log dropped its oldest, ``logged``: the oldest private of its members too."""
        event, route = logged
        if not isinstance(event, Private):
            return
        for member in route.to:
            said = self._members.get(member)
            if said is None or said[0] is not logged:
                continue
            said.popleft()
            if not said:
                del self._members[member]

    def privates_of(self, member: int) -> Sequence[Logged]:
        """The private messages that were for ``member``, oldest first."""
        return self._members.get(member, ())


def _said_in(logged: Logged) -> str | None:
    """The key of the room a logged message or action was said in (None for other events)."""
    event = logged[0]
    if isinstance(event, Message | Action) and event.room:  # "": of a protocol-1 log
        return _key_of(event.room)
    return None
