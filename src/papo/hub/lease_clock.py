"""When a server of several may take the others for dead (pure: the caller gives the time).

Each server renews its lease in Redis every third of it, and buries a server whose lease is
gone. Where its own lease may have run out too (Redis silent or paused for everybody, or this
process paused), the others' ran out for the same reason; where Redis lost them all
(restarted empty), every server must first hear Redis again and write its members back. In
both cases the others get a lease, and at least the time a living server takes to hear Redis
again, before anybody is buried: burying them at once stopped every server but the first to
hear Redis again, and moved all their users.
"""

from __future__ import annotations

import math


class LeaseClock:
    """The times of one server's lease: when it was last sent, from when burials may be
    made, and when Redis was last seen back empty (monotonic seconds)."""

    __slots__ = ("_bury_from", "_restocked_at", "_sent", "lease", "settling")

    def __init__(self, lease: float, come_back: float, now: float) -> None:
        self.lease = lease
        # How long the others get to renew their leases, and to write their members back
        # to a Redis that came back empty, once this server hears Redis again.
        self.settling = max(lease, come_back)
        self._sent = now
        self._bury_from = now + lease  # a lease after this server set its own first
        self._restocked_at = -math.inf

    def lease_set(self, now: float) -> None:
        """This server's first lease was set at ``now``: nobody is buried for a lease."""
        self._sent = now
        self._bury_from = now + self.lease

    def renewed(self, asked: float, now: float) -> None:
        """A renewal asked for at ``asked`` was answered at ``now``. If more than a lease
        passed since the one before was sent, this server's lease may have run out: so may
        the others', and they get time to renew theirs."""
        if now - self._sent > self.lease:
            self._bury_from = max(self._bury_from, now + self.settling)
        self._sent = asked

    def restocked(self, now: float) -> None:
        """Redis came back without the chat (every lease gone with it) at ``now``."""
        self._restocked_at = now
        self._bury_from = max(self._bury_from, now + self.settling)

    def may_bury(self, now: float) -> bool:
        return now >= self._bury_from

    def settling_after_restock(self, now: float) -> bool:
        """Whether Redis came back empty less than ``settling`` ago: a server may not have
        written its members back yet."""
        return now - self._restocked_at < self.settling

    @property
    def ever_restocked(self) -> bool:
        return self._restocked_at != -math.inf
