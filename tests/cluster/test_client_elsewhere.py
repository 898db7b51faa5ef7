"""The papo client in a pty comes back through another server of the chat and loses nothing:
real client, two real servers, a real redis-server, the fault-injecting proxy between."""

from __future__ import annotations

import pexpect

from tests.client.test_terminal import chatting
from tests.conftest import StartServer
from tests.proxy import FaultyProxy
from tests.redis_server import RedisServer


def test_the_client_resumes_through_another_server_with_what_it_missed(
    start_server: StartServer, redis_server: RedisServer, clients: list[pexpect.spawn]
) -> None:
    one, two = (start_server("--redis", redis_server.url) for _ in range(2))
    proxy = FaultyProxy(one.port)
    try:
        bob = two.user("bob")
        child = chatting(proxy.port, clients, "carol", env={"NO_COLOR": "1"})
        bob.expect("join", name="carol")
        proxy.target_port = two.port  # from now on the proxy reaches the other server
        proxy.refuse()
        proxy.reset()
        child.expect("Connection lost; reconnecting")
        for number in range(3):
            bob.send(f"missed {number}")
        bob.send("/msg carol a private one")
        bob.expect("private", text="a private one")
        proxy.admit()
        child.expect("Back, carol: nothing was lost")
        child.expect("Missed while you were disconnected:")
        for number in range(3):
            child.expect(f"<bob> missed {number}")
        child.expect("a private one")
        child.sendline("hello from the other server")
        said = bob.expect("message", text="hello from the other server")
        assert said["from"] == "carol"
        assert [e for e in bob.quiet(0.3) if e["type"] in ("leave", "join")] == []  # never left
        assert "taken over from another server" in two.log()
    finally:
        proxy.close()
