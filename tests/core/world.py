"""A chat driven directly, with a record of what each session would have received.

Broadcasts reach the sessions the way the server's fan-out delivers them: a member's rooms
are the ones it was in when something was last sent to it (the chat sends to a member with
every change of its rooms), so a member who parts still gets the ``leave`` of its own part.
"""

from __future__ import annotations

from papo.core.chat import Chat, ChatSettings
from papo.core.outputs import Broadcast, Close, Output, Resumed, Send
from papo.core.session import Session
from papo.core.shared import SharedState
from papo.hub.memory import MemoryHub
from papo.protocol.events import Event, LeaveReason, Welcome

NOW = 1_700_000_000.0


class World:
    def __init__(
        self,
        settings: ChatSettings | None = None,
        log_size: int = 10_000,
        hub: SharedState | None = None,
    ) -> None:
        self.tokens = iter(f"token-{n}" for n in range(1, 1_000_000))
        shared = hub if hub is not None else MemoryHub(log_size)
        self.chat = Chat(shared, settings, tokens=lambda: next(self.tokens))
        self.inbox: dict[int, list[Event]] = {}
        self.sessions: list[Session] = []
        self.closed: set[int] = set()
        self.rooms_of: dict[int, frozenset[str]] = {}  # of the members, as the fan-out knows
        self.gone: set[int] = set()  # members whose connection dropped (held, perhaps)

    def connect(self) -> Session:
        session = Session(len(self.sessions) + 1)
        self.sessions.append(session)
        self.inbox[session.sid] = []
        return session

    def apply(self, outputs: list[Output]) -> None:
        for output in outputs:
            match output:
                case Send(to=to) if to.sid in self.gone:
                    pass  # no connection: lost, unless a resume brings it back
                case Resumed(member=member):
                    self.gone.discard(member.sid)
                case Send(event=event, to=to):
                    if isinstance(event, Welcome) or to.sid in self.rooms_of:
                        self.rooms_of[to.sid] = to.room_set
                    self.inbox[to.sid].append(event)
                case Broadcast(event=event, route=route):
                    left_out = set(route.hidden_from)
                    if route.exclude is not None:
                        left_out.add(route.exclude)
                    for sid, member_rooms in self.rooms_of.items():
                        if member_rooms & route.rooms and sid not in left_out:
                            self.inbox[sid].append(event)
                case Close(session=session):
                    self.closed.add(session.sid)
                    self.rooms_of.pop(session.sid, None)

    def line(self, session: Session, text: str) -> list[Event]:
        before = len(self.inbox[session.sid])
        self.apply(self.chat.handle_line(session, text, NOW))
        return self.inbox[session.sid][before:]

    def drop(self, session: Session) -> None:
        """The connection is gone: it stops receiving, then the chat learns it."""
        self.rooms_of.pop(session.sid, None)
        self.gone.add(session.sid)
        self.apply(self.chat.disconnect(session, LeaveReason.DISCONNECT, NOW))

    def user(self, name: str, *, json: bool = False) -> Session:
        session = self.connect()
        if json:
            self.line(session, "/format json")
        events = self.line(session, name)
        assert isinstance(events[0], Welcome), events
        return session

    def take(self, session: Session) -> list[Event]:
        events, self.inbox[session.sid] = self.inbox[session.sid], []
        return events
