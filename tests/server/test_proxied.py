"""Reading a PROXY header off a real socket, and which addresses may send one.

The reader must take the header and not one byte more (a TLS handshake may follow it), however
the header is cut in transit: it is sent here in pieces, over a real loopback connection."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Iterator

import pytest

from papo.protocol.proxy_header import BadProxyHeader, ProxyHeader
from papo.server.proxied import is_proxy, parse_networks, read_proxy_header
from tests.protocol.test_proxy_header import version_2

AFTER = b"\x16\x03\x01 and the rest of a TLS handshake"


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A loopback TCP connection: the balancer's end and the server's (non-blocking) end."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        balancer = socket.create_connection(listener.getsockname(), timeout=5)
        server, _ = listener.accept()
    server.setblocking(False)
    with balancer, server:
        yield balancer, server


async def read_sent_in_pieces(
    balancer: socket.socket, server: socket.socket, pieces: list[bytes]
) -> ProxyHeader:
    async def send() -> None:
        for piece in pieces:
            balancer.sendall(piece)
            await asyncio.sleep(0.02)

    sending = asyncio.create_task(send())
    header = await asyncio.wait_for(read_proxy_header(server), 5)
    await sending
    return header


def rest(server: socket.socket) -> bytes:
    server.settimeout(2)
    return server.recv(4096)


@pytest.mark.parametrize(
    ("header", "cut"),
    [
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 51000 12345\r\n", [1, 6, 20, 45]),
        (version_2("2001:db8::7", 443), [3, 12, 13, 16, 30]),
        (version_2(tlvs=b"\x05\x10\x00" + bytes(4096)), [16, 100, 4000]),  # longer than a peek
    ],
)
def test_the_header_is_taken_however_it_comes_and_nothing_after_it(
    pair: tuple[socket.socket, socket.socket], header: bytes, cut: list[int]
) -> None:
    balancer, server = pair
    whole = header + AFTER
    bounds = [0, *cut, len(whole)]
    pieces = [whole[start:end] for start, end in itertools.pairwise(bounds)]
    got = asyncio.run(read_sent_in_pieces(balancer, server, pieces))
    assert got.length == len(header) and got.source is not None
    assert rest(server) == AFTER


def test_a_header_with_nothing_after_it_leaves_nothing_read(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    balancer, server = pair
    asyncio.run(read_sent_in_pieces(balancer, server, [b"PROXY UNKNOWN\r\n"]))
    balancer.sendall(b"ana\n")
    assert rest(server) == b"ana\n"


def test_a_broken_header_is_said(pair: tuple[socket.socket, socket.socket]) -> None:
    balancer, server = pair
    with pytest.raises(BadProxyHeader, match="no PROXY header"):
        asyncio.run(read_sent_in_pieces(balancer, server, [b"PRO", b"XZ"]))


def test_a_connection_closed_within_the_header_is_said(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    balancer, server = pair
    balancer.sendall(b"PROXY TCP4 203.0.113.7")
    balancer.shutdown(socket.SHUT_WR)
    with pytest.raises(ConnectionError, match="closed before its PROXY header ended"):
        asyncio.run(read_sent_in_pieces(balancer, server, []))


def test_which_addresses_are_balancers() -> None:
    networks = parse_networks("10.0.0.5, 10.1.0.0/16,2001:db8::/32,")
    assert [is_proxy(host, networks) for host in ("10.0.0.5", "10.0.0.6", "10.1.200.3")] == [
        True,
        False,
        True,
    ]
    assert is_proxy("::ffff:10.0.0.5", networks)  # an IPv4 peer on a dual-stack socket
    assert is_proxy("2001:db8::1%eth0", networks)
    assert not is_proxy("2001:db9::1", networks)
    assert not is_proxy("not-an-address", networks)
    with pytest.raises(ValueError, match=r"haproxy\.lan"):
        parse_networks("10.0.0.5,haproxy.lan")


class WatchesNoSocket(asyncio.SelectorEventLoop):
    """What Windows's proactor loop is to ``add_reader``: it watches no socket."""

    def add_reader(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError


def test_a_loop_that_watches_no_socket_still_reads_the_header(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    balancer, server = pair
    header = b"PROXY TCP4 203.0.113.7 127.0.0.1 51000 12345\r\n"
    pieces = [header[:10], header[10:30], header[30:] + AFTER]
    with asyncio.Runner(loop_factory=WatchesNoSocket) as runner:
        got = runner.run(read_sent_in_pieces(balancer, server, pieces))
    assert got == ProxyHeader(len(header), ("203.0.113.7", 51000))
    assert rest(server) == AFTER
