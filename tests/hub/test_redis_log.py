"""The log in a Redis Stream, against a real redis-server: one order for every server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from papo.core.shared import Route
from papo.hub.redis_log import RedisLog
from papo.protocol.events import Message, Private
from tests.redis_server import RedisServer
from tests.support import ROOT

NOW = 1_700_000_000.0


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    try:
        server = RedisServer(tmp_path)
    except FileNotFoundError:
        pytest.skip("redis-server is not installed (make test installs it)")
    yield server.url
    server.stop()


def message(text: str) -> Message:
    return Message(ts=NOW, id=0, sender="ana", text=text, room="#lobby")


def test_two_servers_appending_at_once_get_one_order_and_no_id_twice(redis_url: str) -> None:
    async def run() -> None:
        first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
        logs = [RedisLog(first, 10_000), RedisLog(second, 10_000)]
        lobby = Route(frozenset({"#lobby"}), author=7)
        appended: list[Message] = []
        for start in range(0, 400, 40):  # 40 in flight at once, from both
            appended += await asyncio.gather(
                *(logs[n % 2].append(message(f"m{n}"), lobby) for n in range(start, start + 40))
            )
        assert sorted(event.id for event in appended) == list(range(1, 401))
        for log in logs:  # every server reads the same order
            read = await log.read_after(0)
            assert [event for event, _ in read] == sorted(appended, key=lambda e: e.id)
            assert {route for _, route in read} == {lobby}
        later = await logs[1].read_after(390)
        assert [event.id for event, _ in later] == list(range(391, 401))
        await first.aclose()
        await second.aclose()

    asyncio.run(run())


def test_routes_round_trip_and_numbering_goes_on_for_a_new_reader(redis_url: str) -> None:
    async def run() -> None:
        redis = Redis.from_url(redis_url)
        log = RedisLog(redis, 10_000)
        private = Private(ts=NOW, id=0, sender="ana", recipient="bob", text="psst")
        route = Route(to=(2, 1), exclude=3, hidden_from=(4,))
        numbered = await log.append(private, route)
        assert await log.read_after(0) == [(numbered, route)]
        again = RedisLog(Redis.from_url(redis_url), 10_000)
        assert await again.last_id() == 1
        assert (await again.append(message("next"), Route())).id == 2
        await redis.aclose()
        await again.redis.aclose()

    asyncio.run(run())


def test_the_stream_is_capped_and_says_how_far_back_it_reaches(redis_url: str) -> None:
    async def run() -> None:
        redis = Redis.from_url(redis_url)
        log = RedisLog(redis, 100)
        for n in range(1000):
            await log.append(message(f"m{n}"), Route())
        oldest = await log.oldest_id()
        kept = [event.id for event, _ in await log.read_after(0)]
        assert 1 < oldest <= 901 and kept == list(range(oldest, 1001))  # at least 100 kept
        assert await log.oldest_id() > 1  # a reader from id 0 would know it missed some
        await redis.aclose()

    asyncio.run(run())


def test_the_server_imports_no_redis_without_it() -> None:
    """papo needs only the standard library unless --redis is asked for."""
    probe = "import sys, papo.server.__main__, papo.client.__main__; print('redis' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.stdout.strip() == "False", result.stderr
