"""All the clients of one scenario: those this process drives, and plain receivers in workers.

The scenario names the clients it needs in its own process (they send, pace the senders or
time deliveries); every other client is a receiver that may live in a worker process. Figures
(deliveries, duplicates, reorderings, latencies, generator CPU) come back summed over both.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bench.adapters import Adapter, AdapterError
from bench.fleet import Fleet
from bench.loadgen import Client, CpuWindow, Tally, connect_many, drain_pending

GENERATOR_BOUND = 0.9  # CPU share of its cores above which the generator, not the server, limits


@dataclass
class Crowd:
    local: list[Client]
    fleet: Fleet | None = None
    remote: int = 0  # clients held by the workers
    joined_seconds: float = 0.0
    joining_cpu: dict[str, float] = field(default_factory=dict)  # with crowd_of(window=...)
    _fleet_cpu_mark: float = field(default=0.0, repr=False)

    @property
    def size(self) -> int:
        return len(self.local) + self.remote

    @property
    def processes(self) -> int:
        return 1 + (len(self.fleet.workers) if self.fleet else 0)

    async def listen(self, tally: Tally, timed: Sequence[Client], workers_check: bool) -> None:
        """Every client receives; ``timed`` ones check each delivery as it comes, the others
        (and the workers' clients unless ``workers_check``) only count, ten times a second.
        Then joins and history drain before anything is measured."""
        timed_ids = {id(client) for client in timed}
        for client in self.local:
            client.listen(tally, every=0.0 if id(client) in timed_ids else 0.1)
        if self.fleet:
            await self.fleet.listen(check=workers_check, sample_every=tally.sample_every)
        await asyncio.sleep(0.5)
        tally.reset()
        if self.fleet:
            await self.fleet.reset()

    async def expect(self, tally: Tally, total: int, per_remote_client: int) -> None:
        """``total`` deliveries in all, of which each worker client gets ``per_remote_client``."""
        tally.expected = total - per_remote_client * self.remote
        if self.fleet:
            await self.fleet.expect(per_remote_client)

    async def wait(self, tally: Tally, limit: float, stall: float = 5.0) -> None:
        """Until every expected delivery arrived, nothing arrived for ``stall`` s, or ``limit``."""
        deadline = time.monotonic() + limit
        last, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            waits = [tally.arrived.wait()]
            if self.fleet:
                waits += [worker.arrived.wait() for worker in self.fleet.workers]
            try:
                await asyncio.wait_for(asyncio.gather(*waits), 0.5)
                return
            except TimeoutError:
                delivered = (await self.totals(tally))["deliveries"]
                if delivered != last:
                    last, last_change = delivered, time.monotonic()
                elif time.monotonic() - last_change > stall:
                    return

    async def mark_cpu(self) -> None:
        self._fleet_cpu_mark = await self._fleet_cpu()

    async def cpu_since_mark(self) -> float:
        return await self._fleet_cpu() - self._fleet_cpu_mark

    async def _fleet_cpu(self) -> float:
        return float((await self.fleet.status())["cpu"]) if self.fleet else 0.0

    async def totals(self, tally: Tally) -> dict[str, int]:
        figures = {
            "deliveries": tally.deliveries,
            "duplicated": tally.duplicated,
            "reordered": tally.reordered,
        }
        if self.fleet:
            theirs = await self.fleet.status()
            for key in figures:
                figures[key] += int(theirs[key])
        return figures

    async def latencies(self, tally: Tally) -> list[int]:
        """Every latency sample, from every timed client of every process."""
        samples = [*tally.latencies_ns, *tally.listener_latencies_ns]
        if self.fleet:
            samples += await self.fleet.latencies()
        return samples

    def bound(self, generator_cpu: float, wall: float) -> bool:
        """Whether the generator's processes used (nearly) all the cores they can run on."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        return generator_cpu > GENERATOR_BOUND * wall * min(self.processes, cores)


@asynccontextmanager
async def crowd_of(
    adapter: Adapter,
    port: int,
    count: int,
    *,
    local: Sequence[int],
    workers: int,
    concurrency: int = 256,
    drain: bool = False,
    give_up_after: float | None = None,
    window: CpuWindow | None = None,
) -> AsyncIterator[Crowd]:
    """Connect ``count`` clients: the ``local`` indices here, the rest split over ``workers``
    processes (with none, all here). Everyone is disconnected and the workers stopped after.
    With ``window``, the CPU used while joining (workers started already) is measured."""
    if count > adapter.max_clients:
        raise AdapterError(f"{adapter.name} cannot hold {count} connections")
    kept = set(local) if workers else set(range(count))
    here = sorted(kept)
    elsewhere = [index for index in range(count) if index not in kept]
    # The server's backlog is shared: joins in flight are split over the processes.
    share = max(1, min(concurrency, adapter.join_concurrency) // (1 + workers))
    fleet = await Fleet.start(workers) if workers else None
    drained = Tally() if drain else None
    crowd = Crowd([], fleet)
    try:
        if window is not None:
            await crowd.mark_cpu()
            window.start()
        started = time.perf_counter()
        ours = connect_many(
            adapter,
            port,
            here,
            concurrency=share,
            drain_into=drained,
            give_up_after=give_up_after,
        )
        if fleet is None:
            crowd.local, _ = await ours
        else:
            theirs = fleet.connect(
                adapter.name,
                port,
                elsewhere,
                concurrency=share,
                drain=drain,
                give_up_after=give_up_after,
            )
            (crowd.local, _), crowd.remote = await asyncio.gather(ours, theirs)
        crowd.joined_seconds = time.perf_counter() - started
        if window is not None:
            crowd.joining_cpu = window.stop()
            crowd.joining_cpu["generator"] += await crowd.cpu_since_mark()
        yield crowd
    finally:
        drain_pending(crowd.local)
        if fleet is not None:
            await fleet.stop()
