"""What a server and a hub shared by several servers say to each other, beside the chat's
``SharedState``: kept free of any Redis import, so the server can speak it without the extra.

The hub reads the shared log and tells the server (``HubListener``); the server asks the hub
to claim names before the chat decides, and whether lines can be taken now (``Backplane``).
"""

from __future__ import annotations

from typing import Protocol

from papo.core.bans import Ban
from papo.core.holds import HoldRecord
from papo.core.shared import Numbered, Route, SharedState
from papo.protocol.events import RoomEvent


class Unavailable(Exception):
    """The shared state cannot be reached now: the line is refused, its sender told."""


class HubListener(Protocol):
    """What the server hears from the shared log (all called on the event loop)."""

    def logged(self, event: Numbered, route: Route, *, mine: bool) -> None:
        """The next event of the log (``mine``: published by this server)."""
        ...

    def missed(self, count: int, mine: int) -> None:
        """``count`` events were lost to this server (``mine`` of them its own)."""
        ...

    def recovered(self, events: list[RoomEvent]) -> None:
        """Events missed (``missed``) that set something for good (``papo.core.lasting``:
        a topic, a lock, a mute), oldest first, read from where they outlive the log: their
        state is taken, nobody is told of them (their ids are behind what was delivered)."""
        ...

    def gone(self, holders: list[int], holds: list[HoldRecord]) -> None:
        """These members' server is gone: this server announces their leaves, but holds
        those in ``holds`` (they can resume) for the grace."""
        ...

    def moved(self, holder: int) -> None:
        """That member resumed on another server: it is no longer this one's."""
        ...

    def banned(self, ban: Ban) -> None:
        """Another server banned an address (it held the member the ban was made for): this
        server's connections from it go too."""
        ...

    def buried(self) -> None:
        """The other servers took this one for dead (it did not renew its lease in time):
        its users are announced gone and its programs held elsewhere; it must stop."""
        ...

    def availability(self, available: bool) -> None:
        """The shared state can (not) be reached."""
        ...

    def members(self) -> list[HoldRecord]:
        """This server's members as a hold records them (everything the shared state keeps
        of a member), to be written back after it lost them."""
        ...


class Backplane(SharedState, Protocol):
    """A hub several servers share (``papo.hub.redis_hub``)."""

    def first_member_id(self) -> int:
        """Member ids made here start above this (each server has its own range)."""
        ...

    def available(self) -> bool:
        """Whether lines can be taken now."""
        ...

    async def reserve(self, name: str, holder: int) -> None:
        """Claim ``name`` for ``holder`` on every server before the chat's ``claim``; raises
        ``Unavailable``."""
        ...

    async def take(self, digest: bytes) -> HoldRecord | None:
        """The member whose resume token has this digest, taken over by this server (the
        token used up); None if none. Raises ``Unavailable``."""
        ...

    def follow(self, listener: HubListener) -> None:
        """Start reading the log for ``listener``."""
        ...

    async def hand_over(self) -> None:
        """Before a stop: wait (a bounded time, the same for every call of one stop) until
        the shared state has everything of this server's that it lacks, for its users to
        resume elsewhere."""
        ...

    async def close(self) -> None: ...
