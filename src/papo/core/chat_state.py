"""What the rules of a command read and change of the chat, as a protocol: the modules of
commands (``room_commands``, ``people``) are written against it, and ``Chat`` is what meets it,
so those modules sit below the chat that names them in its table, not beside it in a loop."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from papo.core.ignores import Ignores
from papo.core.mutes import MuteList
from papo.core.past import Past
from papo.core.room import Room
from papo.core.rooms import RoomDirectory
from papo.core.session import Session
from papo.core.shared import SharedState


class ChatState(Protocol):
    rooms: RoomDirectory
    shared: SharedState
    members: dict[int, Session]  # this server's, by id
    ignores: Ignores
    mutes: MuteList  # as the log says, on every server alike
    past: Past  # what of the log may be shown again

    @property
    def max_rooms(self) -> int:
        """Rooms one member may be in at once (0: no limit)."""
        ...

    def quiet(self, room: Room) -> bool: ...

    def names_shown(self, session: Session, room: Room) -> tuple[str, ...] | None: ...

    def online_names(self) -> tuple[str, ...]: ...

    def holding(self, name: str) -> tuple[int, str] | None: ...

    def rooms_told(self, keys: Iterable[str]) -> frozenset[str]:
        """Of the rooms ``keys``, those where a departure is told (not quiet ones)."""
        ...
