"""Nagle's algorithm for clients that only listen, TCP_NODELAY for clients that talk (and for
readers of a small room that is busy).

Why not TCP_NODELAY for everyone (asyncio's default): every small write then becomes its own
segment, and on loopback a segment costs the sender about 11 us of kernel time, data and ACK
included (measured on the benchmark VM: a bare loop of ``send()`` over 500 sockets). At 200
messages a second to 500 clients that is more than one core. With Nagle's algorithm the kernel
holds a write while the client has not yet acknowledged the previous one and sends what piled
up in one segment when the ACK comes; a write that is only appended costs about 4 us, and a
client that reads promptly acknowledges a short segment at once, so it sees no delay. The
kernel coalesces per client, exactly for the clients that are behind, with no timer of ours.

Why not Nagle for everyone: a client that has just sent something may hold back its ACKs for
up to 40 ms (delayed ACK in "ping-pong" mode, hoping to piggyback them on its next data), and
Nagle then holds our next write to it for as long: the classic stall. So a connection that
spoke recently gets TCP_NODELAY, and goes back to Nagle once it has been quiet for
``TALKER_QUIET_SECONDS``, by which time its kernel has left ping-pong mode (the first delayed
ACK that finds nothing to ride on ends it, at most 200 ms after it next receives).

Registering is not talking: a newcomer's lines (``/format``, its name) are answered in the turn
that reads them, one write, so Nagle holds nothing back and a crowd arriving costs no
``setsockopt`` each. But for a line answered on a later turn, after what this turn wrote (a
name claimed in Redis first: ``Connection.hold_input``): its connection talks, or the
answer waited 40 ms behind the unacknowledged ``hello``.

``make bench`` rate200_c500, p99 at the clients that also talk: 41 ms with Nagle for all (ngircd,
which never sets TCP_NODELAY: 40 ms), 13-15 ms with this policy. Server CPU for that load, with
a write per message: 98% with TCP_NODELAY for all, 79-85% with this policy.

Nor Nagle for a reader of a small room that is written to on every turn. Linux acknowledges
a short segment when the reader reads it, but not one it takes for a full segment: from 536
bytes (``ACKED_LATE_FROM``), or as long as the one before, its ACK waits for a second such
segment or for the delayed-ACK timer (40 ms), and Nagle holds the second until that ACK
comes. A room's turn of broadcasts in JSON is that long as soon as it carries four messages:
``fanout_c50`` in papo-json ran at 420 000 deliveries/s with a p99 of 42 ms, all of it this
stall (ngircd: 43 ms). So a write of that length, of broadcasts to at most ``COALESCE_ABOVE``
members, also puts its connection in TCP_NODELAY until ``TALKER_QUIET_SECONDS`` without one:
850 000-930 000/s, p99 2.4-2.6 ms, the same CPU per delivery (0.72-0.78 us). A small room's
flush costs at most about a millisecond of ``send()`` either way. Past that size the flush
pacer lets one write carry several messages and Nagle merges what a slow reader has not
acknowledged: the same rule for everyone took ``rate200_c2000`` from a p50 of 2.6 ms to 17
(each flush then one segment per member, 11 us each instead of 4), so big rooms keep Nagle.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

TALKER_QUIET_SECONDS = 2.0
ACKED_LATE_FROM = 536  # bytes: Linux's default MSS, its first guess of a full segment


def set_nodelay(transport: asyncio.BaseTransport, enabled: bool) -> None:
    """Best effort: a socket that is already gone or is not TCP keeps its mode."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if enabled else 0)


class TalkerMode:
    """Whether one connection is in TCP_NODELAY, and the timer that ends it after a silence.

    ``heard`` runs on every read, so it only stores a time; the single timer per talking
    connection checks, when it fires, whether the connection spoke again in the meantime.
    """

    __slots__ = ("_last_heard", "_timer", "_transport")

    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._last_heard = 0.0
        self._timer: asyncio.TimerHandle | None = None
        set_nodelay(transport, False)

    def streamed(self, now: float) -> None:
        """A long write of a small room's broadcasts: like a talker, for the same reason."""
        self.heard(now)

    def heard(self, now: float) -> None:
        self._last_heard = now
        if self._timer is None:
            set_nodelay(self._transport, True)
            self._timer = asyncio.get_running_loop().call_at(
                now + TALKER_QUIET_SECONDS, self._check_quiet
            )

    def _check_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        quiet_until = self._last_heard + TALKER_QUIET_SECONDS
        if loop.time() < quiet_until:
            self._timer = loop.call_at(quiet_until, self._check_quiet)
            return
        self._timer = None
        if not self._transport.is_closing():
            set_nodelay(self._transport, False)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
