"""When to write: on the next turn of the loop, or a little later so that one write carries more.

Writing is batched: once per turn of the loop each client gets one write, and for a member the
broadcasts of that turn are one shared bytes object (hub/local.py). While broadcasts come slower
than a flush takes, the next flush runs on the very next turn: latency first. When they come
faster, in a large room, for two flushes of broadcasts in a row, it waits as long as the last
flush took (at most 10 ms), so that each write carries several: on loopback a send() costs
~4-11 us of kernel time per recipient, the bulk of fan-out (py-spy: ~70% of the server's time at
200 msg/s). Waiting when no other broadcast is due within the wait would add latency and batch
nothing; so would waiting after one flush that was slow because the machine was busy.

Measured with ``make bench`` (500 clients): fan-out 0.5-0.6 us of server CPU per delivery, where
flushing on every turn costs 0.9-1.0; registering 10 000 clients 1 900-2 650/s instead of ~1 500.
At 200 msg/s, p99 latency 6.6-6.8 ms where waiting after any one slow flush gave 10-12 ms (3% of
flushes waited ~5 ms).
Pure: the caller passes the clock readings.
"""

from __future__ import annotations

COALESCE_ABOVE = 100  # members written to; smaller rooms never wait
COALESCE_MAX = 0.010  # seconds
PACE_SMOOTHING = 0.3  # weight of the last flush in the running time between broadcasts


class FlushPacer:
    __slots__ = ("_behind", "_between_broadcasts", "_last_started", "wait")

    def __init__(self) -> None:
        self._last_started: float | None = None
        self._between_broadcasts = 1.0  # seconds, smoothed over flushes
        self.wait = 0.0  # how long the next flush should wait, in seconds
        self._behind = False  # whether the last flush of broadcasts took longer than the pace

    def flushed(self, *, started: float, took: float, broadcasts: int, written: int) -> None:
        """Record one flush: when it started, how long it took, how many broadcasts it carried
        and how many clients it wrote to; sets ``wait`` for the next one."""
        if broadcasts and self._last_started is not None:
            pace = (started - self._last_started) / broadcasts
            self._between_broadcasts += PACE_SMOOTHING * (pace - self._between_broadcasts)
        self._last_started = started
        if not broadcasts:  # private replies only: nothing learnt about the pace
            self.wait = 0.0
            return
        behind = self._between_broadcasts < took
        # Two flushes of broadcasts in a row, not one: a single slow flush in a steady trickle
        # (the machine was busy) is no reason to hold back the next message.
        waiting = behind and self._behind and written >= COALESCE_ABOVE
        self._behind = behind
        self.wait = min(took, COALESCE_MAX) if waiting else 0.0
