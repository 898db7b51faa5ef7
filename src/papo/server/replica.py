"""What one server of several does with what the shared log tells it (``HubListener``).

A thin adapter between the hub (``papo.hub.redis_hub``, which reads Redis) and the server
(``papo.server.app``, which owns the chat and the connections): each event of the log is
applied to the chat and its deliveries carried out; a gap, a server gone, a member that
resumed elsewhere become what the chat decides of them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from papo.core.bans import Ban
from papo.core.holds import HoldRecord
from papo.core.outputs import Send
from papo.core.shared import Numbered, Route
from papo.protocol.events import Notice, NoticeCode, RoomEvent
from papo.server.app import ChatServer

log = logging.getLogger("papo.server")


class Replica:
    """Implements ``papo.hub.backplane.HubListener`` for ``server``."""

    def __init__(self, server: ChatServer) -> None:
        self.server = server
        self.chat = server.chat

    def logged(self, event: Numbered, route: Route, *, mine: bool) -> None:
        self.server.carry_out(self.chat.apply(event, route, mine=mine))

    def missed(self, count: int, mine: int) -> None:
        """The shared log was trimmed before this server read it: every member is told how
        many events (at most) it will never see."""
        self.chat.forget_waiting(mine)
        self.server.counters.missed += count
        if count:
            notice = Notice(ts=time.time(), code=NoticeCode.MISSED, count=count)
            members = [c.session for c in self.server.fanout.outlets.values()]
            self.server.carry_out([Send(notice, m) for m in members if self.chat.is_member(m)])

    def recovered(self, events: list[RoomEvent]) -> None:
        self.chat.recall(events)

    def gone(self, holders: list[int], holds: list[HoldRecord]) -> None:
        """Another server is gone: its users leave, but those that can resume are held here
        for the grace, as if their connection had dropped on this server (not one kicked
        while its server was dying: it only goes)."""
        now = time.time()
        until = now + self.server.config.resume_grace
        kicked = self.chat.kicked_elsewhere
        holds = [hold for hold in holds if hold.member not in kicked]
        for hold in holds:
            if hold.member in self.chat.members:
                # It resumed here while the hub took the gone server's members over: it is
                # connected, with a newer token than this hold (which would strand it, held).
                continue
            self.server.hold_until(self.chat.adopt(replace(hold, until=until)), until)
        held = {hold.member for hold in holds}
        departed = self.chat.depart_elsewhere([h for h in holders if h not in held], now)
        self.server.carry_out(departed)

    def moved(self, holder: int) -> None:
        member = self.chat.members.get(holder)
        if member is None:
            return
        log.info("%r resumed on another server", member.name)
        self.server.end_hold(member)
        self.server.carry_out(self.chat.moved_away(holder, time.time()))

    def banned(self, ban: Ban) -> None:
        self.server.carry_out(self.server.moderation.put_out_at(ban))

    def buried(self) -> None:
        """Paused or cut off longer than --lease: the others announced this server's users
        gone and hold its programs. It stops (its programs are told to come back, and do,
        elsewhere); nothing more is announced from here."""
        self.server.evicted = True
        self.server.stop_requested.set()

    def availability(self, available: bool) -> None:
        """The hub's log says it already (once per outage, however often Redis flaps)."""
        log.debug("lines are %s", "taken again" if available else "refused: Redis unreachable")

    def members(self) -> list[HoldRecord]:
        chat = self.chat
        return [chat.record(member) for member in chat.members.values() if member.name is not None]
