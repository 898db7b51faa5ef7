"""The coordinator's side of the worker processes (``bench/worker.py``).

A scenario keeps in its own process the clients it drives (senders, the client whose arrivals
pace them, latency probes) and hands the rest, plain receivers, to a fleet of workers. With no
workers everything stays in one process and nothing here runs.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from bench.servers import ROOT

Reply = dict[str, Any]


class WorkerError(Exception):
    pass


class WorkerProcess:
    """One worker: commands go in one at a time, replies and the arrival event come back."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.arrived = asyncio.Event()
        self.arrived_at_ns = 0
        self._replies: asyncio.Queue[Reply] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls) -> WorkerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.worker",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,  # a reply may carry every latency sample
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if message.get("event") == "arrived":
                self.arrived_at_ns = message["at_ns"]
                self.arrived.set()
            else:
                self._replies.put_nowait(message["reply"])
        self._replies.put_nowait({"error": "worker exited"})

    async def ask(self, op: str, **arguments: Any) -> Reply:
        assert self.process.stdin is not None
        async with self._lock:
            self.process.stdin.write(json.dumps({"op": op, **arguments}).encode() + b"\n")
            await self.process.stdin.drain()
            reply = await self._replies.get()
        if "error" in reply:
            raise WorkerError(f"worker: {reply['error']}")
        return reply

    async def stop(self) -> None:
        if self.process.returncode is None:
            try:
                await asyncio.wait_for(self.ask("close"), 10)
                await asyncio.wait_for(self.process.wait(), 10)
            except (TimeoutError, WorkerError):
                self.process.kill()
                await self.process.wait()
        self._reader.cancel()


def split(indices: Sequence[int], parts: int) -> list[list[int]]:
    """Round-robin, so that every worker gets clients from every source address."""
    return [list(indices[part::parts]) for part in range(parts)]


class Fleet:
    """Every worker of a scenario, asked together; figures come back summed."""

    def __init__(self, workers: list[WorkerProcess]) -> None:
        self.workers = workers
        self.shares: list[list[int]] = [[] for _ in workers]

    @classmethod
    async def start(cls, count: int) -> Fleet:
        return cls(list(await asyncio.gather(*(WorkerProcess.start() for _ in range(count)))))

    async def _all(self, op: str, **arguments: Any) -> list[Reply]:
        return list(await asyncio.gather(*(w.ask(op, **arguments) for w in self.workers)))

    async def connect(
        self,
        kind: str,
        port: int,
        indices: Sequence[int],
        *,
        concurrency: int,
        drain: bool = False,
        give_up_after: float | None = None,
    ) -> int:
        """Connect ``indices`` spread over the workers; returns how many joined."""
        self.shares = split(indices, len(self.workers))
        replies = await asyncio.gather(
            *(
                worker.ask(
                    "connect",
                    kind=kind,
                    port=port,
                    indices=share,
                    concurrency=concurrency,
                    drain=drain,
                    give_up_after=give_up_after,
                )
                for worker, share in zip(self.workers, self.shares, strict=True)
            )
        )
        return sum(int(reply["connected"]) for reply in replies)

    async def listen(self, check: bool, sample_every: int) -> None:
        await self._all("listen", check=check, sample_every=sample_every)

    async def reset(self) -> None:
        await self._all("reset")

    async def expect(self, per_client: int) -> None:
        """Each worker watches for ``per_client`` deliveries to each of its clients."""
        for worker in self.workers:
            worker.arrived.clear()
        await asyncio.gather(
            *(
                worker.ask("expect", deliveries=per_client * len(share))
                for worker, share in zip(self.workers, self.shares, strict=True)
            )
        )

    def all_arrived(self) -> bool:
        return all(worker.arrived.is_set() for worker in self.workers)

    async def status(self) -> Reply:
        """Deliveries, duplicates, reorderings and CPU seconds, summed over the workers."""
        replies = await self._all("status")
        return {key: sum(reply[key] for reply in replies) for key in replies[0]} if replies else {}

    async def latencies(self) -> list[int]:
        samples: list[int] = []
        for reply in await self._all("latencies"):
            samples.extend(reply["latencies"])
        return samples

    async def stop(self) -> None:
        await asyncio.gather(*(worker.stop() for worker in self.workers))
