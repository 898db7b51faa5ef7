"""What the chat needs from the state every server of one chat must agree on.

Names (who holds which, and which look alike), who is in which room, the one id counter and
the log of what happened are not one process's to keep: with several servers they live in one
place all of them reach (Redis: ``papo.hub.redis_hub``), and in one process in ``papo.hub.memory``.
The chat asks for them through this interface, which the server hands it; the core imports no
hub (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from papo.core.bans import Ban
from papo.core.departures import Departure
from papo.core.holds import HoldRecord
from papo.protocol.events import RoomEvent

Numbered = TypeVar("Numbered", bound=RoomEvent)
DEFAULT_LOG_SIZE = 10_000  # events of the log kept (PROTOCOL.md's --log-size)


@dataclass(frozen=True, slots=True)
class Route:
    """Whom a logged event is for, by member id: the members of ``rooms`` but ``exclude`` and
    those in ``hidden_from`` (who ignore its author), and the members ``to``.

    It is kept in the log with its event, so that who an event was for can be asked again
    later: a member coming back after a dropped connection gets exactly what it missed.
    ``author`` is left out of a room's delivery only where its client showed the words
    already (the fan-out knows which); a program takes the echo as the confirmation that its
    line was accepted.
    """

    rooms: frozenset[str] = frozenset()
    to: tuple[int, ...] = ()
    exclude: int | None = None
    author: int | None = None
    hidden_from: tuple[int, ...] = ()

    def reaches(self, member: int, rooms: frozenset[str]) -> bool:
        """Whether the event was for ``member``, a JSON reader that was then in ``rooms``."""
        if member in self.to:
            return True
        if member == self.exclude or member in self.hidden_from:
            return False
        return not self.rooms.isdisjoint(rooms)


Logged = tuple[RoomEvent, Route]


class SharedState(Protocol):
    """Claims on names, the id counter and the log, behind one narrow interface."""

    def claim(self, name: str, holder: int) -> str | None:
        """Take ``name`` for ``holder`` (a member's id), or return the name held by somebody
        else that it is, or looks like (the UTS #39 skeleton). Re-claiming under the same
        holder (a rename to a look-alike of one's own name) is allowed."""
        ...

    def release(self, name: str, holder: int) -> None:
        """Give ``name`` up, if ``holder`` still holds it under that very spelling."""
        ...

    def holder(self, name: str) -> int | None:
        """Who holds ``name`` (compared as names are: case, width), if anybody."""
        ...

    def names(self) -> tuple[str, ...]:
        """Every name held, sorted by its casefolded form."""
        ...

    def count(self) -> int:
        """How many names are held."""
        ...

    def name_of(self, holder: int) -> str | None:
        """The name ``holder`` goes by (None: it holds none), wherever it is connected."""
        ...

    def since(self, holder: int) -> float | None:
        """When ``holder`` arrived, if known here (a member of another server)."""
        ...

    def set_away(self, holder: int, text: str | None) -> None:
        """``holder`` is away, with ``text`` (None: back)."""
        ...

    def aways(self) -> dict[int, str]:
        """Who is away, by holder, with their text."""
        ...

    def enter(self, room: str, holder: int, name: str) -> None:
        """``holder`` is in ``room`` (a room's key, as ``papo.protocol.names.room_key``; its
        ``name`` as spelled by whoever made it)."""
        ...

    def exit(self, room: str, holder: int) -> None:
        """``holder`` is no longer in ``room``."""
        ...

    def room_count(self, room: str) -> int:
        """How many are in ``room``."""
        ...

    def room_names(self, room: str) -> tuple[str, ...]:
        """The names of those in ``room``, sorted by their casefolded form."""
        ...

    def room_counts(self) -> dict[str, int]:
        """Every room somebody is in, with how many are in it."""
        ...

    def room_name(self, room: str) -> str | None:
        """The name of the room with key ``room``, while somebody is in it."""
        ...

    def rooms_of(self, holder: int) -> tuple[str, ...]:
        """The keys of the rooms ``holder`` is in."""
        ...

    def room_holders(self, room: str) -> Collection[int]:
        """Who is in ``room``, by holder."""
        ...

    def append(self, draft: Numbered, route: Route) -> Numbered | None:
        """Number ``draft`` (its id is ignored) with the next id, keep it in the log with whom
        it is for, return it; or None: it is numbered later, elsewhere (several servers), and
        comes back in the log's order to ``Chat.apply`` like everybody else's events."""
        ...

    def last_id(self) -> int:
        """The id of the newest event (0: none yet)."""
        ...

    def read_after(self, last_id: int) -> list[Logged]:
        """The logged events with an id above ``last_id``, in order (as far back as kept),
        each with its route."""
        ...

    def oldest_id(self) -> int:
        """The id of the oldest event kept (0: none): older ones can no longer be read."""
        ...

    def said_in(self, room: str) -> Sequence[Logged]:
        """The messages and actions of the log said in the room whose key is ``room``, oldest
        first, each with its route: ``/history``, without going through the whole log."""
        ...

    def privates_of(self, member: int) -> Sequence[Logged]:
        """The private messages of the log that were for ``member`` (sent or received),
        oldest first, each with its route: ``/history NAME``, likewise."""
        ...

    def lasting(self) -> list[RoomEvent]:
        """The events whose state outlives the log (``papo.core.lasting``: topics, locks,
        mutes) that the log no longer has, oldest first: read before the log by a chat
        starting."""
        ...

    def keep_token(self, holder: int, digest: bytes, first_id: int) -> None:
        """``holder`` may resume with the token of this digest (several servers: on any of
        them; ``first_id``: the newest id when it arrived)."""
        ...

    def drop_token(self, holder: int, digest: bytes) -> None:
        """That token is no longer ``holder``'s (used, replaced, or the member left)."""
        ...

    def keep_ignores(self, holder: int, ignoring: Collection[int], changed_at: int) -> None:
        """Whom ``holder`` ignores now, by member id, since the event ``changed_at``: a server
        that takes it over (several servers: a resume elsewhere) goes on ignoring them."""
        ...

    def keep_moves(self, holder: int, moves: Sequence[tuple[int, Collection[str]]]) -> None:
        """``holder``'s changes of rooms, as ``Session.moves``: what a replay on a server that
        takes it over is decided by."""
        ...

    def keep_operator(self, holder: int) -> None:
        """``holder`` is an operator now: so it stays on a server that takes it over (a resume
        elsewhere, a restart), and every server's ``/whois`` says so."""
        ...

    def is_operator(self, holder: int) -> bool:
        """Whether ``holder`` (a member of any server) is an operator, until it leaves."""
        ...

    def keep_address(self, holder: int, address: str) -> None:
        """``holder`` is connected from ``address`` (``Session.address``): a server that
        holds it later (after a restart, or in place of its own dead one) can still ban it."""
        ...

    def note_departure(self, name: str, address: str, when: float) -> None:
        """``name``'s holder, a member of this server connected from ``address``, left the
        chat at ``when`` (wall clock): an operator may still ban that address for a while
        (``papo.core.departures``), from any server."""
        ...

    def departure(self, name: str, now: float) -> Departure | None:
        """Where the last holder of ``name`` left from, if it left a short while ago (on any
        server of the chat that was running then)."""
        ...

    def ban(self, ban: Ban) -> None:
        """Keep ``ban.address`` out of the chat until ``ban.until``, on every server."""
        ...

    def banned(self, address: str, now: float) -> Ban | None:
        """The ban that keeps ``address`` out now, if any (asked of every new connection, so
        it is answered from this process's memory)."""
        ...

    def bans_in_force(self, now: float) -> list[Ban]:
        """Every ban in force, those ending first first."""
        ...

    def unban(self, name: str, now: float) -> list[Ban]:
        """Lift the bans made for ``name``, on every server; returns those that were in force."""
        ...

    def changed_members(self) -> Collection[int]:
        """The members whose state above (name, rooms, away text, token, ignores, moves,
        operator) changed since this was last asked, where the hub writes members down as they
        change (--store: a process that dies without stopping leaves them to the next); else
        none."""
        ...

    def keep_members(self, records: list[HoldRecord], gone: Collection[int]) -> None:
        """Write these members down as they are now, and forget the members ``gone``."""
        ...

    def keeps_holds(self) -> bool:
        """Whether held members outlive this process (the log does: a restart can resume)."""
        ...

    def keep_holds(self, holds: list[HoldRecord]) -> None:
        """Write down the members held when this process stops, for the next one."""
        ...

    def take_holds(self) -> list[HoldRecord]:
        """The holds a previous process wrote down (once: they are this process's now)."""
        ...
