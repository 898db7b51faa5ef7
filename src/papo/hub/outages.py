"""When the link to Redis is tried again after it fails, and when the log says so.

A Redis can fail again right after each recovery: out of memory (``maxmemory``), a ping and a
lease pass while the chat's batch of steps, whose arguments count against the limit too, is
refused. Started afresh each time, the retries came ten times a second and the log said four
lines each. A failure soon after a recovery is a relapse instead: the pauses go on growing
from where they were, and the log says so once, not at every turn, until Redis has stayed
back for ``STABLE_SECONDS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RETRY_PAUSES = (0.1, 0.25, 0.5, 1.0, 2.0)  # between reconnection attempts (then the last)
STABLE_SECONDS = 10.0  # back this long: the next failure is a new outage, retried at once


@dataclass(slots=True)
class Backoff:
    """Pauses between tries that grow along ``pauses``, then stay at the last (the link to
    Redis here; the store's file in ``store_backlog``)."""

    pauses: tuple[float, ...]
    tries: int = 0

    def next_pause(self) -> float:
        """How long to wait before the next try (and count it)."""
        pause = self.pauses[min(self.tries, len(self.pauses) - 1)]
        self.tries += 1
        return pause


class Outages:
    """The run of failures of one link to Redis (pure: the caller gives the time).

    ``longest_pause`` caps the pauses: a server must get through to Redis well within its
    lease once Redis answers, or the others take it for dead (with ``--lease 2`` a server
    whose link alone failed, then waited 2 s, was buried as it came back)."""

    def __init__(self, longest_pause: float = RETRY_PAUSES[-1]) -> None:
        pauses = tuple(min(pause, longest_pause) for pause in RETRY_PAUSES)
        self._backoff = Backoff(pauses)  # its tries: since the outage began
        self.relapses = 0  # failures soon after a recovery, in this outage
        self._back_at = -math.inf

    @property
    def attempts(self) -> int:
        """Tries since the outage began, relapses included."""
        return self._backoff.tries

    def lost(self, now: float) -> None:
        if now - self._back_at < STABLE_SECONDS:
            self.relapses += 1
        else:
            self._backoff.tries = self.relapses = 0

    def back(self, now: float) -> None:
        self._back_at = now

    def next_pause(self) -> float:
        return self._backoff.next_pause()

    def worth_saying(self) -> bool:
        """Whether the log should tell of this loss and of the recovery after it: the first
        loss of an outage and its first relapse, not the ones after."""
        return self.relapses <= 1
