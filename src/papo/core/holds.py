"""A held member written down: what a restart must give back to a member that was dropped
(or told ``restart``) so that it can resume on the next process.

The hub keeps these where the log outlives the process (``--store FILE``): written at a
graceful stop, and for every member online as it changes (a process may die without one),
read back at start. The token is kept as its digest only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRecord:
    member: int  # the member's id, as the log's routes name it
    name: str
    token: bytes  # the digest of its resume token
    until: float  # when the hold ends (wall clock)
    rooms: tuple[str, ...]  # names of its rooms, the most recently joined last
    current: str | None  # the name of the room its plain lines go to
    away: str | None  # the /away text (the hub's aways), while away
    since: float
    first_id: int
    moves: tuple[tuple[int, tuple[str, ...]], ...]  # as Session.moves, with rooms' keys
    ignoring: tuple[int, ...]
    ignores_changed_at: int = 0  # as Session.ignores_changed_at
    operator: bool = False  # gave /oper the password (what the hub's is_operator says)
    address: str | None = None  # as Session.address
