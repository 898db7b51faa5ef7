"""Listening sockets, and the accept loop that TLS connections go through.

asyncio's TLS servers call the protocol only once the handshake is done, so connections in their
handshake were not counted by ``--max-clients`` or ``--max-per-ip``: 150 stalled handshakes from
one address were all held for the 60 s default. TLS listeners are therefore accepted here: each
connection is counted (or refused) at accept, before any handshake, and its handshake has its own
short deadline. The same loop backs off when the process is out of file descriptors, instead of
asking the kernel again at once.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import ssl
import sys
from asyncio import sslproto
from collections.abc import Callable

from papo.cli import format_address
from papo.protocol.i18n import translation
from papo.server.connection import Connection

log = logging.getLogger("papo.server")

BACKLOG = 4096
# A TLS client has this long to finish its handshake; a stalled one holds a slot only that long.
TLS_HANDSHAKE_SECONDS = 10.0
# Out of descriptors (or memory): accepting waits this long before trying again.
ACCEPT_BACKOFF_SECONDS = 0.5
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
# What one read of a TLS connection takes from its socket, at most: a client's TLS record
# holds what it wrote at once, a line of at most 2 KiB (a paste: a few reads, not one).
TLS_READ_BYTES = 4 * 1024


def lean_tls_reads() -> None:
    """Make asyncio's TLS connections read into buffers of ``TLS_READ_BYTES``.

    asyncio (3.11 and later) gives each TLS connection its own buffer for what the socket
    reads, of ``SSLProtocol.max_size`` (256 KiB), zeroed as it is made: 282 KiB of memory for
    each idle TLS connection, where a plain one costs 4 and one under uvloop's TLS 29. Ten
    thousand TLS users were 2.8 GB on the standard library alone. The size is the class's, read
    by each connection as it is made, so it is set there: for Redis's over ``rediss://`` too,
    whose long replies then take more reads (uvloop's TLS is its own, untouched)."""
    if sys.version_info >= (3, 11):  # 3.10's TLS reads into no buffer of its own
        protocol = sslproto.SSLProtocol
        protocol.max_size = min(protocol.max_size, TLS_READ_BYTES)


def listen_hosts(host: str | None) -> list[str]:
    """All interfaces means both families, when this machine has IPv6 at all."""
    if host:
        return [host]
    return ["0.0.0.0", "::"] if socket.has_ipv6 else ["0.0.0.0"]


def open_listeners(
    host: str, port: int, *, reuse_port: bool = False, listen: bool = True
) -> list[socket.socket]:
    """Bound, listening, non-blocking sockets for every address ``host`` resolves to.
    ``reuse_port``: shared with other processes (SO_REUSEPORT: the kernel spreads the
    connections among them); ``listen`` False only holds the port (bound, taking none)."""
    listeners: list[socket.socket] = []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _name, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            listeners.append(sock)
            if os.name == "posix":  # on Windows it would let a second server take the port
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            if listen:
                sock.listen(BACKLOG)
            sock.setblocking(False)
    except OSError as error:
        for sock in listeners:
            sock.close()
        raise CannotListen(error, host, port) from error
    return listeners


class CannotListen(OSError):
    """A port that cannot be listened on, said with its address and what to do about it: the
    bare ``[Errno 98] Address already in use`` named neither the port nor the way out."""

    def __init__(self, cause: OSError, host: str, port: int) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.cause, self.host, self.port = cause, host, port

    def __str__(self) -> str:
        return explain_listen_error(self.cause, self.host, self.port)


def explain_listen_error(cause: OSError, host: str, port: int, language: str = "en") -> str:
    _ = translation(language).gettext
    where = format_address(host, port)
    if isinstance(cause, socket.gaierror):
        return _("{host}: no such address or host name").format(host=host)
    match cause.errno:
        case errno.EADDRINUSE:
            in_use = _(
                "{where} is in use: another server listens there (stop it, or pick another port)"
            )
            return in_use.format(where=where)
        case errno.EADDRNOTAVAIL:
            return _("{host} is not an address of this machine").format(host=host)
        case errno.EACCES if 0 < port < 1024:
            denied = _(
                "{where}: permission denied (ports below 1024 need root; the default is 12345)"
            )
            return denied.format(where=where)
    return f"{where}: {cause.strerror or cause}"


def cannot_listen(error: OSError, language: str) -> str:
    """The one line a server that cannot listen ends with, in its language."""
    why = str(error)
    if isinstance(error, CannotListen):
        why = explain_listen_error(error.cause, error.host, error.port, language)
    return translation(language).gettext("papo-server: cannot listen: {why}").format(why=why)


AcceptedHandler = Callable[[socket.socket, tuple[str, int]], None]


async def accept_forever(listener: socket.socket, accepted: AcceptedHandler) -> None:
    """Hand every accepted socket to ``accepted``; pause a little when out of descriptors."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            sock, peer = await loop.sock_accept(listener)
        except OSError as error:
            if error.errno not in _OUT_OF_RESOURCES:
                raise
            log.warning("cannot accept connections: %s; trying again shortly", error.strerror)
            await asyncio.sleep(ACCEPT_BACKOFF_SECONDS)
            continue
        accepted(sock, peer)


async def tls_handshake(
    loop: asyncio.AbstractEventLoop,
    connection: Connection,
    sock: socket.socket,
    context: ssl.SSLContext,
    deadline: float = TLS_HANDSHAKE_SECONDS,
) -> bool:
    """Run the server side of the handshake on an accepted socket; False (logged) if it failed."""
    try:
        await loop.connect_accepted_socket(
            lambda: connection, sock, ssl=context, ssl_handshake_timeout=deadline
        )
    except (OSError, ssl.SSLError, TimeoutError, ConnectionError) as error:
        reason = str(error) or type(error).__name__
        log.log(connection.log_level, "TLS handshake with %s failed: %s", connection.peer, reason)
        sock.close()
        return False
    except asyncio.CancelledError:
        sock.close()
        raise
    return True
