"""What the chat decides, for the shell to carry out: events to send, to broadcast to rooms,
drafts to number in the hub, and what became of a member (arrived, renamed, left).

Values only: the core returns them, the server's fan-out and its connection bookkeeping act on
them. Members are named by their Session (the identity), never by a connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from papo.core.bans import Ban
from papo.core.session import Session
from papo.core.shared import Route
from papo.protocol.commands import OutputFormat
from papo.protocol.events import Event, Leave, LeaveReason, RoomEvent


@dataclass(frozen=True, slots=True)
class Send:
    event: Event
    to: Session


@dataclass(frozen=True, slots=True)
class Broadcast:
    """An event for the members of its route's rooms (once each), as the route says."""

    event: Event
    route: Route


@dataclass(frozen=True, slots=True)
class Close:
    """The shell flushes what is queued for ``session``, then closes it."""

    session: Session


@dataclass(frozen=True, slots=True)
class Registered:
    """``session`` took its name: a member from now on (the shell stops its name timer)."""

    session: Session


@dataclass(frozen=True, slots=True)
class Renamed:
    session: Session
    old: str


@dataclass(frozen=True, slots=True)
class Departed:
    """``session`` left the chat, for ``reason``: the shell need not ask the chat whether.
    ``kick``: the leave of a member kicked out (who did it, why), for the server's log."""

    session: Session
    reason: LeaveReason
    kick: Leave | None = None


@dataclass(frozen=True, slots=True)
class Reformat:
    """From now on ``session``'s connection gets ``output`` (the codec is the connection's:
    the same member could be read as JSON here and through another door elsewhere)."""

    session: Session
    output: OutputFormat


@dataclass(frozen=True, slots=True)
class Held:
    """``session``'s connection dropped: it stays a member, unseen by others, until ``until``
    (wall clock), when the shell asks the chat whether it came back (``Chat.expire``)."""

    session: Session
    until: float


@dataclass(frozen=True, slots=True)
class Resumed:
    """The connection that registered as ``via`` is ``member``'s from now on (a resume):
    what is sent to ``member`` goes there."""

    member: Session
    via: Session


@dataclass(frozen=True, slots=True)
class AddressBanned:
    """``by`` banned the address ``ban`` keeps out with nobody there to kick (the one it was
    made for had left, ``reason``: why): the shell puts out whoever is at it (but operators)
    and says it in its log."""

    ban: Ban
    by: Session
    reason: str | None


Output = (
    Send
    | Broadcast
    | Close
    | Registered
    | Renamed
    | Departed
    | Reformat
    | Held
    | Resumed
    | AddressBanned
)


@dataclass(frozen=True, slots=True)
class Publish:
    """A decision's draft for the log, and whom its numbered event is for. The hub numbers it
    and keeps the route with it; ``Chat.apply`` then turns it into this server's deliveries."""

    draft: RoomEvent
    route: Route


Decided = Output | Publish
