"""An asyncio load generator: many chat clients in one process, checking every delivery.

Every benchmark message carries its send time, its sender and its sequence number, so each
receiver counts deliveries, catches duplicates and reordering, and (on a sample) measures the
end-to-end latency. The generator also measures its own CPU time, so a run where it, and not the
server, was the bottleneck says so.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from bench.adapters import MARK, Adapter, AdapterError

# Where every counting client reads (one at a time: nothing awaits while it is read).
_COUNTING_BUFFER = bytearray(1 << 20)
CONNECT_TIMEOUT = 10.0
CONNECT_TRIES = 4
PER_SOURCE_ADDRESS = 100  # papo's default per-address cap: spread clients over 127.0.0.0/8


def source_address(index: int) -> str:
    """127.1.x.y, a new address every PER_SOURCE_ADDRESS clients (all of 127/8 is loopback)."""
    block = index // PER_SOURCE_ADDRESS
    return f"127.1.{block // 250}.{block % 250 + 1}"


@dataclass
class Tally:
    """What all receivers saw, checked message by message."""

    senders: int = 0
    ack_receiver: int = -1  # the client whose arrivals acknowledge messages to their senders
    sample_every: int = 1
    expected: int = 0
    deliveries: int = 0
    duplicated: int = 0
    reordered: int = 0
    latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    # Receivers timed apart (clients that only read, next to probes that also talk).
    listeners: frozenset[int] = frozenset()
    listener_latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    # Messages numbered below this are a warm-up: checked, and timed apart.
    timed_from: int = 0
    warmup_latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    acked: list[int] = field(default_factory=list)
    ack_events: list[asyncio.Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.acked = [0] * self.senders
        self.ack_events = [asyncio.Event() for _ in range(self.senders)]

    def reset(self) -> None:
        self.deliveries = self.duplicated = self.reordered = 0
        del self.latencies_ns[:]
        del self.listener_latencies_ns[:]
        del self.warmup_latencies_ns[:]

    def count_in(self, buffer: bytearray, size: int, before: bytes) -> None:
        """Deliveries in ``buffer[:size]``, without checking them; ``before`` is the byte read
        just before it (a mark cut in two is counted once)."""
        self.deliveries += buffer.count(b"B ", 0, size)
        if before == b"B" and buffer[:1] == b" ":
            self.deliveries += 1
        if self.expected and self.deliveries >= self.expected:
            self.arrived.set()

    def record(self, receiver: int, last_seen: dict[int, int], chunk: bytes, now: int) -> None:
        acking = receiver == self.ack_receiver
        timed = self.listener_latencies_ns if receiver in self.listeners else self.latencies_ns
        for match in MARK.finditer(chunk):
            sender, seq = int(match.group(2)), int(match.group(3))
            previous = last_seen.get(sender, -1)
            if seq == previous:
                self.duplicated += 1
                continue
            if seq < previous:
                self.reordered += 1
            else:
                last_seen[sender] = seq
            self.deliveries += 1
            if self.deliveries % self.sample_every == 0:
                latencies = timed if seq >= self.timed_from else self.warmup_latencies_ns
                latencies.append(now - int(match.group(1)))
            if acking and sender < self.senders and seq + 1 > self.acked[sender]:
                self.acked[sender] = seq + 1
                self.ack_events[sender].set()
        if self.expected and self.deliveries >= self.expected:
            self.arrived.set()


class Client:
    def __init__(
        self,
        adapter: Adapter,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        index: int,
    ) -> None:
        self.adapter, self.reader, self.writer, self.index = adapter, reader, writer, index
        self.task: asyncio.Task[None] | None = None
        self.room: str | None = None  # where it talks, once it entered a room

    async def enter(self, room: str) -> None:
        await self.adapter.enter(self.reader, self.writer, room)
        self.room = room

    def listen(self, tally: Tally, every: float = 0.0) -> None:
        """Check every delivery as it comes; or, with ``every``, wake only that often and just
        count (background receivers, so the generator stays out of the latencies it times)."""
        receive = self._count_now_and_then(tally, every) if every else self._receive(tally)
        self.task = asyncio.create_task(receive)

    async def _count_now_and_then(self, tally: Tally, every: float) -> None:
        # The socket is read here, straight into one buffer, until it is empty: the transport
        # stays paused, as a StreamReader would take every segment as it comes and copy it
        # twice, which is the very cost this mode exists to avoid.
        transport = cast(asyncio.Transport, self.writer.transport)  # a TCP stream's transport
        transport.pause_reading()
        fd = transport.get_extra_info("socket").fileno()
        last = b""  # the byte before this read (a mark split between two reads is counted)
        # Each starts at its own phase: all waking together would be a burst of generator work
        # every ``every`` seconds, and the timed clients' readings would wait behind it.
        await asyncio.sleep(random.uniform(0, every))
        while True:
            await asyncio.sleep(every)
            while True:
                try:
                    size = os.readv(fd, [_COUNTING_BUFFER])
                except BlockingIOError:
                    break
                except OSError:
                    return  # reset: the server dropped it
                if not size:
                    return
                tally.count_in(_COUNTING_BUFFER, size, last)
                last = bytes(_COUNTING_BUFFER[size - 1 : size])

    async def _receive(self, tally: Tally) -> None:
        tail = b""
        last_seen: dict[int, int] = {}
        while True:
            chunk = await self.reader.read(1 << 20)
            if not chunk:
                return
            data = tail + chunk
            cut = data.rfind(b"\n") + 1
            tail = data[cut:]
            tally.record(self.index, last_seen, data[:cut], time.monotonic_ns())

    def send(self, seq: int) -> None:
        text = f"B {time.monotonic_ns()} {self.index} {seq}"
        if self.room is None:
            self.writer.write(self.adapter.say(text))
        else:
            self.writer.write(self.adapter.say_in(self.room, text))

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.writer.transport.abort()


async def connect_many(
    adapter: Adapter,
    port: int,
    indices: Sequence[int],
    *,
    concurrency: int = 256,
    prefix: str = "u",
    drain_into: Tally | None = None,
    give_up_after: float | None = None,
) -> tuple[list[Client], float]:
    """Connect and register a client per index; returns them and the seconds it took.

    The index names the client and picks its source address, so clients split over several
    processes stay distinct.

    With ``drain_into``, each client reads (and counts) what arrives from the moment it has
    joined, as an idle but live client would: a server is not made to queue for the early ones.
    With ``give_up_after``, clients not yet started by then are not tried (and not failures):
    the caller sees fewer clients than it asked for.
    """
    count = len(indices)
    if count > adapter.max_clients:
        raise AdapterError(f"{adapter.name} cannot hold {count} connections")
    gate = asyncio.Semaphore(min(concurrency, adapter.join_concurrency))
    started = time.perf_counter()

    deadline = started + give_up_after if give_up_after is not None else None

    async def one(index: int) -> Client | None:
        async with gate:
            if deadline is not None and time.perf_counter() > deadline:
                return None
            chosen = adapter.for_client(index)
            reader, writer = await _open(chosen.port or port, index)
            try:
                await chosen.join(reader, writer, f"{prefix}{index}")
            except BaseException:
                writer.transport.abort()
                raise
            client = Client(chosen, reader, writer, index)
            if drain_into is not None:
                client.listen(drain_into, every=0.5)
            return client

    outcomes = await asyncio.gather(*(one(i) for i in indices), return_exceptions=True)
    clients = [c for c in outcomes if isinstance(c, Client)]
    failures = [e for e in outcomes if isinstance(e, BaseException)]
    if failures:
        drain_pending(clients)
        error = failures[0]
        raise AdapterError(f"{len(failures)} of {count} could not join: {error!r}") from error
    return clients, time.perf_counter() - started


async def _open(port: int, index: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect, trying again a few times when refused: a server with a short listen backlog
    (ncat) refuses a burst of connections now and then."""
    for attempt in range(CONNECT_TRIES):
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):  # no task per call, as wait_for makes
                return await asyncio.open_connection(
                    "127.0.0.1", port, limit=1 << 20, local_addr=(source_address(index), 0)
                )
        except ConnectionRefusedError:
            if attempt == CONNECT_TRIES - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def drain_pending(clients: Sequence[Client]) -> None:
    for client in clients:
        client.close()


class CpuWindow:
    """CPU seconds used by this process and by the server between start() and stop()."""

    def __init__(self, server_cpu: Callable[[], float]) -> None:
        self._server_cpu = server_cpu

    def start(self) -> None:
        self._wall = time.perf_counter()
        self._own = time.process_time()
        self._server = self._server_cpu()

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self._wall
        own = time.process_time() - self._own
        server = self._server_cpu() - self._server
        return {"wall": wall, "generator": own, "server": server}
