"""What the chat needs from the state every server of one chat must agree on.

Names (who holds which, and which look alike), who is in which room, the one id counter and
the log of what happened are not one process's to keep: with several servers they live in one
place all of them reach (a Redis backplane, later), and in one process in ``papo.hub.memory``.
The chat asks for them through this interface, which the server hands it; the core imports no
hub (DESIGN.md).
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from papo.protocol.events import RoomEvent

Numbered = TypeVar("Numbered", bound=RoomEvent)
DEFAULT_LOG_SIZE = 10_000  # events of the log kept (PROTOCOL.md's --log-size)


class SharedState(Protocol):
    """Claims on names, the id counter and the log, behind one narrow interface."""

    def claim(self, name: str, holder: int) -> str | None:
        """Take ``name`` for ``holder`` (a member's id), or return the name held by somebody
        else that it is, or looks like (the UTS #39 skeleton). Re-claiming under the same
        holder (a rename to a look-alike of one's own name) is allowed."""
        ...

    def release(self, name: str, holder: int) -> None:
        """Give ``name`` up, if ``holder`` still holds it under that very spelling."""
        ...

    def holder(self, name: str) -> int | None:
        """Who holds ``name`` (compared as names are: case, width), if anybody."""
        ...

    def names(self) -> tuple[str, ...]:
        """Every name held, sorted by its casefolded form."""
        ...

    def count(self) -> int:
        """How many names are held."""
        ...

    def enter(self, room: str, holder: int) -> None:
        """``holder`` is in ``room`` (a room's key, as ``papo.protocol.names.room_key``)."""
        ...

    def exit(self, room: str, holder: int) -> None:
        """``holder`` is no longer in ``room``."""
        ...

    def room_count(self, room: str) -> int:
        """How many are in ``room``."""
        ...

    def room_names(self, room: str) -> tuple[str, ...]:
        """The names of those in ``room``, sorted by their casefolded form."""
        ...

    def room_counts(self) -> dict[str, int]:
        """Every room somebody is in, with how many are in it."""
        ...

    def append(self, draft: Numbered) -> Numbered:
        """Number ``draft`` (its id is ignored) with the next id, keep it in the log, return it."""
        ...

    def read_after(self, last_id: int) -> list[RoomEvent]:
        """The logged events with an id above ``last_id``, in order (as far back as kept)."""
        ...
