"""The Redis hub against a real redis-server: one order for every server, each step done once,
a late server reading the chat as it stands. Two hubs in one event loop, as two servers."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis

from papo.core.bans import Ban
from papo.core.chat import Chat
from papo.core.holds import HoldRecord
from papo.core.lasting import LASTING_LIMIT
from papo.core.shared import Route
from papo.hub.logged import event_json, route_json
from papo.hub.redis_hub import BURIED_MARK_SECONDS, DEFAULT_LEASE, RedisHub, SettingsDiffer, too_old
from papo.protocol.events import Join, Message, Mute, Private, RoomEvent, Topic
from tests.redis_server import RedisServer
from tests.support import ROOT

NOW = 1_700_000_000.0
LOBBY = Route(frozenset({"#lobby"}))


def message(text: str) -> Message:
    return Message(ts=NOW, id=0, sender="ana", text=text, room="#lobby")


class Heard:
    """A server as the hub sees it: what the log brought, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[RoomEvent, Route, bool]] = []
        self.misses: list[tuple[int, int]] = []
        self.recovered_events: list[RoomEvent] = []
        self.bans: list[Ban] = []

    def logged(self, event: RoomEvent, route: Route, *, mine: bool) -> None:
        self.events.append((event, route, mine))

    def missed(self, count: int, mine: int) -> None:
        self.misses.append((count, mine))

    def recovered(self, events: list[RoomEvent]) -> None:
        self.recovered_events = events

    def gone(self, holders: list[int], holds: list[HoldRecord]) -> None:
        pass

    def moved(self, holder: int) -> None:
        pass

    def banned(self, ban: Ban) -> None:
        self.bans.append(ban)

    def buried(self) -> None:
        pass

    def availability(self, available: bool) -> None:
        pass

    def members(self) -> list[HoldRecord]:
        return []


async def listening(url: str, lease: float = DEFAULT_LEASE) -> tuple[RedisHub, Heard]:
    """A hub started, and what it hears."""
    hub, heard = RedisHub(url, lease=lease), Heard()
    await hub.start()
    hub.follow(heard)
    return hub, heard


async def following(redis_server: RedisServer) -> RedisHub:
    """A hub started, for a server that makes nothing of what it hears."""
    hub, _ = await listening(redis_server.url)
    return hub


async def named(hub: RedisHub, name: str) -> int:
    """The first member of ``hub``'s server, ``name`` reserved in Redis and claimed."""
    member = hub.first_member_id() + 1
    await hub.reserve(name, member)
    assert hub.claim(name, member) is None
    return member


async def settle(heard: list[Heard], count: int) -> None:
    """Until every hub has read ``count`` events (bounded)."""
    for _ in range(500):
        if all(len(h.events) >= count for h in heard):
            return
        await asyncio.sleep(0.01)
    raise AssertionError([len(h.events) for h in heard])


async def said(hub: RedisHub, heard: list[Heard], *texts: str) -> None:
    """``texts`` said in #lobby through ``hub``, until every one of ``heard`` has read them."""
    count = max(len(h.events) for h in heard) + len(texts)
    for text in texts:
        hub.append(message(text), LOBBY)
    await settle(heard, count)


async def restarted_empty(redis_server: RedisServer, hubs: list[RedisHub]) -> None:
    """Redis restarted without its data, until every hub is back with the chat written back
    (each at its next try; bounded)."""
    lost = [hub._epoch for hub in hubs]
    await asyncio.to_thread(redis_server.stop)
    await asyncio.to_thread(redis_server.start)
    for _ in range(1000):
        if all(h.available() and h._epoch != old for h, old in zip(hubs, lost, strict=True)):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("a hub is not back")


def test_two_servers_appending_at_once_read_one_order_with_no_id_twice(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        hubs = [RedisHub(redis_server.url), RedisHub(redis_server.url)]
        heard = [Heard(), Heard()]
        for hub, listener in zip(hubs, heard, strict=True):
            await hub.start()
            hub.follow(listener)
        lobby = Route(frozenset({"#lobby"}), author=7)
        for n in range(400):
            assert hubs[n % 2].append(message(f"m{n}"), lobby) is None  # numbered later
            if n % 40 == 0:
                await asyncio.sleep(0)  # both writers in flight at once
        await settle(heard, 400)
        orders = [[(e.id, getattr(e, "text", "")) for e, _, _ in h.events] for h in heard]
        assert orders[0] == orders[1]
        assert [i for i, _ in orders[0]] == list(range(1, 401))
        assert sorted(t for _, t in orders[0]) == sorted(f"m{n}" for n in range(400))
        for number, listener in enumerate(heard):  # each knows its own events
            assert sum(mine for _, _, mine in listener.events) == 200, number
        assert {route for _, route, _ in heard[0].events} == {lobby}
        assert hubs[1].read_after(398)[0][0].id == 399 and hubs[0].last_id() == 400
        for hub in hubs:
            await hub.close()

    asyncio.run(run())


def test_names_rooms_and_away_reach_a_server_started_later(redis_server: RedisServer) -> None:
    async def run() -> None:
        first = await following(redis_server)
        ana = await named(first, "ana")
        first.enter("#dev", ana, "#Dev")
        first.set_away(ana, "lunch")
        private = Private(ts=NOW, id=0, sender="ana", recipient="ana", text="note")
        first.append(private, Route(to=(ana,)))
        await asyncio.sleep(0.3)
        late = RedisHub(redis_server.url)
        await late.start()
        assert late.first_member_id() != first.first_member_id()  # its own range of ids
        assert late.names() == ("ana",) and late.holder("ANA") == ana
        assert late.room_name("#dev") == "#Dev" and late.room_names("#dev") == ("ana",)
        assert late.aways() == {ana: "lunch"} and late.since(ana) is not None
        [(event, route)] = late.read_after(0)
        assert isinstance(event, Private) and event.id == 1 and route.to == (ana,)
        late.follow(Heard())
        bob = late.first_member_id() + 1
        await late.reserve("аna", bob)  # a Cyrillic a: looks like ana, refused everywhere
        assert late.claim("аna", bob) == "ana"
        first.release("ana", ana)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if not late.names():
                break
        assert late.names() == () and late.room_count("#dev") == 0
        await late.reserve("ana", bob)
        assert late.claim("ana", bob) is None  # free again
        for hub in (first, late):
            await hub.close()

    asyncio.run(run())


def test_bans_reach_every_server_a_late_one_too_and_are_lifted_everywhere(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        (first, made_here), (second, heard) = [await listening(redis_server.url) for _ in "12"]
        soon = time.time() + 60
        first.ban(Ban("192.0.2.7", soon, "Bob", by="ana"))
        first.ban(Ban("192.0.2.8", time.time() - 1, "carol"))  # over already
        for _ in range(100):
            if second.banned("192.0.2.7", time.time()) is not None:
                break
            await asyncio.sleep(0.02)
        assert second.banned("192.0.2.7", time.time()) == Ban("192.0.2.7", soon, "Bob", "ana")
        assert second.banned("192.0.2.8", time.time()) is None
        # The other server is told, to put out its own at the address; this one knows.
        assert heard.bans[0] == Ban("192.0.2.7", soon, "Bob", "ana")
        assert made_here.bans == []
        late = RedisHub(redis_server.url)
        await late.start()
        assert late.banned("192.0.2.7", time.time()) == Ban("192.0.2.7", soon, "Bob", "ana")
        late.follow(Heard())
        assert late.unban("bob", time.time()) == [Ban("192.0.2.7", soon, "Bob", "ana")]
        for _ in range(100):
            if first.banned("192.0.2.7", time.time()) is None:
                break
            await asyncio.sleep(0.02)
        assert first.banned("192.0.2.7", time.time()) is None
        assert second.banned("192.0.2.7", time.time()) is None
        for hub in (first, second, late):
            await hub.close()

    asyncio.run(run())


def test_a_step_resent_after_a_lost_answer_is_done_once(redis_server: RedisServer) -> None:
    async def run() -> None:
        hub, heard = await listening(redis_server.url)
        await said(hub, [heard], "once")
        keys = [f"papo:{k}" for k in ("last_id", "log", "members", f"seq:{hub.number}")]
        resent: list[str | int] = [
            hub.number,
            100,
            1,
            "event",
            '{"type":"message"}',
            "[[],[],null,null,[]]",
        ]
        # The same step again, as the writer sends it after a timeout: done already.
        assert await hub._fenced(hub._steps, keys, [*resent, "", "", ""]) == 1
        await asyncio.sleep(0.2)
        assert len(heard.events) == 1 and hub.last_id() == 1
        await hub.close()

    asyncio.run(run())


def test_an_event_sent_again_to_a_redis_that_lost_it_is_passed_on_once(
    redis_server: RedisServer,
) -> None:
    """Redis restarted empty forgets which steps it carried out: a batch whose answer was lost
    is done again, under a new id. Every server had read the event already: once is enough."""

    async def run() -> None:
        (one, heard_one), (two, heard_two) = [await listening(redis_server.url) for _ in "12"]
        await said(one, [heard_one, heard_two], "once")
        await restarted_empty(redis_server, [one, two])
        keys = [f"papo:{k}" for k in ("last_id", "log", "members", f"seq:{one.number}")]
        once = event_json(message("once"))
        resent: list[str | int] = [1, "event", once, route_json(LOBBY), "", "", ""]
        assert await one._fenced(one._steps, keys, [one.number, 100, *resent]) == 1  # again
        await said(one, [heard_one, heard_two], "after")
        await asyncio.sleep(0.2)
        for heard in (heard_one, heard_two):
            assert [getattr(e, "text", "") for e, _, _ in heard.events] == ["once", "after"]
            assert heard.events[0][0].id < heard.events[1][0].id
            assert heard.misses == []
        for hub in (one, two):
            await hub.close()

    asyncio.run(run())


def test_a_resume_from_before_redis_lost_the_chat_is_told_what_it_missed_not_the_jump(
    redis_server: RedisServer,
) -> None:
    """Numbering jumps far ahead when Redis lost the chat. A server started after, whose log
    begins after the jump, said a resume from before it missed every id skipped (80 000)."""

    async def run() -> None:
        one, heard = await listening(redis_server.url)
        await said(one, [heard], "m0", "m1", "m2")
        await restarted_empty(redis_server, [one])
        await said(one, [heard], "after")
        after = heard.events[-1][0].id
        assert after > 3 + 1000  # far ahead
        two, _ = await listening(redis_server.url)  # its log: only what came after
        assert [e.id for e, _ in two.read_after(0)] == [after]
        assert two.oldest_id() == 4  # a resume from id 1 missed ids 2 and 3, nothing else
        assert one.oldest_id() == 1
        for hub in (one, two):
            await hub.close()

    asyncio.run(run())


def test_an_event_numbered_below_what_a_server_read_is_not_passed_on(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Numbers go on far above any seen after Redis lost the chat; should one come lower all
    the same, its clients' ids would go back: it is left out, and said in the log."""

    async def run() -> None:
        hub, heard = await listening(redis_server.url)
        await said(hub, [heard], "m0", "m1", "m2")
        # Blocking the loop: the hub cannot come back before another server, which read none
        # of the lost log, numbered an event from 1.
        redis_server.stop()
        redis_server.start()
        with SyncRedis.from_url(redis_server.url) as other:
            other.xadd("papo:log", {"e": event_json(message("low")), "r": route_json(LOBBY),
                                    "s": 99, "q": 1}, id="1-1")  # fmt: skip
        await said(hub, [heard], "high")
        assert [getattr(e, "text", "") for e, _, _ in heard.events] == ["m0", "m1", "m2", "high"]
        await hub.close()

    with caplog.at_level(logging.ERROR, logger="papo.hub.redis"):
        asyncio.run(run())
    assert "event 1 came after 3" in caplog.text


def test_a_servers_own_keys_keep_the_end_a_burial_gave_them_and_go_when_it_stops(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        redis = Redis.from_url(redis_server.url)
        hub, heard = await listening(redis_server.url)
        await said(hub, [heard], "one")
        seq, lease, stopped = (f"papo:{mark}:{hub.number}" for mark in ("seq", "lease", "stopped"))
        assert await redis.exists(seq, lease) == 2
        await redis.expire(seq, 3600)  # as a survivor does when it buries this server
        await said(hub, [heard], "two")  # written on waking
        assert 0 < await redis.ttl(seq) <= 3600
        await hub.close()
        assert await redis.exists(seq, lease) == 0
        assert await redis.ttl(stopped) > 0
        await redis.aclose()

    asyncio.run(run())


async def killed(hub: RedisHub) -> None:
    """``hub``'s process gone as with SIGKILL: it stops reading, writing and renewing its
    lease, and leaves in Redis all it had there (a stop would take its lease and step away)."""
    for task in hub._tasks:
        task.cancel()
    await asyncio.wait(hub._tasks)
    await hub._close_links()


async def forgotten(hub: RedisHub, server: int) -> None:
    """Until ``hub`` keeps nothing of ``server``'s steps (bounded)."""
    for _ in range(300):
        if server not in hub._steps_read:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"server {server} is still kept")


def test_a_server_that_stopped_with_nobody_on_it_is_forgotten(redis_server: RedisServer) -> None:
    """Each server keeps the newest step it read of every other (an event resent after Redis
    lost it is passed on once). One that stopped with no member on it was kept for ever: an
    entry per restart over the life of a chat on ``--workers``. One killed with nobody on it
    also left its last step in Redis for ever: it now goes when a burial's would. A server
    still running, with nobody on it either, is kept."""

    async def run() -> None:
        redis = Redis.from_url(redis_server.url)
        (one, heard), (two, _), (three, _), (four, _) = [
            await listening(redis_server.url, lease=0.6) for _ in "1234"
        ]
        for hub in (two, three, four):
            hub.append(message(f"from {hub.number}"), LOBBY)
        await settle([heard], 3)
        assert {two.number, three.number, four.number} <= one._steps_read.keys()
        await two.close()
        await killed(four)
        await forgotten(one, two.number)
        await forgotten(one, four.number)
        assert three.number in one._steps_read
        # Given its end just after it is forgotten (a round trip later: waited for, bounded).
        seq, ends = f"papo:seq:{four.number}", -1
        for _ in range(300):
            if (ends := await redis.pttl(seq)) > 0:
                break
            await asyncio.sleep(0.01)
        assert 0 < ends <= BURIED_MARK_SECONDS * 1000
        assert await redis.pttl(f"papo:seq:{three.number}") == -1  # running: kept
        for hub in (one, three):
            await hub.close()
        await redis.aclose()

    asyncio.run(run())


def test_a_redis_older_than_the_scripts_need_is_told_apart() -> None:
    for old in ("6.0.16", "6.2.14", "5.0.7", "2.8.4"):
        assert too_old(old), old
    for new in ("7.0.0", "7.0.15", "7.2.4", "8.0.2", "10.1"):
        assert not too_old(new), new
    for unknown in ("", "unknown", "7", "x.y.z"):  # not said, or not as numbers: tried
        assert not too_old(unknown), unknown


def test_a_redis_that_will_not_say_its_version_is_used_all_the_same(tmp_path: Path) -> None:
    """Some hosted Redis rename ``INFO`` away: the chat runs on them as on any other."""
    server = RedisServer(tmp_path, options=("--rename-command", "INFO", "hidden-info"))

    async def run() -> None:
        hub, heard = await listening(server.url)
        await said(hub, [heard], "still here")
        event = heard.events[0][0]
        assert isinstance(event, Message) and event.text == "still here"
        await hub.close()

    try:
        asyncio.run(run())
    finally:
        server.stop()


def test_the_server_imports_no_redis_without_it() -> None:
    """papo needs only the standard library unless --redis is asked for."""
    probe = "import sys, papo.server.__main__, papo.client.__main__; print('redis' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.stdout.strip() == "False", result.stderr


def test_what_a_server_taking_a_member_over_needs_is_kept_out_of_the_stream(
    redis_server: RedisServer,
) -> None:
    """Its token, whom it ignores and its changes of rooms are read from the members hash by
    the one server that takes it over: every server reading them in the stream would be waste."""

    async def run() -> None:
        first, second = await following(redis_server), await following(redis_server)
        ana = await named(first, "ana")
        first.enter("#lobby", ana, "#lobby")
        first.enter("#dev", ana, "#dev")
        digest = bytes(range(32))
        first.keep_token(ana, digest, 0)
        first.keep_ignores(ana, [7, 5], 2)
        first.keep_moves(ana, [(0, frozenset({"#lobby"})), (3, frozenset({"#lobby", "#dev"}))])
        await asyncio.sleep(0.3)
        hold = await second.take(digest)
        assert hold is not None and hold.member == ana and hold.name == "ana"
        assert hold.ignoring == (5, 7) and hold.ignores_changed_at == 2
        assert hold.moves == ((0, ("#lobby",)), (3, ("#dev", "#lobby")))
        reader = Redis.from_url(redis_server.url)
        entries: Any = await reader.xrange("papo:log")
        changes = [fields[b"o"] for _, fields in entries if b"o" in fields]
        assert b"enter" in changes and b"moved" in changes
        assert not {b"token", b"untoken", b"ignores", b"moves"} & set(changes)
        await reader.aclose()
        for hub in (first, second):
            await hub.close()

    asyncio.run(run())


@pytest.mark.parametrize(("read_count", "write_batch"), [(4, 500), (1000, 3)])
def test_a_server_never_holds_an_arrival_its_events_have_not_announced(
    redis_server: RedisServer, read_count: int, write_batch: int
) -> None:
    """Reads cut the stream anywhere (every 4 entries, each arrival being 3: the claim, the
    entry into the lobby, the join), and so could the writer's calls (3 steps each, an arrival
    being 2), yet between two reads the reading server's lobby holds nobody whose join it has
    not delivered: what a welcome made there lists."""

    async def run() -> None:
        writer = await following(redis_server)
        writer.write_batch = write_batch
        reader, heard = RedisHub(redis_server.url), Heard()
        reader.read_count = read_count
        await reader.start()
        reader.follow(heard)
        arrivals = 60
        ahead: list[str] = []  # in the lobby before their join was delivered

        def announced() -> set[str]:
            return {e.name for e, _, _ in heard.events if isinstance(e, Join)}

        async def watch() -> None:
            while len(heard.events) < arrivals:
                ahead.extend(set(reader.room_names("#lobby")) - announced())
                await asyncio.sleep(0)

        watching = asyncio.get_running_loop().create_task(watch())
        first = writer.first_member_id()
        for half in (range(arrivals // 2), range(arrivals // 2, arrivals)):
            for n in half:  # names claimed one by one, then arrivals queued at once
                name, member = f"u{n}", first + n + 1
                await writer.reserve(name, member)
                assert writer.claim(name, member) is None
            for n in half:
                name, member = f"u{n}", first + n + 1
                writer.enter("#lobby", member, "#lobby")
                arrival = Join(ts=NOW, id=0, name=name, room="#lobby", arrived=True)
                writer.append(arrival, Route(frozenset({"#lobby"}), exclude=member))
        await asyncio.wait_for(watching, 10)
        assert announced() == {f"u{n}" for n in range(arrivals)}
        assert not ahead, sorted(set(ahead))
        for hub in (writer, reader):
            await hub.close()

    asyncio.run(run())


def test_a_start_asks_only_about_the_servers_running_and_one_that_differs_leaves_no_trace(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        redis = Redis.from_url(redis_server.url)
        ours = {"--default-room": "#lobby", "--log-size": "500"}

        async def started(settings: dict[str, str]) -> RedisHub:
            hub = RedisHub(redis_server.url, settings=settings)
            await hub.start()
            return hub

        gone, staying = await started(ours), await started(ours)
        await gone.close()
        late = await started(ours)
        agreed = {int(n) for n in await redis.smembers("papo:agreed")}
        assert agreed == {staying.number, late.number}  # the stopped one was dropped on the way
        other = RedisHub(redis_server.url, settings={**ours, "--log-size": "9"})
        with pytest.raises(SettingsDiffer) as refused:
            await other.start()
        assert refused.value.differ == {"--log-size": "500"}
        assert not await redis.exists(f"papo:lease:{other.number}")
        assert {int(n) for n in await redis.smembers("papo:agreed")} == agreed
        for hub in (staying, late):
            await hub.close()
        alone = await started({**ours, "--log-size": "9"})  # nobody running: it sets them
        assert await redis.hget("papo:settings", "--log-size") == b"9"
        await alone.close()
        await redis.aclose()

    asyncio.run(run())


def _set_for_good(hub: RedisHub) -> None:
    """A topic and its lock in #dev, bob muted and eve unmuted."""
    dev = Route(frozenset({"#dev"}))
    hub.append(Topic(ts=NOW, id=0, room="#dev", by="bob", text="green"), dev)
    hub.append(Topic(ts=NOW, id=0, room="#dev", by="ana", text="green", locked=True), dev)
    for name, seconds in (("bob", 3600), ("eve", 60), ("eve", 0)):
        hub.append(Mute(ts=NOW, id=0, name=name, by="ana", seconds=seconds), dev)


def _knows_what_was_set(hub: RedisHub) -> None:
    """A chat made on ``hub`` (a server starting) knows what ``_set_for_good`` set, though
    the log it read no longer has it."""
    assert not [event for event, _ in hub.read_after(0) if isinstance(event, Topic | Mute)]
    chat = Chat(hub)
    dev = chat.rooms.logged("#dev")
    assert (dev.topic, dev.topic_by, dev.topic_locked) == ("green", "bob", True)
    assert chat.mutes.until("bob", NOW) == NOW + 3600
    assert chat.mutes.until("eve", NOW) is None


def test_topics_locks_and_mutes_reach_a_server_started_after_the_stream_dropped_them(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        first, heard = RedisHub(redis_server.url, log_size=5), Heard()
        await first.start()
        first.follow(heard)
        _set_for_good(first)
        for n in range(400):  # the stream keeps about 20 entries: it trims under its reader
            first.append(message(f"m{n}"), LOBBY)
        for _ in range(500):  # until read, and the gap's lasting events recovered
            if first.last_id() == 405 and heard.recovered_events:
                break
            await asyncio.sleep(0.01)
        assert heard.misses and heard.recovered_events == first.lasting()
        assert [type(event) for event in heard.recovered_events] == [Topic, Topic, Mute, Mute]
        late = RedisHub(redis_server.url, log_size=5)
        await late.start()
        _knows_what_was_set(late)
        # Redis restarted empty: the servers running give them back, for the next to start.
        await restarted_empty(redis_server, [first])
        await said(first, [heard], "after")
        later = RedisHub(redis_server.url, log_size=5)
        await later.start()
        assert [getattr(event, "text", "") for event, _ in later.read_after(0)] == ["after"]
        _knows_what_was_set(later)
        for hub in (first, late, later):
            await hub.close()

    asyncio.run(run())


def test_redis_keeps_the_newest_of_each_lasting_key_up_to_its_limit(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        hub, heard = await listening(redis_server.url)
        for n in range(LASTING_LIMIT + 3):
            hub.append(Mute(ts=NOW, id=0, name=f"u{n}", by="ana", seconds=60), Route(to=(1,)))
        await settle([heard], LASTING_LIMIT + 3)
        redis = SyncRedis.from_url(redis_server.url)
        assert redis.hlen("papo:lasting") == redis.zcard("papo:lasting:order") == LASTING_LIMIT
        assert not redis.hexists("papo:lasting", "mute u2")  # the first three went
        assert str(redis.hget("papo:lasting", "mute u3")).startswith("b'4 ")  # id, JSON
        redis.close()
        await hub.close()

    asyncio.run(run())


def test_bans_over_are_swept_out_of_redis_by_the_next_server_to_start(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        first = await following(redis_server)
        first.ban(Ban("192.0.2.7", time.time() + 60, "bob"))
        first.ban(Ban("192.0.2.8", time.time() + 0.2, "carol"))
        first.ban(Ban("192.0.2.9", time.time() + 60, "dave"))
        redis = SyncRedis.from_url(redis_server.url)
        await asyncio.sleep(0.5)  # carol's is over, and still in Redis
        assert redis.hlen("papo:bans") == 3
        # Over by the time it knows, but banned anew since: a newer ban stays.
        first._send_step("ended", 0, "192.0.2.9", repr(time.time() - 1), "papo:bans")
        late = await following(redis_server)
        for _ in range(100):
            if redis.hlen("papo:bans") == 2:
                break
            await asyncio.sleep(0.02)
        assert sorted(redis.hkeys("papo:bans")) == [b"192.0.2.7", b"192.0.2.9"]
        assert late.banned("192.0.2.8", time.time()) is None
        assert late.banned("192.0.2.7", time.time()) is not None
        redis.close()
        for hub in (first, late):
            await hub.close()

    asyncio.run(run())


def test_a_crowd_arriving_at_once_claims_its_names_in_a_few_calls_in_the_order_asked(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        (first, _), (second, _) = [await listening(redis_server.url) for _ in "12"]
        base = first.first_member_id()
        crowd = [f"user{n}" for n in range(300)]
        # Two look for ana in one crowd, and a third wants a look-alike (Cyrillic a).
        wanted = ["ana", *crowd, "ana", "аna"]
        holders = [base + 1 + n for n in range(len(wanted))]
        calls_before = await script_calls(redis_server)
        await asyncio.gather(*(first.reserve(n, h) for n, h in zip(wanted, holders, strict=True)))
        calls = await script_calls(redis_server) - calls_before
        assert calls <= 5, calls  # not one a name: gathered, a few hundred a call
        answers = [first.claim(n, h) for n, h in zip(wanted, holders, strict=True)]
        assert answers == [None, *[None] * len(crowd), "ana", "ana"]
        for _ in range(200):
            if len(second.names()) == len(crowd) + 1:
                break
            await asyncio.sleep(0.02)
        assert sorted(second.names()) == sorted(["ana", *crowd])
        assert second.holder("ana") == holders[0] and second.holder("user7") == holders[8]
        for hub in (first, second):
            await hub.close()

    asyncio.run(run())


async def script_calls(redis_server: RedisServer) -> int:
    """Scripts Redis has run so far (``EVALSHA`` and ``EVAL``)."""
    redis = Redis.from_url(redis_server.url)
    stats = await redis.info("commandstats")
    await redis.aclose()
    counts = [stats.get(f"cmdstat_{each}", {}).get("calls", 0) for each in ("evalsha", "eval")]
    return sum(int(count) for count in counts)
