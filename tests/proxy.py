"""A TCP proxy on loopback that breaks connections on demand, for the resume tests.

Between a client and the server it forwards bytes both ways, one thread per direction, until
the test says otherwise: ``cut`` ends every connection through it with FIN on both sides (a
server or a NAT that gives up), ``reset`` with RST (a crash, a pulled cable), ``stall`` stops
forwarding while keeping the sockets open (a laptop lid, Wi-Fi gone: neither end learns
anything). Connections made after a fault are forwarded normally, unless the proxy is told to
``refuse`` them (the network still down) until ``admit``.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

from tests.support import HOST

CHUNK = 65536


class _Pair:
    """One client connection and its connection to the server."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.stalled = threading.Event()
        self.done = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for source, sink in ((self.client, self.upstream), (self.upstream, self.client)):
            thread = threading.Thread(target=self.pump, args=(source, sink), daemon=True)
            thread.start()
            self.threads.append(thread)

    def pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while not self.done.is_set():
                data = source.recv(CHUNK)
                if not data:
                    break
                while self.stalled.is_set() and not self.done.is_set():
                    self.done.wait(0.05)  # held: the bytes go nowhere, nobody is told
                if self.done.is_set():
                    break
                sink.sendall(data)
        except OSError:
            pass
        if not self.done.is_set():  # one end closed: pass its FIN on (a fault sends its own)
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def end(self, *, rst: bool) -> None:
        """Wake the pumps first (a socket closed while another thread reads it is not really
        closed until that read returns), then close: with linger 0 for an RST."""
        self.done.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                if rst:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.shutdown(socket.SHUT_RD)  # sends nothing; the read returns
                else:
                    sock.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(2)
        for sock in (self.client, self.upstream):
            sock.close()


class FaultyProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server((HOST, 0))
        self.port: int = self.listener.getsockname()[1]
        self._pairs: list[_Pair] = []
        self._lock = threading.Lock()
        self._closed = False
        self.refusing = threading.Event()
        threading.Thread(target=self._accept_forever, daemon=True).start()

    def _accept_forever(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = None
            if not self.refusing.is_set():
                with contextlib.suppress(OSError):  # the other end is down: as if refused
                    upstream = socket.create_connection((HOST, self.target_port), timeout=5)
            if upstream is None:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
                continue
            upstream.settimeout(None)
            pair = _Pair(client, upstream)
            with self._lock:
                self._pairs.append(pair)
            pair.start()

    def _take_live(self) -> list[_Pair]:
        with self._lock:
            live = [pair for pair in self._pairs if not pair.done.is_set()]
            self._pairs = live
            return list(live)

    def cut(self) -> None:
        """FIN to both ends of every connection through the proxy."""
        for pair in self._take_live():
            pair.end(rst=False)

    def reset(self) -> None:
        """RST to both ends of every connection through the proxy."""
        for pair in self._take_live():
            pair.end(rst=True)

    def stall(self) -> None:
        """Stop forwarding on every connection, keeping them open."""
        for pair in self._take_live():
            pair.stalled.set()

    def flow(self) -> None:
        """Forward again, on every connection stalled: what was held goes first, in order."""
        for pair in self._take_live():
            pair.stalled.clear()

    def refuse(self) -> None:
        """New connections are reset at once (the existing ones are left as they are)."""
        self.refusing.set()

    def admit(self) -> None:
        self.refusing.clear()

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        self.reset()
