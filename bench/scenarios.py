"""The scenarios: fan-out, a fixed message rate, many idle connections, registration rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from bench.adapters import Adapter
from bench.loadgen import Client, Tally, connect_many, drain_pending, settle
from bench.servers import Running

Result = dict[str, Any]


def percentiles(samples_ns: Iterable[int]) -> Result:
    ordered: list[int] = sorted(samples_ns)
    if not ordered:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6, 3)

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": round(ordered[-1] / 1e6, 3)}


async def wait_for_deliveries(tally: Tally, limit: float, stall: float = 5.0) -> None:
    """Until every expected delivery arrived, nothing arrived for ``stall`` s, or ``limit`` s."""
    deadline = time.monotonic() + limit
    last, last_change = tally.deliveries, time.monotonic()
    while not tally.arrived.is_set() and time.monotonic() < deadline:
        try:
            await asyncio.wait_for(tally.arrived.wait(), 0.5)
        except TimeoutError:
            if tally.deliveries != last:
                last, last_change = tally.deliveries, time.monotonic()
            elif time.monotonic() - last_change > stall:
                return


async def _subscribe(clients: list[Client], tally: Tally, probes: int | None = None) -> None:
    """Everyone counts deliveries; only ``probes`` of them (all, by default) time them."""
    timed = len(clients) if probes is None else probes
    for position, client in enumerate(clients):
        client.listen(tally, every=0.0 if position >= len(clients) - timed else 0.1)
    await settle()
    tally.deliveries = 0
    del tally.latencies_ns[:]


async def fanout(
    server: Running, adapter: Adapter, clients_count: int, senders: int, per_sender: int
) -> Result:
    """``senders`` clients each send ``per_sender`` messages as fast as they can."""
    clients, _ = await connect_many(adapter, server.port, clients_count)
    tally = Tally(sample_every=max(1, clients_count // 50))
    await _subscribe(clients, tally)
    receivers = clients_count if adapter.echoes_sender else clients_count - 1
    tally.expected = senders * per_sender * receivers
    cpu_before, started = server.cpu_seconds(), time.perf_counter()
    for seq in range(per_sender):
        for client in clients[:senders]:
            client.send(seq)
        if seq % 10 == 9:
            await asyncio.gather(*(c.writer.drain() for c in clients[:senders]))
    await wait_for_deliveries(tally, 120)
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    drain_pending(clients)
    return {
        "clients": clients_count,
        "messages": senders * per_sender,
        "deliveries": tally.deliveries,
        "lost": tally.expected - tally.deliveries,
        "seconds": round(elapsed, 3),
        "deliveries_per_s": round(tally.deliveries / elapsed),
        "server_cpu_us_per_delivery": round(cpu * 1e6 / max(tally.deliveries, 1), 3),
        **percentiles(tally.latencies_ns),
    }


async def fixed_rate(
    server: Running, adapter: Adapter, clients_count: int, rate: float, seconds: float
) -> Result:
    """``rate`` messages per second in all, spread over many senders, for ``seconds``."""
    clients, _ = await connect_many(adapter, server.port, clients_count)
    tally = Tally(sample_every=1)
    # 20 clients time every delivery; the rest read ten times a second and only count, so the
    # load generator (one Python process) stays out of the latencies it measures.
    await _subscribe(clients, tally, probes=20)
    senders = clients[: min(100, len(clients) - 20)]
    total = int(rate * seconds)
    receivers = clients_count if adapter.echoes_sender else clients_count - 1
    tally.expected = total * receivers
    cpu_before, started = server.cpu_seconds(), time.perf_counter()
    for seq in range(total):
        due = started + seq / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        senders[seq % len(senders)].send(seq)
    await wait_for_deliveries(tally, 60)
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    drain_pending(clients)
    return {
        "clients": clients_count,
        "rate": rate,
        "messages": total,
        "deliveries": tally.deliveries,
        "lost": tally.expected - tally.deliveries,
        "server_cpu_percent": round(100 * cpu / elapsed, 1),
        **percentiles(tally.latencies_ns),
    }


async def idle(server: Running, adapter: Adapter, clients_count: int) -> Result:
    """Connect and register ``clients_count`` clients, then let them sit: memory and reg/s."""
    rss_before, cpu_before = server.rss_bytes(), server.cpu_seconds()
    clients, took = await connect_many(adapter, server.port, clients_count, concurrency=500)
    cpu = server.cpu_seconds() - cpu_before
    await settle(1.0)
    rss_after = server.rss_bytes()
    drain_pending(clients)
    return {
        "clients": clients_count,
        "registration_seconds": round(took, 3),
        "registrations_per_s": round(clients_count / took),
        "server_cpu_us_per_registration": round(cpu * 1e6 / clients_count, 1),
        "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_after_mib": round(rss_after / 2**20, 1),
        "kib_per_connection": round((rss_after - rss_before) / 1024 / clients_count, 2),
    }
