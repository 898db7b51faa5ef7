"""Shared state kept in this process: the default hub, for a chat served by one process.

With a ``LogStore`` (``--store FILE``) the log is also written to SQLite and read back at start:
ids go on from the last one, and the history is still there after a restart. Who is online
is written down too, as it changes: the hub notes whose state (name, rooms, away text, token,
ignores, moves) changed, and the chat hands it their records now and then.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import replace

from papo.core.bans import Ban, BanList
from papo.core.departures import Departure, RecentDepartures
from papo.core.holds import HoldRecord
from papo.core.lasting import Lasting
from papo.core.shared import DEFAULT_LOG_SIZE, Logged, Numbered, Route
from papo.hub.said_index import LogIndex, members_told, rooms_said_in
from papo.hub.store import LogStore
from papo.protocol.events import RoomEvent
from papo.protocol.names import name_key, name_skeleton

# Ids reserved on disk at a time (--store): one small synchronous write per this many events.
ID_RESERVATION = 1000


class _Claim:
    __slots__ = ("holder", "key", "name", "skeleton")

    def __init__(self, name: str, holder: int) -> None:
        self.name = name
        self.holder = holder
        self.key = name_key(name)
        self.skeleton = name_skeleton(name)


class MemoryHub:
    """Implements ``papo.core.shared.SharedState`` with dictionaries and a bounded log."""

    def __init__(self, log_size: int = DEFAULT_LOG_SIZE, store: LogStore | None = None) -> None:
        self._by_key: dict[str, _Claim] = {}
        self._by_skeleton: dict[str, _Claim] = {}
        self._by_holder: dict[int, _Claim] = {}
        self._presence: dict[str, set[int]] = {}  # room key -> holders in it
        self._room_names: dict[str, str] = {}  # room key -> its name, while somebody is in it
        self._away: dict[int, str] = {}  # holder -> its away text
        self._operators: set[int] = set()  # holders who are operators
        # Kept in order as names come, so listing them never sorts (asked on every arrival).
        self._sorted_keys: list[str] = []
        self._last_id = 0
        self._log: deque[Logged] = deque(maxlen=log_size)
        self._said = LogIndex(rooms_said_in)  # the log's messages, by room (``/history``)
        self._privates = LogIndex(members_told)  # and its privates, by member
        self._lasting = Lasting()  # what the log sets for good, kept after the log drops it
        self._store = store
        self._reserved = 0
        # Members whose state changed since the chat last wrote them down (--store only).
        self._changed: set[int] = set()
        self._bans = BanList()
        self._departures = RecentDepartures()
        if store is not None:  # ids go on from the last one handed out: never reused
            for event in store.lasting():
                self._lasting.keep(event)
            for logged in store.load(log_size):
                self._log_append(logged)
                self._lasting.keep(logged[0])
            self._last_id = self._reserved = store.last_id()
            for ban in store.bans():
                self._bans.add(ban)
            for gone in store.take_departures():
                self._departures.note(gone.name, gone.address, gone.when)

    # -- names -------------------------------------------------------------------------------

    def claim(self, name: str, holder: int) -> str | None:
        claim = _Claim(name, holder)
        for other in (self._by_key.get(claim.key), self._by_skeleton.get(claim.skeleton)):
            if other is not None and other.holder != holder:
                return other.name
        previous = self._by_key.get(claim.key)
        if previous is None:
            insort(self._sorted_keys, claim.key)
        else:
            self._by_skeleton.pop(previous.skeleton, None)
        self._by_key[claim.key] = claim
        self._by_skeleton[claim.skeleton] = claim
        self._by_holder[holder] = claim
        self._note_change(holder)
        return None

    def release(self, name: str, holder: int) -> None:
        key = name_key(name)
        claim = self._by_key.get(key)
        if claim is None or claim.holder != holder or claim.name != name:
            return
        del self._by_key[key]
        del self._sorted_keys[bisect_left(self._sorted_keys, key)]
        if self._by_skeleton.get(claim.skeleton) is claim:
            del self._by_skeleton[claim.skeleton]
        if self._by_holder.get(holder) is claim:
            del self._by_holder[holder]
            self._away.pop(holder, None)
            self._operators.discard(holder)
        self._note_change(holder)

    def holder(self, name: str) -> int | None:
        claim = self._by_key.get(name_key(name))
        return claim.holder if claim is not None else None

    def names(self) -> tuple[str, ...]:
        by_key = self._by_key
        return tuple(by_key[key].name for key in self._sorted_keys)

    def count(self) -> int:
        return len(self._by_key)

    def name_of(self, holder: int) -> str | None:
        claim = self._by_holder.get(holder)
        return claim.name if claim is not None else None

    def since(self, holder: int) -> float | None:
        return None  # every member is this process's: the chat knows

    def set_away(self, holder: int, text: str | None) -> None:
        if text is None:
            self._away.pop(holder, None)
        else:
            self._away[holder] = text
        self._note_change(holder)

    def aways(self) -> dict[int, str]:
        return self._away

    # -- presence ----------------------------------------------------------------------------

    def enter(self, room: str, holder: int, name: str) -> None:
        holders = self._presence.get(room)
        if holders is None:
            self._presence[room] = holders = set()
            self._room_names[room] = name
        holders.add(holder)
        self._note_change(holder)

    def exit(self, room: str, holder: int) -> None:
        holders = self._presence.get(room)
        if holders is None:
            return
        holders.discard(holder)
        if not holders:
            del self._presence[room]
            del self._room_names[room]
        self._note_change(holder)

    def room_count(self, room: str) -> int:
        return len(self._presence.get(room, ()))

    def room_names(self, room: str) -> tuple[str, ...]:
        present = self._presence.get(room, ())
        if len(present) * 4 >= len(self._by_key):
            # Most of the chat (the lobby, whose welcome lists it for each arrival): every name
            # in the order kept, those present picked, rather than sorting them all again.
            by_key = self._by_key
            picked = (by_key[key] for key in self._sorted_keys)
            return tuple(claim.name for claim in picked if claim.holder in present)
        by_holder = self._by_holder
        claims = (by_holder.get(holder) for holder in present)
        return tuple(sorted((claim.name for claim in claims if claim is not None), key=name_key))

    def room_counts(self) -> dict[str, int]:
        return {room: len(holders) for room, holders in self._presence.items()}

    def room_holders(self, room: str) -> Collection[int]:
        return self._presence.get(room, ())

    def room_name(self, room: str) -> str | None:
        return self._room_names.get(room)

    def rooms_of(self, holder: int) -> tuple[str, ...]:
        """By looking in every room: asked rarely (of a member of another server), and a set
        per member would cost every connection's memory."""
        return tuple(room for room, holders in self._presence.items() if holder in holders)

    # -- the log -----------------------------------------------------------------------------

    def append(self, draft: Numbered, route: Route) -> Numbered:
        self._last_id += 1
        event = replace(draft, id=self._last_id)
        self._log_append((event, route))
        self._lasting.keep(event)
        store = self._store
        if store is not None:
            if self._last_id > self._reserved:
                self._reserved = self._last_id + ID_RESERVATION
                store.reserve(self._reserved)
            store.append(event, route)
        return event

    def keep(self, event: Numbered, route: Route) -> None:
        """Log ``event``, numbered elsewhere (a replica of a log kept in Redis)."""
        self._last_id = event.id
        self._log_append((event, route))
        self._lasting.keep(event)

    def _log_append(self, logged: Logged) -> None:
        log = self._log
        if len(log) == log.maxlen:
            if not log:
                return  # a log of no events (--log-size 0) keeps none
            self._said.dropped(log[0])  # the oldest goes to make room
            self._privates.dropped(log[0])
        log.append(logged)
        self._said.added(logged)
        self._privates.added(logged)

    def last_id(self) -> int:
        return self._last_id

    def oldest_id(self) -> int:
        return self._log[0][0].id if self._log else 0

    def lasting(self) -> list[RoomEvent]:
        return self._lasting.before(self.oldest_id())

    def keep_lasting(self, event: RoomEvent) -> None:
        """An event whose state outlives the log, read from where it is kept (Redis)."""
        self._lasting.keep(event)

    def lasting_events(self) -> list[RoomEvent]:
        """Every one kept, in the log or not: what a Redis that lost them is given back."""
        return self._lasting.events()

    # -- holds -------------------------------------------------------------------------------

    # The chat's own tables are the only ones (every member is this process's): these only
    # note that the member has something new to write down.

    def keep_token(self, holder: int, digest: bytes, first_id: int) -> None:
        self._note_change(holder)

    def drop_token(self, holder: int, digest: bytes) -> None:
        self._note_change(holder)

    def keep_ignores(self, holder: int, ignoring: Collection[int], changed_at: int) -> None:
        self._note_change(holder)

    def keep_moves(self, holder: int, moves: Sequence[tuple[int, Collection[str]]]) -> None:
        self._note_change(holder)

    def keep_operator(self, holder: int) -> None:
        self._operators.add(holder)
        self._note_change(holder)

    def is_operator(self, holder: int) -> bool:
        return holder in self._operators

    def keep_address(self, holder: int, address: str) -> None:
        self._note_change(holder)  # the store's record of it has it (Chat.record)

    # -- bans --------------------------------------------------------------------------------

    def note_departure(self, name: str, address: str, when: float) -> None:
        self._departures.note(name, address, when)

    def departure(self, name: str, now: float) -> Departure | None:
        return self._departures.last(name, now)

    def ban(self, ban: Ban) -> None:
        self._bans.add(ban)
        if self._store is not None:
            self._store.keep_ban(ban)

    def banned(self, address: str, now: float) -> Ban | None:
        return self._bans.banned(address, now)

    def unban(self, name: str, now: float) -> list[Ban]:
        lifted = self._bans.lift(name)
        if self._store is not None and lifted:
            self._store.lift_bans([ban.address for ban in lifted])
        return [ban for ban in lifted if ban.until > now]

    def lift_address(self, address: str) -> None:
        """Another server lifted the ban of ``address`` (a replica of the Redis hub)."""
        self._bans.lift_address(address)

    def bans_in_force(self, now: float) -> list[Ban]:
        return self._bans.in_force(now)

    def _note_change(self, holder: int) -> None:
        if self._store is not None:
            self._changed.add(holder)

    def changed_members(self) -> Collection[int]:
        changed, self._changed = self._changed, set()
        return changed

    def keep_members(self, records: list[HoldRecord], gone: Collection[int]) -> None:
        if self._store is not None:
            self._store.keep_members(records, gone)

    def keeps_holds(self) -> bool:
        return self._store is not None

    def keep_holds(self, holds: list[HoldRecord]) -> None:
        if self._store is not None:
            self._store.save_holds(holds)

    def take_holds(self) -> list[HoldRecord]:
        return self._store.take_holds() if self._store is not None else []

    def close(self) -> None:
        """Write what the store has not written yet (a graceful stop loses nothing), and where
        the last members to leave came from."""
        if self._store is not None:
            self._store.save_departures(self._departures.kept())
            self._store.close(self._last_id)

    def read_after(self, last_id: int) -> list[Logged]:
        """From the newest back: a reader is usually close behind (and ids may skip after a
        restart from a store, so positions cannot be computed from them)."""
        newer: list[Logged] = []
        for logged in reversed(self._log):
            if logged[0].id <= last_id:
                break
            newer.append(logged)
        newer.reverse()
        return newer

    def said_in(self, room: str) -> Sequence[Logged]:
        return self._said.of(room)

    def privates_of(self, member: int) -> Sequence[Logged]:
        return self._privates.of(member)
