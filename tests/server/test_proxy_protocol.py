"""``--proxy-from``: behind a load balancer, each client counts as the address its PROXY header
names. Real server processes; the test speaks as the balancer (the headers are HAProxy's
forms), and ``test_haproxy.py`` puts a real HAProxy in front."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import StartServer
from tests.protocol.test_proxy_header import version_2
from tests.server.test_irc import IrcClient
from tests.support import HOST, LineClient, ServerProcess, issue_certificate

BALANCER = ("--proxy-from", "127.0.0.1", "--max-per-ip", "1")


def version_1(source: str, port: int = 51000) -> bytes:
    return f"PROXY TCP4 {source} 127.0.0.1 {port} 12345\r\n".encode()


def through_balancer(server: ServerProcess, header: bytes, port: int | None = None) -> LineClient:
    raw = socket.create_connection((HOST, port or server.port), timeout=5)
    raw.sendall(header)
    client = LineClient(server.port, sock=raw)
    server.clients.append(client)
    return client


def greeted(client: LineClient) -> bool:
    line = client.readline()
    return line is not None and line.startswith(b"Welcome to papo")


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_balancers_clients_count_as_the_addresses_their_headers_name(
    start_server: StartServer, loop: str
) -> None:
    server = start_server(*BALANCER, "--loop", loop)
    ana = through_balancer(server, version_1("203.0.113.7") + b"ana\n")
    assert greeted(ana)
    server.wait_for_log("registered 1 as 'ana' from 203.0.113.7:51000")
    # Another of her address, in version 2 this time: one connection per address (--max-per-ip).
    again = through_balancer(server, version_2("203.0.113.7", 51001))
    assert again.readline() == b"Too many connections from your address. Try again later."
    assert again.closed_by_server()
    # Someone else behind the same balancer, and the chat goes on between them.
    bob = through_balancer(server, version_2("2001:db8::9", 443) + b"bob\n")
    assert greeted(bob)
    server.wait_for_log("registered 3 as 'bob' from 2001:db8::9:443")
    ana.send("hello through the balancer")
    assert bob.text_until(lambda line: "hello through" in line)[-1].endswith(
        "<ana> hello through the balancer"
    )


def test_a_balancers_own_checks_count_as_the_balancer_and_log_quietly(
    start_server: StartServer,
) -> None:
    """version 1's UNKNOWN, version 2's LOCAL and a header naming the balancer itself (HAProxy's
    health checks, every few seconds): the connection is the balancer's, and logged at debug."""
    server = start_server(*BALANCER, "--log-level", "debug")
    check = through_balancer(server, b"PROXY UNKNOWN\r\n")
    assert greeted(check)
    server.wait_for_log("DEBUG papo.server: connection 1 from 127.0.0.1:")
    for header in (version_2(command=0x0), version_1("127.0.0.1")):
        again = through_balancer(server, header)
        assert again.readline() == b"Too many connections from your address. Try again later."
    server.wait_for_log("DEBUG papo.server: refused 127.0.0.1:51000: too_many_connections")
    assert "INFO papo.server: refused" not in server.log()
    check.send("ana")  # whoever it is, once named it is news
    server.wait_for_log("INFO papo.server: registered 1 as 'ana' from 127.0.0.1:")


@pytest.mark.parametrize(
    ("first", "said"),
    [
        (b"ana\n", "no PROXY header (the connection starts otherwise)"),
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 51000 12345\n", "not ended by CRLF"),
        (b"PROXY TCP4 nobody 127.0.0.1 51000 12345\r\n", "'nobody' is not an IPv4 address"),
    ],
)
def test_a_connection_from_the_balancer_without_a_good_header_is_closed_unread(
    start_server: StartServer, first: bytes, said: str
) -> None:
    server = start_server(*BALANCER)
    client = through_balancer(server, first)
    assert client.closed_by_server()
    port = client.sock.getsockname()[1]
    server.wait_for_log(f"closed 127.0.0.1:{port}, a --proxy-from address: ")
    assert said in server.log()
    assert "connection 1 from" not in server.log()  # never counted, never greeted


def test_a_balancer_that_sends_no_header_is_closed_when_the_time_to_pick_a_name_is_up(
    start_server: StartServer,
) -> None:
    server = start_server(*BALANCER, "--registration-timeout", "1", "--log-level", "debug")
    silent = through_balancer(server, b"PROXY TCP4 203.0.113.7")  # and nothing more
    assert silent.closed_by_server(timeout=5)
    server.wait_for_log("INFO papo.server: closed 127.0.0.1:")
    assert "a --proxy-from address: no PROXY header in time" in server.log()
    checked = through_balancer(server, b"")  # a health check: connects, and leaves
    port = checked.sock.getsockname()[1]
    checked.close()
    server.wait_for_log(f"DEBUG papo.server: closed 127.0.0.1:{port}, a --proxy-from address: "
                        "closed before its PROXY header ended")  # fmt: skip
    ana = through_balancer(server, version_1("203.0.113.7") + b"ana\n")
    assert greeted(ana)  # neither took a place of the address's one


def test_nobody_else_may_name_an_address(start_server: StartServer) -> None:
    """From an address not in --proxy-from, a PROXY line is no header: as a name, refused, and
    the connection counts as where it comes from."""
    server = start_server("--proxy-from", "10.255.255.1,2001:db8::/32", "--max-per-ip", "1")
    claimer = through_balancer(server, version_1("203.0.113.7"))
    assert greeted(claimer)
    assert b"name" in (claimer.readline() or b"").lower()
    server.wait_for_log("connection 1 from 127.0.0.1:")
    other = through_balancer(server, version_1("198.51.100.9"))
    assert other.readline() == b"Too many connections from your address. Try again later."


def test_tls_through_a_balancer(start_server: StartServer, tmp_path: Path) -> None:
    """The header comes before the TLS handshake (HAProxy's send-proxy in TCP mode): read to
    its last byte and no further, so the handshake that follows is whole."""
    certificate = issue_certificate(tmp_path)
    server = start_server(*BALANCER, *certificate.server_args)
    context = certificate.trusting()
    raw = socket.create_connection((HOST, server.port), timeout=5)
    raw.sendall(version_2("198.51.100.9", 4242))
    ana = LineClient(server.port, sock=context.wrap_socket(raw, server_hostname="127.0.0.1"))
    server.clients.append(ana)
    ana.send("/format json")
    ana.wait_hello()
    assert ana.register("ana")["type"] == "welcome"
    server.wait_for_log("registered 1 as 'ana' from 198.51.100.9:4242")


def test_the_irc_door_behind_a_balancer(start_server: StartServer) -> None:
    server = start_server(*BALANCER, "--irc-port", "0", "--irc-server-name", "irc.test")
    raw = socket.create_connection((HOST, server.irc_port), timeout=5)
    raw.sendall(version_1("192.0.2.44", 6000))
    bob = IrcClient(server.irc_port, conn=LineClient(server.irc_port, sock=raw))
    bob.register("bob")
    server.wait_for_log("registered 1 as 'bob' from 192.0.2.44:6000")
