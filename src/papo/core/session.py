"""What the chat knows of one member: who it is, where it talks, whom it ignores.

The identity, not the connection: the socket, its address, output format, flood bucket and
send queue are the shell's (``papo.server.connection``). The shell keeps one per client and the
core changes it; the fan-out reads ``room_set`` and ``current`` to know which bytes the client
shares with others.
"""

from __future__ import annotations

from bisect import bisect_left

# Changes of rooms remembered for a resume (one per /join or /part): more than a dropped
# connection's few seconds ever see; the oldest go first.
MOVES_KEPT = 64


class Session:
    __slots__ = (
        "address",
        "away",
        "current",
        "first_id",
        "held_until",
        "ignores_changed_at",
        "ignoring",
        "key",
        "last_active",
        "last_private_from",
        "moves",
        "name",
        "operator",
        "password_given",
        "refused_names",
        "resumable",
        "room_set",
        "rooms",
        "sid",
        "since",
        "token",
    )

    def __init__(self, sid: int) -> None:
        self.sid = sid
        # Where its connection comes from, as the shell counts addresses (an IPv6 one by its
        # /64); nothing the core reads, but kept with the member, so that a ban made while
        # it is held (after a restart, or on the server that took it over) finds it.
        self.address: str | None = None
        self.name: str | None = None
        self.key: str | None = None
        # Whom this session ignores (by session id: it follows a person through renames, and
        # ends when they leave), and who last wrote to it in private (for /r).
        self.ignoring: set[int] = set()
        # The newest id when it last changed whom it ignores: later events were hidden from it
        # by its ignores as they are now, which a replay can go by (older ones, by their routes).
        self.ignores_changed_at = 0
        self.last_private_from: tuple[int, str] | None = None
        self.refused_names = 0  # names refused, and operator passwords
        self.password_given = False  # gave /pass the chat's (where one is asked)
        self.since = 0.0  # when it arrived (registered)
        self.last_active = 0.0  # when it last sent a line
        # The keys of the rooms it is in, the most recently joined last; the same as a set
        # (what the fan-out groups members by); the room a plain line goes to.
        self.rooms: list[str] = []
        self.room_set: frozenset[str] = frozenset()
        self.current: str | None = None
        # Resume: it reads JSON (only a program can keep its token); the digest of its current
        # token; until when it is held after its connection dropped (None: connected).
        self.resumable = False
        self.token: bytes | None = None
        self.held_until: float | None = None
        # What a resume replays is decided by the rooms it was in when each event happened:
        # ``moves`` pairs the id of the newest event at each change with the rooms after it
        # (empty while it has not moved since it arrived); ``first_id``, the newest id when it
        # arrived (nothing before it is its to replay).
        self.first_id = 0
        self.moves: list[tuple[int, frozenset[str]]] = []

    def __repr__(self) -> str:
        return f"Session({self.sid}, {self.name!r})"

    def enter(self, key: str, at: int) -> None:
        """In room ``key``, which becomes the current one; ``at``: the newest id."""
        before = self.room_set
        if key in before:
            self.rooms.remove(key)
        self.rooms.append(key)
        self._moved(at, before)
        self.current = key

    def make_current(self, key: str) -> None:
        """Talk in ``key``, a room it is in already (its rooms do not change)."""
        self.rooms.remove(key)
        self.rooms.append(key)
        self.current = key

    def exit(self, key: str, at: int) -> None:
        """Out of room ``key``: the current room is the one it joined most recently."""
        before = self.room_set
        self.rooms.remove(key)
        self._moved(at, before)
        self.current = self.rooms[-1] if self.rooms else None

    def _moved(self, at: int, before: frozenset[str]) -> None:
        """Note the change. Nothing is kept for the first one (its arrival, most members'
        only one): until a second, its rooms have always been ``room_set``."""
        self.room_set = rooms = frozenset(self.rooms)
        if rooms == before:
            return  # the same rooms: nothing for a replay to tell apart
        moves = self.moves
        if not moves:
            if not before:
                return
            moves.append((0, before))  # since its arrival (first_id bounds what is replayed)
        if moves[-1][0] == at:
            moves[-1] = (at, rooms)  # nothing happened in between: only the last counts
        else:
            moves.append((at, rooms))
            if len(moves) > MOVES_KEPT:
                del moves[0]

    def rooms_at(self, event_id: int) -> frozenset[str]:
        """The rooms it was in when event ``event_id`` happened (as far back as kept)."""
        moves = self.moves
        index = bisect_left(moves, event_id, key=lambda move: move[0]) - 1
        return moves[max(index, 0)][1] if moves else self.room_set
