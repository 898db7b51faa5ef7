"""Operators: whoever gives ``/oper`` the server's password, for the rest of the session;
``/kick`` puts somebody out of the chat, on whichever server holds them, and ``/ban`` keeps
the address they came from out for a while as well (``papo.core.bans``); ``/mute`` lets them
read but not talk for a while (``papo.core.mutes``).

A kick is a ``leave`` in the log like any other (reason ``kicked``, ``by`` its operator), so
it reaches every server in the log's order: the one holding the person kicked says goodbye
to them and closes their connection when the event comes back to it (``kick_in``), the
others tell whoever shared a room with them and remember the kick in case that server dies
before it reads it (``KickedElsewhere``); the kick needs nothing else between servers.
Being an operator is member state, kept by the hub (``keep_operator``) as ignores are: it
follows a resume to another server, and a restart with ``--store``.
"""

from __future__ import annotations

from papo.core.bans import DEFAULT_BAN_SECONDS, Ban, ban_seconds
from papo.core.chat_state import ChatState
from papo.core.departures import Departure
from papo.core.mutes import DEFAULT_MUTE_SECONDS
from papo.core.outputs import AddressBanned, Decided, Publish, Send
from papo.core.passwords import same_password
from papo.core.refusals import not_online
from papo.core.session import Session
from papo.core.shared import Route
from papo.protocol.events import (
    Error,
    ErrorCode,
    Leave,
    LeaveReason,
    Mute,
    Notice,
    NoticeCode,
    RoomEvent,
)
from papo.protocol.names import clean_message, sanitize_text

# Kicks of other servers' members remembered: a server dies within its lease (10 s by
# default), so only the last few matter; this many is far more than a chat makes in that time.
KICKS_REMEMBERED = 1024


def password_refusal(wanted: str | None, given: str, now: float) -> Error | None:
    """Why ``/oper given`` makes nobody an operator; None: it does. Compared in constant
    time: how long a refusal takes says nothing of how much of the password was right."""
    if wanted is None:
        return Error(ts=now, code=ErrorCode.NO_OPERATORS, command="oper")
    if not same_password(wanted, given):
        return Error(ts=now, code=ErrorCode.WRONG_PASSWORD, command="oper")
    return None


def made_operator(chat: ChatState, session: Session, now: float) -> list[Decided]:
    """An operator for the rest of its session, on whichever server it resumes."""
    chat.shared.keep_operator(session.sid)
    return [Send(Notice(ts=now, code=NoticeCode.OPERATOR), session)]


def kick(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    """``/kick NAME [REASON]``: NAME leaves the chat. Those who shared a room with them are
    told who did it and why, and so are the operator (wherever they are) and NAME, just
    before the goodbye."""
    name, _, reason = rest.partition(" ")
    return _put_out(chat, session, "kick", name, reason, None, now)


def ban(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    """``/ban NAME [TIME] [REASON]``: a kick whose ``leave`` says for how long (``ban``), so
    that the server holding NAME keeps their address out that long (it alone knows it). NAME
    gone a short while ago: the hub still knows where from, and that address is banned."""
    name, _, rest = rest.partition(" ")
    seconds, reason = _length_and_reason(rest, DEFAULT_BAN_SECONDS)
    gone = _just_left(chat, name, now)
    if gone is not None:
        return _ban_gone(chat, session, gone, seconds, reason, now)
    return _put_out(chat, session, "ban", name, reason, seconds, now)


def _just_left(chat: ChatState, name: str, now: float) -> Departure | None:
    """How ``name`` left, if nobody holds it now and it left a short while ago: what an
    operator's ``/ban`` or ``/mute`` still reaches."""
    return chat.shared.departure(name, now) if chat.holding(name) is None else None


def _ban_gone(
    chat: ChatState, session: Session, gone: Departure, seconds: int, reason: str, now: float
) -> list[Decided]:
    """``/ban`` of somebody who left a short while ago: the address they left from is kept
    out, and whoever else is there is put out, as if they had been kicked then. An address
    banned for longer already stays so (the operator is told until when)."""
    banned = ban_departed(chat, session, gone, now + seconds, clean_message(reason) or None, now)
    ends = chat.shared.banned(gone.address, now)
    until = (ends.until,) if ends is not None else ()
    told = Notice(ts=now, code=NoticeCode.BANNED_GONE, names=(gone.name,), until=until)
    return [Send(told, session)] if banned is None else [Send(told, session), banned]


def ban_departed(
    chat: ChatState, by: Session, gone: Departure, until: float, reason: str | None, now: float
) -> AddressBanned | None:
    """Keep out the address ``gone`` left from until ``until``, in ``by``'s name, unless it is
    banned that long already; the shell then puts out whoever is at it."""
    ban = Ban(gone.address, until, gone.name, by.name)
    return AddressBanned(ban, by, reason) if keep_out(chat, ban, now) else None


def keep_out(chat: ChatState, ban: Ban, now: float) -> bool:
    """Make ``ban``, on every server, unless its address is banned at least that long already
    (that ban then stays as it was made, for whom it was made): whether it was made. The
    kicks a ban makes come back here, and find their address banned."""
    kept = chat.shared.banned(ban.address, now)
    if kept is not None and kept.until >= ban.until:
        return False
    chat.shared.ban(ban)
    return True


def ban_of_one_gone(chat: ChatState, kick: Leave, route: Route) -> AddressBanned | None:
    """A ban that reaches the log after the one it was made for left (the operator's server
    had not yet read their leave as it decided; the stream has it before the ban; the chat
    asks only then): nobody is there to put out, so the operator's server bans the address
    they left from."""
    if not kick.ban or len(route.to) < 2:
        return None
    operator = chat.members.get(route.to[1])
    gone = chat.shared.departure(kick.name, kick.ts)
    if operator is None or gone is None:
        return None
    return ban_departed(chat, operator, gone, kick.ts + kick.ban, kick.text, kick.ts)


def mute(chat: ChatState, session: Session, rest: str, now: float) -> list[Decided]:
    """``/mute NAME [TIME] [REASON]``: NAME may read but not talk for TIME (ten minutes
    unless told). Told as a kick is: to those who share a room with NAME, to NAME and to
    the operator. NAME gone a short while ago: to the operator alone, and NAME, back under
    that name, is muted still (a mute is of the name)."""
    name, _, rest = rest.partition(" ")
    seconds, reason = _length_and_reason(rest, DEFAULT_MUTE_SECONDS)
    found = _somebody_else(chat, session, "mute", name, now)
    if not isinstance(found, list):
        spelt, route = found[1], _told_of(chat, session, found[0])
    elif gone := _just_left(chat, name, now):
        spelt, route = gone.name, Route(to=(session.sid,))  # back under it, still muted
    else:
        return found
    by = session.name or ""
    muted = Mute(
        ts=now, id=0, name=spelt, by=by, seconds=seconds, text=clean_message(reason) or None
    )
    return [Publish(muted, route)]


def unmute(chat: ChatState, session: Session, name: str, now: float) -> list[Decided]:
    """``/unmute NAME``: NAME may talk again, told to whom the mute was (NAME may have left
    the chat since: then to the operator alone)."""
    if chat.mutes.until(name, now) is None:
        return [Send(Error(ts=now, code=ErrorCode.NOT_MUTED, name=sanitize_text(name)), session)]
    held = chat.holding(name)
    spelt = held[1] if held is not None else sanitize_text(name)
    route = _told_of(chat, session, held[0]) if held is not None else Route(to=(session.sid,))
    return [Publish(Mute(ts=now, id=0, name=spelt, by=session.name or "", seconds=0), route)]


def _length_and_reason(rest: str, default: int) -> tuple[int, str]:
    """``[TIME] [REASON]``: a first word that is no length is the start of the reason."""
    first, _, after = rest.partition(" ")
    seconds = ban_seconds(first)
    return (default, rest) if seconds is None else (seconds, after)


def _somebody_else(
    chat: ChatState, session: Session, command: str, name: str, now: float
) -> tuple[int, str] | list[Decided]:
    """Who holds ``name`` and how it is spelt, or why an operator's ``command`` cannot be
    about them (not online, or the operator themself)."""
    held = chat.holding(name)
    if held is None:
        return not_online(session, name, now)
    if held[0] == session.sid:  # /quit says it better
        yourself = Error(ts=now, code=ErrorCode.USAGE, command=command, extra={"yourself": "1"})
        return [Send(yourself, session)]
    return held


def _told_of(chat: ChatState, session: Session, victim: int) -> Route:
    """What an operator does to ``victim``, told to the rooms it is in (not quiet ones),
    to it first and to the operator once, wherever they are."""
    told = chat.rooms_told(chat.shared.rooms_of(victim))
    return Route(told, to=(victim, session.sid), exclude=victim, hidden_from=(session.sid,))


def _put_out(
    chat: ChatState,
    session: Session,
    command: str,
    name: str,
    reason: str,
    ban_for: int | None,
    now: float,
) -> list[Decided]:
    found = _somebody_else(chat, session, command, name, now)
    if isinstance(found, list):
        return found
    victim, spelt = found
    leave = Leave(
        ts=now,
        id=0,
        name=spelt,
        reason=LeaveReason.KICKED,
        text=clean_message(reason) or None,
        by=session.name,
        ban=ban_for,
    )
    return [Publish(leave, _told_of(chat, session, victim))]


def put_out_at(chat: ChatState, ban: Ban, now: float) -> list[Decided]:
    """Everyone of this server at an address just banned, held or connected, is put out as
    the one the ban was made for was, in its operator's name and for the time it has left:
    a flooder's other connections go with it, on every server (each puts out its own), not
    one ``/kick`` at a time. Operators stay (the one who banned may share the address)."""
    seconds = int(ban.until - now)  # never past the ban's end: the kicks it makes ban no more
    if seconds <= 0:
        return []
    decided: list[Decided] = []
    shared = chat.shared
    for member in chat.members.values():
        if member.address != ban.address or member.name is None or shared.is_operator(member.sid):
            continue
        leave = Leave(
            ts=now, id=0, name=member.name, reason=LeaveReason.KICKED, by=ban.by, ban=seconds
        )
        told = chat.rooms_told(chat.shared.rooms_of(member.sid))
        decided.append(Publish(leave, Route(told, to=(member.sid,), exclude=member.sid)))
    return decided


def unban(chat: ChatState, session: Session, name: str, now: float) -> list[Decided]:
    """``/unban NAME``: the addresses banned for NAME may come back, on every server."""
    lifted = chat.shared.unban(name, now)
    if not lifted:
        return [Send(Error(ts=now, code=ErrorCode.NOT_BANNED, name=name), session)]
    names = (lifted[0].name,)
    return [Send(Notice(ts=now, code=NoticeCode.UNBANNED, names=names, count=len(lifted)), session)]


def bans(chat: ChatState, session: Session, now: float) -> list[Decided]:
    """``/bans``: for whom each ban in force was made, and until when (never an address)."""
    in_force = chat.shared.bans_in_force(now)
    names = tuple(ban.name for ban in in_force)
    until = tuple(ban.until for ban in in_force)
    listed = Notice(ts=now, code=NoticeCode.BANS, names=names, count=len(names), until=until)
    return [Send(listed, session)]


def kick_in(event: RoomEvent, route: Route) -> tuple[int, Leave] | None:
    """The member a logged event puts out of the chat (of this server or another), if it is
    a kick, with the kick."""
    if not isinstance(event, Leave) or event.reason is not LeaveReason.KICKED or not route.to:
        return None
    return route.to[0], event


class KickedElsewhere:
    """Members of other servers that the log says were kicked, the last ``KICKS_REMEMBERED``.

    Their own server puts them out when it reads the kick. If it dies first, the survivors
    take its members over: one kicked must then neither be held for a resume (its token
    would bring it back, the kick undone) nor be announced leaving a second time."""

    __slots__ = ("_members",)

    def __init__(self) -> None:
        self._members: dict[int, None] = {}  # in the order kicked

    def note(self, member: int) -> None:
        self._members[member] = None
        if len(self._members) > KICKS_REMEMBERED:
            del self._members[next(iter(self._members))]

    def __contains__(self, member: object) -> bool:
        return member in self._members
