"""What every connection holds, whatever it does: kept small, since an idle chat of ten
thousand is ten thousand of them (``make bench``'s idle_10k: KiB per connection). Past 30
attributes an instance with a ``__dict__`` gets a table of keys of its own (1.3 KiB more each,
found when telnet's state was the 31st): the connection and its line buffer are slotted."""

from __future__ import annotations

import asyncio

from papo.server.app import ChatServer
from tests.server.inprocess import join, with_server


def test_a_connection_and_its_line_buffer_have_no_dict_of_attributes() -> None:
    async def check(server: ChatServer, port: int) -> None:
        user = await join(port, "ana")
        (connection,) = server.fanout.outlets.values()
        assert connection.session.name == "ana"  # the one that registered, in use
        for part in (connection, connection.framer):
            assert not hasattr(part, "__dict__"), type(part).__name__
        user.writer.close()

    with asyncio.Runner() as runner:
        runner.run(with_server(check))
