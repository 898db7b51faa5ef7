"""The log on disk (``--store FILE``): SQLite from the standard library, so ids, history, topics
and held users survive a restart.

Appending is on the chat's hot path, so it only puts the event on a queue; a writer thread
wakes once per batch, renders what has piled up and writes it in one transaction (WAL,
``synchronous=NORMAL``): a message costs the event loop a queue put, never a disk write. A
process killed outright loses at most what was not yet written: the last ``FLUSH_SECONDS``.
A store that cannot be opened, or a file that is not one, is refused at start with its path
named. A write that fails while running (a full disk) is logged, and what it held waits in
memory and is tried again until the file takes it (``store_backlog``): never silently dropped.

Who is online is written as it changes too (``online``), in the same transactions as the
events: a process that dies without stopping leaves the next one the members it had, to hold
those that can resume and to announce the others' leaves, rather than forget them all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from papo.cli import said
from papo.core.bans import Ban
from papo.core.departures import DEPARTURE_SECONDS, Departure
from papo.core.holds import HoldRecord
from papo.core.lasting import LASTING_LIMIT, Lasting, lasting_key
from papo.core.shared import Logged, Route
from papo.hub.logged import event_from_json, event_json, route_from_json, route_json
from papo.hub.store_backlog import Backlog, Failing, Row
from papo.hub.store_retention import Retention
from papo.protocol.decode import Malformed
from papo.protocol.events import RoomEvent
from papo.protocol.names import name_key

log = logging.getLogger("papo.store")

BATCH = 512  # events written in one transaction at most (a batch may hold several)
FLUSH_SECONDS = 0.2  # how long an event may wait for its transaction
WRITER_NICENESS = 19  # the lowest: the event loop's latency comes first
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, event TEXT NOT NULL, route TEXT);"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS holds (member INTEGER PRIMARY KEY, hold TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS online (member INTEGER PRIMARY KEY, hold TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bans"
    " (address TEXT PRIMARY KEY, until REAL NOT NULL, name TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS departures"
    " (key TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, at REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS lasting"
    " (key TEXT PRIMARY KEY, id INTEGER NOT NULL, event TEXT NOT NULL);"
)
_HELD = "SELECT hold FROM holds ORDER BY member"
_ONLINE = "SELECT hold FROM online ORDER BY member"
_CLOSE = None  # the writer's signal to finish
# The newest event of each lasting key (``papo.core.lasting``), whatever order they come in;
# past the limit, the keys written least recently go.
_KEEP_LASTING = (
    "INSERT INTO lasting VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
    " SET id = excluded.id, event = excluded.event WHERE excluded.id > lasting.id"
)
_LASTING_WITHIN_LIMIT = (
    "DELETE FROM lasting WHERE id < (SELECT id FROM lasting ORDER BY id DESC LIMIT 1 OFFSET ?)"
)
# A reservation written late, by the writer, must not lower one written meanwhile.
_RESERVE_AT_LEAST = (
    "INSERT INTO meta VALUES ('reserved', ?)"
    " ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)"
)


def _run_after_the_event_loop() -> None:
    """Give this thread the lowest priority (Linux sets it per thread). Where the writer and
    the event loop share a core, the writer's SQLite work otherwise takes the core for whole
    scheduler slices in the middle of a fan-out: at 200 msg/s to 500 clients on one core, the
    p99 went from 4.6 to 6.8 ms with --store, and back to 4.5-4.8 at nice 19."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WRITER_NICENESS)
    except (AttributeError, OSError) as error:  # another system, or not allowed
        log.debug("the store's writer keeps its priority: %s", error)


@dataclass(frozen=True, slots=True)
class _Members:
    """Members written down as they are now, and those gone (records are immutable: the
    writer renders them)."""

    records: list[HoldRecord]
    gone: tuple[int, ...]


class StoreError(Exception):
    """The store cannot be used; the message names the file and why."""


class LogStore:
    """An append-only table of events, in their wire JSON, written by one background thread."""

    def __init__(self, path: Path, history_days: float = 0.0) -> None:
        """``history_days``: events older than that are deleted (0: kept for ever)."""
        self.path = path
        self._retention = Retention(history_days)
        if path.is_dir():  # SQLite would only say "unable to open database file"
            directory = said("{path}: is a directory; name a file in it, as {file}")
            raise StoreError(directory.format(path=path, file=path / "chat.db"))
        if not path.parent.is_dir():  # else the error named the lock file, which nobody asked for
            missing = said("{path}: there is no folder {folder}; make it first")
            raise StoreError(missing.format(path=path, folder=path.parent))
        self._lock = _lock_for_one_process(path)
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            had_lasting = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lasting'"
            ).fetchone()
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(events)")}
            if "route" not in columns:  # a store written before routes were kept
                self._db.execute("ALTER TABLE events ADD COLUMN route TEXT")
            self._db.execute("SELECT id, event, route FROM events LIMIT 1").fetchall()
            if not had_lasting:
                self._fill_lasting()
            # Ids are reserved ahead, in their own connection, on the caller's thread: an id
            # handed out is never handed out again, even if the process dies before the writer
            # has written its event.
            self._reservations = sqlite3.connect(path, isolation_level=None, timeout=10)
        except sqlite3.Error as error:
            if self._lock is not None:
                os.close(self._lock)
            unusable = said("{path}: cannot be used as papo's store: {error}")
            raise StoreError(unusable.format(path=path, error=error)) from error
        # One connection, two threads: the caller's reads at start (the log, bans, held
        # users) and the writer's transactions, among them --history-days' deletions, whose
        # first pass begins at once. A connection may be shared, not used by both at once: the
        # writer's commit ended the start's transaction ("cannot commit - no transaction is
        # active") and the server did not start.
        self._db_lock = threading.Lock()
        self._queue: queue.SimpleQueue[Logged | _Members | None] = queue.SimpleQueue()
        # Ids reserved while the file refused them, for the writer to write (0: none owed).
        self._owed = 0
        self._owed_lock = threading.Lock()
        self._writer = threading.Thread(target=self._write_forever, name="papo-store", daemon=True)
        self._writer.start()

    def load(self, limit: int) -> list[Logged]:
        """The last ``limit`` events with their routes, oldest first (at start, before any
        append). An event stored without a route (by an older papo) was for nobody now here."""
        with self._db_lock:
            rows = self._db.execute(
                "SELECT event, route FROM"
                " (SELECT id, event, route FROM events ORDER BY id DESC LIMIT ?) ORDER BY id",
                (limit,),
            ).fetchall()
        events: list[Logged] = []
        for text, route in rows:
            try:
                event = event_from_json(text)
                routed = route_from_json(route) if route else Route()
            except (Malformed, ValueError, TypeError, KeyError) as error:
                raise StoreError(f"{self.path}: an event cannot be read: {error}") from error
            if event is not None:
                events.append((event, routed))
        return events

    def lasting(self) -> list[RoomEvent]:
        """The newest event of each lasting key (topics, locks, mutes), oldest first: kept
        apart from the log, which ``--history-days`` and ``load``'s limit cut short."""
        try:
            with self._db_lock:
                rows = self._db.execute("SELECT event FROM lasting ORDER BY id").fetchall()
            events = [event_from_json(text) for (text,) in rows]
        except (sqlite3.Error, Malformed, ValueError, TypeError, KeyError) as error:
            raise StoreError(f"{self.path}: topics and mutes cannot be read: {error}") from error
        return [event for event in events if event is not None]

    def _fill_lasting(self) -> None:
        """A store written by a papo that kept no ``lasting`` table: the topics, locks and
        mutes its events still have, found once (one pass over the table, at the first start
        of this version)."""
        kept = Lasting()
        rows = self._db.execute(
            'SELECT event FROM events WHERE event LIKE \'{"type":"topic"%\''
            ' OR event LIKE \'{"type":"mute"%\' ORDER BY id'
        )
        for (text,) in rows:
            with contextlib.suppress(Malformed, ValueError, TypeError, KeyError):
                event = event_from_json(text)
                if event is not None:
                    kept.keep(event)
        filled = [(lasting_key(event), event.id, event_json(event)) for event in kept.events()]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(_KEEP_LASTING, filled)

    def last_id(self) -> int:
        """The highest id written or reserved: the next one handed out must be above it."""
        with self._db_lock:
            (written,) = self._db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
            row = self._db.execute("SELECT value FROM meta WHERE key = 'reserved'").fetchone()
        return max(int(written), int(row[0]) if row else 0)

    def reserve(self, up_to: int) -> None:
        """Record that ids up to ``up_to`` may be handed out (written before they are). If the
        file refuses it, the writer writes it with the events it gets in next."""
        try:
            self._reservations.execute(
                "INSERT OR REPLACE INTO meta VALUES ('reserved', ?)", (up_to,)
            )
        except sqlite3.Error as error:
            with self._owed_lock:
                self._owed = max(self._owed, up_to)
            log.error("cannot reserve ids up to %d in %s: %s", up_to, self.path, error)

    def save_holds(self, holds: list[HoldRecord]) -> None:
        """Write the members held at a graceful stop (in place of any written before)."""
        rows = [(hold.member, _hold_json(hold)) for hold in holds]
        self._replace_all("holds", 2, rows, "held users")

    def _replace_all(
        self, table: str, columns: int, rows: Sequence[tuple[str | int | float, ...]], what: str
    ) -> None:
        """``rows`` in place of all ``table`` held, in one transaction (at a graceful stop);
        a failure is logged, saying how many of ``what`` are not kept."""
        insert = f"INSERT INTO {table} VALUES ({', '.join('?' * columns)})"
        try:
            with self._reservations:
                self._reservations.execute("BEGIN")
                self._reservations.execute(f"DELETE FROM {table}")
                self._reservations.executemany(insert, rows)
        except sqlite3.Error as error:
            log.error("cannot keep %d %s in %s: %s", len(rows), what, self.path, error)

    def take_holds(self) -> list[HoldRecord]:
        """The holds written at the last graceful stop; or, if the last process died without
        one, the members it had online (``until`` 0 unless they were held already). Removed
        from the file: from now on they are this process's, which writes them as it goes."""
        with self._db_lock:
            try:
                holds = self._records(_HELD) or self._records(_ONLINE)
            except (sqlite3.Error, ValueError, TypeError, KeyError) as error:
                raise StoreError(f"{self.path}: held users cannot be read: {error}") from error
            with self._db:
                self._db.execute("BEGIN")
                self._db.execute("DELETE FROM holds")
                self._db.execute("DELETE FROM online")
        return holds

    def _records(self, query: str) -> list[HoldRecord]:
        rows = self._db.execute(query).fetchall()
        return [_hold_from_json(text) for (text,) in rows]

    def save_departures(self, departures: list[Departure]) -> None:
        """Where the last members to leave came from, written at a graceful stop (in place
        of any written before), so that a ban can still reach them after a restart."""
        rows = [(name_key(d.name), d.name, d.address, d.when) for d in departures]
        self._replace_all("departures", 4, rows, "departures")

    def take_departures(self) -> list[Departure]:
        """The departures written at the last graceful stop that are still recent, the oldest
        first; removed from the file (none outlives its hour there, nor comes back twice)."""
        since = time.time() - DEPARTURE_SECONDS
        try:
            with self._db_lock, self._db:
                self._db.execute("BEGIN")
                rows = self._db.execute(
                    "SELECT name, address, at FROM departures WHERE at > ? ORDER BY at", (since,)
                ).fetchall()
                self._db.execute("DELETE FROM departures")
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: departures cannot be read: {error}") from error
        return [Departure(str(name), str(address), float(at)) for name, address, at in rows]

    def bans(self) -> list[Ban]:
        """The bans still in force (at start); those over are deleted."""
        try:
            with self._db_lock, self._db:
                self._db.execute("BEGIN")
                self._db.execute("DELETE FROM bans WHERE until <= ?", (time.time(),))
                rows = self._db.execute("SELECT address, until, name FROM bans").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: bans cannot be read: {error}") from error
        return [Ban(str(address), float(until), str(name)) for address, until, name in rows]

    def keep_ban(self, ban: Ban) -> None:
        """Written at once, on the caller's thread: bans are rare, and one an operator made
        must hold after a restart however soon it comes."""
        self._write_now(
            "INSERT OR REPLACE INTO bans VALUES (?, ?, ?)", [(ban.address, ban.until, ban.name)]
        )

    def lift_bans(self, addresses: list[str]) -> None:
        self._write_now("DELETE FROM bans WHERE address = ?", [(a,) for a in addresses])

    def _write_now(self, statement: str, rows: list[tuple[str | float, ...]]) -> None:
        try:
            with self._reservations:
                self._reservations.execute("BEGIN")
                self._reservations.executemany(statement, rows)
        except sqlite3.Error as error:
            log.error("cannot change the bans in %s: %s", self.path, error)

    def keep_members(self, records: list[HoldRecord], gone: Collection[int]) -> None:
        """Write these members as they are now, and forget those ``gone``, with the events
        appended so far."""
        self._queue.put(_Members(records, tuple(gone)))

    def append(self, event: RoomEvent, route: Route) -> None:
        """Queue ``event`` for the writer; returns at once (the writer renders it)."""
        self._queue.put((event, route))

    def close(self, last_id: int) -> None:
        """Write what is queued, then stop (a graceful shutdown loses nothing): the next start
        goes on from ``last_id`` exactly."""
        self._queue.put(_CLOSE)
        self._writer.join()
        try:  # whoever was online left, or is in ``holds``: nobody is online between processes
            with self._db:
                self._db.execute("DELETE FROM online")
        except sqlite3.Error as error:
            log.error("cannot clear who was online in %s: %s", self.path, error)
        self.reserve(last_id)
        self._reservations.close()
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)  # the next process may open it now

    def _write_forever(self) -> None:
        """Wake on the first event waiting, let a batch pile up for ``FLUSH_SECONDS``, then
        write all of it in one transaction: one wake-up per batch, not one per event (each
        would take the GIL from the event loop). After a failed write, what was not written
        waits (``Backlog``) and is tried again after a pause, with what came meanwhile."""
        _run_after_the_event_loop()
        backlog = Backlog()
        failing: Failing | None = None
        closing = False
        while not closing:
            if failing is None:
                if self._retention.wait() == 0.0:  # between batches: never starved by them
                    with self._db_lock:
                        self._retention.step(self._db)
                try:
                    item = self._queue.get(timeout=self._retention.wait())
                except queue.Empty:
                    continue
                closing = self._take(backlog, item)
                if not closing:
                    time.sleep(FLUSH_SECONDS)
            else:
                closing = self._take_until(backlog, time.monotonic() + failing.next_try_in())
            closing = self._take_waiting(backlog) or closing
            failing = self._write_backlog(backlog, failing, closing)

    def _take(self, backlog: Backlog, item: Logged | _Members | None) -> bool:
        """Put ``item`` in the backlog; whether it was the signal to finish instead."""
        if item is _CLOSE:
            return True
        if isinstance(item, _Members):
            records = {record.member: _hold_json(record) for record in item.records}
            backlog.add_members(records, item.gone)
        else:
            event, route = item
            row = (event.id, event_json(event), route_json(route), lasting_key(event))
            backlog.add_row(row)
        return False

    def _take_waiting(self, backlog: Backlog) -> bool:
        closing = False
        with contextlib.suppress(queue.Empty):
            while True:
                closing = self._take(backlog, self._queue.get_nowait()) or closing
        return closing

    def _take_until(self, backlog: Backlog, deadline: float) -> bool:
        """Take what comes until ``deadline``, or until the signal to finish (True)."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self._queue.get(timeout=left)
            except queue.Empty:
                return False
            if self._take(backlog, item):
                return True
        return False

    def _write_backlog(
        self, backlog: Backlog, failing: Failing | None, closing: bool
    ) -> Failing | None:
        """Write the backlog in transactions of ``BATCH`` events (who is online with the
        last): what is written leaves it. At the first failure, the rest waits."""
        if backlog.given_up:
            log.error(
                "%d events were given up unwritten: %s has failed for too long (%d wait)",
                backlog.given_up, self.path, len(backlog.rows),
            )  # fmt: skip
            backlog.given_up = 0
        written = 0
        while not backlog.empty():
            rows = backlog.first(BATCH)
            last = len(rows) == len(backlog.rows)
            error = self._write(rows, backlog.members if last else {})
            if error is not None:
                return self._failed(backlog, failing, error, closing)
            backlog.written(len(rows))
            written += len(rows)
            if last:
                backlog.members.clear()
        if failing is not None:
            log.warning(
                "%s is written again, after %.0f s: the %d events that waited are in it",
                self.path, time.monotonic() - failing.since, written,
            )  # fmt: skip
        return None

    def _failed(
        self, backlog: Backlog, failing: Failing | None, error: sqlite3.Error, closing: bool
    ) -> Failing:
        now = time.monotonic()
        if failing is None:
            failing = Failing(since=now, said_at=now)
            log.error(
                "cannot write to %s: %s; %d events (from id %d) wait in memory, tried again"
                " every few seconds: nothing is lost unless the server stops meanwhile",
                self.path, error, len(backlog.rows), backlog.rows[0][0] if backlog.rows else 0,
            )  # fmt: skip
        elif failing.remind(now):
            log.error(
                "%s still cannot be written (%s), for %.0f s now: %d events wait",
                self.path, error, now - failing.since, len(backlog.rows),
            )  # fmt: skip
        if closing:
            log.error(
                "stopping with %d events never written to %s (%s): its history lacks them",
                len(backlog.rows), self.path, error,
            )  # fmt: skip
        return failing

    def _write(self, rows: list[Row], members: dict[int, str | None]) -> sqlite3.Error | None:
        """One transaction: these events, then the members' changes, and the ids reserved
        while the file refused them; the error if it failed (and nothing of it was written)."""
        with self._owed_lock:
            owed = self._owed
        try:
            with self._db_lock, self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO events VALUES (?, ?, ?)", [row[:3] for row in rows]
                )
                lasting = [(key, id_, text) for id_, text, _, key in rows if key is not None]
                if lasting:
                    self._db.executemany(_KEEP_LASTING, lasting)
                    self._db.execute(_LASTING_WITHIN_LIMIT, (LASTING_LIMIT - 1,))
                held = [(member, hold) for member, hold in members.items() if hold is not None]
                self._db.executemany("INSERT OR REPLACE INTO online VALUES (?, ?)", held)
                gone = [(member,) for member, hold in members.items() if hold is None]
                self._db.executemany("DELETE FROM online WHERE member = ?", gone)
                if owed:
                    self._db.execute(_RESERVE_AT_LEAST, (owed,))
        except sqlite3.Error as error:
            return error
        with self._owed_lock:
            if self._owed == owed:
                self._owed = 0
        return None


def _lock_for_one_process(path: Path) -> int | None:
    """Hold ``PATH.lock`` for as long as this process uses the store; refuse if another does.

    Two servers on one store were two chats numbering one log: each reserved ids past the
    other's, then ran into them (``INSERT OR REPLACE`` kept the later event of an id), and each
    took the other's held users at start. A second server, or a new one started before the old
    one has finished stopping, is refused with the holder's PID instead. ``flock`` goes when the
    process does, killed or not, so a crash leaves no stale lock. (A lock file of its own, not
    the database: closing any descriptor of the database would drop SQLite's own locks.)
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: one server per store is the user's care
        return None
    lock_path = path.with_name(path.name + ".lock")
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        unusable = said("{path}: cannot be used as papo's store: {error}")
        raise StoreError(unusable.format(path=path, error=error)) from error
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(descriptor, 32).decode(errors="replace").strip() or "?"
        os.close(descriptor)
        in_use = said(
            "{path}: in use by another papo server (pid {pid}); one store is one server's: "
            "stop that one first, or give this one another file"
        )
        raise StoreError(in_use.format(path=path, pid=holder)) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor


def _hold_json(hold: HoldRecord) -> str:
    return json.dumps(
        {
            "member": hold.member,
            "name": hold.name,
            "token": hold.token.hex(),
            "until": hold.until,
            "rooms": hold.rooms,
            "current": hold.current,
            "away": hold.away,
            "since": hold.since,
            "first_id": hold.first_id,
            "moves": hold.moves,
            "ignoring": hold.ignoring,
            "ignores_changed_at": hold.ignores_changed_at,
            "operator": hold.operator,
            "address": hold.address,
        },
        ensure_ascii=False,
    )


def _hold_from_json(text: str) -> HoldRecord:
    fields = json.loads(text)
    return HoldRecord(
        member=int(fields["member"]),
        name=str(fields["name"]),
        token=bytes.fromhex(fields["token"]),
        until=float(fields["until"]),
        rooms=tuple(str(room) for room in fields["rooms"]),
        current=None if fields["current"] is None else str(fields["current"]),
        away=None if fields["away"] is None else str(fields["away"]),
        since=float(fields["since"]),
        first_id=int(fields["first_id"]),
        moves=tuple((int(at), tuple(str(k) for k in keys)) for at, keys in fields["moves"]),
        ignoring=tuple(int(member) for member in fields["ignoring"]),
        ignores_changed_at=int(fields.get("ignores_changed_at", 0)),
        operator=bool(fields.get("operator", False)),
        address=None if fields.get("address") is None else str(fields["address"]),
    )
