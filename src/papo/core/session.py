"""What the chat knows of one member: who it is, where it talks, whom it ignores.

The identity, not the connection: the socket, its address, output format, flood bucket and
send queue are the shell's (``papo.server.connection``). The shell keeps one per client and the
core changes it; the fan-out reads ``room_set`` and ``current`` to know which bytes the client
shares with others.
"""

from __future__ import annotations


class Session:
    __slots__ = (
        "away",
        "current",
        "ignoring",
        "key",
        "last_active",
        "last_private_from",
        "name",
        "refused_names",
        "room_set",
        "rooms",
        "sid",
        "since",
    )

    def __init__(self, sid: int) -> None:
        self.sid = sid
        self.name: str | None = None
        self.key: str | None = None
        # Whom this session ignores (by session id: it follows a person through renames, and
        # ends when they leave), and who last wrote to it in private (for /r).
        self.ignoring: set[int] = set()
        self.last_private_from: tuple[int, str] | None = None
        self.refused_names = 0
        self.away: str | None = None  # the /away text, while away
        self.since = 0.0  # when it arrived (registered)
        self.last_active = 0.0  # when it last sent a line
        # The keys of the rooms it is in, the most recently joined last; the same as a set
        # (what the fan-out groups members by); the room a plain line goes to.
        self.rooms: list[str] = []
        self.room_set: frozenset[str] = frozenset()
        self.current: str | None = None

    def __repr__(self) -> str:
        return f"Session({self.sid}, {self.name!r})"

    def enter(self, key: str) -> None:
        """In room ``key`` (again), which becomes the current one."""
        if key in self.room_set:
            self.rooms.remove(key)
        self.rooms.append(key)
        self.room_set = frozenset(self.rooms)
        self.current = key

    def exit(self, key: str) -> None:
        """Out of room ``key``: the current room is the one it joined most recently."""
        self.rooms.remove(key)
        self.room_set = frozenset(self.rooms)
        self.current = self.rooms[-1] if self.rooms else None
