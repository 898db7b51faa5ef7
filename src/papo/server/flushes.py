"""When the server writes what it queued: the asyncio side of ``papo.server.pacing``.

A client's own output (a reply, a private, its welcome) goes out on the next turn of the loop,
never held back; the chat's broadcasts go on the next turn too, or after the pacer's wait when
the server is behind, so that one write carries several. A flush writes the broadcasts first,
so a member with something of its own as well gets both in one write, in order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from enum import Enum, auto

from papo.server.connection import Connection
from papo.server.fanout import FanOut
from papo.server.metrics import Counters
from papo.server.pacing import FlushPacer


class BroadcastState(Enum):
    """Where the chat's pending broadcasts stand (each client's own output never waits)."""

    IDLE = auto()  # none pending, or a flush has just written them
    WAITING = auto()  # held back by the pacer, to carry more in one write per member
    DUE = auto()  # to be written on the next turn of the loop


class Flushes:
    """Schedules the writes of one server's connections; ``after`` runs after each flush
    (the server drops then the clients found too slow while writing)."""

    def __init__(
        self, fanout: FanOut[Connection], counters: Counters, after: Callable[[], None]
    ) -> None:
        self.fanout = fanout
        self.counters = counters
        self.after = after
        self.pacer = FlushPacer()
        self._dirty: list[Connection] = []  # clients with something of their own to send
        self._queued = False
        self._broadcasts = BroadcastState.IDLE

    def own(self, connection: Connection) -> None:
        """``connection`` has something of its own to be sent: on the next turn of the loop,
        never held back by the pacing of broadcasts."""
        self._dirty.append(connection)
        self._next_turn()

    def broadcasts(self) -> None:
        """The chat has broadcasts to be written: on the next turn, or after the pacer's wait."""
        if self._broadcasts is not BroadcastState.IDLE:
            return
        wait = self.pacer.wait
        if wait:
            self._broadcasts = BroadcastState.WAITING
            asyncio.get_running_loop().call_later(wait, self._broadcasts_due)
        else:
            self._broadcasts_due()

    def _broadcasts_due(self) -> None:
        self._broadcasts = BroadcastState.DUE
        self._next_turn()

    def _next_turn(self) -> None:
        if not self._queued:
            self._queued = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        """Broadcasts first, if they are due: a member with something of its own as well then
        gets it in the same write."""
        self._queued = False
        if self._broadcasts is BroadcastState.DUE:
            self._broadcasts = BroadcastState.IDLE
            self._flush_broadcasts()
        dirty, self._dirty = self._dirty, []
        for connection in dirty:
            connection.flush()
        self.after()

    def _flush_broadcasts(self) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        broadcasts = self.fanout.pending
        members = self.fanout.flush()
        took = time.perf_counter() - started
        self.counters.broadcasts += broadcasts
        self.counters.broadcast_writes += members
        self.pacer.flushed(
            started=started, cpu=cpu, took=took, broadcasts=broadcasts, written=members
        )
