"""What one server of several does with what the shared log tells it: a server gone while one
of its users has already resumed on this one; a ban another server made."""

from __future__ import annotations

import asyncio
import time

import pytest

from papo.core.bans import Ban
from papo.server.app import ChatServer
from papo.server.replica import Replica
from tests.server.inprocess import join, with_server


def test_a_member_that_resumed_here_meanwhile_is_not_held_by_the_burial_of_its_server() -> None:
    """The hub takes a gone server's members over one by one, with a Redis call each; a user
    of that server may resume here in between, and its hold, fetched before, is older than
    the user is now. Adopting it anyway replaced the connected member by a held one, with
    the old token: the user was stranded, and its next resume anywhere failed."""

    async def check(server: ChatServer, port: int) -> None:
        ana = await join(port, "ana")
        (member,) = [m for m in server.chat.members.values() if m.name == "ana"]
        stale = server.chat.record(member)  # as the burial fetched it
        Replica(server).gone([member.sid], [stale])
        assert server.chat.members[member.sid] is member
        assert member.held_until is None
        await ana.send("still here")
        assert (await ana.until("message"))["text"] == "still here"

    asyncio.run(with_server(check))


def test_a_ban_made_on_another_server_puts_out_this_ones_connections_from_the_address() -> None:
    """Told by the hub; one that ended already (its step waited out a Redis outage longer
    than the ban) puts out nobody."""

    async def check(server: ChatServer, port: int) -> None:
        ana, bob = await join(port, "ana"), await join(port, "bob")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.wait_for(reader.readline(), 5)  # the greeting: no name yet
        listener = Replica(server)
        listener.banned(Ban("127.0.0.1", time.time() - 1, "eve", by="carol"))
        await ana.send("still here")
        assert (await bob.until("message"))["text"] == "still here"
        with pytest.raises(asyncio.TimeoutError):  # nothing said to the one without a name
            await asyncio.wait_for(reader.readline(), 0.3)
        listener.banned(Ban("127.0.0.1", time.time() + 600, "eve", by="carol"))
        leave = await bob.until("leave")
        assert (leave["reason"], leave["by"], leave["ban"]) == ("kicked", "carol", 599)
        assert (await bob.until("bye"))["reason"] == "kicked"
        refused = [(await asyncio.wait_for(reader.readline(), 5)).decode() for _ in range(2)]
        assert refused[0].startswith("Error: your address is banned from this chat")
        assert refused[1].startswith("An operator banned your address")
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed
        writer.close()

    asyncio.run(with_server(check))
