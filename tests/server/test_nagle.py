"""Nagle for listeners, TCP_NODELAY for talkers: checked on the server's own sockets.

The server runs in this process (on real loopback sockets) so the test can read the socket
option of each server-side connection, which no outside client can see.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from papo.hub.redis_hub import RedisHub
from papo.server import fanout, nagle
from papo.server.__main__ import loop_factory
from papo.server.app import ChatServer
from papo.server.config import ServerConfig
from papo.server.connection import Connection
from papo.server.replica import Replica
from tests.redis_server import RedisServer
from tests.server.inprocess import join, with_server

QUIET = 1.0


def nodelay(connection: Connection) -> bool:
    assert connection.transport is not None
    sock = connection.transport.get_extra_info("socket")
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def loop_time() -> float:
    return asyncio.get_running_loop().time()


def connection_of(server: ChatServer, name: str) -> Connection:
    (found,) = (c for c in server.fanout.outlets.values() if c.session.name == name)
    return found


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_talkers_get_nodelay_until_quiet_and_listeners_keep_nagle(
    loop: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nagle, "TALKER_QUIET_SECONDS", QUIET)

    async def check(server: ChatServer, port: int) -> None:
        alice, bob = await join(port, "alice"), await join(port, "bob")
        # Registering is not talking: both start as listeners.
        assert not nodelay(connection_of(server, "alice"))
        assert not nodelay(connection_of(server, "bob"))
        await alice.send("hi")
        await bob.until("message")
        assert nodelay(connection_of(server, "alice"))
        assert not nodelay(connection_of(server, "bob"))
        # Speaking again before the quiet time is up keeps the talker's mode past it.
        await asyncio.sleep(QUIET * 0.5)
        await alice.send("/online")
        await alice.until("online")
        spoke = loop_time()
        await asyncio.sleep(QUIET * 0.6)
        assert nodelay(connection_of(server, "alice"))
        # Then, quiet for QUIET seconds, it listens again.
        while nodelay(connection_of(server, "alice")):
            assert loop_time() - spoke < QUIET * 3
            await asyncio.sleep(0.05)
        assert loop_time() - spoke >= QUIET * 0.9
        # And a quiet talker that speaks up again is a talker again.
        await alice.send("back")
        await bob.until("message")
        assert nodelay(connection_of(server, "alice"))
        for user in (alice, bob):
            user.writer.close()

    factory = loop_factory(loop)
    if loop == "uvloop" and factory is None:
        pytest.skip("uvloop not installed")
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(with_server(check))


@pytest.mark.parametrize("room_limit", [100, 1])
def test_a_listener_of_a_small_room_gets_nodelay_while_its_writes_are_long(
    room_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write of ``ACKED_LATE_FROM`` bytes or more may wait 40 ms for its ACK (the reader's
    kernel takes it for a full segment), and Nagle holds the next write for as long. In a
    small room the server writes to each member on every turn, so it gives up Nagle for
    them; past ``COALESCE_ABOVE`` members (here patched down to 1) Nagle's merging is kept."""
    monkeypatch.setattr(nagle, "TALKER_QUIET_SECONDS", QUIET)
    monkeypatch.setattr(fanout, "COALESCE_ABOVE", room_limit)

    async def check(server: ChatServer, port: int) -> None:
        alice, bob = await join(port, "alice"), await join(port, "bob")
        await alice.send("short")
        await bob.until("message")
        assert not nodelay(connection_of(server, "bob"))  # one short line: Nagle holds
        await alice.send("x" * nagle.ACKED_LATE_FROM)
        await bob.until("message")
        assert nodelay(connection_of(server, "bob")) is (room_limit > 2)
        wrote = loop_time()
        while nodelay(connection_of(server, "bob")):
            assert loop_time() - wrote < QUIET * 3
            await asyncio.sleep(0.05)
        for user in (alice, bob):
            user.writer.close()

    with asyncio.Runner() as runner:
        runner.run(with_server(check))


def test_a_name_claimed_on_every_server_first_is_answered_without_nagle(
    redis_server: RedisServer,
) -> None:
    """With Redis the welcome goes out a turn or more after ``/format``'s ``hello``, which the
    client, having just sent its name, may acknowledge only after its delayed ACK: with Nagle
    every welcome waited 40 ms for it (registrations of ten users at once: a few ms each, and
    40-50 ms for several). A line held for Redis puts its connection in TCP_NODELAY, as a
    talker's; a registration answered in the same turn keeps Nagle (the test above)."""

    async def run() -> None:
        hub = RedisHub(redis_server.url)
        await hub.start()
        server = ChatServer(ServerConfig(host="127.0.0.1", port=0, rate=0), hub, hub)
        hub.follow(Replica(server))
        (_, port), *_ = await server.start()
        try:
            ana = await join(port, "ana")
            assert nodelay(connection_of(server, "ana"))
            ana.writer.close()
        finally:
            await server.shutdown()
            await hub.close()

    asyncio.run(run())
