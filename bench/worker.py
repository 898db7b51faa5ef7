"""A load-generator worker process: holds a share of the receiving clients for the coordinator.

Receiving is most of a generator's work (every message reaches every client), so on a machine
with cores to spare the receivers are split over worker processes. The coordinator
(``bench/fleet.py``) speaks to each worker over its stdin and stdout, one JSON object per line:
a command, then its reply; the one message a worker sends unasked is ``{"event": "arrived"}``,
once its clients have received every delivery they were told to expect. Latencies compare
across processes because every send time is ``time.monotonic_ns()``, one clock for the machine.

    python -m bench.worker     (started by the coordinator, never by hand)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from bench.adapters import ADAPTERS
from bench.loadgen import Client, Tally, connect_many, drain_pending
from bench.runtime import event_loop_runner, raise_file_limit

Reply = dict[str, Any]


class Worker:
    def __init__(self) -> None:
        self.clients: list[Client] = []
        self.tally = Tally()
        self.watcher: asyncio.Task[None] | None = None

    async def connect(
        self,
        kind: str,
        port: int,
        indices: list[int],
        concurrency: int,
        drain: bool,
        give_up_after: float | None,
    ) -> Reply:
        if drain:
            self.tally = Tally()
        clients, took = await connect_many(
            ADAPTERS[kind],
            port,
            indices,
            concurrency=concurrency,
            drain_into=self.tally if drain else None,
            give_up_after=give_up_after,
        )
        self.clients = clients
        return {"connected": len(clients), "seconds": took}

    def listen(self, check: bool, sample_every: int) -> Reply:
        self.tally = Tally(sample_every=sample_every)
        for client in self.clients:
            client.listen(self.tally, every=0.0 if check else 0.1)
        return {}

    def expect(self, deliveries: int) -> Reply:
        self.tally.expected = deliveries
        self.watcher = asyncio.create_task(self._report_arrival())
        return {}

    async def _report_arrival(self) -> None:
        await self.tally.arrived.wait()
        send({"event": "arrived", "at_ns": time.monotonic_ns()})

    def status(self) -> Reply:
        tally = self.tally
        return {
            "deliveries": tally.deliveries,
            "duplicated": tally.duplicated,
            "reordered": tally.reordered,
            "cpu": time.process_time(),
        }

    async def handle(self, command: dict[str, Any]) -> Reply:
        match command.pop("op"):
            case "connect":
                return await self.connect(**command)
            case "listen":
                return self.listen(**command)
            case "reset":
                self.tally.reset()
                return {}
            case "expect":
                return self.expect(**command)
            case "status":
                return self.status()
            case "latencies":
                return {"latencies": list(self.tally.latencies_ns)}
            case "close":
                drain_pending(self.clients)
                self.clients = []
                return {}
            case other:
                return {"error": f"unknown op {other!r}"}


def send(message: Reply) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve() -> None:
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    worker = Worker()
    while line := await commands.readline():
        command = json.loads(line)
        closing = command["op"] == "close"
        try:
            reply = await worker.handle(command)
        except Exception as error:  # reported to the coordinator, which fails the scenario
            reply = {"error": f"{type(error).__name__}: {error}"}
        send({"reply": reply})
        if closing:
            return


if __name__ == "__main__":
    raise_file_limit()
    with event_loop_runner() as runner:
        runner.run(serve())
