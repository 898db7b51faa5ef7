"""What of the log may be shown again, and to whom: a newcomer's history of a room, and
``/history`` of a room or of one's private messages with somebody.

Their rules are one set, whoever asks: with ``--history 0`` nothing is shown again, nothing
older than ``--history-days``, and never the words of anyone the asker ignores now. Kept apart
from the chat's commands so that a new way of asking (IRC's CHATHISTORY is one) cannot show
what another would hide.
"""

from __future__ import annotations

from dataclasses import replace

from papo.core.history_window import LAST, Window
from papo.core.room import Room
from papo.core.session import Session
from papo.core.shared import Logged, Route, SharedState
from papo.protocol.events import Action, Message, Private, RoomEvent
from papo.protocol.names import name_key

SECONDS_PER_DAY = 86_400


def author_of(shared: SharedState, event: RoomEvent, route: Route) -> int | None:
    """Who wrote a logged event, when it is somebody's words (an action logged by an earlier
    papo, in a store or on Redis, names its author only by name)."""
    if route.author is None and isinstance(event, Action):
        return shared.holder(event.sender)
    return route.author


class Past:
    """The log as each member may read it again (``history``: messages a newcomer is shown,
    0 for none; ``history_days``: how long they may be, 0 for ever)."""

    def __init__(self, shared: SharedState, history: int, history_days: float) -> None:
        self.shared = shared
        self.history = history
        self.history_days = history_days

    def on_arrival(self, room: Room, now: float) -> list[Message | Action]:
        """What a newcomer to ``room`` is shown of what was said there: its recent history,
        without what is older than ``history_days`` (kept that long, and no longer)."""
        if not self.history_days:
            return list(room.history)
        since = now - self.history_days * SECONDS_PER_DAY
        return [event for event in room.history if event.ts >= since]

    def said_in(
        self, room: Room, count: int, session: Session, now: float, window: Window = LAST
    ) -> list[Message | Action]:
        """At most ``count`` messages of ``room`` the log still has in ``window`` (the last
        ones unless told), oldest first, flagged as history: what ``/history`` shows, further
        back than a newcomer is shown."""
        since = self._since(now)
        if since is None:
            return []
        ignoring = session.ignoring

        def visible(logged: Logged) -> bool:
            event, route = logged
            return (
                isinstance(event, Message | Action)
                and event.ts >= since
                and not (ignoring and author_of(self.shared, event, route) in ignoring)
            )

        found = window.pick(self.shared.said_in(room.key), _event_of, visible, count)
        return [
            replace(event, history=True)
            for event, _ in found
            if isinstance(event, Message | Action)  # as ``visible`` said
        ]

    def privates_with(
        self, session: Session, name: str, count: int, now: float, window: Window = LAST
    ) -> list[Private]:
        """At most ``count`` private messages between ``session`` and ``name`` the log still
        has in ``window``, oldest first, flagged as history: ``/history NAME``. Only those
        that were for ``session`` itself (by member id: a name may have been somebody else's
        before it), with whoever holds ``name`` now or was called so then."""
        since = self._since(now)
        if since is None:
            return []
        me, key, ignoring = session.sid, name_key(name), session.ignoring
        holder = self.shared.holder(name)

        def visible(logged: Logged) -> bool:
            event, route = logged
            if not isinstance(event, Private) or event.ts < since:
                return False
            other = next((each for each in route.to if each != me), me)
            if ignoring and other in ignoring:
                return False
            their_name = event.sender if route.author == other else event.recipient
            return other == holder or name_key(their_name) == key

        found = window.pick(self.shared.privates_of(me), _event_of, visible, count)
        return [replace(event, history=True) for event, _ in found if isinstance(event, Private)]

    def _since(self, now: float) -> float | None:
        """Since when what was said may be shown again; None: nothing may be."""
        if not self.history:
            return None
        return now - self.history_days * SECONDS_PER_DAY if self.history_days else 0.0


def _event_of(logged: Logged) -> RoomEvent:
    return logged[0]
