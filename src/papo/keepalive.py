"""TCP keepalive, so that a peer gone without a word (a laptop closed, Wi-Fi lost, a NAT that
forgot the connection) is noticed.

Nothing else notices it. A line client cannot be pinged (``nc`` would print the ping), so on the
server its name stayed taken, and the user coming back under it was refused as ``name_taken``,
for as long as the server ran. The terminal client kept showing a chat that had gone quiet,
and what was typed went into a socket nobody read. With keepalive the kernel probes a quiet
connection and ends it when the probes go unanswered. The shells then do what they do for any
lost connection: the server announces the leave (or holds a JSON client for its resume), and
the client reconnects and resumes. Best effort: a system without an option keeps its default.

The client also sets ``TCP_USER_TIMEOUT``, for a line sent and never acknowledged (keepalive
does not probe while data is on its way, and retransmissions go on for some 15 minutes). The
server does not: that option also ends a connection whose reader stopped reading (a zero
window) for as long, and a client that does not read is the send queue's to judge
(``too_slow``), not a minute's; a suspended ``nc`` still answers keepalive from its kernel.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Protocol


class SocketLike(Protocol):
    """A socket, or asyncio's wrapper of one (``transport.get_extra_info("socket")``)."""

    @property
    def family(self) -> int: ...

    def setsockopt(self, level: int, option: int, value: int, /) -> None: ...


def keep_alive(
    sock: SocketLike, idle: int, interval: int, count: int, *, unacknowledged: bool = False
) -> None:
    """Probe after ``idle`` seconds of silence, every ``interval`` seconds, and give up after
    ``count`` unanswered probes (``unacknowledged``: or data unacknowledged for as long)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    options = [
        (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", None), idle),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", None), interval),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", None), count),
    ]
    if unacknowledged:
        timeout = (idle + interval * count) * 1000  # milliseconds
        options.append((socket.IPPROTO_TCP, getattr(socket, "TCP_USER_TIMEOUT", None), timeout))
    for level, option, value in options:
        if option is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(level, option, value)
