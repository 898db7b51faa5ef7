"""What the server does when the chat puts somebody out: the bans it alone can make, and the
others at a banned address it puts out.

A kick is decided by the chat and carried out like any departure; a ``/ban`` needs more of the
shell, which alone knows where each connection comes from: the address to keep out (that of the
member kicked, known only to the server that held it), the connections still without a name at
that address, and whether the operator shares it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from papo.core import operators
from papo.core.bans import Ban
from papo.core.chat import Chat
from papo.core.outputs import AddressBanned, Close, Output, Send
from papo.core.session import Session
from papo.protocol.events import (
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Leave,
    Mute,
    Notice,
    NoticeCode,
    Topic,
)
from papo.protocol.timestamps import format_timestamp
from papo.server.connection import Connection

log = logging.getLogger("papo.server")


class Moderation:
    """Kicks and bans as this server carries them out, for ``chat`` and its connections
    (``outlets``, by member id: the fan-out's)."""

    def __init__(self, chat: Chat, outlets: Mapping[int, Connection]) -> None:
        self.chat = chat
        self.outlets = outlets

    def kicked_out(self, member: Session, kick: Leave) -> list[Output]:
        """Said in the log of the server that held the member. A ban puts out the others at
        its address, and one that keeps out the operator's own address as well is said to
        the operator."""
        why = f": {kick.text}" if kick.text else ""
        log.info("%r kicked out by %r%s", member.name, kick.by, why)
        ban = self._ban(member, kick.ts + kick.ban, kick.by) if kick.ban else None
        if ban is None:
            return []
        told = self._told_if_theirs(ban, self.chat.shared.holder(kick.by or ""), kick.ts)
        return told + self.put_out_at(ban)

    def address_banned(self, banned: AddressBanned) -> list[Output]:
        """A ban made for somebody who had left: said in the log of the operator's server, as
        the one who held them is gone, and carried out as any other."""
        ban = banned.ban
        why = f": {banned.reason}" if banned.reason else ""
        log.info(
            "%s banned until %s by %r (made for %r, who had left)%s",
            ban.address, format_timestamp(ban.until), ban.by, ban.name, why,
        )  # fmt: skip
        told = self._told_if_theirs(ban, banned.by.sid, time.time())
        return told + self.put_out_at(ban)

    def _told_if_theirs(self, ban: Ban, operator: int | None, now: float) -> list[Output]:
        """A ban that keeps out the address of its operator (a LAN, a NAT) as well is said to
        them, if they are connected here: they stay, but could not come back."""
        connection = self.outlets.get(operator) if operator is not None else None
        if connection is None or connection.address_group != ban.address:
            return []
        notice = Notice(ts=now, code=NoticeCode.OWN_ADDRESS_BANNED, names=(ban.name,))
        return [Send(notice, connection.session)]

    def _ban(self, member: Session, until: float, by: str | None) -> Ban | None:
        """Keep out the address ``member`` is connected (or was held) from: this server is
        the only one that holds it, so the only one that knows it (kept with the member,
        through a restart or from a dead server). None if it knows none, or if the address
        is banned already at least that long: the member was put out by that ban (which
        stays as it was made, for whom it was made)."""
        name, address = member.name or "", member.address
        if not address:  # a member written down by a papo from before addresses were kept
            log.warning("%r is banned, but the address they came from is not known here", name)
            return None
        ban = Ban(address, until, name, by)
        if not operators.keep_out(self.chat, ban, time.time()):
            return None
        log.info("%s banned until %s (made for %r)", address, format_timestamp(until), name)
        return ban

    def put_out_at(self, ban: Ban) -> list[Output]:
        """Everyone of this server at the address ``ban`` keeps out goes, but operators: its
        members as kicked (``operators.put_out_at``), and a connection still without a name
        as one refused (told until when)."""
        now = time.time()
        if ban.until <= now:  # ended already: its step waited out a Redis outage longer
            return []
        outputs = self.chat.settle(operators.put_out_at(self.chat, ban, now))
        error = Error(ts=now, code=ErrorCode.BANNED, extra={"until": format_timestamp(ban.until)})
        bye = Bye(ts=now, reason=ByeReason.BANNED)
        for connection in self.outlets.values():
            session = connection.session
            if session.name is None and connection.address_group == ban.address:
                log.info("%s put out: its address is banned now", connection.peer)
                outputs += [Send(error, session), Send(bye, session), Close(session)]
        return outputs


def log_moderation(event: Mute | Topic, to: Session) -> None:
    """An operator's mute or lock, logged once in the chat: a mute by the server of the one
    muted (as a kick is), a lock by the operator's (the one that tells it them)."""
    if isinstance(event, Mute) and to.name == event.name:
        if event.seconds:
            why = f": {event.text}" if event.text else ""
            log.info("%r muted by %r for %d s%s", event.name, event.by, event.seconds, why)
        else:
            log.info("%r unmuted by %r", event.name, event.by)
    elif isinstance(event, Topic) and to.name == event.by:
        done = "locked" if event.locked else "unlocked"
        log.info("the topic of %s %s by %r", event.room, done, event.by)
