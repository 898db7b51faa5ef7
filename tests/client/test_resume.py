"""The papo client resumes by itself: real client processes (a pty, and a pipe), a real server,
and the fault-injecting proxy between them."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pexpect
import pytest

from tests.client.test_terminal import chatting
from tests.conftest import StartServer
from tests.proxy import FaultyProxy
from tests.redis_server import RedisServer
from tests.support import ROOT, ServerProcess


@pytest.fixture
def proxied(start_server: StartServer) -> Iterator[tuple[ServerProcess, FaultyProxy]]:
    server = start_server("--rate", "0", "--ip-rate", "0")
    proxy = FaultyProxy(server.port)
    yield server, proxy
    proxy.close()


def test_a_lost_connection_is_resumed_with_the_missed_lines_and_the_typed_ones_sent(
    proxied: tuple[ServerProcess, FaultyProxy], clients: list[pexpect.spawn]
) -> None:
    server, proxy = proxied
    bob = server.user("bob")
    child = chatting(proxy.port, clients, "carol", env={"NO_COLOR": "1"})
    bob.expect("join", name="carol")
    proxy.refuse()  # the network is down for a while: tries to reconnect fail
    proxy.reset()
    child.expect("Connection lost; reconnecting")
    for number in range(5):
        bob.send(f"missed {number}")
    bob.send("/msg carol a private one")
    child.sendline("typed while away")
    child.expect("will be sent once back")
    child.send("half a li")  # being typed when the connection comes back
    time.sleep(1.5)
    proxy.admit()
    child.expect("Back, carol: nothing was lost")
    child.expect("Sent 1 line typed while disconnected")
    child.expect("Missed while you were disconnected:")
    for number in range(5):
        child.expect(f"<bob> missed {number}")
    child.expect("a private one")
    assert bob.expect("message", text="typed while away")["from"] == "carol"
    child.sendline("ne")  # what was typed was kept across it all
    assert bob.expect("message")["text"] == "half a line"
    assert "missed 0" not in (child.before or "")  # each missed line shown once
    assert [e for e in bob.quiet(0.3) if e["type"] in ("leave", "join")] == []  # never left


def test_quit_while_disconnected_just_leaves(
    proxied: tuple[ServerProcess, FaultyProxy], clients: list[pexpect.spawn]
) -> None:
    _, proxy = proxied
    child = chatting(proxy.port, clients, "carol")
    proxy.refuse()
    proxy.cut()
    child.expect("reconnecting")
    child.sendline("/quit")
    child.expect(pexpect.EOF, timeout=5)
    child.close()
    assert child.exitstatus == 0


def test_no_reconnect_exits_when_the_connection_is_lost(
    proxied: tuple[ServerProcess, FaultyProxy], clients: list[pexpect.spawn]
) -> None:
    _, proxy = proxied
    child = chatting(proxy.port, clients, "carol", "--no-reconnect")
    proxy.cut()
    child.expect("closed the connection")
    child.expect(pexpect.EOF, timeout=5)
    child.close()
    assert child.exitstatus == 1


def test_a_piped_client_resumes_too(proxied: tuple[ServerProcess, FaultyProxy]) -> None:
    server, proxy = proxied
    bob = server.user("bob")
    process = subprocess.Popen(
        [sys.executable, "client.py", "--port", str(proxy.port), "--name", "reader"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        bob.expect("join", name="reader")
        bob.send("before")
        time.sleep(0.3)
        proxy.cut()
        for number in range(20):
            bob.send(f"during {number}")
        time.sleep(2)  # resumed by now (the first try comes within 0.25 s)
        bob.send("after")
        time.sleep(0.5)
        assert process.stdin is not None
        process.stdin.close()  # end of input: /quit
        bob.expect("leave", name="reader", reason="quit")
        process.wait(10)
    finally:
        process.kill()
    assert process.stdout is not None
    lines = [
        line.split(" ", 1)[1] for line in process.stdout.read().splitlines() if "<bob>" in line
    ]
    assert lines == ["<bob> before", *(f"<bob> during {n}" for n in range(20)), "<bob> after"]


def test_through_cuts_and_resets_the_terminal_shows_each_line_once_in_order(
    proxied: tuple[ServerProcess, FaultyProxy], clients: list[pexpect.spawn]
) -> None:
    """500 messages in two rooms and privates while the client's connection is cut, then
    reset: the screen shows every one once, in the order of their ids."""
    server, proxy = proxied
    child = chatting(proxy.port, clients, "carol", env={"NO_COLOR": "1"})
    screen = io.StringIO()
    child.logfile_read = screen  # everything shown from here on
    child.sendline("/join #a")
    child.expect("#a> ")
    child.sendline("/join #b")
    child.expect("#b> ")
    ann, ben, dot = server.user("ann"), server.user("ben"), server.user("dot")
    for user, room in ((ann, "#a"), (ben, "#b")):
        user.send(f"/join {room}")
        user.expect("joined")
    echoes: list[tuple[int, str]] = []

    def talk(first: int, last: int) -> None:
        for number in range(first, last):
            user, line = [(ann, f"a{number}"), (ben, f"b{number}"), (dot, f"/msg carol p{number}")][
                number % 3
            ]
            user.send(line)
        for user, kind in ((ann, "message"), (ben, "message"), (dot, "private")):
            wanted = len([n for n in range(first, last) if (ann, ben, dot)[n % 3] is user])
            for _ in range(wanted):
                event = user.expect(kind, **{"from": user.welcome["name"]})  # type: ignore[index]
                echoes.append((event["id"], event["text"]))

    talk(0, 150)
    proxy.cut()
    talk(150, 320)
    child.expect("Back, carol", timeout=15)
    proxy.reset()
    talk(320, 500)
    child.expect("Back, carol", timeout=15)
    expected = [text for _, text in sorted(echoes)]
    child.expect(rf"\b{expected[-1]}\b", timeout=15)
    shown = re.findall(r"(?:<(?:ann|ben)> |\[dot -> carol\] )([abp]\d+)\b", screen.getvalue())
    assert shown == expected


def test_a_chat_whose_redis_is_away_is_waited_for_and_the_resume_loses_nothing(
    start_server: StartServer, redis_server: RedisServer, clients: list[pexpect.spawn]
) -> None:
    """The connection drops while the servers' Redis is away: the server answers the
    resume `unavailable`. That is no refusal: the client keeps its token and tries again."""
    server = start_server("--redis", redis_server.url, "--rate", "0", "--ip-rate", "0")
    proxy = FaultyProxy(server.port)
    try:
        bob = server.user("bob")
        child = chatting(proxy.port, clients, "carol", env={"NO_COLOR": "1"})
        bob.expect("join", name="carol")
        bob.send("before")
        child.expect("<bob> before")
        redis_server.stop()
        time.sleep(1.5)  # the server notices at its next request to Redis
        proxy.reset()
        child.expect("Connection lost; reconnecting")
        child.expect("the rest of the chat not yet: still trying", timeout=10)
        time.sleep(1.5)  # a few more tries
        redis_server.start()  # empty: the server writes carol back, her token with her
        child.expect("Back, carol: nothing was lost", timeout=15)
        assert "Could not resume" not in (child.before or "")
        bob.send("after")
        child.expect("<bob> after")
        child.sendline("still here")
        assert bob.expect("message", text="still here", timeout=10)["from"] == "carol"
        assert [e for e in bob.quiet(0.3) if e.get("name") == "carol"] == []  # never left
    finally:
        proxy.close()
