"""Where typed lines go: the connection while there is one, a queue while reconnecting.

The main thread sends what is typed while the reader thread may be swapping the connection (it
was lost; it is back), so the connection and the queue change together, under one lock. Lines
kept while disconnected are sent on attaching, before any typed after, and in their order.
"""

from __future__ import annotations

import threading

from papo.client.link import Link, LinkError


class Outbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._link: Link | None = None
        self._pending: list[str] = []

    @property
    def link(self) -> Link | None:
        return self._link

    def send(self, line: str, *, keep: bool) -> bool:
        """Whether ``line`` went out now; if not and ``keep``, it waits for the connection
        to be back (else it is lost, for the caller to say)."""
        with self._lock:
            link = self._link
            if link is None:
                if keep:
                    self._pending.append(line)
                return False
        try:  # outside the lock: a send that blocks does not hold up the reader's swap
            link.send(line)
            return True
        except LinkError:
            if keep:
                with self._lock:  # lost just now: the reader is reconnecting
                    self._pending.append(line)
            return False

    def attach(self, link: Link) -> int:
        """The connection is back: the lines kept meanwhile are sent first; how many."""
        with self._lock:
            pending = self._pending
            for sent, line in enumerate(pending):  # before any line typed from now on
                try:
                    link.send(line)
                except LinkError:  # lost again at once: kept for the next connection
                    self._pending = pending[sent:]
                    raise
            self._pending = []
            self._link = link
        return len(pending)

    def detach(self) -> Link | None:
        """The connection was lost: lines are kept from now on. The old one, to close."""
        with self._lock:
            old, self._link = self._link, None
        return old

    def state(self) -> tuple[Link | None, int]:
        """The connection, and how many lines wait for one: read together."""
        with self._lock:
            return self._link, len(self._pending)
