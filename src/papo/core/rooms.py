"""The rooms of one chat: the default room, the live ones, the dormant ones, and (through the
hub) who is in each.

Rooms other than the default one appear with their first member and go with their last, into
``Dormant`` with their history and topic. Who is in a room is shared state (the hub's, so every
server of one chat counts the same); each ``Room`` keeps only this process's members of it, to
deliver to them.
"""

from __future__ import annotations

from collections.abc import Iterator

from papo.core.room import Dormant, Room
from papo.core.session import Session
from papo.core.shared import SharedState
from papo.protocol.names import room_key


class RoomDirectory:
    def __init__(self, shared: SharedState, default: str, history: int) -> None:
        self._shared = shared
        self._history = history
        self.default = Room(default, room_key(default), history)
        self._live: dict[str, Room] = {self.default.key: self.default}
        self._dormant = Dormant()

    # -- the live rooms, by key --------------------------------------------------------------

    def __getitem__(self, key: str) -> Room:
        return self._live[key]

    def __contains__(self, key: object) -> bool:
        return key in self._live

    def get(self, key: str) -> Room | None:
        """The room ``key`` if somebody is in it: of this process, or (several servers) only
        of others, known here by its name and what the log said in it."""
        room = self._live.get(key)
        if room is None and (name := self._shared.room_name(key)) is not None:
            room = self.logged(name)
        return room

    def items(self) -> Iterator[tuple[str, Room]]:
        return iter(self._live.items())

    def current(self, session: Session) -> Room | None:
        """Where ``session``'s plain lines go."""
        return self._live[session.current] if session.current is not None else None

    # -- who is in them ----------------------------------------------------------------------

    def count(self, room: Room) -> int:
        return self._shared.room_count(room.key)

    def quiet(self, room: Room, quiet_above: int) -> bool:
        """Above the threshold, arrivals and departures are not announced (0: never quiet)."""
        return bool(quiet_above) and self.count(room) > quiet_above

    def names(self, room: Room) -> tuple[str, ...]:
        """Its members' names, sorted by their casefolded form."""
        if room is self.default and self.count(room) == self._shared.count():
            return self._shared.names()  # everybody: kept sorted, no sort per arrival
        return self._shared.room_names(room.key)

    def enter(self, session: Session, room: Room) -> None:
        room.members[session.sid] = session
        session.enter(room.key, self._shared.last_id())
        self._shared.enter(room.key, session.sid, room.name)
        self._keep_moves(session)

    def exit(self, session: Session, room: Room) -> None:
        """Out of ``room``, which goes dormant if that was its last member."""
        del room.members[session.sid]
        session.exit(room.key, self._shared.last_id())
        self._shared.exit(room.key, session.sid)
        self._keep_moves(session)
        self._dormant_if_empty(room)

    def _keep_moves(self, session: Session) -> None:
        """A member that may resume (on another server too) has its moves kept with it."""
        if session.resumable and session.moves:
            self._shared.keep_moves(session.sid, session.moves)

    def forget(self, session: Session) -> None:
        """``session`` is another server's now (it resumed there): out of this process's
        rooms, which may go dormant, and still in the shared ones."""
        for key in session.rooms:
            room = self._live.get(key)
            if room is not None:
                room.members.pop(session.sid, None)
                self._dormant_if_empty(room)

    def _dormant_if_empty(self, room: Room) -> None:
        """A room nobody here is in any more sleeps (the default room never does)."""
        if not room.members and room is not self.default:
            del self._live[room.key]
            self._dormant.keep(room)

    # -- making them -------------------------------------------------------------------------

    def open(self, name: str, key: str) -> Room:
        """The live room ``key``, woken or made (named ``name``) if there is none."""
        room = self._live.get(key)
        if room is None:
            named = self._shared.room_name(key) or name  # as made, maybe on another server
            room = self._dormant.wake(key) or Room(named, key, self._history)
            self._live[key] = room
        return room

    def logged(self, name: str) -> Room:
        """The room an event of the log happened in, live or dormant (the default one for a
        protocol-1 log, whose events name no room)."""
        key = room_key(name) if name else self.default.key
        room = self._live.get(key)
        if room is None:
            room = self._dormant.wake(key) or Room(name, key, self._history)
            self._dormant.keep(room)
        return room
