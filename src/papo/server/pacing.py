"""When to write: on the next turn of the loop, or a little later so that one write carries more.

Writing is batched: once per turn of the loop each client gets one write, and for a member the
broadcasts of that turn are one shared bytes object (hub/local.py). While broadcasts come slower
than a flush takes, the next flush runs on the very next turn: latency first. In a large room
the next flush waits as long as the last one took (at most 10 ms), so that each write carries
several broadcasts, when the server is behind: on loopback a send() costs ~4-11 us of kernel
time per recipient, the bulk of fan-out (py-spy: ~70% of the server's time at 200 msg/s).

Behind means either of:
- broadcasts have been coming faster than flushes take, for two flushes of broadcasts in a row
  (one slow flush, because the machine was busy, is no reason to hold back the next message);
- the process was on the CPU for the whole of the last 0.1 s. Then broadcasts may come no
  faster than flushes end only because the clients wait for the server: newcomers waiting for
  their welcome before the next one connects, each arrival announced to the room. Flushing per
  arrival there kept registrations at ~1 400/s in some runs, one in two at worst. With no
  spare time at all the wait is the longest, 10 ms: only broadcasts wait (a client's own
  output, such as its welcome, goes out on the next turn), and every member written to fewer
  times is time back for the work that is queueing.
Waiting when neither holds would add latency and batch nothing.

Measured with ``make bench`` (500 clients): fan-out 0.5-0.6 us of server CPU per delivery, where
flushing on every turn costs 0.9-1.0; registering 10 000 clients 2 200-3 150/s (six runs;
1 900-2 300 when a saturated server waited only as long as its last flush). At 200 msg/s (80% of
a core here), p99 latency 6-8 ms; waiting after any one slow flush gave 10-12 ms.
Pure: the caller passes the clock readings.
"""

from __future__ import annotations

COALESCE_ABOVE = 100  # members written to; smaller rooms never wait
COALESCE_MAX = 0.010  # seconds
SMOOTHING = 0.3  # weight of the last flush in the running figures
SATURATED = 0.95  # share of the time the process was on the CPU over a window
BUSY_WINDOW = 0.1  # seconds


class FlushPacer:
    __slots__ = (
        "_behind",
        "_between_broadcasts",
        "_last_started",
        "_saturated",
        "_window_cpu",
        "_window_started",
        "wait",
    )

    def __init__(self) -> None:
        self._last_started: float | None = None
        self._between_broadcasts = 1.0  # seconds, smoothed over flushes
        self._window_started: float | None = None  # when the current busy window began
        self._window_cpu = 0.0  # the process's CPU time then
        self._saturated = False  # whether the last whole window was all CPU
        self._behind = False  # whether the last flush of broadcasts took longer than the pace
        self.wait = 0.0  # how long the next flush should wait, in seconds

    def flushed(
        self, *, started: float, cpu: float, took: float, broadcasts: int, written: int
    ) -> None:
        """Record one flush: when it started (wall clock and the process's CPU time, both in
        seconds), how long it took, how many broadcasts it carried and how many clients it
        wrote to; sets ``wait`` for the next one."""
        self._measure_busy(started, cpu)
        if broadcasts and self._last_started is not None:
            pace = (started - self._last_started) / broadcasts
            self._between_broadcasts += SMOOTHING * (pace - self._between_broadcasts)
        self._last_started = started
        if not broadcasts:  # nothing learnt about the pace, nothing to hold back
            self.wait = 0.0
            return
        behind = self._between_broadcasts < took
        # Two flushes of broadcasts in a row, not one: a single slow flush in a steady trickle
        # (the machine was busy) is no reason to hold back the next message. Or no spare time
        # at all: then broadcasts come no faster than flushes end only because the clients
        # wait for the server (newcomers waiting for their welcome), and waiting lets more of
        # them in before each flush.
        waiting = (self._saturated or (behind and self._behind)) and written >= COALESCE_ABOVE
        self._behind = behind
        if not waiting:
            self.wait = 0.0
        elif self._saturated:
            self.wait = COALESCE_MAX
        else:
            self.wait = min(took, COALESCE_MAX)

    def _measure_busy(self, now: float, cpu: float) -> None:
        """Close the busy window once it is ``BUSY_WINDOW`` long (a flush is too short a span:
        at 80% load single intervals between flushes are often all CPU)."""
        if self._window_started is None:
            self._window_started, self._window_cpu = now, cpu
            return
        span = now - self._window_started
        if span >= BUSY_WINDOW:
            self._saturated = (cpu - self._window_cpu) >= SATURATED * span
            self._window_started, self._window_cpu = now, cpu
