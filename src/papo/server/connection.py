"""One client's connection: framing on the way in, flood control, a bounded batched send queue.

An ``asyncio.Protocol`` rather than streams with a task each: with thousands of clients the
callbacks cost less than tasks, and they let flow control be exact. Reading stops the moment the
token bucket is empty (``pause_reading``) and starts again when it refills, so a flooder is slowed
by TCP itself and its lines are delayed, never dropped. Output is collected per client and written
once per turn of the event loop; the bytes waiting for a client are capped, and a client that lets
them grow past the cap is dropped (``too_slow``) instead of costing memory or slowing others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol, cast

from papo.core.flood import TokenBucket
from papo.core.session import Session
from papo.irc.door import Door
from papo.keepalive import keep_alive
from papo.protocol.commands import OutputFormat
from papo.protocol.framing import FrameEvent, LineBuffer
from papo.protocol.line_editing import KeyEcho
from papo.protocol.telnet import CLEAR, WILL_ECHO, WONT_ECHO, strip_telnet
from papo.server.nagle import ACKED_LATE_FROM, TalkerMode
from papo.server.peer import peer_has_closed
from papo.server.per_address import address_group

UNLIMITED = TokenBucket(0, 1, 0.0)  # the address bucket of a connection not yet admitted
# --sendq 0: no cap on what may wait for a client (the operator's choice; memory is theirs).
NO_SENDQ_CAP = 1 << 62
# A client that stops reading after being told goodbye gets this long to take its last bytes.
CLOSE_LINGER_SECONDS = 5.0
# How far a TLS connection is read ahead of its lines: a slowed client's backlog waits in the
# kernel, as a plain one's does, not in the process (see ``_read_little_ahead``).
TLS_READ_AHEAD = 16 * 1024


class ConnectionOwner(Protocol):
    """What a connection needs from the server it belongs to."""

    def admit(self, connection: Connection) -> bool: ...
    def greet(self, connection: Connection) -> None: ...
    def handle_frame(self, connection: Connection, event: FrameEvent) -> None: ...
    def input_ended(self, connection: Connection) -> None: ...
    def connection_gone(self, connection: Connection) -> None: ...
    def peer_left_while_slowed(self, connection: Connection) -> None: ...
    def schedule_flush(self, connection: Connection) -> None: ...
    def too_slow(self, connection: Connection) -> None: ...


# A connection silent this long (seconds) is probed, every interval, and ends after the probes.
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES = 60, 15, 4


class Connection(asyncio.Protocol):
    """The shell around one Session.

    Slotted: ten thousand idle connections are ten thousand of these. With a ``__dict__``,
    past 30 attributes CPython stops sharing one table of keys between the instances of a
    class and gives each its own: the 31st attribute (telnet's state) cost every connection
    1.3 KiB."""

    __slots__ = (
        "_batch",
        "_batched_bytes",
        "_echo",
        "_held",
        "_input_ended",
        "_loop",
        "_owed",
        "_paused",
        "_peer_told",
        "_resume_timer",
        "_talker",
        "_telnet",
        "_unsent_estimate",
        "_waiting",
        "address_bucket",
        "address_group",
        "admitted",
        "bucket",
        "closing",
        "door",
        "framer",
        "heard_at",
        "host",
        "log_level",
        "lost",
        "output",
        "owner",
        "peer",
        "pinged",
        "registration_timer",
        "sendq",
        "session",
        "tls",
        "transport",
    )

    def __init__(
        self,
        owner: ConnectionOwner,
        session: Session,
        *,
        max_line_bytes: int,
        rate: float,
        burst: int,
        sendq: int,
        tls: bool = False,
        door: Door | None = None,
    ) -> None:
        self.owner = owner
        self.session = session
        self.framer = LineBuffer(max_line_bytes)
        self._telnet = CLEAR
        self._echo: KeyEcho | None = None  # a telnet that asked the server to echo its keys
        self.bucket = TokenBucket(rate, burst, time.monotonic())
        self.sendq = sendq if sendq > 0 else NO_SENDQ_CAP
        self.tls = tls
        self.transport: asyncio.Transport | None = None
        self.host = ""
        self.peer = "?"  # host:port, for the log
        self._peer_told = False  # set before it connects (a balancer's PROXY header said it)
        # How its coming and going is logged: a balancer's own health checks, every few
        # seconds, go to debug.
        self.log_level = logging.INFO
        # An IRC client comes with its door, and reads IRC from the start; others read text
        # until they ask for JSON.
        self.door = door
        self.output = OutputFormat.IRC if door is not None else OutputFormat.TEXT
        self.address_group = ""  # what per-address limits count it under (IPv6: its /64)
        # Shared by every connection of the address, handed over by the server on admission.
        self.address_bucket = UNLIMITED
        self.admitted = False
        self.closing = False
        self._loop = asyncio.get_running_loop()
        self.lost = self._loop.create_future()
        self._talker: TalkerMode | None = None
        self.registration_timer: asyncio.TimerHandle | None = None
        # When the peer last sent anything, and whether it has been asked if it is there
        # (IRC's PING: a silent IRC client is pinged, then dropped).
        self.heard_at = self._loop.time()
        self.pinged = False
        self._batch: list[bytes] = []
        self._batched_bytes = 0
        self._unsent_estimate = 0
        # Bytes of replays queued and maybe not yet read (see ``queue``); negative once a flush
        # has left them unread: then no more are let through on top of the cap.
        self._owed = 0
        self._held: FrameEvent | None = None  # the line the flood limit holds back
        self._resume_timer: asyncio.TimerHandle | None = None
        self._input_ended = False
        self._paused = False
        self._waiting = False  # a line waits for the shared state: the next ones wait too

    # -- asyncio.Protocol ------------------------------------------------------------------

    def set_peer(self, peer: tuple[str, int] | None) -> None:
        """Who is at the other end, known from accept on."""
        self.host = str(peer[0]) if peer else ""
        self.address_group = self.session.address = address_group(self.host)
        self.peer = f"{self.host}:{peer[1]}" if peer else "?"
        self._peer_told = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream server's transports are always asyncio.Transport (plain or TLS).
        self.transport = transport = cast(asyncio.Transport, transport)
        if not self.admitted:  # a TLS connection was admitted at accept, before its handshake
            if not self._peer_told:
                self.set_peer(transport.get_extra_info("peername"))
            if not self.owner.admit(self):
                return
        self._talker = TalkerMode(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:  # a peer gone without a word is found within about 2 minutes
            keep_alive(sock, KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES)
        # Our own cap decides when a client is too slow; asyncio's flow-control callbacks are moot.
        transport.set_write_buffer_limits(high=min(self.sendq, 1 << 28) * 2)
        _read_little_ahead(transport)
        self.owner.greet(self)

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.heard_at = now = self._loop.time()
        self.pinged = False
        if self._talker is not None and self.session.name is not None:
            self._talker.heard(now)  # registration is not talk: see nagle.py
        if self.output is OutputFormat.TEXT:  # a person's line client may be telnet
            data, self._telnet, interrupted = strip_telnet(data, self._telnet)
            wanted = self._telnet.echo  # asked to echo, or to stop (telnet's line mode)
            if wanted is not None and wanted != (self._echo is not None):
                self._echo = KeyEcho() if wanted else None
                self._write_now(WILL_ECHO if wanted else WONT_ECHO)
            if self._echo is not None:
                if self._telnet.width is not None:
                    self._echo.resized(self._telnet.width)  # NAWS, asked with WILL_ECHO
                shown, ended_at = self._echo.typed(data)
                if shown:
                    self._write_now(shown)
                if ended_at is not None:  # its Ctrl-C, or Ctrl-D on an empty line
                    data, interrupted = data[:ended_at], True
            self.framer.receive(data)
            if interrupted:  # Ctrl-C in telnet: the user leaves, as with any terminal program
                self.framer.drop_unterminated()
                self.framer.receive(b"/quit\n")
        else:
            self.framer.receive(data)
        if not self._paused:
            self._run_backlog()

    def eof_received(self) -> bool:
        self._input_ended = True
        self.framer.end_of_input()
        if not self.closing and not self._paused:
            self._run_backlog()
        # We close ourselves, once what the last lines caused has been sent; TLS cannot stay
        # half-open, and asyncio warns if asked to.
        return not self.tls

    def connection_lost(self, exc: Exception | None) -> None:
        if self.lost.done():
            return
        self.closing = True
        self._cancel_timers()
        self._batch.clear()
        self.lost.set_result(None)
        self.owner.connection_gone(self)

    # -- input and flood control -----------------------------------------------------------

    def _run_backlog(self, *, check_peer: bool = True) -> None:
        """Handle the lines received, one token each; with none left, stop reading until one
        is due. What waits is the peer's bytes as they came (at most one read's worth, since
        nothing more is read meanwhile) and the one line that found the bucket empty."""
        self._resume_timer = None
        transport = self.transport
        if check_peer and self._paused and transport is not None and peer_has_closed(transport):
            self.owner.peer_left_while_slowed(self)
            return
        framer = self.framer
        while not self.closing:
            event = self._held or framer.next_event()
            self._held = None
            if event is None:
                break
            wait = self.take_token()
            if wait > 0:
                self._held = event
                self._pause(wait)
                return
            self.owner.handle_frame(self, event)
            if self._waiting:
                return
        if self.closing:
            return
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        if self._input_ended:
            self.owner.input_ended(self)

    def take_token(self) -> float:
        """One line's worth of this peer's flood limits (its own, its address's): 0 if they
        allow one now (taken), else the seconds until they do. Each line read takes one; so
        does each more line of the chat an IRC line makes (a PRIVMSG to several targets)."""
        now = time.monotonic()
        wait = max(self.bucket.wait_time(now), self.address_bucket.wait_time(now))
        if wait <= 0:
            self.bucket.take(now)
            self.address_bucket.take(now)
        return wait

    @property
    def unread_bytes(self) -> int:
        """Bytes received from the peer and not yet handled (dropped if it leaves while slowed)."""
        return self.framer.pending_bytes

    def hold_input(self) -> None:
        """The line just handed over is answered later (its name is being claimed on every
        server): the next lines wait for it, in order, and reading stops meanwhile.

        Its answer then goes out on a later turn than what this turn wrote (a ``/format``'s
        ``hello``), which the peer, having just sent, may acknowledge only after its delayed
        ACK (40 ms): with Nagle the answer would wait for that, so the connection talks now
        (nagle.py), registering or not."""
        self._waiting = True
        self._stop_reading()
        if self._talker is not None:
            self._talker.heard(self._loop.time())

    def release_input(self) -> None:
        """That line is answered: go on with the next ones."""
        self._waiting = False
        if not self.closing:  # a peer that hung up meanwhile still has its lines handled
            self._run_backlog(check_peer=False)

    def _stop_reading(self) -> None:
        if not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def _pause(self, seconds: float) -> None:
        self._stop_reading()
        loop = asyncio.get_running_loop()
        self._resume_timer = loop.call_later(seconds, self._run_backlog)

    # -- output ----------------------------------------------------------------------------

    def queue(self, data: bytes, *, owed: bool = False) -> None:
        """Add bytes for this client; they are written on the next flush. ``owed``: bytes of a
        replay (history, or what a resuming member missed), which the cap lets through on top
        of what it allows, since waiting for them is no sign of a slow reader: those of one
        turn (a welcome's histories, a resume's replay, a ``/history``), not those asked for
        while the last are still unread. A client that asked ``/history`` again and again and
        never read grew the server by each answer, without end."""
        if self.closing or self.transport is None:
            return
        if not self._batch:
            self.owner.schedule_flush(self)
        self._batch.append(data)
        self._batched_bytes += len(data)
        if owed and self._owed >= 0:
            self._owed += len(data)
        self._count_unsent(self.transport, len(data))

    def _count_unsent(self, transport: asyncio.Transport, size: int) -> None:
        """``size`` more bytes for the client. ``_unsent_estimate`` is what the transport held
        at the last flush plus what was queued or written since; it can only overestimate (the
        kernel drains in between), so the exact figure is asked for only when the estimate
        passes the cap: one call per flush, not per message."""
        self._unsent_estimate += size
        if self._unsent_estimate > self.sendq:
            self._unsent_estimate = self._batched_bytes + transport.get_write_buffer_size()
            self._hold_to_the_cap()

    def _hold_to_the_cap(self) -> None:
        """Past the cap by more than the replays still unread: too slow. Back under it: the
        replays have been read, and the cap is the cap again."""
        if self._unsent_estimate <= self.sendq:
            self._owed = 0
        elif self._unsent_estimate > self.sendq + abs(self._owed):
            self._too_slow()

    def flush(self, tail: bytes = b"", *, small_room: bool = False) -> None:
        """Write what is queued for this client, then ``tail`` (its share of the broadcasts,
        ``small_room``: of a room no bigger than ``pacing.COALESCE_ABOVE``), in one write; a
        client whose unsent bytes pass the cap is too slow."""
        transport = self.transport
        if transport is None or self.closing or transport.is_closing():
            return
        batch = self._batch
        if batch:
            if tail:
                batch.append(tail)
            data = batch[0] if len(batch) == 1 else b"".join(batch)
            batch.clear()
            self._batched_bytes = 0
        elif tail:
            data = tail
        else:
            return
        if self._echo is not None:  # a telnet's raw terminal, maybe half a line typed on it
            data = self._echo.around(data)
        transport.write(data)
        if small_room and len(data) >= ACKED_LATE_FROM and self._talker is not None:
            self._talker.streamed(self._loop.time())
        self._unsent_estimate = transport.get_write_buffer_size()
        if self._unsent_estimate > self.sendq:
            self._hold_to_the_cap()
            self._owed = -abs(self._owed)  # still unread after its turn: no more on top
        elif self._owed:
            self._owed = 0  # the replays have been read (a test, not a call, per flush)

    def _write_now(self, data: bytes) -> None:
        """What a telnet asked to see at once (its keys echoed), before what the chat has for
        it: its output gets the typed line drawn again after itself (``KeyEcho.around``)."""
        if self.transport is not None and not self.closing:
            self.transport.write(data)
            # A telnet that types and never reads is too slow, as any client.
            self._count_unsent(self.transport, len(data))

    def _too_slow(self) -> None:
        """Past the cap: nothing more is written; the server drops the client."""
        self.closing = True
        self._batch.clear()
        self.owner.too_slow(self)

    def close_after_flush(self) -> None:
        """Send what is queued, then close; a peer that will not read is cut off after a while."""
        self.flush()
        self.closing = True
        self._cancel_timers()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
            loop = asyncio.get_running_loop()
            self._resume_timer = loop.call_later(CLOSE_LINGER_SECONDS, self.abort)

    def abort(self) -> None:
        self.closing = True
        self._batch.clear()
        if self.transport is not None:
            self.transport.abort()

    def stop_registration_timer(self) -> None:
        """It has a name (or is back under one): no deadline any more."""
        if self.registration_timer is not None:
            self.registration_timer.cancel()
            self.registration_timer = None

    def _cancel_timers(self) -> None:
        if self._talker is not None:
            self._talker.stop()
        for timer in (self._resume_timer, self.registration_timer):
            if timer is not None:
                timer.cancel()
        self._resume_timer = self.registration_timer = None


def _read_little_ahead(transport: asyncio.Transport) -> None:
    """Have a TLS transport stop reading its socket once ``TLS_READ_AHEAD`` bytes wait in it.

    A plain connection slowed by its flood limit stops reading, and what its client sends
    meanwhile waits in the kernel. A TLS one stops only being handed its text: both event
    loops' TLS layers go on reading the socket until 256 KiB wait (their own default), then
    decrypt it all for the connection at once. 20 TLS flooders cost the server 448 KiB each
    (975 on uvloop, whose read buffer is itself 256 KiB); reading this little ahead, 60 (440).
    Plain transports and 3.10's TLS have no read limits: they stop reading when told."""
    limit_reads = getattr(transport, "set_read_buffer_limits", None)
    if limit_reads is not None:
        limit_reads(high=TLS_READ_AHEAD)
