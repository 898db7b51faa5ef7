"""The scenarios of issue #4: fan-out, a fixed message rate, many idle connections."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from bench.adapters import Adapter
from bench.loadgen import Client, CpuWindow, Tally, connect_many, drain_pending
from bench.servers import Running

Result = dict[str, Any]
IDLE_GIVE_UP_SECONDS = 120.0  # ngircd tells every member of each JOIN: O(n^2) as the room fills
WINDOW = 4  # unacknowledged messages a fan-out sender may have in flight
GENERATOR_BOUND = 0.9  # generator CPU share of the window above which it, not the server, limits


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


async def _listen(clients: list[Client], tally: Tally, probes: int | None = None) -> None:
    """Everyone receives; all check and time deliveries, or only the last ``probes`` do."""
    timed_from = 0 if probes is None else len(clients) - probes
    for client in clients:
        client.listen(tally, every=0.0 if client.index >= timed_from else 0.1)
    await asyncio.sleep(0.5)  # joins and history drain before measuring
    tally.reset()


def _figures(tally: Tally, cpu: dict[str, float]) -> Result:
    deliveries = max(tally.deliveries, 1)
    return {
        "deliveries": tally.deliveries,
        "lost": tally.expected - tally.deliveries,
        "duplicated": tally.duplicated,
        "reordered": tally.reordered,
        "seconds": round(cpu["wall"], 3),
        "deliveries_per_s": round(tally.deliveries / cpu["wall"]),
        "server_cpu_us_per_delivery": round(cpu["server"] * 1e6 / deliveries, 3),
        "server_cpu_percent": round(100 * cpu["server"] / cpu["wall"], 1),
        "generator_cpu_percent": round(100 * cpu["generator"] / cpu["wall"], 1),
        "generator_bound": cpu["generator"] > GENERATOR_BOUND * cpu["wall"],
        **percentiles(tally.latencies_ns),
    }


async def fanout(
    server: Running, adapter: Adapter, clients_count: int, senders: int, per_sender: int
) -> Result:
    """``senders`` clients send as fast as the server takes them, ``WINDOW`` in flight each
    (a message counts as taken when it reaches the last client)."""
    clients, _ = await connect_many(adapter, server.port, clients_count)
    tally = Tally(
        senders=senders,
        ack_receiver=clients_count - 1,
        sample_every=max(1, clients_count // 20),
    )
    await _listen(clients, tally)
    receivers = clients_count if adapter.echoes_sender else clients_count - 1
    tally.expected = senders * per_sender * receivers

    async def send_all(client: Client) -> None:
        index = client.index
        for seq in range(per_sender):
            while seq - tally.acked[index] >= WINDOW:
                tally.ack_events[index].clear()
                try:
                    await asyncio.wait_for(tally.ack_events[index].wait(), 10)
                except TimeoutError:
                    return  # the server stopped taking them: counted as lost
            client.send(seq)

    window = CpuWindow(server.cpu_seconds)
    window.start()
    await asyncio.gather(*(send_all(c) for c in clients[:senders]))
    await wait_for_deliveries(tally, 120)
    cpu = window.stop()
    drain_pending(clients)
    return {"clients": clients_count, "messages": senders * per_sender, **_figures(tally, cpu)}


async def fixed_rate(
    server: Running, adapter: Adapter, clients_count: int, rate: float, seconds: float
) -> Result:
    """``rate`` messages per second in all, spread over 100 senders, for ``seconds``."""
    clients, _ = await connect_many(adapter, server.port, clients_count)
    tally = Tally(sample_every=1)
    # 20 probe clients time every delivery; the other receivers read ten times a second and
    # only count, so the generator's own load does not show up as server latency. The probes
    # are among the 100 senders, as people in a chat both talk and read: a client that has just
    # sent delays its ACKs, which is where a server without TCP_NODELAY stalls (issue #4).
    await _listen(clients, tally, probes=20)
    senders = clients[-min(100, len(clients)) :]
    total = int(rate * seconds)
    receivers = clients_count if adapter.echoes_sender else clients_count - 1
    tally.expected = total * receivers
    window = CpuWindow(server.cpu_seconds)
    window.start()
    started = time.perf_counter()
    for seq in range(total):
        delay = started + seq / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        senders[seq % len(senders)].send(seq)
    await wait_for_deliveries(tally, 60)
    cpu = window.stop()
    drain_pending(clients)
    return {"clients": clients_count, "rate": rate, "messages": total, **_figures(tally, cpu)}


async def idle(server: Running, adapter: Adapter, clients_count: int) -> Result:
    """Connect and register ``clients_count`` clients, then let them sit: memory and reg/s."""
    rss_before = server.rss_bytes()
    window = CpuWindow(server.cpu_seconds)
    window.start()
    clients, took = await connect_many(
        adapter,
        server.port,
        clients_count,
        concurrency=500,
        drain_into=Tally(),
        give_up_after=IDLE_GIVE_UP_SECONDS,
    )
    cpu = window.stop()
    await asyncio.sleep(1.0)
    rss_after = server.rss_bytes()
    drain_pending(clients)
    held = max(len(clients), 1)
    return {
        "clients": len(clients),
        "asked": clients_count,
        "registration_seconds": round(took, 3),
        "registrations_per_s": round(len(clients) / took),
        "server_cpu_us_per_registration": round(cpu["server"] * 1e6 / held, 1),
        "generator_cpu_percent": round(100 * cpu["generator"] / cpu["wall"], 1),
        "generator_bound": cpu["generator"] > GENERATOR_BOUND * cpu["wall"],
        "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_after_mib": round(rss_after / 2**20, 1),
        "kib_per_connection": round((rss_after - rss_before) / 1024 / held, 2),
    }
