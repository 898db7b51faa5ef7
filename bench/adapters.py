"""How each chat server is joined and spoken to, so one load generator measures them all.

Every benchmark message carries ``B <send time ns> <sender> <seq>``; whatever the server wraps it
in (JSON, ``<name> text``, IRC's PRIVMSG), receivers find it with one regular expression, so the
latency of every delivery can be measured on the same clock.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace

MARK = re.compile(rb"B (\d+) (\d+) (\d+)")
REGISTER_TIMEOUT = 30.0


class AdapterError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Adapter:
    """One way of talking to one kind of server."""

    name: str
    echoes_sender: bool  # does the sender get its own public message back?
    max_clients: int = 1_000_000
    join_concurrency: int = 256
    port: int | None = None  # where its clients connect, when not the server's main port

    def for_client(self, index: int) -> Adapter:
        """The adapter client ``index`` uses (a mixed crowd speaks two protocols)."""
        return self

    async def join(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, nick: str
    ) -> None:
        raise NotImplementedError

    def say(self, text: str) -> bytes:
        return text.encode() + b"\n"

    async def enter(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, room: str
    ) -> None:
        """Join ``room`` as well, and make it where ``say_in`` talks."""
        raise AdapterError(f"{self.name} has no rooms")

    def say_in(self, room: str, text: str) -> bytes:
        return self.say(text)  # papo: a plain line goes to the room joined last


async def _read_until(reader: asyncio.StreamReader, needle: bytes) -> None:
    # asyncio.timeout, not wait_for: no task per call, and this runs once per client joining.
    async with asyncio.timeout(REGISTER_TIMEOUT):
        while True:
            line = await reader.readline()
            if not line:
                raise AdapterError(f"closed while waiting for {needle!r}")
            if needle in line:
                return


class PapoJson(Adapter):
    def __init__(self) -> None:
        super().__init__("papo-json", echoes_sender=True)

    async def join(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, nick: str
    ) -> None:
        writer.write(b"/format json\n" + nick.encode() + b"\n")
        await _read_until(reader, b'"type":"welcome"')

    async def enter(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, room: str
    ) -> None:
        writer.write(b"/join " + room.encode() + b"\n")
        await _read_until(reader, b'"type":"joined"')


class PapoText(Adapter):
    def __init__(self) -> None:
        super().__init__("papo-text", echoes_sender=False)

    async def join(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, nick: str
    ) -> None:
        writer.write(nick.encode() + b"\n")
        await _read_until(reader, b"Hello, " + nick.encode())

    async def enter(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, room: str
    ) -> None:
        writer.write(b"/join " + room.encode() + b"\n")
        await _read_until(reader, b"You are now talking in " + room.encode())


class NcatChat(Adapter):
    """``ncat --chat``: no names, no registration; everything goes to everybody else."""

    def __init__(self) -> None:
        # ncat multiplexes with select(): past FD_SETSIZE (1024) new connections hang.
        # Its listen backlog is short too: connecting in a burst gets resets.
        super().__init__("ncat", echoes_sender=False, max_clients=1000, join_concurrency=8)

    async def join(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, nick: str
    ) -> None:
        return None


class IrcSpeaker(Adapter):
    """What every IRC client does in rooms (channels), whatever the server."""

    async def enter(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, room: str
    ) -> None:
        writer.write(b"JOIN " + room.encode() + b"\r\n")
        await _read_until(reader, b" 366 ")  # end of the names list: we are in

    def say_in(self, room: str, text: str) -> bytes:
        return b"PRIVMSG " + room.encode() + b" :" + text.encode() + b"\r\n"


class Irc(IrcSpeaker):
    CHANNEL = b"#bench"

    def __init__(self) -> None:
        # ngircd listens with a backlog of 10: connect in small batches.
        super().__init__("ngircd", echoes_sender=False, join_concurrency=8)

    async def join(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, nick: str
    ) -> None:
        name = nick.encode()
        writer.write(b"NICK " + name + b"\r\nUSER " + name + b" 0 * :bench\r\n")
        await _read_until(reader, b" 001 ")
        writer.write(b"JOIN " + self.CHANNEL + b"\r\n")
        await _read_until(reader, b" 366 ")  # end of the names list: we are in

    def say(self, text: str) -> bytes:
        return self.say_in(self.CHANNEL.decode(), text)


@dataclass(frozen=True, slots=True)
class PapoIrc(IrcSpeaker):
    """IRC clients of papo's IRC door, in the default room (``#lobby``), with echo-message:
    like papo's JSON clients, a sender reads its own line back."""

    name: str = "papo-irc"
    echoes_sender: bool = True

    async def join(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, nick: str
    ) -> None:
        name = nick.encode()
        writer.write(
            b"CAP LS 302\r\nNICK " + name + b"\r\nUSER " + name + b" 0 * :bench\r\n"
            b"CAP REQ :echo-message\r\nCAP END\r\n"
        )
        await _read_until(reader, b" 366 ")  # the lobby's names: in

    def say(self, text: str) -> bytes:
        return self.say_in("#lobby", text)


@dataclass(frozen=True, slots=True)
class PapoMixed(Adapter):
    """Half the clients on papo's IRC door (the odd ones), half reading JSON: one room."""

    name: str = "papo-mixed"
    echoes_sender: bool = True

    def for_client(self, index: int) -> Adapter:
        return PapoIrc(port=self.port) if index % 2 else ADAPTERS["papo-json"]


ADAPTERS: dict[str, Adapter] = {
    a.name: a for a in (PapoJson(), PapoText(), NcatChat(), Irc(), PapoIrc(), PapoMixed())
}


# Kinds of papo server spoken to in JSON as papo-json is: on Redis (one server, two workers),
# and on the standard library's event loop.
JSON_KINDS = ("papo-redis", "papo-2w", "papo-stdlib")


def adapter_for(kind: str, irc_port: int | None) -> Adapter:
    """The adapter of ``kind``, told the IRC door's port where its clients need it (papo on
    Redis, one server or two workers, is spoken to in JSON)."""
    adapter = ADAPTERS["papo-json" if kind in JSON_KINDS else kind]
    return replace(adapter, port=irc_port) if kind in ("papo-irc", "papo-mixed") else adapter
