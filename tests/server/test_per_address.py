"""Limits per address: the pure bookkeeping, then real connections from one address."""

from __future__ import annotations

import socket
import time

import pytest

from papo.protocol.events import ErrorCode
from papo.server.per_address import AddressLimits, AddressRules, address_group
from tests.conftest import StartServer
from tests.support import HOST

RULES = AddressRules(max_connections=3, connect_rate=1.0, line_rate=2.0, line_burst=4)


@pytest.mark.parametrize(
    ("host", "group"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("not an address", "not an address"),
    ],
)
def test_ipv6_addresses_count_by_their_64(host: str, group: str) -> None:
    assert address_group(host) == group


def test_connections_are_capped_and_new_ones_paced() -> None:
    limits = AddressLimits(RULES)
    assert [limits.admit("a", 0.0) for _ in range(3)] == [None, None, None]
    assert limits.admit("a", 0.0) is ErrorCode.TOO_MANY_CONNECTIONS  # the cap
    limits.release("a")
    assert limits.admit("a", 0.0) is ErrorCode.TOO_MANY_CONNECTIONS  # no new one due yet
    assert limits.admit("a", 1.0) is None  # one a second
    assert limits.admit("b", 1.0) is None  # another address is not affected


def test_reconnecting_does_not_buy_a_fresh_burst() -> None:
    limits = AddressLimits(RULES)
    for _ in range(3):
        assert limits.admit("a", 0.0) is None
        limits.release("a")
    limits.forget_idle(0.5)
    assert limits.admit("a", 0.5) is ErrorCode.TOO_MANY_CONNECTIONS
    limits.forget_idle(10.0)  # buckets full again: the address is forgotten
    assert len(limits) == 0


def test_holds_are_capped_like_connections_and_keep_the_address_remembered() -> None:
    limits = AddressLimits(RULES)
    assert limits.admit("a", 0.0) is None
    limits.release("a")
    for _ in range(3):
        assert limits.may_hold("a")
        limits.hold("a")
    assert not limits.may_hold("a") and limits.may_hold("b")
    limits.forget_idle(1000.0)  # buckets full, no connection, but holds: still known
    assert not limits.may_hold("a")
    for _ in range(3):
        limits.unhold("a")
    limits.forget_idle(1000.0)
    assert len(limits) == 0


def test_the_line_bucket_is_shared_by_an_address() -> None:
    limits = AddressLimits(RULES)
    assert limits.admit("a", 0.0) is None and limits.admit("a", 0.0) is None
    shared = limits.line_bucket("a")
    assert [shared.take(0.0) for _ in range(5)] == [True] * 4 + [False]
    assert limits.line_bucket("a") is shared


def connect_from(address: str, port: int) -> socket.socket:
    sock = socket.socket()
    sock.bind((address, 0))
    sock.settimeout(5)
    sock.connect((HOST, port))
    return sock


def test_many_connections_of_one_address_share_its_rate(start_server: StartServer) -> None:
    server = start_server("--rate", "100", "--burst", "100", "--ip-rate", "20", "--ip-burst", "10")
    watcher = server.user("watcher")
    flooders = [connect_from("127.0.0.4", server.port) for _ in range(10)]
    started = time.monotonic()
    for number, sock in enumerate(flooders):
        sock.sendall(f"f{number}\n".encode() + b"".join(b"%d\n" % n for n in range(5)))
    time.sleep(0.2)
    other = server.user("other", source="127.0.0.5")
    other.send("not slowed")
    texts: list[str] = []
    while len(texts) < 51:
        texts.append(watcher.expect("message", timeout=10)["text"])
    elapsed = time.monotonic() - started
    assert sorted(t for t in texts if t != "not slowed") == sorted([str(n) for n in range(5)] * 10)
    # 60 lines (names included), 10 at once then 20 a second: at least 2.5 s, as one flooder.
    assert elapsed >= 2.0
    assert texts.index("not slowed") < 25
    for sock in flooders:
        sock.close()


def test_reconnecting_from_one_address_is_paced(start_server: StartServer) -> None:
    server = start_server("--max-per-ip", "3", "--ip-connect-rate", "1")
    for _ in range(3):
        client = server.client(source="127.0.0.6")
        assert client.readline() is not None
        client.close()
    refused = server.client(source="127.0.0.6")
    assert "Try again later" in refused.text_until(lambda line: "again later" in line)[-1]
    assert server.client(source="127.0.0.7").readline() is not None
    time.sleep(1.1)
    assert "name" in (server.client(source="127.0.0.6").readline() or b"").decode()
