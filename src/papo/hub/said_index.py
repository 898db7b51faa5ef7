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
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Generic, TypeVar

from papo.core.shared import Logged
from papo.protocol.events import Action, Message, Private
from papo.protocol.names import room_key

# A room's key is asked for every message logged: its few names are remembered.
_key_of = lru_cache(maxsize=1024)(room_key)
K = TypeVar("K", str, int)  # a room's key, a member's id


class LogIndex(Generic[K]):
    """Events of a bounded log by key (a room, a member), each key's in the log's order.
    Kept beside a log that tells it what it adds and what it drops, oldest first: so each
    key's events are exactly the log's, and their memory is the log's."""

    __slots__ = ("_by_key", "_keys_of")

    def __init__(self, keys_of: Callable[[Logged], Iterable[K]]) -> None:
        # the keys an event is indexed under (none: not indexed)
        self._keys_of: Callable[[Logged], Iterable[K]] = keys_of
        self._by_key: dict[K, deque[Logged]] = {}

    def added(self, logged: Logged) -> None:
        for key in self._keys_of(logged):
            found = self._by_key.get(key)
            if found is None:
                found = self._by_key[key] = deque()
            found.append(logged)

    def dropped(self, logged: Logged) -> None:
        """The log dropped its oldest, ``logged``: the oldest of each of its keys too."""
        for key in self._keys_of(logged):
            found = self._by_key.get(key)
            if found is None or found[0] is not logged:
                continue
            found.popleft()
            if not found:
                del self._by_key[key]

    def of(self, key: K) -> Sequence[Logged]:
        """The events indexed under ``key``, oldest first."""
        return self._by_key.get(key, ())


def rooms_said_in(logged: Logged) -> tuple[str, ...]:
    """The key of the room a logged message or action was said in (none for other events,
    and for a protocol-1 log's, said in no room)."""
    event = logged[0]
    if isinstance(event, Message | Action) and event.room:
        return (_key_of(event.room),)
    return ()


def members_told(logged: Logged) -> tuple[int, ...]:
    """The members a logged private was for: its recipient and its sender (none for other
    events)."""
    event, route = logged
    return route.to if isinstance(event, Private) else ()
