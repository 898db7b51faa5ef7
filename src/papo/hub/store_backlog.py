"""What the store's writer has yet to get into its file, and when it tries again after failing.

A write can fail while the server runs: a full disk, a file system gone read-only, a quota. The
chat goes on in memory (the store keeps history across restarts; it is not what orders the
chat), so what could not be written waits here, in order, and is written once the file takes
it again: nothing accepted is dropped while the process lives. The wait is bounded: past
``MAX_WAITING`` events the oldest are given up, and the log says how many.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import islice

from papo.hub.outages import Backoff

# Seconds between tries after a failed write, then the last one over and over.
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0)
STILL_FAILING_EVERY = 60.0  # seconds between the log's reminders that the file still fails
MAX_WAITING = 200_000  # events kept for the file at most (about 100 MB): the oldest go first

# An event's id, its JSON, its route's JSON, and its lasting key (``papo.core.lasting``).
Row = tuple[int, str, str, str | None]


@dataclass(slots=True)
class Backlog:
    """Events to write, oldest first, and who is online as it changed since the last write
    (a member's record, or None where it is gone): only the latest of each counts, so a
    long failure keeps one entry per member, not one per change."""

    rows: deque[Row] = field(default_factory=lambda: deque(maxlen=MAX_WAITING))
    members: dict[int, str | None] = field(default_factory=dict)
    given_up: int = 0  # events dropped unwritten, not yet said in the log

    def add_row(self, row: Row) -> None:
        if len(self.rows) == self.rows.maxlen:
            self.given_up += 1  # the oldest goes, in constant time (the GIL is shared)
        self.rows.append(row)

    def first(self, count: int) -> list[Row]:
        return list(islice(self.rows, count))

    def written(self, count: int) -> None:
        """The first ``count`` events are in the file now."""
        for _ in range(count):
            self.rows.popleft()

    def add_members(self, records: dict[int, str], gone: tuple[int, ...]) -> None:
        self.members.update(records)
        self.members.update(dict.fromkeys(gone))

    def empty(self) -> bool:
        return not self.rows and not self.members


@dataclass(slots=True)
class Failing:
    """A run of failed writes: when to try again, and when the log last said so."""

    since: float
    said_at: float = 0.0
    backoff: Backoff = field(default_factory=lambda: Backoff(RETRY_SECONDS))

    def next_try_in(self) -> float:
        """How long to wait before the next try (and count it)."""
        return self.backoff.next_pause()

    def remind(self, now: float) -> bool:
        """Whether the log should say again that the file still fails (once a minute)."""
        if now - self.said_at < STILL_FAILING_EVERY:
            return False
        self.said_at = now
        return True
