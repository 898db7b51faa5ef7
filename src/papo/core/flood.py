"""The flood limit: a token bucket per connection.

Pure arithmetic on times handed in by the shell. The shell does not drop lines when the bucket is
empty: it stops reading the socket for ``wait_time`` seconds, so a flooder slows down to the rate
and TCP's own flow control pushes back on it, while nobody else is slowed.
"""

from __future__ import annotations


class TokenBucket:
    """``burst`` lines at once, then ``rate`` lines per second; a rate of 0 means no limit."""

    __slots__ = ("_stamp", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._stamp = now

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def _refill(self, now: float) -> None:
        elapsed = now - self._stamp
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._stamp = now

    def take(self, now: float) -> bool:
        """Spend one token for one line; False when the line must wait."""
        if self.unlimited:
            return True
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def wait_time(self, now: float) -> float:
        """Seconds until the next token is there."""
        if self.unlimited:
            return 0.0
        self._refill(now)
        return max(0.0, (1.0 - self._tokens) / self.rate)

    def is_full(self, now: float) -> bool:
        """Whether the bucket has refilled to its burst (unused for that long)."""
        if self.unlimited:
            return True
        self._refill(now)
        return self._tokens >= self.burst
