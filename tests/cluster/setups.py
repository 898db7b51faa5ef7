"""The cast of the tests where a server goes away: two servers of one chat with a short lease;
on the first, a program (ana, JSON: it can resume) and a line user (carl); on the second, bob."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import LineClient, ServerProcess

LEASE = 2  # seconds: a server gone is noticed within this and a third of it


@dataclass
class Cast:
    one: ServerProcess
    two: ServerProcess
    ana: LineClient
    carl: LineClient
    bob: LineClient
    token: str  # ana's resume token
    seen: int  # the newest id ana read

    def close(self) -> None:
        self.carl.close()


def cast(start_server: StartServer, redis_server: RedisServer) -> Cast:
    lease = ("--redis", redis_server.url, "--lease", str(LEASE))
    one, two = (start_server(*lease) for _ in range(2))
    ana, carl = one.user("ana"), one.line_user("carl")
    bob = two.user("bob")
    assert ana.welcome is not None
    seen = ana.expect("join", name="bob")["id"]
    return Cast(one, two, ana, carl, bob, ana.welcome["resume"], seen)
