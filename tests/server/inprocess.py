"""A server running in the test's own process, on real loopback sockets, and JSON clients.

For checks that need the server's side of a connection (its socket options, its pacer), which
no outside client can see.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from papo.hub.memory import MemoryHub
from papo.server.app import ChatServer
from papo.server.config import ServerConfig


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
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, rate=0), MemoryHub())
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
