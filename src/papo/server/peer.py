"""Whether a peer has closed its end, asked of the kernel rather than of the stream.

While a flooder's socket is not read (the flood limit pauses it), its end of file sits behind the
bytes it sent and would only be seen once they are all taken, at the flood rate: hours, for a
client that sent a lot and left. The TCP state says it at once: CLOSE_WAIT once the peer's FIN
has arrived, CLOSE after a reset, whatever is still queued.
"""

from __future__ import annotations

import asyncio
import socket

_TCP_ESTABLISHED = 1
_TCP_INFO = getattr(socket, "TCP_INFO", None)  # Linux; elsewhere the end is seen when read


def peer_has_closed(transport: asyncio.BaseTransport) -> bool:
    """True when the kernel says the peer sent FIN or reset; False when it cannot tell."""
    sock = transport.get_extra_info("socket")
    if sock is None or _TCP_INFO is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        state = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 8)[0]
    except OSError:
        return True  # the socket is gone already
    return bool(state != _TCP_ESTABLISHED)
