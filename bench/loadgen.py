"""An asyncio load generator: many chat clients in one process, counting every delivery.

Receivers do the least work they can (count the benchmark marks in each chunk and note their send
times), so at the sizes measured here the generator is not what limits the figures; the server's
own CPU time is read from /proc, independent of how fast the generator is.
"""

from __future__ import annotations

import asyncio
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.adapters import MARK, Adapter, AdapterError

CONNECT_TIMEOUT = 10.0


@dataclass
class Tally:
    """What all receivers saw."""

    deliveries: int = 0
    latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0
    sample_every: int = 1

    def count(self, chunk: bytes) -> None:
        self.deliveries += len(MARK.findall(chunk))
        if self.expected and self.deliveries >= self.expected:
            self.arrived.set()

    def record(self, chunk: bytes, now_ns: int) -> None:
        for index, match in enumerate(MARK.finditer(chunk)):
            self.deliveries += 1
            if index % self.sample_every == 0:
                self.latencies_ns.append(now_ns - int(match.group(1)))
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

    def listen(self, tally: Tally, every: float = 0.0) -> None:
        """Count what arrives; with ``every``, wake only that often (a cheap background reader
        whose arrival times are not recorded as latencies)."""
        self.task = asyncio.create_task(self._count(tally, every))

    async def _count(self, tally: Tally, every: float) -> None:
        tail = b""
        while True:
            if every:
                await asyncio.sleep(every)
            chunk = await self.reader.read(1 << 22)
            if not chunk:
                return
            data = tail + chunk
            cut = data.rfind(b"\n") + 1
            tail = data[cut:]
            if every:
                tally.count(data[:cut])
            else:
                tally.record(data[:cut], time.monotonic_ns())

    def send(self, seq: int) -> None:
        text = f"B {time.monotonic_ns()} {self.index} {seq}"
        self.writer.write(self.adapter.say(text))

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.writer.transport.abort()


async def connect_many(
    adapter: Adapter, port: int, count: int, *, concurrency: int = 256, prefix: str = "u"
) -> tuple[list[Client], float]:
    """Connect and register ``count`` clients; returns them and the seconds it took."""
    if count > adapter.max_clients:
        raise AdapterError(f"{adapter.name} cannot hold {count} connections")
    gate = asyncio.Semaphore(min(concurrency, adapter.join_concurrency))
    started = time.perf_counter()

    async def one(index: int) -> Client:
        async with gate:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port, limit=1 << 20), CONNECT_TIMEOUT
            )
            try:
                await adapter.join(reader, writer, f"{prefix}{index}")
            except BaseException:
                writer.transport.abort()
                raise
            return Client(adapter, reader, writer, index)

    outcomes = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    clients = [c for c in outcomes if isinstance(c, Client)]
    failures = [e for e in outcomes if isinstance(e, BaseException)]
    if failures:
        drain_pending(clients)
        error = failures[0]
        raise AdapterError(f"{len(failures)} of {count} could not join: {error!r}") from error
    return clients, time.perf_counter() - started


async def settle(seconds: float = 0.5) -> None:
    """Let join announcements and history drain before measuring."""
    await asyncio.sleep(seconds)


def drain_pending(clients: Sequence[Client]) -> None:
    for client in clients:
        client.close()
