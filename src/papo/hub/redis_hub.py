"""Shared state in Redis: any number of servers are one chat (``--redis URL``, ``papo[redis]``).

Each server is a replica. Its copy of the shared state (names, who is in which room, who is
away, the recent log) is in this process (``redis_copy``), which the chat reads synchronously
as it does in one process. Every change is also one step in Redis, atomic in one Lua script
(``redis_scripts``), and every step lands in one Redis Stream in one order: events numbered by
one counter, changes of state between them. Each server reads the stream once for all its
connections and applies what others did; its own events come back the same way, so every
client of every server reads one sequence.

Changes made here are applied to the copy at once and sent in order by one writer; a step
carries this server's step number and Redis carries out each number once, so a step resent
after a lost reply is not done twice. A name is the one question asked before answering:
``reserve`` claims it in Redis, atomically against every server, before the chat decides.

Each server holds a lease (``lease:N``, renewed every third of ``--lease``); a survivor that
finds a lease gone announces that server's members' leaves, once (``buried:N``); a server that
stops gracefully says so first (``stopped:N``), so that its end is logged as planned. A
server's own keys go with it or expire: numbers are never reused, and servers come and go for
years. When Redis is unreachable, the shell tells senders ``unavailable``; what was accepted
waits in order and is sent once Redis is back. A Redis that comes back empty (restarted
without persistence) gets a new ``epoch``: numbering goes on well above what was seen, each
server reads the new stream from its start (an event it read before Redis lost it, sent again,
is passed on once), and writes its members back. A Redis emptied with its connections open
(``FLUSHALL``) is found by the epoch too: every change is carried out only on the state the
server read (``redis_scripts.FENCE``).

Imported only with ``--redis``: without it papo needs nothing but the standard library.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError, ResponseError

from papo.core.bans import Ban
from papo.core.departures import Departure
from papo.core.holds import HoldRecord
from papo.core.lasting import lasting_key
from papo.core.shared import DEFAULT_LOG_SIZE, Logged, Numbered, Route
from papo.hub.backplane import HubListener, Unavailable
from papo.hub.lease_clock import LeaseClock
from papo.hub.logged import event_json, route_json
from papo.hub.outages import RETRY_PAUSES, Outages
from papo.hub.redis_claims import CLAIMS_PER_CALL, ClaimGatherer, NameClaim
from papo.hub.redis_connection import failing_as_lost
from papo.hub.redis_copy import ChatCopy, Moved
from papo.hub.redis_numbering import Numbering
from papo.hub.redis_outbox import WRITE_BATCH, Outbox, Step, calls
from papo.hub.redis_records import (
    MEMBER_ID_BITS,
    ban_json,
    ban_of,
    hold_of,
    lasting_of,
    logged_of,
    text,
    up_to_an_event,
)
from papo.hub.redis_scripts import (
    AGREE,
    BURY,
    CLAIMS,
    FENCE,
    RAISE,
    RENEW,
    SNAPSHOT,
    STEPS,
    TAKE,
)
from papo.hub.redis_url import shown_url
from papo.protocol.events import RoomEvent
from papo.protocol.names import name_key, name_skeleton, room_key
from papo.python310 import being_cancelled

log = logging.getLogger("papo.hub.redis")

DEFAULT_LEASE = 10.0  # seconds a server's members outlive it (--lease)
# How long a graceful stop is remembered: survivors look within a third of a lease, or once
# Redis is back if it was unreachable then (a minute is long enough for either).
STOPPED_MARK_SECONDS = 60.0
# How long a dead server's marks are kept (``buried:N``, ``seq:N``): longer than any pause a
# server could wake from with its connections still open (keepalives end them long before),
# and short enough that servers crashing now and then over years leave no keys behind.
BURIED_MARK_SECONDS = 7 * 24 * 3600.0
COMMAND_CONNECTIONS = 8  # to Redis, for claims, take-overs and the writer
COMMAND_TIMEOUT = 2.0  # seconds Redis may take to answer before it counts as unreachable
READ_BLOCK_MS = 1000  # the reader's wait for new entries, per call
READ_COUNT = 1000  # entries read per call
# After a read or a write, this long to let more gather: Redis then works per batch, not per
# message (its CPU per message is what limits a chat of many servers); a delivery waits at
# most this much more.
GATHER_SECONDS = 0.001
# How long a stopping server waits for Redis to take what only it has, from the stop's
# first wait: with --shutdown-grace after it, within what a supervisor gives a stop
# (``papo.server.workers``: 5 s past --shutdown-grace).
HAND_OVER_SECONDS = 4.0
HURRIED_RETRY_SECONDS = 0.1  # between tries at Redis while stopping
# The longest a living server may take to hear Redis again once it is back: the pause before
# its next try, then a try that timed out. After an outage the others get at least this, or a
# lease if longer, before anyone is taken for dead: a short --lease (1 s) is less than a pause.
COME_BACK_SECONDS = RETRY_PAUSES[-1] + COMMAND_TIMEOUT


# The oldest Redis the scripts run on: a state change goes into the stream under ``N-*``
# (after event N, numbered by Redis), an id form Redis 7.0 brought.
OLDEST_REDIS = (7, 0)


def too_old(version: str) -> bool:
    """Whether Redis ``version`` (its ``INFO`` field, ``6.0.16``) is older than the scripts
    need. A version that does not read as numbers is given the benefit of the doubt: a
    server that speaks Redis under another name (Valkey says 7.2.4) reports one that does."""
    parts = version.split(".")[: len(OLDEST_REDIS)]
    if len(parts) < len(OLDEST_REDIS) or not all(part.isdigit() for part in parts):
        return False
    return tuple(int(part) for part in parts) < OLDEST_REDIS


class RedisTooOld(Exception):
    """The Redis of ``--redis`` lacks what the chat's scripts use: said at start, in one line,
    rather than as every line refused once it runs."""

    def __init__(self, version: str) -> None:
        super().__init__(version)
        self.version = version


class SettingsDiffer(Exception):
    """This server's options are not those of the chat's running servers: ``differ`` has the
    chat's value of each option that differs."""

    def __init__(self, differ: dict[str, str]) -> None:
        super().__init__(differ)
        self.differ = differ


class RedisHub:
    """Implements ``papo.core.shared.SharedState`` for one of several servers."""

    def __init__(
        self,
        url: str,
        log_size: int = DEFAULT_LOG_SIZE,
        *,
        lease: float = DEFAULT_LEASE,
        prefix: str = "papo",
        clock: Callable[[], float] = time.time,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.url = url
        # What every server of the chat must share (option -> value): checked at start.
        self.settings = dict(settings or {})
        self.log_size = log_size
        self.lease = lease
        self._clock = clock
        self._p = prefix
        # The hash of lasting events and their keys by id (``redis_scripts``).
        self._lasting = (self._key("lasting"), self._key("lasting:order"))
        self._copy = ChatCopy(log_size)
        options: dict[str, Any] = {"socket_connect_timeout": COMMAND_TIMEOUT}
        # A few connections, waited for in turn: a thousand users arriving at once are a
        # thousand claims queued on them, not a thousand connections to Redis.
        pool = BlockingConnectionPool.from_url(
            url, max_connections=COMMAND_CONNECTIONS, timeout=COMMAND_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT, **options,
        )  # fmt: skip
        self._redis = Redis(connection_pool=pool)
        self._reading = Redis.from_url(url, socket_timeout=READ_BLOCK_MS / 1000 + 5, **options)
        for each in (pool, self._reading.connection_pool):
            failing_as_lost(each)
        script = self._redis.register_script
        self._snapshot, self._raise, self._agree = script(SNAPSHOT), script(RAISE), script(AGREE)
        # Run by ``_fenced``: only on the chat's state as this server read it.
        self._steps, self._claims = script(FENCE + STEPS), script(FENCE + CLAIMS)
        self._take_script = script(FENCE + TAKE)
        self._renew_script, self._bury_script = script(FENCE + RENEW), script(FENCE + BURY)
        self.number = 0  # this server's, from Redis at start
        self._event_seqs: deque[int] = deque()  # steps of this server's events not yet back
        self._outbox = Outbox()
        self._wake_writer = asyncio.Event()
        self._up = asyncio.Event()
        self._leaving = asyncio.Event()  # stopping: Redis is tried again without backoff
        self._hand_over_by: float | None = None  # when a stop stops waiting for Redis
        self._reconnecting: asyncio.Task[None] | None = None
        self._outages = Outages(longest_pause=lease / 4)  # several tries within a lease
        self._position = "0-0"  # the newest stream entry read
        self.read_count = READ_COUNT  # entries asked for per read
        self.write_batch = WRITE_BATCH  # steps sent per call, at most
        self._epoch = ""
        self._reserved: dict[int, tuple[str, str | None]] = {}  # holder -> (name, taken by)
        self._claiming = ClaimGatherer(self._send_claims)
        self._listener: HubListener | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._recoveries: set[asyncio.Task[None]] = set()  # of what a gap in the stream set
        self._buried: set[int] = set()  # servers whose members were announced gone
        # The step of each server's newest event read (``q``): a step is carried out once per
        # epoch, so one seen again came back after Redis lost it, resent (never passed on twice).
        self._steps_read: dict[int, int] = {}
        self._numbering = Numbering()  # where ids jumped after Redis lost the chat
        self._closing = False
        self._buried_here = False  # the others took this server for dead
        # When the others may be taken for dead, and when Redis was last seen back empty.
        self._leases = LeaseClock(lease, COME_BACK_SECONDS, time.monotonic())

    # -- start and stop ----------------------------------------------------------------------

    async def start(self) -> None:
        """Take a server number and a lease, read the state and the recent log: then the chat
        can be made on top of it (synchronously, as on one process)."""
        version = await self._version()
        if too_old(version):
            await self._close_links()
            raise RedisTooOld(version)
        self.number = int(await self._redis.incr(self._key("servers")))
        await self._renew()
        differ = await self._agree_on_settings()
        if differ:  # this server does not join the chat: nothing of it is left behind
            with contextlib.suppress(RedisError):
                await self._redis.delete(self._key(f"lease:{self.number}"))
            await self._close_links()
            raise SettingsDiffer(differ)
        await self._load()
        self._up.set()
        log.info("server %d of the chat on %s", self.number, shown_url(self.url))

    def follow(self, listener: HubListener) -> None:
        """Start reading the stream for ``listener`` (the server), writing, and the lease."""
        self._listener = listener
        loop = asyncio.get_running_loop()
        for job in (self._read_forever, self._write_forever, self._keep_lease):
            self._tasks.append(loop.create_task(job()))

    async def close(self) -> None:
        """Hand what only this server has over to Redis, give the lease up, stop."""
        await self.hand_over()
        self._closing = True
        for task in [*self._tasks, *self._recoveries]:
            task.cancel()
        # A read blocked in Redis may take the cancellation as a lost connection and go on:
        # the loops also look at ``_closing``, and the wait is bounded.
        if self._tasks:  # none if it never followed
            await asyncio.wait(self._tasks, timeout=READ_BLOCK_MS / 1000 + 1)
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        with contextlib.suppress(RedisError):
            mark = max(STOPPED_MARK_SECONDS, 3 * self.lease)
            await self._redis.set(self._key(f"stopped:{self.number}"), 1, px=int(mark * 1000))
            # The writer has stopped: no step comes under this number again.
            await self._redis.delete(
                self._key(f"lease:{self.number}"), self._key(f"seq:{self.number}")
            )
        await self._close_links()

    async def hand_over(self) -> None:
        """Wait until Redis has every step made here, and this server's members if it came
        back empty: until then this process holds the only copy, which its users need to
        resume on another server. A Redis unreachable is tried more often than while
        running, until ``HAND_OVER_SECONDS`` after the stop began."""
        if self._listener is None or self._buried_here:
            return  # never followed, or the others took its members over already
        if self._hand_over_by is None:
            self._hand_over_by = time.monotonic() + HAND_OVER_SECONDS
        deadline = self._hand_over_by
        if self._up.is_set() and not self._outbox:
            return
        if not self._up.is_set():
            log.info("Redis unreachable: waiting up to %.1f s to hand this server's users "
                     "over", max(0.0, deadline - time.monotonic()))  # fmt: skip
        self._leaving.set()
        self._wake_writer.set()
        while not (self._up.is_set() and not self._outbox):
            if time.monotonic() >= deadline:
                log.warning("Redis did not take what waits here in time: %d changes lost; "
                            "this server's users may not resume elsewhere",
                            len(self._outbox))  # fmt: skip
                return
            await asyncio.sleep(0.01)
        log.info("what this server had is handed over to Redis")

    async def _close_links(self) -> None:
        await self._redis.aclose()
        await self._reading.aclose()

    async def _version(self) -> str:
        """Redis's version, "" where it will not say (``INFO`` renamed away, as some hosted
        Redis do: the scripts will tell, then)."""
        try:
            info: Any = await self._redis.info("server")
        except ResponseError:
            return ""
        return str(info.get("redis_version", ""))

    def _key(self, name: str) -> str:
        return f"{self._p}:{name}"

    async def _fenced(
        self, script: AsyncScript, keys: list[str], args: Sequence[str | int | float]
    ) -> Any:
        """A script that changes the chat's state, carried out only if Redis still has the
        state this server read (``redis_scripts.FENCE``): otherwise a ``ResponseError``."""
        return await script(keys=[*keys, self._key("epoch")], args=[*args, self._epoch])

    async def _agree_on_settings(self) -> dict[str, str]:
        """The chat's value of each option this server has otherwise (none: it agrees, or it
        is the only server running and its options become the chat's)."""
        pairs = [part for option, value in self.settings.items() for part in (option, value)]
        keys = [self._key("settings"), self._key("agreed")]
        answer: Any = await self._agree(keys=keys, args=[self.number, self._p, *pairs])
        values = iter(text(part) for part in answer)
        return dict(zip(values, values, strict=True))

    async def _load(self) -> None:
        """The members and the log as they stand, from one instant."""
        self._position, members, self._epoch = await self._read_snapshot(with_members=True)
        copy = self._copy
        pairs = iter(members)
        for holder_raw, state_raw in zip(pairs, pairs, strict=True):
            copy.load_member(int(holder_raw), json.loads(state_raw))
        # Read after the snapshot: a ban made since is in both, and a second add changes nothing.
        bans: Any = await self._redis.hgetall(self._key("bans"))
        now = self._clock()
        for address, raw in bans.items():
            ban = ban_of(text(address), text(raw))
            if ban.until > now:
                copy.ban(ban)
            else:  # swept out at each start, by whichever server starts
                self._send_step("ended", 0, ban.address, repr(ban.until), self._key("bans"))
        # Those of the stream read next (and any event after the snapshot, which the stream
        # brings later) are in both: the copy keeps the newest of each key.
        for event in await self._read_lasting():
            copy.keep_lasting(event)
        entries: Any = await self._redis.xrange(self._key("log"), max=self._position)
        for entry_id, fields in entries:
            if fields.get(b"o") == b"renumbered":
                self._renumbering(int(fields[b"a"]))
            logged = logged_of(entry_id, fields) if b"e" in fields else None
            if logged is not None:
                if self._numbering.jumping:
                    self._jumped(logged[0].id, copy.last_id())
                copy.keep(*logged)

    async def _read_snapshot(self, *, with_members: bool) -> tuple[str, list[Any], str]:
        """The newest stream entry's id, every member (id, state, id, state...: only when
        asked) and the epoch, at one instant; an epoch is set if Redis has none."""
        keys = [self._key("log"), self._key("members"), self._key("epoch")]
        args: list[str | int] = [secrets.token_hex(8), int(with_members)]
        at, members, epoch = await self._snapshot(keys=keys, args=args)
        return text(at), members, text(epoch)

    # -- names (SharedState) -----------------------------------------------------------------

    async def reserve(self, name: str, holder: int) -> None:
        """Claim ``name`` in Redis for ``holder``, against every server, before the chat
        asks ``claim`` (which then answers from this). Raises ``Unavailable``."""
        if not self._up.is_set():
            raise Unavailable
        taken = await self._claiming.claim(NameClaim(holder, name, self._clock()))
        self._reserved[holder] = (name, taken or None)

    async def _send_claims(self, claims: list[NameClaim]) -> list[str] | None:
        """One call for the claims gathered (``ClaimGatherer``); None if Redis is out of
        reach, each claim then released (in case it was carried out and the answer lost)."""
        try:
            answers = await self._fenced(self._claims, *self._claims_of(claims))
        except RedisError as error:
            self._lost(error)
            for claim in claims:
                self.release(claim.name, claim.holder)
            return None
        return [text(answer) for answer in answers]

    def _claims_of(self, claims: Sequence[NameClaim]) -> tuple[list[str], list[str | int | float]]:
        """The keys and arguments of the claim script for ``claims``."""
        keys = [self._key("members"), self._key("last_id"), self._key("log")]
        args: list[str | int | float] = [self.number, self._cap]
        for claim in claims:
            keys += self._name_keys(claim.name)
            args += [claim.holder, claim.name, claim.since]
        return keys, args

    def _name_keys(self, name: str) -> list[str]:
        """Who holds ``name``, and who holds a look-alike of it."""
        return [self._key(f"name:{name_key(name)}"), self._key(f"skeleton:{name_skeleton(name)}")]

    def claim(self, name: str, holder: int) -> str | None:
        reserved = self._reserved.pop(holder, None)
        if reserved is not None and reserved[0] == name and reserved[1] is not None:
            return reserved[1]
        if reserved is None or reserved[0] != name:
            return self._copy.claim(name, holder)  # not claimed in Redis: the copy says
        self._copy.claim_over(name, holder)
        return None

    def release(self, name: str, holder: int) -> None:
        self._copy.release(name, holder)
        reserved = self._reserved.get(holder)
        if reserved is not None and reserved[0] == name:  # claimed, never asked: gone meanwhile
            del self._reserved[holder]
        self._send_step("release", holder, name, "", *self._name_keys(name))

    def holder(self, name: str) -> int | None:
        return self._copy.holder(name)

    def names(self) -> tuple[str, ...]:
        return self._copy.names()

    def count(self) -> int:
        return self._copy.count()

    def name_of(self, holder: int) -> str | None:
        return self._copy.name_of(holder)

    def since(self, holder: int) -> float | None:
        return self._copy.since(holder)

    def set_away(self, holder: int, text: str | None) -> None:
        if self._copy.aways().get(holder) == text:
            return
        self._copy.set_away(holder, text)
        if self._copy.name_of(holder) is not None:  # a leave clears it with the name
            self._send_step("away", holder, text or "", "")

    def aways(self) -> dict[int, str]:
        return self._copy.aways()

    # -- presence ----------------------------------------------------------------------------

    def enter(self, room: str, holder: int, name: str) -> None:
        self._copy.enter(room, holder, name)
        self._send_step("enter", holder, room, name)

    def exit(self, room: str, holder: int) -> None:
        self._copy.exit(room, holder)
        self._send_step("exit", holder, room, "")

    def room_count(self, room: str) -> int:
        return self._copy.room_count(room)

    def room_names(self, room: str) -> tuple[str, ...]:
        return self._copy.room_names(room)

    def room_counts(self) -> dict[str, int]:
        return self._copy.room_counts()

    def room_name(self, room: str) -> str | None:
        return self._copy.room_name(room)

    def rooms_of(self, holder: int) -> tuple[str, ...]:
        return self._copy.rooms_of(holder)

    def room_holders(self, room: str) -> Collection[int]:
        return self._copy.room_holders(room)

    # -- the log -----------------------------------------------------------------------------

    def append(self, draft: Numbered, route: Route) -> Numbered | None:
        """Sent to be numbered; the event comes back from the stream (``HubListener``)."""
        key = lasting_key(draft)
        if key is None:
            seq = self._send_step("event", event_json(draft), route_json(route), "")
        else:  # kept apart from the stream too, in the same call
            seq = self._send_step(
                "event", event_json(draft), route_json(route), key, *self._lasting
            )
        self._event_seqs.append(seq)
        return None

    def last_id(self) -> int:
        return self._copy.last_id()

    def read_after(self, last_id: int) -> list[Logged]:
        return self._copy.read_after(last_id)

    def said_in(self, room: str) -> Sequence[Logged]:
        return self._copy.said_in(room)

    def privates_of(self, member: int) -> Sequence[Logged]:
        return self._copy.privates_of(member)

    def lasting(self) -> list[RoomEvent]:
        return self._copy.lasting()

    def oldest_id(self) -> int:
        """Right after a jump in numbering, what a resume from before it missed is the ids
        up to the jump, not the ids skipped."""
        return self._numbering.oldest_id(self._copy.oldest_id())

    # -- resume on any server ----------------------------------------------------------------

    def keep_token(self, holder: int, digest: bytes, first_id: int) -> None:
        self._send_step("token", holder, digest.hex(), first_id, self._token_key(digest))

    def drop_token(self, holder: int, digest: bytes) -> None:
        self._send_step("untoken", holder, digest.hex(), "", self._token_key(digest))

    def _token_key(self, digest: bytes) -> str:
        return self._key(f"token:{digest.hex()}")

    def keep_ignores(self, holder: int, ignoring: Collection[int], changed_at: int) -> None:
        self._send_step("ignores", holder, ",".join(map(str, sorted(ignoring))), changed_at)

    def keep_moves(self, holder: int, moves: Sequence[tuple[int, Collection[str]]]) -> None:
        kept = [[at, sorted(keys)] for at, keys in moves]
        self._send_step("moves", holder, json.dumps(kept, separators=(",", ":")), "")

    def keep_operator(self, holder: int) -> None:
        self._copy.keep_operator(holder)
        self._send_step("operator", holder, "", "")

    def is_operator(self, holder: int) -> bool:
        return self._copy.is_operator(holder)

    def keep_address(self, holder: int, address: str) -> None:
        self._send_step("address", holder, address, "")

    def note_departure(self, name: str, address: str, when: float) -> None:
        self._copy.note_departure(name, address, when)  # the others read it with its release

    def departure(self, name: str, now: float) -> Departure | None:
        return self._copy.departure(name, now)

    def ban(self, ban: Ban) -> None:
        self._copy.ban(ban)
        self._send_step("ban", 0, ban.address, ban_json(ban), self._key("bans"))

    def banned(self, address: str, now: float) -> Ban | None:
        return self._copy.banned(address, now)

    def bans_in_force(self, now: float) -> list[Ban]:
        return self._copy.bans_in_force(now)

    def unban(self, name: str, now: float) -> list[Ban]:
        lifted = self._copy.unban(name, now)
        for ban in lifted:
            self._send_step("unban", 0, ban.address, "", self._key("bans"))
        return lifted

    async def take(self, digest: bytes) -> HoldRecord | None:
        """The member whose token has this digest, taken over by this server (its token used
        up); None if no member has it. Raises ``Unavailable``, and for an unknown token
        within a lease of Redis coming back empty: its server may not have written its
        members back yet (each does at its next try), and a refusal would end the resume."""
        found = await self._take_over(self._token_key(digest), "")
        if found is None and self._leases.settling_after_restock(time.monotonic()):
            raise Unavailable
        return found

    async def _take_over(self, token_key: str, holder: str) -> HoldRecord | None:
        if not self._up.is_set():
            raise Unavailable
        keys = [token_key, self._key("members"), self._key("last_id"), self._key("log")]
        try:
            found: Any = await self._fenced(
                self._take_script, keys, [self.number, self._cap, holder]
            )
        except RedisError as error:
            self._lost(error)
            raise Unavailable from error
        if not found:
            return None
        member, raw = found
        self._copy.moved(int(member), self.number)
        return hold_of(int(member), text(raw))

    def keeps_holds(self) -> bool:
        """A member held when this server stops is in Redis already: it resumes on another
        server, or the one that buries this server holds it for the rest of its grace."""
        return True

    def changed_members(self) -> Collection[int]:
        return ()  # each change is a step, in Redis already

    def keep_members(self, records: list[HoldRecord], gone: Collection[int]) -> None:
        pass

    def keep_holds(self, holds: list[HoldRecord]) -> None:
        pass  # their state is in Redis, kept by every step

    def take_holds(self) -> list[HoldRecord]:
        return []  # a stopped server's members are taken over by whoever buries it

    def first_member_id(self) -> int:
        """Member ids made here start above this: each server has its own range, so a route
        means the same members on every server."""
        return self.number << MEMBER_ID_BITS

    def available(self) -> bool:
        return self._up.is_set() and not self._outbox.full()

    # -- writing -----------------------------------------------------------------------------

    @property
    def _cap(self) -> int:
        """Entries the stream keeps: the log's events and the changes of state among them."""
        return self.log_size * 4

    def _send_step(self, kind: str, *values: str | int) -> int:
        """Queue one step for the writer (``Outbox.step``); its number."""
        seq = self._outbox.step(kind, *values)
        self._wake_writer.set()
        return seq

    async def _write_forever(self) -> None:
        """One writer, so that steps reach Redis in the order they were made, a batch at a
        time (resent whole after a failure: each step is done at most once)."""
        steps_keys = [
            self._key("last_id"),
            self._key("log"),
            self._key("members"),
            self._key(f"seq:{self.number}"),
        ]
        while True:
            await self._wake_writer.wait()
            await asyncio.sleep(GATHER_SECONDS)
            self._wake_writer.clear()
            while self._outbox:
                await self._up.wait()
                batch = self._outbox.next_batch(self.write_batch)
                try:
                    await self._write(batch, steps_keys)
                except RedisError as error:
                    self._lost(error)
                    continue  # the same steps again once back: each is done at most once
                self._outbox.sent(len(batch))

    async def _write(self, batch: list[Step], steps_keys: list[str]) -> None:
        for call in calls(batch):
            if call.claim is not None:
                await self._fenced(self._claims, *call.claim)
            else:
                await self._fenced(self._steps, steps_keys, [self.number, self._cap, *call.steps])

    # -- reading -----------------------------------------------------------------------------

    async def _read_forever(self) -> None:
        stream = self._key("log")
        while not self._closing:
            await self._up.wait()
            epoch = self._epoch
            try:
                answer: Any = await self._reading.xread(
                    {stream: self._position}, count=self.read_count, block=READ_BLOCK_MS
                )
            except RedisError as error:
                self._lost(error)
                continue
            if self._epoch != epoch:  # asked where the lost stream was: read the new from 0
                continue
            for _, entries in answer or ():
                for entry_id, fields in up_to_an_event(entries, self.read_count):
                    self._position = text(entry_id)
                    self._take(entry_id, fields)
            if answer:
                await asyncio.sleep(GATHER_SECONDS)

    def _take(self, entry_id: Any, fields: dict[bytes, bytes]) -> None:
        """One entry of the stream: an event for the chat, or another server's change."""
        origin = int(fields.get(b"s", b"0"))
        if b"e" in fields:
            seq = int(fields.get(b"q", b"0"))
            if seq <= self._steps_read.get(origin, 0):
                return  # read already, before Redis lost it and its server sent it again
            self._steps_read[origin] = seq
            logged = logged_of(entry_id, fields)
            if logged is None:
                return
            event, route = logged
            self._event(event, route, origin == self.number, seq)
        elif fields[b"o"] == b"renumbered":  # from here on, ids are numbered higher
            self._renumbering(int(fields[b"a"]))
        elif origin != self.number:  # this server's own changes are in its copy already
            self._apply(text(fields[b"o"]), int(fields[b"h"]), fields)
        elif fields[b"o"] == b"release" and fields.get(b"b"):
            # But for the address of a departure, which Redis adds: this server may have
            # released a dead server's member, whose address it never knew.
            self._copy.note_departure(text(fields[b"a"]), text(fields[b"b"]), time.time())

    def _event(self, event: Numbered, route: Route, mine: bool, seq: int) -> None:
        listener = self._listener
        newest = self._copy.last_id()
        if event.id <= newest:  # every client has its ids growing: it would break that
            log.error("event %d came after %d: numbered again after Redis lost the chat's "
                      "state, not passed on", event.id, newest)  # fmt: skip
            return
        renumbered = self._numbering.jumping
        missed = event.id - newest - 1 if newest and not renumbered else 0
        if renumbered:
            self._jumped(event.id, newest)
        self._copy.keep(event, route)
        if listener is None:
            return
        lost_mine = 0
        if mine:
            lost_mine = max(0, self._count_mine_between(seq))
        if missed > 0 or lost_mine:
            log.warning("the stream was trimmed under this server: %d events missed", missed)
            listener.missed(max(missed, 0), lost_mine)
        if event.id > newest + 1 and not renumbered:  # a gap (from the start too)
            self._recovering(newest, event.id)
        listener.logged(event, route, mine=mine)

    def _recovering(self, after: int, before: int) -> None:
        """Events between ``after`` and ``before`` were trimmed unread: what they set for good
        (a topic, a lock, a mute) is asked of the ``lasting`` hash, in the background."""
        task = asyncio.get_running_loop().create_task(self._recover(after, before))
        self._recoveries.add(task)
        task.add_done_callback(self._recoveries.discard)

    async def _recover(self, after: int, before: int) -> None:
        """Only those numbered within the gap: one newer of the same key is in the hash
        instead, and comes (or came) from the stream."""
        try:
            kept = await self._read_lasting()
        except RedisError as error:
            log.warning("the topics and mutes among the events missed cannot be read: %s", error)
            return
        missed = sorted(
            (event for event in kept if after < event.id < before), key=lambda event: event.id
        )
        for event in missed:
            self._copy.keep_lasting(event)
        if missed and self._listener is not None and not self._closing:
            self._listener.recovered(missed)

    async def _read_lasting(self) -> list[RoomEvent]:
        """Every event of the ``lasting`` hash (in no order)."""
        kept: Any = await self._redis.hgetall(self._lasting[0])
        found = (lasting_of(text(raw)) for raw in kept.values())
        return [event for event in found if event is not None]

    def _count_mine_between(self, seq: int) -> int:
        """How many of this server's events before step ``seq`` never came back (trimmed)."""
        skipped = 0
        while self._event_seqs and self._event_seqs[0] <= seq:
            skipped += self._event_seqs.popleft() < seq
        return skipped

    def _apply(self, kind: str, holder: int, fields: dict[bytes, bytes]) -> None:
        a, b = text(fields.get(b"a", b"")), text(fields.get(b"b", b""))
        match self._copy.apply(kind, holder, a, b, self.number, time.time()):
            case Moved(buried_here=True):
                self._taken_for_dead()
            case Moved() if self._listener is not None:
                self._listener.moved(holder)
            case Ban() as ban if self._listener is not None:
                self._listener.banned(ban)

    def _renumbering(self, newest: int) -> None:
        """A server came back having read up to ``newest`` (``Numbering.renumbered``): what it
        read beyond what was known, the clients here are told they missed."""
        beyond = self._numbering.renumbered(newest)
        if beyond <= 0 or not self._leases.ever_restocked:  # started after: nothing missed
            return
        log.warning("Redis lost %d events before this server read them", beyond)
        if self._listener is not None:
            self._listener.missed(beyond, 0)

    def _jumped(self, event_id: int, newest: int) -> None:
        self._numbering.jumped(event_id, newest, self._copy.oldest_id())

    # -- the link to Redis -------------------------------------------------------------------

    def _lost(self, error: Exception) -> None:
        """Redis did not answer: refuse lines until it does, and try again and again. (A
        task cancelled in a Redis call sees a lost connection: the cancellation goes on.)"""
        if self._closing or being_cancelled(asyncio.current_task()):
            raise asyncio.CancelledError
        if not self._up.is_set():
            return
        self._up.clear()
        outages = self._outages
        outages.lost(time.monotonic())
        if outages.relapses == 0:
            failure = "unreachable"
            if isinstance(error, ResponseError):
                failure = "refuses the chat's writes"
                if str(error).startswith("EPOCH"):  # flushed, or another Redis at its address
                    failure = "no longer has the chat's state"
            log.warning("Redis %s (%s): lines are refused until it is back", failure, error)
        elif outages.worth_saying():
            log.warning("Redis failed again soon after coming back (%s): tried again further"
                        " apart, and said here again once it stays back", error)  # fmt: skip
        if self._listener is not None:
            self._listener.availability(False)
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        outages = self._outages
        while True:
            if self._leaving.is_set():
                await asyncio.sleep(HURRIED_RETRY_SECONDS)
            else:  # a stop cuts the pause short
                with contextlib.suppress(asyncio.TimeoutError):  # not the builtin before 3.11
                    await asyncio.wait_for(self._leaving.wait(), outages.next_pause())
            try:
                await self._redis.ping()
                await self._renew()
                _, _, epoch = await self._read_snapshot(with_members=False)
                if epoch != self._epoch:
                    await self._restock(epoch)
            except RedisError:
                continue
            outages.back(time.monotonic())
            if outages.worth_saying():
                log.info("Redis is back after %d attempts", outages.attempts)
            self._up.set()
            self._wake_writer.set()
            if self._listener is not None:
                self._listener.availability(True)
            return

    async def _restock(self, epoch: str) -> None:
        """Redis came back without our data: numbers go on well above the newest seen, the
        new stream is read from its start, and this server writes its members back (each
        server does, for its own).

        Well above: another server may have read more of the lost stream (numbers this server
        never saw), and the first back numbers the next events. The others cannot be behind
        this one by more than the stream kept (``_cap`` entries), or they were told they
        missed events: twice that is above anything handed out. From the start: what servers
        back earlier wrote meanwhile (events, leaves) is for this server's clients too."""
        log.warning("Redis lost the chat's state (new epoch): writing this server's back")
        self._position = "0-0"
        # Every lease went with the rest: the others get time to come back and renew theirs
        # (each at its next try) before any of them is taken for dead.
        self._leases.restocked(time.monotonic())
        newest = self._copy.last_id()
        self._numbering.lost(newest)
        keys = [self._key("last_id"), self._key("servers"), self._key("log")]
        await self._raise(keys=keys, args=[newest, 2 * self._cap, self.number, self._cap])
        await self._agree_on_settings()  # the servers running agreed when they started
        self._epoch = epoch  # only now: cut short, it is all done again at the next try
        if self._listener is None:
            return
        for ban in self._copy.bans_in_force(time.time()):
            self.ban(ban)
        for event in self._copy.lasting_events():  # each server: the newest wins
            key = lasting_key(event) or ""
            self._send_step("lasting", event.id, event_json(event), key, *self._lasting)
        members = list(self._listener.members())
        claims = [NameClaim(member.member, member.name, member.since) for member in members]
        for start in range(0, len(claims), CLAIMS_PER_CALL):  # before their members' steps
            self._outbox.claim(self._claims_of(claims[start : start + CLAIMS_PER_CALL]))
        for member in members:
            holder = member.member
            for name in member.rooms:
                self._send_step("enter", holder, room_key(name), name)
            if member.away:
                self._send_step("away", holder, member.away, "")
            if member.ignoring:
                self.keep_ignores(holder, member.ignoring, member.ignores_changed_at)
            if member.moves:
                self.keep_moves(holder, member.moves)
            if member.operator:
                self.keep_operator(holder)
            if member.address is not None:
                self.keep_address(holder, member.address)
            if member.token:  # it can still resume on any server
                self.keep_token(holder, member.token, member.first_id)

    # -- leases ------------------------------------------------------------------------------

    async def _renew(self) -> None:
        await self._redis.set(self._key(f"lease:{self.number}"), 1, px=int(self.lease * 1000))

    async def _keep_lease(self) -> None:
        """Renew this server's lease; look for servers whose lease ran out, when the clock
        says the others had time to renew theirs (``LeaseClock``)."""
        clock = self._leases
        clock.lease_set(time.monotonic())  # start() has just set it
        while True:
            await asyncio.sleep(self.lease / 3)
            if not self._up.is_set():
                continue
            try:
                before = time.monotonic()
                keys = [self._key(f"lease:{self.number}"), self._key(f"buried:{self.number}")]
                if await self._fenced(self._renew_script, keys, [int(self.lease * 1000)]):
                    self._taken_for_dead()
                    return
                now = time.monotonic()
                clock.renewed(before, now)
                if clock.may_bury(now):
                    await self._forget_the_gone(await self._bury_the_dead())
            except RedisError as error:
                self._lost(error)

    def _taken_for_dead(self) -> None:
        """Another server buried this one (paused or cut off longer than the lease): seen in
        Redis, or in the stream as its members taken over; said once."""
        if self._buried_here:
            return
        self._buried_here = True
        log.error("the other servers took this one for dead (no lease for %g s): it stops",
                  self.lease)  # fmt: skip
        if self._listener is not None:
            self._listener.buried()

    async def _bury_the_dead(self) -> set[int]:
        """A server whose lease is gone: its members leave, announced by one survivor. Returns
        the other servers that hold names."""
        others = self._copy.held_elsewhere(self.number)
        mark = int(BURIED_MARK_SECONDS * 1000)
        for server, holders in others.items():
            if server in self._buried:
                continue
            keys = [self._key(f"{kind}:{server}") for kind in ("lease", "buried", "seq")]
            verdict = await self._fenced(self._bury_script, keys, [self.number, mark])
            if verdict < 0:  # alive
                continue
            self._buried.add(server)
            self._steps_read.pop(server, None)
            if verdict == 0 or self._listener is None:  # another survivor announces it
                continue
            # Those that can resume are held here, as if their connection had dropped.
            holds = []
            for holder in holders:
                hold = await self._take_over("", str(holder))
                if hold is not None and hold.token:
                    holds.append(hold)
            await self._say_buried(server, len(holders) - len(holds), len(holds))
            self._listener.gone(holders, holds)
        return set(others)

    async def _forget_the_gone(self, holding: set[int]) -> None:
        """Forget what is kept of each server that holds no name and has no lease (stopped, or
        dead with nobody on it): else an entry per server ever started stays, over a long life
        of restarts (``--workers``). One only paused past its lease starts afresh when it
        writes again; only an event it sent again, after Redis lost the chat meanwhile, could
        then pass twice. Its last step in Redis (``seq:N``) goes after the time a burial
        gives it, not at once, for the same pause: a server killed with nobody on it leaves
        no key for ever, and none that is only asleep is stopped (a burial would stop it)."""
        self._buried &= holding
        idle = [s for s in self._steps_read if s != self.number and s not in holding]
        if not idle:
            return
        leases = await self._redis.mget([self._key(f"lease:{server}") for server in idle])
        mark = int(BURIED_MARK_SECONDS * 1000)
        for server, lease in zip(idle, leases, strict=True):
            if lease is None:
                self._steps_read.pop(server, None)
                await self._redis.pexpire(self._key(f"seq:{server}"), mark)

    async def _say_buried(self, server: int, leave: int, held: int) -> None:
        """A stop is a planned event (a restart, a deploy), logged as such; a lease that ran
        out is a crash or a cut link, which whoever runs the chat wants to see."""
        if await self._redis.exists(self._key(f"stopped:{server}")):
            log.info("server %d stopped: %d users leave, %d held for a resume",
                     server, leave, held)  # fmt: skip
        else:
            log.warning("server %d is gone (its lease ran out): %d users leave, "
                        "%d held for a resume", server, leave, held)  # fmt: skip
