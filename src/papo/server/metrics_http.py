"""The smallest HTTP server that Prometheus can scrape: ``GET /metrics``, one answer, closed.

Prometheus asks over HTTP/1.1 and reads one answer; nothing more is needed, so this is not a
web server: one request per connection, its head read within a few seconds and a few KiB
(else the connection is closed), few connections at once. Bind it where only the scraper
reaches (the default: no metrics at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from papo.server.metrics import CONTENT_TYPE

log = logging.getLogger("papo.server")

HEAD_LIMIT = 8192  # bytes of a request's line and headers
HEAD_SECONDS = 5.0
MOST_AT_ONCE = 16  # connections; more are closed at once


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    reason: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    with_body: bool = True  # HEAD: the head GET would get, without its body

    def encode(self) -> bytes:
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            **self.headers,
            "Content-Length": str(len(self.body)),
            "Connection": "close",
        }
        lines = [
            f"HTTP/1.1 {self.status} {self.reason}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
        return head + self.body if self.with_body else head


def answer_to(head: bytes, metrics: Callable[[], str]) -> Answer:
    """What to answer a request's head: the metrics, or why not."""
    words = head.split(b"\r\n", 1)[0].split()
    if len(words) != 3 or not words[2].startswith(b"HTTP/"):
        return Answer(400, "Bad Request", b"bad request\n")
    method, target = words[0], words[1].split(b"?", 1)[0]
    if target != b"/metrics":
        return Answer(404, "Not Found", b"metrics are at /metrics\n")
    if method not in (b"GET", b"HEAD"):
        return Answer(405, "Method Not Allowed", b"GET or HEAD\n", {"Allow": "GET, HEAD"})
    headers = {"Content-Type": CONTENT_TYPE}
    return Answer(200, "OK", metrics().encode(), headers, with_body=method == b"GET")


class MetricsServer:
    """Serves ``metrics()`` (the text, made when asked) on one address."""

    def __init__(self, metrics: Callable[[], str]) -> None:
        self.metrics = metrics
        self.open = 0
        self.server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> list[tuple[str, int]]:
        """Listen; the addresses it listens on (the real port for port 0)."""
        self.server = await asyncio.start_server(self._serve, host, port, limit=HEAD_LIMIT)
        return [(str(s.getsockname()[0]), int(s.getsockname()[1])) for s in self.server.sockets]

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        try:
            if self.open <= MOST_AT_ONCE:
                await self._answer(reader, writer)
        finally:
            self.open -= 1
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_SECONDS)
        except asyncio.LimitOverrunError:
            answer = Answer(431, "Request Header Fields Too Large", b"too long\n")
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, OSError):
            return  # gone, or too slow: nothing to answer (asyncio's timeout: 3.10's own)
        else:
            answer = answer_to(head, self.metrics)
        if answer.status != 200:
            log.debug("metrics: %d for %r", answer.status, writer.get_extra_info("peername"))
        writer.write(answer.encode())
        with contextlib.suppress(OSError, asyncio.TimeoutError):
            await asyncio.wait_for(_deliver(reader, writer, answer.status), HEAD_SECONDS)


async def _deliver(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, status: int) -> None:
    await writer.drain()
    if status == 431:  # the rest unread, closing would reset the answer away
        writer.write_eof()
        await _discard(reader, HEAD_LIMIT * 8)


async def _discard(reader: asyncio.StreamReader, most: int) -> None:
    while most > 0 and (chunk := await reader.read(most)):
        most -= len(chunk)
