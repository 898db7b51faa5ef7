"""What the client knows of the chat, learnt from the events it is shown.

Our own name and the room plain lines go to (the prompt shows it); the names and rooms Tab
completes; the rooms we are in, to go back into after a reconnection that could not resume;
and what a resume needs: the token of the last welcome, the newest id seen. Apart from the
screen and the connection, so that each event's effect is tested without either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papo.protocol.events import (
    Bye,
    ByeReason,
    Event,
    Invite,
    Join,
    Joined,
    Leave,
    Message,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Replayed,
    RoomEvent,
    Rooms,
    Welcome,
    room_of,
)


@dataclass(slots=True)
class ChatKnowledge:
    name: str | None = None
    names: set[str] = field(default_factory=set)
    room: str | None = None  # where a plain line goes: shown in the prompt
    rooms: set[str] = field(default_factory=set)  # every room seen, for Tab
    joined: list[str] = field(default_factory=list)  # the rooms we are in, the newest last
    token: str | None = None  # of the last welcome: to resume with
    last_id: int = 0  # the newest event seen: a resume replays what came after it
    last_bye: ByeReason | None = None  # why the server said goodbye, if it did

    def completions(self) -> list[str]:
        """What Tab offers after the commands: the names, and the rooms (``#``)."""
        return sorted(self.names | self.rooms)

    def track(self, event: Event) -> bool:
        """Learn what ``event`` tells; whether the current room changed (the prompt shows it)."""
        if isinstance(event, Replayed):
            event = event.event
        if isinstance(event, RoomEvent):
            self.last_id = max(self.last_id, event.id)
        room = self.room
        match event:
            case Bye(reason=reason):
                self.last_bye = reason
            case Welcome(name=name, users=users):
                self.name = name
                self.names = set(users or ()) | {name}
                self.token = event.resume
                room = event.room
                if event.rooms is not None:  # resumed: still in all of them
                    self.joined = list(event.rooms)
                else:
                    self.joined = [room] if room else []
            case Joined():
                room = event.room
                self.joined = [*(r for r in self.joined if r != room), room]
            case Notice(code=NoticeCode.CURRENT):
                room = event.room
            case Rooms(rooms=infos):
                self.rooms.update(info.room for info in infos)
            case Online(users=users, room=None):
                self.names = set(users)
            case Join(name=name) | Message(sender=name):
                self.names.add(name)
            case Invite(room=invited):  # for Tab, after /join
                self.rooms.add(invited)
            case Leave(name=name, room=None):
                self.names.discard(name)
            case Leave(name=name, room=str(left)) if name == self.name:
                self.joined = [r for r in self.joined if r != left]
            case Nick(old=old, new=new):
                self.names.discard(old)
                self.names.add(new)
                if self.name == old:
                    self.name = new
        seen = room_of(event)
        if seen is not None:
            self.rooms.add(seen)
        if room == self.room:
            return False
        self.room = room
        if room is not None:
            self.rooms.add(room)
        return True
