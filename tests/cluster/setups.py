"""The casts of the cluster tests. Where a server goes away: two servers of one chat with a
short lease; on the first, a program (ana, JSON: it can resume) and a line user (carl); on the
second, bob. Where a program resumes elsewhere: ana and bob in #dev, on two servers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import LineClient, ServerProcess

LEASE = 2  # seconds: a server gone is noticed within this and a third of it
OPER_PASSWORD = "one password for every server"


def operators(tmp_path: Path) -> tuple[str, str]:
    """The option that gives every server of a test one operator password."""
    secret = tmp_path / "oper"
    secret.write_text(OPER_PASSWORD + "\n")
    return ("--oper-password-file", str(secret))


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


def two_in_dev(
    start_server: StartServer, redis_server: RedisServer
) -> tuple[ServerProcess, ServerProcess, LineClient, LineClient, int]:
    """ana (a program) on one server and bob on another, both in #dev; the id of bob's join
    there, the newest ana read."""
    one, two = (start_server("--redis", redis_server.url) for _ in range(2))
    ana, bob = one.user("ana"), two.user("bob")
    assert ana.welcome is not None
    ana.send("/join #dev")
    ana.expect("joined", room="#dev")  # before bob: his join is one she reads
    bob.send("/join #dev")
    return one, two, ana, bob, ana.expect("join", name="bob", room="#dev")["id"]


def ignoring_bob_until_unignored(ana: LineClient, bob: LineClient) -> None:
    """ana lists bob as ignored, unignores him, and reads him again."""
    ana.send("/ignore")
    assert ana.expect("info", code="ignoring")["names"] == ["bob"]
    ana.send("/unignore bob")
    ana.expect("info", code="unignored")
    bob.send("back in view")
    assert ana.expect("message", text="back in view")["from"] == "bob"
