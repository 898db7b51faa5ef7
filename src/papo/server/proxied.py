"""Connections through a load balancer: ``--proxy-from``, and reading the PROXY header.

The header is read from the accepted socket itself, before any transport exists, and never a
byte further: what follows may be a TLS handshake, which the TLS transport must read whole.
So each read first peeks; bytes are taken only as far as the header goes (all of them while
it is incomplete, since they are all the header's then).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence

from papo.protocol.addresses import ip_of
from papo.protocol.proxy_header import ProxyHeader, parse_proxy_header

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PROXY_HEADER_SECONDS = 10.0  # a balancer sends it at once: a late one is not a balancer's
POLL_SECONDS = 0.01  # where the loop cannot say when a socket is readable
PEEK_BYTES = 4096  # more than any balancer's header; a longer one is read in several steps
GONE = "closed before its PROXY header ended"


def parse_networks(text: str) -> tuple[Network, ...]:
    """``--proxy-from``'s value: addresses and networks, comma-separated (ValueError names
    the one that is neither)."""
    networks: list[Network] = []
    for word in text.replace(" ", "").split(","):
        if word:
            try:
                networks.append(ipaddress.ip_network(word, strict=False))
            except ValueError:
                raise ValueError(word) from None
    return tuple(networks)


def is_proxy(host: str, proxies: Sequence[Network]) -> bool:
    """Whether a connection from ``host`` is one of the balancers that must send a header."""
    address = ip_of(host)
    return address is not None and any(address in network for network in proxies)


async def read_proxy_header(sock: socket.socket) -> ProxyHeader:
    """The header at the start of a non-blocking accepted socket, taken off it and nothing
    more. Raises BadProxyHeader (ConnectionError if the peer leaves first); the caller
    bounds the wait."""
    taken = b""
    while True:
        await _readable(sock)
        try:
            peeked = sock.recv(PEEK_BYTES, socket.MSG_PEEK)
        except BlockingIOError:
            continue
        if not peeked:
            raise ConnectionError(GONE)
        header = parse_proxy_header(taken + peeked)
        wanted = len(peeked) if header is None else header.length - len(taken)
        taken += _take(sock, wanted)
        if header is not None:
            return header


def _take(sock: socket.socket, size: int) -> bytes:
    """Bytes that were peeked, so they are there to read at once."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = sock.recv(size)
        if not chunk:
            raise ConnectionError(GONE)
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


async def _readable(sock: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    try:
        loop.add_reader(sock.fileno(), wake)
    except NotImplementedError:  # Windows's proactor loop watches no socket: look again soon
        await asyncio.sleep(POLL_SECONDS)
        return
    try:
        await ready
    finally:
        loop.remove_reader(sock.fileno())
