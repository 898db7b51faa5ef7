"""Who ignores whom, both ways round, for the session: /ignore and /unignore.

Kept by the server, not the client, so a line client (nc) has it too. By session id: an
ignore follows a person through renames, and ends when either of the two leaves. The reverse
map (who ignores a given member) is what a broadcast needs: the ignorers among its recipients
are left out of it.
"""

from __future__ import annotations

from papo.core.room import Room
from papo.core.session import Session


class Ignores:
    def __init__(self) -> None:
        self._ignored_by: dict[int, set[Session]] = {}  # the reverse of Session.ignoring

    def ignore(self, session: Session, target: int) -> None:
        """``session`` ignores the member ``target`` (of this server or another)."""
        session.ignoring.add(target)
        self._ignored_by.setdefault(target, set()).add(session)

    def unignore(self, session: Session, sid: int) -> None:
        session.ignoring.discard(sid)
        ignorers = self._ignored_by.get(sid)
        if ignorers is not None:
            ignorers.discard(session)
            if not ignorers:
                del self._ignored_by[sid]

    def ignorers_in(self, session: Session, room: Room) -> tuple[Session, ...]:
        """Who, in ``room``, ignores ``session``."""
        ignorers = self._ignored_by.get(session.sid)
        if not ignorers:
            return ()
        return tuple(ignorer for ignorer in ignorers if ignorer.sid in room.members)

    def __bool__(self) -> bool:
        """Whether anybody here ignores anybody."""
        return bool(self._ignored_by)

    def ignorers_of(self, sid: int) -> tuple[int, ...]:
        """Who ignores member ``sid`` here, wherever they are."""
        ignorers = self._ignored_by.get(sid)
        return tuple(ignorer.sid for ignorer in ignorers) if ignorers else ()

    def forget(self, session: Session) -> None:
        """``session`` left: its ignores end, and so do others' of it."""
        for sid in tuple(session.ignoring):
            self.unignore(session, sid)
        for ignorer in self._ignored_by.pop(session.sid, ()):
            ignorer.ignoring.discard(session.sid)
