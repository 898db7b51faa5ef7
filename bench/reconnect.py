"""Mass reconnect (issue #12): thousands of JSON clients lose their connections at once while
messages flow, then all come back with ``/resume``. Papo's own scenario: the other servers
have no resume to compare with.

Each client closes with an RST (as a crashed access point or a pulled cable looks to the
server), waits a pause taken as the papo client takes its first one (0.125-0.25 s), and
resumes with its token and the newest id it read. Measured: the time from the drop until every
client has its resumed welcome, resumes per second, the server's CPU meanwhile, and, once the
sender stops, every message checked at every client: lost, duplicated, reordered. Also, in this
process, what the log costs in memory per 1 000 events (``--log-size``).
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import struct
import time
import tracemalloc
from typing import Any

from bench.loadgen import CpuWindow, source_address
from bench.servers import Running

Result = dict[str, Any]
FIRST_PAUSE = (0.125, 0.25)  # the papo client's first pause before reconnecting, as it draws it
TIMEOUT = 30.0


class Resumer:
    """One JSON client: registers, reads everything, resumes after a drop."""

    def __init__(self, port: int, index: int) -> None:
        self.port, self.index = port, index
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.token = ""
        self.last_id = 0
        self.seqs: list[int] = []  # the sender's numbers, in the order they arrived
        self.first_seq: int | None = None
        self.back = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def connect(self, first_line: bytes) -> None:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", self.port, limit=1 << 22, local_addr=(source_address(self.index), 0)
        )
        writer.write(b"/format json\n" + first_line)
        self.reader, self.writer = reader, writer
        while True:
            line = await reader.readline()
            if line and not line.startswith(b"{"):
                continue  # the greeting, in text, before the switch to JSON
            event = json.loads(line or b'{"type":"closed"}')
            if event["type"] == "welcome":
                self.token = event["resume"]
                return
            if event["type"] in ("error", "closed"):
                raise RuntimeError(f"client {self.index}: {event}")

    async def register(self) -> None:
        await self.connect(f"r{self.index}\n".encode())
        self.task = asyncio.create_task(self.read())

    async def read(self) -> None:
        reader = self.reader
        assert reader is not None
        try:
            while line := await reader.readline():
                event = json.loads(line)
                if "id" in event:
                    self.last_id = max(self.last_id, event["id"])
                if event["type"] == "message" and event["from"] == "sender":
                    self.seqs.append(int(event["text"].split()[1]))
        except (ConnectionError, OSError, ValueError):
            pass

    def drop(self) -> None:
        """Close with an RST: the server learns nothing more polite."""
        assert self.writer is not None
        sock: socket.socket = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        if self.task is not None:
            self.task.cancel()

    async def come_back(self) -> None:
        await asyncio.sleep(random.uniform(*FIRST_PAUSE))
        await self.connect(f"/resume {self.token} {self.last_id}\n".encode())
        self.back.set()
        self.task = asyncio.create_task(self.read())

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.writer is not None:
            self.writer.transport.abort()


async def _drain(reader: asyncio.StreamReader) -> None:
    while await reader.read(1 << 16):
        pass


async def _send(writer: asyncio.StreamWriter, rate: float, stop: asyncio.Event) -> int:
    """``m SEQ`` at ``rate`` per second until ``stop``; returns how many were sent."""
    seq, started = 0, time.perf_counter()
    while not stop.is_set():
        writer.write(f"m {seq}\n".encode())
        seq += 1
        await asyncio.sleep(max(0.0, started + seq / rate - time.perf_counter()))
    return seq


async def mass_reconnect(server: Running, clients_count: int, rate: float) -> Result:
    port = server.port
    sender_reader, sender_writer = await asyncio.open_connection("127.0.0.1", port)
    sender_writer.write(b"/format json\nsender\n")
    draining = asyncio.create_task(_drain(sender_reader))  # what the sender is told
    clients = [Resumer(port, index) for index in range(clients_count)]
    gate = asyncio.Semaphore(200)

    async def register(client: Resumer) -> None:
        async with gate:
            await client.register()

    try:
        async with asyncio.timeout(TIMEOUT * 4):
            await asyncio.gather(*(register(client) for client in clients))
        stop = asyncio.Event()
        sending = asyncio.create_task(_send(sender_writer, rate, stop))
        await asyncio.sleep(1.0)
        window = CpuWindow(server.cpu_seconds)
        window.start()
        for client in clients:
            client.drop()
        async with asyncio.timeout(TIMEOUT):
            await asyncio.gather(*(client.come_back() for client in clients))
        cpu = window.stop()
        await asyncio.sleep(1.0)
        stop.set()
        sent = await sending
        await asyncio.sleep(1.0)  # the last ones arrive
    finally:
        draining.cancel()
        sender_writer.close()
        for client in clients:
            client.close()
    lost = duplicated = reordered = 0
    for client in clients:
        seen = set(client.seqs)
        lost += sent - len(seen)
        duplicated += len(client.seqs) - len(seen)
        reordered += sum(1 for a, b in zip(client.seqs, client.seqs[1:], strict=False) if b < a)
    wall = cpu["wall"]
    return {
        "clients": clients_count,
        "rate": rate,
        "messages": sent,
        "seconds_to_all_back": round(wall, 3),
        "resumes_per_s": round(clients_count / wall),
        "server_cpu_us_per_resume": round(cpu["server"] * 1e6 / clients_count, 1),
        "lost": lost,
        "duplicated": duplicated,
        "reordered": reordered,
        "log_kib_per_1000_events": log_kib_per_1000_events(),
    }


def log_kib_per_1000_events(events: int = 10_000) -> float:
    """The memory the in-process log keeps per 1 000 events, for messages of 60 characters
    in a room (event and route), as --log-size bounds it."""
    from papo.core.shared import Route
    from papo.hub.memory import MemoryHub
    from papo.protocol.events import Message

    route = Route(frozenset({"#lobby"}), author=1)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    hub = MemoryHub(log_size=events)
    for number in range(events):
        text = f"{number:08d} " + "x" * 51
        hub.append(Message(ts=time.time(), id=0, sender="someone", text=text, room="#lobby"), route)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return round((after - before) / 1024 / (events / 1000), 1)
