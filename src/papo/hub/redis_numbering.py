"""Ids across a Redis that lost the chat: where numbering jumped, and what resumes are told.

A Redis restarted empty starts the stream again. The first server back raises the counter well
above anything handed out (``RedisHub._restock``), so ids keep growing for every client, and
every server back says in the stream how far it had read (a ``renumbered`` entry). The ids
between what was read and the first after the jump were never handed out: a resume from before
the loss is told it missed the events it truly missed, not the jump. No I/O: the hub passes
what it reads, and asks.
"""

from __future__ import annotations


class Numbering:
    """Jumps in numbering, as read from the stream."""

    def __init__(self) -> None:
        # Numbering jumped (Redis lost the chat, a server came back): the next gap is no loss.
        self.jumping = False
        # The newest id any server says it had read of the log Redis lost last (this one's, at
        # first); the first event numbered after it; and for each event after a jump, the id
        # the ids never handed out start after.
        self._lost_up_to = 0
        self._first_after_loss: int | None = None
        self._jumps: dict[int, int] = {}

    def lost(self, newest: int) -> None:
        """Redis came back empty; this server had read up to ``newest``."""
        self.jumping = True
        self._lost_up_to = newest
        self._first_after_loss = None

    def renumbered(self, newest: int) -> int:
        """A server came back to a Redis that lost the chat, having read up to ``newest``: the
        counter jumped above it, and the next event comes after a jump. Returns how many of
        the events it read were beyond any known here (0: none), which the clients here never
        get, if they were here before the loss (every server back says how far it had read:
        each event is counted once)."""
        self.jumping = True
        beyond = newest - self._lost_up_to
        if beyond <= 0:
            return 0
        self._lost_up_to = newest
        first = self._first_after_loss
        if first is not None and first in self._jumps:
            self._jumps[first] = max(self._jumps[first], newest)
        return beyond

    def jumped(self, event_id: int, newest: int, oldest: int) -> None:
        """``event_id`` is the first after a jump: the ids between the newest any server read
        of what Redis lost (or ``newest``, the event before, here) and it were never handed
        out. ``oldest``: the log's oldest id kept, before which no jump is asked about."""
        self.jumping = False
        if self._first_after_loss is None:
            self._first_after_loss = event_id
        self._jumps[event_id] = max(newest, self._lost_up_to)
        for kept in [at for at in self._jumps if at < oldest]:
            del self._jumps[kept]

    def oldest_id(self, oldest: int) -> int:
        """The log's ``oldest`` id as a resume counts what it missed: right after a jump, the
        ids up to the jump, not the ids skipped."""
        return self._jumps.get(oldest, oldest - 1) + 1 if oldest else 0
