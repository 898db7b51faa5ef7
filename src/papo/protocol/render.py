"""Events to bytes: in JSON for programs, and in localised text for people (``render_text``).

A Renderer is made once per language; the shell asks it for each event's bytes once per output
format and hands the same bytes object to every recipient (the fan-out hot path).
"""

from __future__ import annotations

import json
from typing import Any

from papo.protocol.commands import OutputFormat
from papo.protocol.events import (
    Action,
    Bye,
    Error,
    Event,
    Greeting,
    Hello,
    HelpInfo,
    Invite,
    Join,
    Joined,
    Leave,
    Message,
    Mute,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    Replayed,
    Rooms,
    Topic,
    TopicShown,
    Welcome,
    Whois,
)
from papo.protocol.render_text import TextRenderer
from papo.protocol.timestamps import format_timestamp

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Renderer(TextRenderer):
    """Renders events in one language, as JSON or as text."""

    def render(self, event: Event, output: OutputFormat, *, elsewhere: bool = False) -> bytes:
        """``elsewhere``: the event is of a room other than the reader's current one, which
        a line of text then names first (JSON always carries ``room``)."""
        if output is OutputFormat.JSON:
            return self.json(event)
        return self.text(event, elsewhere=elsewhere)

    def json(self, event: Event) -> bytes:
        return (_dumps(self.json_fields(event)) + "\n").encode()

    def json_fields(self, event: Event) -> dict[str, Any]:
        fields: dict[str, Any]
        match event:
            case Greeting():
                fields = {"type": "info", "code": "greeting", "text": self.greeting_text(event)}
            case Hello():
                fields = {
                    "type": "hello",
                    "server": event.server,
                    "version": event.version,
                    "protocol": event.protocol,
                    "name": event.name,
                    "limits": {
                        "max_line_bytes": event.max_line_bytes,
                        "max_name_chars": event.max_name_chars,
                    },
                }
                if event.password:
                    fields["password"] = True
                if event.motd is not None:
                    fields["motd"] = event.motd
            case Welcome():
                fields = {"type": "welcome", "name": event.name, "count": event.count}
                if event.users is not None:
                    fields["users"] = list(event.users)
                if event.room is not None:
                    fields["room"] = event.room
                if event.topic:
                    fields["topic"] = event.topic
                if event.resume is not None:
                    fields["resume"] = event.resume
                if event.resumed:
                    fields["resumed"] = True
                if event.rooms is not None:
                    fields["rooms"] = list(event.rooms)
            case Replayed(event=logged):
                return {**self.json_fields(logged), "replay": True}
            case Message() | Action():
                fields = {
                    "type": "message" if isinstance(event, Message) else "action",
                    "id": event.id,
                }
                if event.room:
                    fields["room"] = event.room
                fields["from"] = event.sender
                fields["text"] = event.text
                if isinstance(event, Message) and event.notice:
                    fields["notice"] = True
                if event.history:
                    fields["history"] = True
            case Private():
                fields = {
                    "type": "private",
                    "id": event.id,
                    "from": event.sender,
                    "to": event.recipient,
                    "text": event.text,
                }
                if event.action:
                    fields["action"] = True
                if event.notice:
                    fields["notice"] = True
                if event.history:
                    fields["history"] = True
            case Invite():
                fields = {
                    "type": "invite",
                    "id": event.id,
                    "from": event.sender,
                    "to": event.recipient,
                    "room": event.room,
                }
            case Join():
                fields = {"type": "join", "id": event.id, "name": event.name}
                if event.room:
                    fields["room"] = event.room
                if event.arrived:
                    fields["arrived"] = True
            case Leave():
                fields = {
                    "type": "leave",
                    "id": event.id,
                    "name": event.name,
                    "reason": event.reason.value,
                }
                if event.text:
                    fields["text"] = event.text
                if event.room is not None:
                    fields["room"] = event.room
                if event.by is not None:
                    fields["by"] = event.by
                if event.ban is not None:
                    fields["ban"] = event.ban
            case Mute():
                fields = {
                    "type": "mute",
                    "id": event.id,
                    "name": event.name,
                    "by": event.by,
                    "seconds": event.seconds,
                }
                if event.text:
                    fields["text"] = event.text
            case Topic():
                fields = {
                    "type": "topic",
                    "id": event.id,
                    "room": event.room,
                    "by": event.by,
                    "text": event.text,
                }
                if event.locked is not None:
                    fields["locked"] = event.locked
            case TopicShown():
                fields = {"type": "topic", "room": event.room, "by": event.by, "text": event.text}
                if event.locked:
                    fields["locked"] = True
                if event.at is not None:
                    fields["set_at"] = format_timestamp(event.at)
            case Joined():
                fields = {
                    "type": "joined",
                    "room": event.room,
                    "topic": event.topic,
                    "count": event.count,
                }
                if event.users is not None:
                    fields["users"] = list(event.users)
            case Rooms():
                fields = {
                    "type": "rooms",
                    "rooms": [
                        {"room": info.room, "count": info.count, "topic": info.topic}
                        for info in event.rooms
                    ],
                }
                if event.more:
                    fields["more"] = event.more
            case Nick():
                fields = {"type": "nick", "id": event.id, "old": event.old, "new": event.new}
            case Online():
                fields = {"type": "online", "users": list(event.users), "count": len(event.users)}
                if event.room is not None:
                    fields["room"] = event.room
                if event.away:
                    fields["away"] = event.away
            case Whois():
                fields = {
                    "type": "whois",
                    "name": event.name,
                    "rooms": list(event.rooms),
                    "away": event.away,
                    "since": format_timestamp(event.since),
                    "idle": int(event.idle),
                }
                if event.operator:
                    fields["operator"] = True
                if event.muted is not None:
                    fields["muted"] = format_timestamp(event.muted)
            case HelpInfo():
                fields = {"type": "info", "code": "help", "text": self.help_text(event)}
                if event.topic is not None:
                    fields["command"] = event.topic
                if event.not_listed:
                    fields["not_listed"] = list(event.not_listed)
            case Notice():
                fields = {
                    "type": "info",
                    "code": event.code.value,
                    "text": self.notice_text(event),
                    "names": list(event.names),
                }
                if event.code is NoticeCode.CURRENT or event.room is not None:
                    fields["room"] = event.room  # for current, None too: in no room
                if event.away is not None:
                    fields["away"] = event.away
                if event.count is not None:
                    fields["count"] = event.count
                if event.until or event.code is NoticeCode.BANS:  # none in force: []
                    fields["until"] = [format_timestamp(end) for end in event.until]
            case Error():
                fields = {"type": "error", "code": event.code.value, "text": self.error_text(event)}
                if event.name is not None:
                    fields["name"] = event.name
                if event.command is not None:
                    fields["command"] = event.command
                if event.problem is not None:
                    fields["rule"] = event.problem.value
                fields.update(event.extra)
            case Bye():
                fields = {"type": "bye", "reason": event.reason.value}
        fields["ts"] = format_timestamp(event.ts)
        return fields
