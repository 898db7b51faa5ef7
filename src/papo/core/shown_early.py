"""Who was already shown what an event of this server says, before the log numbered it.

A welcome or a ``joined`` lists who is in a room, read from the shared state, where this
server's own changes (an arrival, a departure, a new name) are made at once. With a hub that
numbers later (several servers), the event that announces such a change comes back from the
log a moment after: a member shown the list meanwhile already has the change in it, and must
not be told it again (an arrival it listed, a departure of somebody it never saw). One process
numbers at once and never has anything on its way.

The drafts on their way come back in the order they were published (one writer, one log), so
a counter of each is enough to know which one comes back; a list is recorded only while some
are on their way, and forgotten once they are all back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection


class ShownEarly:
    __slots__ = ("_numbered", "_published", "_shown")

    def __init__(self) -> None:
        self._published = 0  # drafts of this server handed to the log to be numbered later
        self._numbered = 0  # of those, back from the log (or lost to it)
        # (the last draft the list had in it, member, room): in the order shown
        self._shown: deque[tuple[int, int, str]] = deque()

    def published(self) -> None:
        """A draft of this server went to the log, to come back numbered later."""
        self._published += 1

    def shown(self, member: int, room: str) -> None:
        """``member`` was just shown who is in ``room`` (by key)."""
        if self._published > self._numbered:
            self._shown.append((self._published, member, room))

    def came_back(self, rooms: Collection[str]) -> dict[int, set[str]]:
        """The next draft of this server came back numbered: the members who were shown a
        list of some of ``rooms`` (its rooms) that had it in already, and which."""
        self._numbered += 1
        shown = self._shown
        while shown and shown[0][0] < self._numbered:
            shown.popleft()
        early: dict[int, set[str]] = {}
        for _, member, room in shown:
            if room in rooms:
                early.setdefault(member, set()).add(room)
        return early

    def lost(self, count: int) -> None:
        """``count`` drafts of this server will never come back (the log lost them)."""
        for _ in range(count):
            self.came_back(())
