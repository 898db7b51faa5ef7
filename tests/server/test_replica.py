"""What one server of several does with what the shared log tells it: here, a server gone
while one of its users has already resumed on this one."""

from __future__ import annotations

import asyncio

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
