"""The server's doors: the sockets it listens on, and what comes before a connection carries
lines (a balancer's PROXY header, a TLS handshake).

Kept apart from ``papo.server.app``, which owns the chat and the connections once they talk:
this part only turns accepted sockets into connections handed to it, counted as coming from
the right address, and on shutdown stops letting anybody in.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable, Coroutine
from functools import partial

from papo.cli import format_address
from papo.protocol.proxy_header import BadProxyHeader
from papo.server.config import ServerConfig
from papo.server.connection import Connection
from papo.server.listen import (
    TLS_HANDSHAKE_SECONDS,
    accept_forever,
    lean_tls_reads,
    listen_hosts,
    open_listeners,
    tls_handshake,
)
from papo.server.proxied import PROXY_HEADER_SECONDS, is_proxy, read_proxy_header

log = logging.getLogger("papo.server")

# A new connection for a door: whether it is IRC's, whether it is TLS.
NewConnection = Callable[[bool, bool], Connection]


class Doors:
    """Every door the server opens: papo's, and IRC's plain and TLS ones if asked for."""

    def __init__(
        self,
        config: ServerConfig,
        tls: ssl.SSLContext | None,
        new_connection: NewConnection,
        admit: Callable[[Connection], bool],
    ) -> None:
        self.config = config
        self._tls = tls  # the one context of every handshake (SIGUSR1 loads a new certificate)
        if tls is not None:
            lean_tls_reads()
        self._new_connection = new_connection
        self._admit = admit  # a TLS connection is counted (or refused) before its handshake
        self.listeners: list[asyncio.Server] = []
        self.irc_addresses: list[tuple[str, int, bool]] = []  # and whether over TLS
        self.irc_ports: dict[bool, int] = {}  # the IRC doors' ports (port 0 picked), by TLS
        self._accepting: list[asyncio.Task[None]] = []  # our own accept loops
        self._handshakes: set[asyncio.Task[bool]] = set()
        self._arriving: set[asyncio.Task[None]] = set()  # behind a balancer, or no TLS yet

    async def open(self) -> list[tuple[str, int]]:
        """Listen on every address and door asked for; returns the papo door's addresses
        (with the real port for port 0); the IRC door's go to ``irc_addresses``."""
        config, tls = self.config, self._tls is not None
        addresses = await self._listen(config.port, irc=False, tls=tls)
        for port, irc_tls in ((config.irc_port, False), (config.irc_tls_port, True)):
            if port is not None:
                door = await self._listen(port, irc=True, tls=irc_tls)
                self.irc_addresses += [(host, port, irc_tls) for host, port in door]
                self.irc_ports[irc_tls] = door[0][1]
        return addresses

    def close(self) -> None:
        """Nobody more comes in: the listeners close, and arrivals not yet connected end."""
        for listener in self.listeners:
            listener.close()
        for task in (*self._accepting, *self._handshakes, *self._arriving):
            task.cancel()

    async def wait_closed(self) -> None:
        for listener in self.listeners:
            await listener.wait_closed()

    async def _listen(self, port: int, *, irc: bool, tls: bool) -> list[tuple[str, int]]:
        """One door (papo or IRC, plain or TLS) on every address asked for."""
        addresses: list[tuple[str, int]] = []
        for host in listen_hosts(self.config.host):
            try:
                sockets = open_listeners(host, port, reuse_port=self.config.reuse_port)
            except OSError as error:
                if self.config.host is None and host == "::" and addresses:
                    log.warning("IPv6 unavailable (%s); listening on IPv4 only", error)
                    continue
                raise
            for sock in sockets:
                address = sock.getsockname()
                port = address[1]  # so every family shares the port that port 0 picked
                addresses.append((str(address[0]), int(address[1])))
                await self._serve(sock, irc=irc, tls=tls)
        return addresses

    async def _serve(self, sock: socket.socket, *, irc: bool, tls: bool) -> None:
        """asyncio's own accept where it can; our accept loop where something comes before
        the connection carries lines (a TLS handshake, a balancer's PROXY header)."""
        loop = asyncio.get_running_loop()
        tls = tls and self._tls is not None
        if not tls and not self.config.proxy_from:
            factory = partial(self._new_connection, irc, False)
            self.listeners.append(await loop.create_server(factory, sock=sock))
            return
        task = loop.create_task(accept_forever(sock, partial(self._accepted, irc, tls)))
        task.add_done_callback(lambda _: sock.close())
        self._accepting.append(task)

    def _accepted(self, irc: bool, tls: bool, sock: socket.socket, peer: tuple[str, int]) -> None:
        connection = self._new_connection(irc, tls)
        if is_proxy(peer[0], self.config.proxy_from):
            self._arrive(self._through_balancer(connection, sock, peer))
        else:
            self._let_in(connection, sock, peer)

    def _arrive(self, arrival: Coroutine[None, None, None]) -> None:
        task = asyncio.get_running_loop().create_task(arrival)
        self._arriving.add(task)  # the loop itself keeps only a weak reference
        task.add_done_callback(self._arriving.discard)

    async def _through_balancer(
        self, connection: Connection, sock: socket.socket, balancer: tuple[str, int]
    ) -> None:
        """A connection from a ``--proxy-from`` balancer counts as the client its PROXY header
        names; one whose header is missing, broken or late is closed, said in the log."""
        try:
            header = await asyncio.wait_for(
                read_proxy_header(sock), self._before_a_name(PROXY_HEADER_SECONDS)
            )
        except (BadProxyHeader, OSError, asyncio.TimeoutError) as error:  # 3.10: not builtin
            sock.close()
            late = isinstance(error, asyncio.TimeoutError)
            why = "no PROXY header in time" if late else str(error)
            # A balancer's health check may connect and close: no news every few seconds.
            level = logging.DEBUG if isinstance(error, ConnectionError) else logging.INFO
            log.log(level, "closed %s, a --proxy-from address: %s", format_address(*balancer), why)
            return
        except asyncio.CancelledError:
            sock.close()
            raise
        client = header.source or balancer
        if client[0] == balancer[0]:  # the balancer's own: its health checks, every few seconds
            connection.log_level = logging.DEBUG
        self._let_in(connection, sock, client)

    def _let_in(self, connection: Connection, sock: socket.socket, peer: tuple[str, int]) -> None:
        """A connection from our own accept loop, counted as coming from ``peer``: a TLS one is
        counted (or refused) now and greeted once its handshake is done, a plain one as it
        connects (``admit``)."""
        connection.set_peer(peer)
        if not connection.tls:
            self._arrive(self._connect_plain(connection, sock))
            return
        assert self._tls is not None  # a TLS door is only served with a context
        if not self._admit(connection):
            sock.close()
            return
        loop = asyncio.get_running_loop()
        deadline = self._before_a_name(TLS_HANDSHAKE_SECONDS)
        handshake = tls_handshake(loop, connection, sock, self._tls, deadline)
        task = loop.create_task(handshake)
        self._handshakes.add(task)  # the loop itself keeps only a weak reference
        task.add_done_callback(partial(self._handshake_done, connection))

    def _before_a_name(self, seconds: float) -> float:
        """A step before the name (a PROXY header, a TLS handshake) takes ``seconds`` at most,
        and never longer than the time to pick a name, which it is part of."""
        return min(seconds, self.config.registration_timeout or float("inf"))

    async def _connect_plain(self, connection: Connection, sock: socket.socket) -> None:
        try:
            await asyncio.get_running_loop().connect_accepted_socket(lambda: connection, sock)
        except OSError as error:
            log.log(connection.log_level, "%s gone as it came: %s", connection.peer, error)
            sock.close()
        except asyncio.CancelledError:
            sock.close()
            raise

    def _handshake_done(self, connection: Connection, task: asyncio.Task[bool]) -> None:
        self._handshakes.discard(task)
        if task.cancelled() or not task.result():
            connection.connection_lost(None)  # never connected: asyncio will not call it
