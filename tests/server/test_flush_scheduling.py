"""A client's own output is never held back by the pacing of broadcasts, and keeps its order.

The pacer only asks for a wait in rooms of 100 or more with the server behind, which a test
cannot bring about reliably; here a pacer that always asks for one stands in for it, and
everything else (server, sockets, clients) is real.
"""

from __future__ import annotations

import asyncio

from papo.server.app import ChatServer
from papo.server.pacing import FlushPacer
from tests.server.inprocess import join, with_server

HELD = 1.0  # seconds the pacer holds broadcasts back


class HoldingPacer(FlushPacer):
    def __init__(self) -> None:
        super().__init__()
        self.wait = HELD

    def flushed(
        self, *, started: float, cpu: float, took: float, broadcasts: int, written: int
    ) -> None:
        self.wait = HELD


def test_a_reply_goes_out_at_once_after_the_broadcasts_it_follows() -> None:
    async def check(server: ChatServer, port: int) -> None:
        alice, bob, carol = [await join(port, name) for name in ("alice", "bob", "carol")]
        server.flushes.pacer = HoldingPacer()
        loop = asyncio.get_running_loop()
        sent = loop.time()
        await alice.send("hello all")
        await asyncio.sleep(0.05)  # the broadcast is held now
        await bob.send("/online")
        message = await bob.until("message")  # what bob asked for comes after what he missed
        online = await bob.until("online")
        answered = loop.time() - sent
        assert message["text"] == "hello all" and online["count"] == 3
        await carol.until("message")
        held = loop.time() - sent
        assert answered < HELD / 2, f"bob's reply waited {answered:.2f} s"
        assert held >= HELD * 0.8, f"carol got the broadcast after {held:.2f} s"
        for user in (alice, bob, carol):
            user.writer.close()

    with asyncio.Runner() as runner:
        runner.run(with_server(check))
