"""The scenarios of issue #4: fan-out, a fixed message rate, many idle connections."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterable
from typing import Any

from bench.adapters import Adapter
from bench.crowd import Crowd, crowd_of
from bench.loadgen import Client, CpuWindow, Tally
from bench.servers import Running

Result = dict[str, Any]
IDLE_GIVE_UP_SECONDS = 120.0  # ngircd tells every member of each JOIN: O(n^2) as the room fills
WARMUP_SECONDS = 1.0  # fixed rate: sent at the rate before the measured window
WINDOW = 4  # unacknowledged messages a fan-out sender may have in flight
CHECKED_SHARE = 20  # in a fan-out, one receiver in this many checks each delivery


def percentiles(samples_ns: Iterable[int], prefix: str = "") -> Result:
    ordered: list[int] = sorted(samples_ns)

    def at(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6, 3)

    return {f"{prefix}p50_ms": at(0.50), f"{prefix}p99_ms": at(0.99), f"{prefix}max_ms": at(1.0)}


def spread(n: int, count: int) -> list[int]:
    """``n`` indices evenly spaced over ``range(count)``."""
    return sorted({min(count - 1, (2 * k + 1) * count // (2 * n)) for k in range(n)})


def spread_pick(items: list[Client], n: int) -> list[Client]:
    """``n`` of ``items``, evenly spaced."""
    return [items[i] for i in spread(min(n, len(items)), len(items))]


async def _figures(
    crowd: Crowd,
    tally: Tally,
    cpu: dict[str, float],
    expected: int,
    before_window: int = 0,
    messages: int = 0,
) -> Result:
    """``expected`` deliveries in all, of which ``before_window`` came before the CPU window
    (they count for loss, not for rates); ``messages`` sent in the window (for Redis's CPU
    per message, where there is a Redis)."""
    totals = await crowd.totals(tally)
    # Receivers that only count take a duplicate for one more delivery: a surplus is that.
    surplus = max(0, totals["deliveries"] - expected)
    lost = max(0, expected - totals["deliveries"])
    delivered = totals["deliveries"] - surplus - before_window
    wall = cpu["wall"]
    return {
        "deliveries": delivered,
        "lost": lost,
        "duplicated": totals["duplicated"] + surplus,
        "reordered": totals["reordered"],
        "seconds": round(wall, 3),
        "deliveries_per_s": round(delivered / wall),
        "server_cpu_us_per_delivery": round(cpu["server"] * 1e6 / max(delivered, 1), 3),
        "server_cpu_percent": round(100 * cpu["server"] / wall, 1),
        "generator_processes": crowd.processes,
        "generator_cpu_percent": round(100 * cpu["generator"] / wall, 1),
        "generator_bound": crowd.bound(cpu["generator"], wall),
        **percentiles(await crowd.latencies(tally)),
        **(
            {"redis_cpu_us_per_message": round(cpu["redis"] * 1e6 / max(messages, 1), 2)}
            if "redis" in cpu
            else {}
        ),
    }


async def _measured(crowd: Crowd, server: Running, run: Awaitable[None]) -> dict[str, float]:
    """Server and generator CPU (all processes) while ``run`` runs."""
    window = CpuWindow(server.cpu_seconds)
    await crowd.mark_cpu()
    redis = server.redis_cpu_seconds()
    window.start()
    await run
    cpu = window.stop()
    cpu["generator"] += await crowd.cpu_since_mark()
    if server.redis is not None:
        cpu["redis"] = server.redis_cpu_seconds() - redis
    return cpu


async def fanout(
    server: Running,
    adapter: Adapter,
    clients_count: int,
    senders: int,
    per_sender: int,
    workers: int = 0,
) -> Result:
    """``senders`` clients send as fast as the server takes them, ``WINDOW`` in flight each
    (a message counts as taken when it reaches the last client). Every delivery is counted;
    the senders, the last client and one receiver in ``CHECKED_SHARE`` (spread over the join
    order) also check each for duplicates and order, and time it: checking all of them made
    the generator, not the server, the bottleneck (it parsed every line in Python)."""
    last = clients_count - 1
    async with crowd_of(
        adapter, server.port, clients_count, local=[*range(senders), last], workers=workers
    ) as crowd:
        tally = Tally(senders=senders, ack_receiver=last, sample_every=max(1, clients_count // 20))
        checked = {*range(senders), last, *spread(clients_count // CHECKED_SHARE, clients_count)}
        timed = [client for client in crowd.local if client.index in checked]
        await crowd.listen(tally, timed=timed, workers_check=True)
        messages = senders * per_sender
        receivers = clients_count if adapter.echoes_sender else clients_count - 1
        expected = messages * receivers
        await crowd.expect(tally, expected, per_remote_client=messages)

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

        async def run() -> None:
            await asyncio.gather(*(send_all(c) for c in crowd.local[:senders]))
            await crowd.wait(tally, 120)

        cpu = await _measured(crowd, server, run())
        figures = await _figures(crowd, tally, cpu, expected, messages=messages)
    return {"clients": clients_count, "messages": messages, **figures}


async def fixed_rate(
    server: Running,
    adapter: Adapter,
    clients_count: int,
    rate: float,
    seconds: float,
    workers: int = 0,
) -> Result:
    """``rate`` messages per second in all, spread over 100 senders, for ``seconds``, after
    ``WARMUP_SECONDS`` at that rate that are checked but not timed.

    The warm-up is there because the first half second after the room was idle is a transient
    of its own: the receivers' kernels ACK at once after an idle spell, so a server holding
    small writes back for an ACK (Nagle) sends each at once, at full cost, until they settle.
    Its latencies are reported apart (``warmup_*``)."""
    warm = int(rate * WARMUP_SECONDS)
    # 40 probe clients time every delivery: 20 of the 100 senders, as people in a chat
    # both talk and read (a client that has just sent delays its ACKs, which is where a
    # server without TCP_NODELAY stalls, issue #4), and 20 that only read. The other
    # receivers read ten times a second and only count, so the generator's own load does
    # not show up as server latency. Senders and probes are spread evenly over the join
    # order: a server writes a broadcast to its members in an order tied to when they
    # joined (papo oldest first, ngircd newest first), so clients bunched at one end
    # would time only one server's first or last recipients.
    talkers = min(100, clients_count)
    listening = min(20, clients_count - talkers)
    probes = spread(talkers + listening, clients_count)
    every = len(probes) // listening if listening else 0
    quiet_indices = set(probes[every - 1 :: every]) if listening else set()
    async with crowd_of(
        adapter, server.port, clients_count, local=probes, workers=workers
    ) as crowd:
        by_index = {client.index: client for client in crowd.local}
        quiet = [by_index[i] for i in probes if i in quiet_indices]
        senders = [by_index[i] for i in probes if i not in quiet_indices]
        timed_senders = spread_pick(senders, 20)
        tally = Tally(sample_every=1, listeners=frozenset(c.index for c in quiet), timed_from=warm)
        await crowd.listen(tally, timed=[*timed_senders, *quiet], workers_check=False)
        total = int(rate * seconds)
        receivers = clients_count if adapter.echoes_sender else clients_count - 1
        expected = (warm + total) * receivers  # warm-up messages are checked for loss too
        await crowd.expect(tally, expected, per_remote_client=warm + total)
        cpu = await _at_rate(crowd, server, tally, senders, rate, warm, total)
        figures = await _figures(
            crowd, tally, cpu, expected, before_window=warm * receivers, messages=total
        )
    return {
        "clients": clients_count,
        "rate": rate,
        "messages": total,
        "warmup_messages": warm,
        **figures,
        **percentiles(tally.latencies_ns, prefix="talking_"),
        **percentiles(tally.listener_latencies_ns, prefix="listening_"),
        **percentiles(tally.warmup_latencies_ns, prefix="warmup_"),
    }


async def _at_rate(
    crowd: Crowd,
    server: Running,
    tally: Tally,
    senders: list[Client],
    rate: float,
    warm: int,
    total: int,
) -> dict[str, float]:
    """``warm`` messages at ``rate`` outside the CPU window, then ``total`` inside it, until
    every delivery has arrived; the window's CPU figures."""
    started = time.perf_counter()

    async def run() -> None:
        await _send_at_rate(senders, rate, range(warm, warm + total), started)
        await crowd.wait(tally, 60)

    await _send_at_rate(senders, rate, range(warm), started)
    return await _measured(crowd, server, run())


async def _send_at_rate(senders: list[Client], rate: float, seqs: range, started: float) -> None:
    """Message ``seq`` at ``started + seq / rate``, from the senders in turn."""
    for seq in seqs:
        delay = started + seq / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        senders[seq % len(senders)].send(seq)


async def rooms(
    server: Running,
    adapter: Adapter,
    clients_count: int,
    per_room: int,
    senders: int,
    rate: float,
    seconds: float,
) -> Result:
    """Everybody in the default room and in one room of ``per_room`` users as well; one
    sender in each of ``senders`` rooms talks there, ``rate`` messages per second in all, for
    ``seconds`` after a warm-up second. Each message must reach its room's members and nobody
    else (a delivery outside the room would show as more deliveries than expected).

    All clients are in this process: each receives a different share of the messages, which
    the workers' even split does not model."""
    rooms_count = clients_count // per_room
    async with crowd_of(
        adapter, server.port, rooms_count * per_room, local=range(rooms_count * per_room), workers=0
    ) as crowd:
        await asyncio.gather(*(c.enter(f"#r{c.index % rooms_count}") for c in crowd.local))
        talkers = crowd.local[: min(senders, rooms_count)]  # indices below rooms_count: a room each
        warm = int(rate * WARMUP_SECONDS)
        tally = Tally(sample_every=1, timed_from=warm)
        # Timed: each sender (papo-json echoes to it) and one other member of its room.
        neighbours = [crowd.local[talker.index + rooms_count] for talker in talkers]
        await crowd.listen(tally, timed=[*talkers, *neighbours], workers_check=False)
        total = int(rate * seconds)
        receivers = per_room if adapter.echoes_sender else per_room - 1
        expected = (warm + total) * receivers
        await crowd.expect(tally, expected, per_remote_client=0)
        cpu = await _at_rate(crowd, server, tally, talkers, rate, warm, total)
        figures = await _figures(crowd, tally, cpu, expected, before_window=warm * receivers)
    return {
        "clients": rooms_count * per_room,
        "rooms": rooms_count,
        "senders": len(talkers),
        "rate": rate,
        "messages": total,
        **figures,
    }


async def idle(server: Running, adapter: Adapter, clients_count: int, workers: int = 0) -> Result:
    """Connect and register ``clients_count`` clients, then let them sit: memory and reg/s."""
    rss_before = server.rss_bytes()
    async with crowd_of(
        adapter,
        server.port,
        clients_count,
        local=[],
        workers=workers,
        concurrency=500,
        drain=True,
        give_up_after=IDLE_GIVE_UP_SECONDS,
        window=CpuWindow(server.cpu_seconds),
    ) as crowd:
        await asyncio.sleep(1.0)
        rss_after = server.rss_bytes()
    cpu, took, held = crowd.joining_cpu, crowd.joined_seconds, max(crowd.size, 1)
    return {
        "clients": crowd.size,
        "asked": clients_count,
        "registration_seconds": round(took, 3),
        "registrations_per_s": round(crowd.size / took),
        "server_cpu_us_per_registration": round(cpu["server"] * 1e6 / held, 1),
        "generator_processes": crowd.processes,
        "generator_cpu_percent": round(100 * cpu["generator"] / cpu["wall"], 1),
        "generator_bound": crowd.bound(cpu["generator"], cpu["wall"]),
        "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_after_mib": round(rss_after / 2**20, 1),
        "kib_per_connection": round((rss_after - rss_before) / 1024 / held, 2),
    }
