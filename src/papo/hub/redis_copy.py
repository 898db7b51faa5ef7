"""One server's copy of a chat shared in Redis, and how the other servers' changes apply to it.

The copy is a ``MemoryHub``, which the chat reads synchronously as it does in one process. What
a copy knows beyond it is about members of other servers: since when each is in the chat (their
own server's chat knows it of its own), and which server each depends on, where it is not the
one its id says (it resumed on another). Apart from the hub so that applying the stream's
changes is tested without Redis: the hub reads entries and hands their fields here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from papo.core.bans import Ban
from papo.core.shared import DEFAULT_LOG_SIZE
from papo.hub.memory import MemoryHub
from papo.hub.redis_records import ban_of, server_of


class Moved(NamedTuple):
    """A member now depends on another server's lease (``moved`` in the stream)."""

    holder: int
    # Taken over by a survivor that took this server for dead (its lease ran out).
    buried_here: bool


class ChatCopy(MemoryHub):
    """The chat's shared state as this server last read it from Redis."""

    def __init__(self, log_size: int = DEFAULT_LOG_SIZE) -> None:
        super().__init__(log_size)
        self._since: dict[int, float] = {}  # arrival of members of other servers
        self._moved_to: dict[int, int] = {}  # member -> its server, where its id says another

    def since(self, holder: int) -> float | None:
        return self._since.get(holder)

    def load_member(self, holder: int, state: Mapping[str, Any]) -> None:
        """A member as the snapshot keeps it (``redis_scripts.SNAPSHOT``: ``n`` its name,
        ``s`` its server, ``t`` its arrival, ``r`` its rooms, ``a`` away, ``p`` operator)."""
        self.claim(state["n"], holder)
        if int(state["s"]) != server_of(holder):
            self._moved_to[holder] = int(state["s"])
        self._since[holder] = float(state["t"])
        for key, name in (state.get("r") or {}).items():
            self.enter(key, holder, name)
        if state.get("a"):
            self.set_away(holder, state["a"])
        if state.get("p"):
            self.keep_operator(holder)

    def claim_over(self, name: str, holder: int) -> None:
        """Redis gave ``name`` to ``holder``: whoever the copy still has under it (or a
        look-alike of it) is gone, the copy being behind."""
        other = self.claim(name, holder)
        if other is not None:
            self.release(other, self.holder(other) or 0)
            self.claim(name, holder)

    def server_holding(self, holder: int) -> int:
        """The server whose lease ``holder`` depends on."""
        return self._moved_to.get(holder, server_of(holder))

    def moved(self, holder: int, server: int) -> None:
        self._moved_to[holder] = server

    def held_elsewhere(self, here: int) -> dict[int, list[int]]:
        """The members of each server but ``here`` that hold a name."""
        others: dict[int, list[int]] = {}
        for name in self.names():
            holder = self.holder(name)
            if holder is None:
                continue
            server = self.server_holding(holder)
            if server != here:
                others.setdefault(server, []).append(holder)
        return others

    def apply(
        self, kind: str, holder: int, a: str, b: str, here: int, now: float
    ) -> Moved | Ban | None:
        """Another server's change of ``holder`` (its step ``kind``, with its two values), as
        server ``here`` reads it at ``now``. What the server must act on is returned: a
        ``Moved`` when the member now depends on another server, a ``Ban`` just made."""
        match kind:
            case "claim":
                self.claim_over(a, holder)
                self._since.setdefault(holder, float(b or 0))
            case "release":
                self.release(a, holder)
                if b:  # a departure (not the old name of a rename): its address, for a ban
                    self.note_departure(a, b, now)
                if self.name_of(holder) is None:
                    self._since.pop(holder, None)
                    self._moved_to.pop(holder, None)
                    for room in self.rooms_of(holder):
                        self.exit(room, holder)
            case "enter":
                self.enter(a, holder, b)
            case "exit":
                self.exit(a, holder)
            case "away":
                self.set_away(holder, a or None)
            case "operator":
                self.keep_operator(holder)
            case "ban":
                ban = ban_of(a, b)
                self.ban(ban)
                return ban
            case "unban":
                self.lift_address(a)
            case "moved":
                was_mine = self.server_holding(holder) == here
                self._moved_to[holder] = int(a)
                return Moved(holder, buried_here=b == "buried" and was_mine)
        return None
