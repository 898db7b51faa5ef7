"""Nagle for listeners, TCP_NODELAY for talkers: checked on the server's own sockets.

The server runs in this process (on real loopback sockets) so the test can read the socket
option of each server-side connection, which no outside client can see.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable

import pytest

from papo.server import nagle
from papo.server.__main__ import loop_factory
from papo.server.app import ChatServer
from papo.server.config import ServerConfig
from papo.server.connection import Connection

QUIET = 1.0


def nodelay(connection: Connection) -> bool:
    assert connection.transport is not None
    sock = connection.transport.get_extra_info("socket")
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


class User:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\n")
        await self.writer.drain()

    async def until(self, kind: str) -> dict[str, object]:
        while True:
            event: dict[str, object] = json.loads(await asyncio.wait_for(self.reader.readline(), 5))
            if event["type"] == kind:
                return event


async def with_server(check: Callable[[ChatServer, int], Awaitable[None]]) -> None:
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, rate=0))
    (_, port), *_ = await server.start()
    try:
        await check(server, port)
    finally:
        await server.shutdown()


async def join(port: int, name: str) -> User:
    user = User(*await asyncio.open_connection("127.0.0.1", port))
    await asyncio.wait_for(user.reader.readline(), 5)  # the greeting, in text
    await user.send("/format json")
    await user.until("hello")
    await user.send(name)
    await user.until("welcome")
    return user


def loop_time() -> float:
    return asyncio.get_running_loop().time()


def connection_of(server: ChatServer, name: str) -> Connection:
    (found,) = (c for c in server.hub.outlets.values() if c.session.name == name)
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
