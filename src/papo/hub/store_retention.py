"""``--history-days`` with ``--store``: events older than that are deleted from the file.

The file is the only place a chat's words outlive the process, so the limit is kept there:
a chat that promises to keep messages a week keeps no more on disk. Ids are unaffected (the
next one comes from the reservation, never from what is left), and so are who was held or
online.

Events are in the order of their ids, which is the order of their times (one server numbers
them as they come), so the old ones are a prefix of the table: each pass reads the oldest
events a chunk at a time and deletes while they are too old. It runs in the store's writer
thread, one chunk between two batches of writes: a first pass over years of a busy chat
never holds the writes back for long.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time

from papo.core.past import SECONDS_PER_DAY
from papo.protocol.decode import parse_timestamp

log = logging.getLogger("papo.store")

PASS_EVERY = 3600.0  # seconds between passes, once one has caught up
CHUNK = 1000  # events read (and at most deleted) per step


def _time_of(event_json: str) -> float:
    """When a stored event happened (its ``ts``, as the wire has it: ISO 8601, UTC)."""
    return parse_timestamp(json.loads(event_json)["ts"])


class Retention:
    """When the next step is due, and the step: the oldest events, deleted while too old."""

    def __init__(self, days: float, chunk: int = CHUNK) -> None:
        self.days = days
        self._chunk = chunk
        self._next = 0.0  # monotonic: the first pass at once
        self._deleted = 0  # by the pass going on

    def wait(self) -> float | None:
        """Seconds until the next step (None: no limit, nothing is ever deleted)."""
        if not self.days:
            return None
        return max(0.0, self._next - time.monotonic())

    def step(self, db: sqlite3.Connection) -> None:
        """Delete the oldest events while they are older than the limit, a chunk at most; the
        next step at once if there may be more, else in ``PASS_EVERY``."""
        cutoff = time.time() - self.days * SECONDS_PER_DAY
        try:
            rows = db.execute(
                "SELECT id, event FROM events ORDER BY id LIMIT ?", (self._chunk,)
            ).fetchall()
            too_old = 0
            for _, text in rows:  # the prefix that is too old, up to the first that is not
                if _time_of(text) >= cutoff:
                    break
                too_old += 1
            if too_old:
                with db:
                    db.execute("DELETE FROM events WHERE id <= ?", (rows[too_old - 1][0],))
        except (sqlite3.Error, ValueError, KeyError, TypeError) as error:
            log.warning("cannot delete the events older than %g days: %s (tried again in an "
                        "hour)", self.days, error)  # fmt: skip
            self._next = time.monotonic() + PASS_EVERY
            return
        self._deleted += too_old
        if too_old == self._chunk:
            return  # maybe more: the next chunk right after the next writes
        if self._deleted:
            log.info("deleted %d events older than %g days from the store", self._deleted,
                     self.days)  # fmt: skip
        self._deleted = 0
        self._next = time.monotonic() + PASS_EVERY
