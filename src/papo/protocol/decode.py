"""JSON lines back into events: the inverse of render.json, for clients and bots.

A client must not trust its server more than the server trusts its clients: every string is
sanitised on the way in, wrong types make the line invalid (``None``), and unknown fields are
ignored as PROTOCOL.md asks, so newer servers can add fields without breaking older clients.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from papo.protocol.events import (
    Action,
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Event,
    Hello,
    HelpInfo,
    Invite,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    Replayed,
    RoomEvent,
    RoomInfo,
    Rooms,
    Topic,
    TopicShown,
    Welcome,
    Whois,
)
from papo.protocol.names import NameProblem, sanitize_text

_RULES = frozenset(problem.value for problem in NameProblem)
_NOTICES = frozenset(code.value for code in NoticeCode)


class Malformed(ValueError):
    """The line is not an event this client understands."""


def parse_timestamp(value: object) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError as error:
        raise Malformed(f"bad ts: {value!r}") from error


def _text(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str):
        raise Malformed(f"{key} is not a string")
    return sanitize_text(value)


def _lines(fields: dict[str, Any], key: str) -> str | None:
    """Text of several lines (the motd): each line sanitised, the line breaks kept."""
    value = fields.get(key)
    if not isinstance(value, str):
        return None
    return "\n".join(sanitize_text(line) for line in value.splitlines())


def _optional_time(fields: dict[str, Any], key: str) -> float | None:
    """An RFC 3339 time that may be absent (or null)."""
    value = fields.get(key)
    return parse_timestamp(value) if value else None


def _optional_names(fields: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of names that may be absent (none)."""
    return _names(fields, key) if key in fields else ()


def _optional_text(fields: dict[str, Any], key: str) -> str | None:
    return _text(fields, key) if fields.get(key) is not None else None


def _integer(fields: dict[str, Any], key: str, default: int | None = None) -> int:
    value = fields.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Malformed(f"{key} is not an integer")
    return value


def _names(fields: dict[str, Any], key: str) -> tuple[str, ...]:
    value = fields.get(key)
    if not isinstance(value, list):
        raise Malformed(f"{key} is not a list")
    return tuple(sanitize_text(str(name)) for name in value)


def _text_map(fields: dict[str, Any], key: str) -> dict[str, str]:
    value = fields.get(key)
    if not isinstance(value, dict):
        return {}
    return {sanitize_text(str(name)): sanitize_text(str(text)) for name, text in value.items()}


def _room_infos(fields: dict[str, Any]) -> tuple[RoomInfo, ...]:
    value = fields.get("rooms")
    if not isinstance(value, list):
        raise Malformed("rooms is not a list")
    infos = []
    for entry in value:
        if not isinstance(entry, dict):
            raise Malformed("a room is not an object")
        infos.append(
            RoomInfo(
                room=_text(entry, "room"),
                count=_integer(entry, "count", 0),
                topic=_optional_text(entry, "topic"),
            )
        )
    return tuple(infos)


# The details of an error a client may show (the rest it ignores).
_ERROR_DETAILS = frozenset(
    {"max_line_bytes", "like", "room", "max_rooms", "max_chars", "yourself", "until"}
)

E = TypeVar("E", LeaveReason, ByeReason, ErrorCode)


def _enum_value(kind: type[E], value: object) -> E:
    try:
        return kind(value)
    except ValueError as error:
        raise Malformed(f"unknown {kind.__name__}: {value!r}") from error


def decode_fields(fields: dict[str, Any]) -> Event | None:
    """One decoded JSON object as an event; None for types this client does not know."""
    event = _decode_event(fields)
    if fields.get("replay") is True and isinstance(event, RoomEvent):
        return Replayed(event)
    return event


def _decode_event(fields: dict[str, Any]) -> Event | None:
    ts = parse_timestamp(fields.get("ts"))
    match fields.get("type"):
        case "hello":
            raw_limits = fields.get("limits")
            limits: dict[str, Any] = raw_limits if isinstance(raw_limits, dict) else {}
            return Hello(
                ts=ts,
                server=_text(fields, "server"),
                version=_text(fields, "version"),
                protocol=_integer(fields, "protocol"),
                name=_optional_text(fields, "name"),
                max_line_bytes=_integer(limits, "max_line_bytes", 0),
                max_name_chars=_integer(limits, "max_name_chars", 0),
                motd=_lines(fields, "motd"),
                password=fields.get("password") is True,
            )
        case "welcome":
            users = _names(fields, "users") if "users" in fields else None
            # A welcome that lacks its count still welcomes: a client must not wait on.
            count = _integer(fields, "count", len(users or ()))
            return Welcome(
                ts=ts,
                name=_text(fields, "name"),
                count=count,
                users=users,
                room=_optional_text(fields, "room"),
                topic=_optional_text(fields, "topic"),
                resume=_optional_text(fields, "resume"),
                resumed=fields.get("resumed") is True,
                rooms=_names(fields, "rooms") if "rooms" in fields else None,
            )
        case "message" | "action" as kind:
            cls = Message if kind == "message" else Action
            said = cls(
                ts=ts,
                id=_integer(fields, "id"),
                sender=_text(fields, "from"),
                text=_text(fields, "text"),
                room=_optional_text(fields, "room") or "",
                history=fields.get("history") is True,
            )
            if isinstance(said, Message) and fields.get("notice") is True:
                return replace(said, notice=True)
            return said
        case "private":
            return Private(
                ts=ts,
                id=_integer(fields, "id"),
                sender=_text(fields, "from"),
                recipient=_text(fields, "to"),
                text=_text(fields, "text"),
                action=fields.get("action") is True,
                notice=fields.get("notice") is True,
                history=fields.get("history") is True,
            )
        case "invite":
            return Invite(
                ts=ts,
                id=_integer(fields, "id"),
                sender=_text(fields, "from"),
                recipient=_text(fields, "to"),
                room=_text(fields, "room"),
            )
        case "join":
            return Join(
                ts=ts,
                id=_integer(fields, "id"),
                name=_text(fields, "name"),
                room=_optional_text(fields, "room") or "",
                arrived=fields.get("arrived") is True,
            )
        case "leave":
            return Leave(
                ts=ts,
                id=_integer(fields, "id"),
                name=_text(fields, "name"),
                reason=_enum_value(LeaveReason, fields.get("reason")),
                text=_optional_text(fields, "text"),
                room=_optional_text(fields, "room"),
                by=_optional_text(fields, "by"),
                ban=_integer(fields, "ban") if fields.get("ban") is not None else None,
            )
        case "mute":
            return Mute(
                ts=ts,
                id=_integer(fields, "id"),
                name=_text(fields, "name"),
                by=_text(fields, "by"),
                seconds=_integer(fields, "seconds"),
                text=_optional_text(fields, "text"),
            )
        case "topic" if "id" in fields:
            return Topic(
                ts=ts,
                id=_integer(fields, "id"),
                room=_text(fields, "room"),
                by=_text(fields, "by"),
                text=_text(fields, "text"),
                locked=locked if isinstance(locked := fields.get("locked"), bool) else None,
            )
        case "topic":
            return TopicShown(
                ts=ts,
                room=_text(fields, "room"),
                by=_optional_text(fields, "by"),
                text=_optional_text(fields, "text") or "",
                locked=fields.get("locked") is True,
                at=_optional_time(fields, "set_at"),
            )
        case "joined":
            return Joined(
                ts=ts,
                room=_text(fields, "room"),
                topic=_optional_text(fields, "topic"),
                count=_integer(fields, "count", 0),
                users=_names(fields, "users") if "users" in fields else None,
            )
        case "rooms":
            return Rooms(ts=ts, rooms=_room_infos(fields), more=_integer(fields, "more", 0))
        case "nick":
            return Nick(
                ts=ts, id=_integer(fields, "id"), old=_text(fields, "old"), new=_text(fields, "new")
            )
        case "online":
            return Online(
                ts=ts,
                users=_names(fields, "users"),
                room=_optional_text(fields, "room"),
                away=_text_map(fields, "away"),
            )
        case "whois":
            return Whois(
                ts=ts,
                name=_text(fields, "name"),
                rooms=_names(fields, "rooms"),
                away=_optional_text(fields, "away"),
                since=parse_timestamp(fields.get("since")),
                idle=float(_integer(fields, "idle", 0)),
                operator=fields.get("operator") is True,
                muted=_optional_time(fields, "muted"),
            )
        case "info" if fields.get("code") == "help":
            not_listed = _optional_names(fields, "not_listed")
            return HelpInfo(ts=ts, topic=_optional_text(fields, "command"), not_listed=not_listed)
        case "info" if fields.get("code") in _NOTICES:
            names = _optional_names(fields, "names")
            room = _optional_text(fields, "room")
            code = NoticeCode(fields["code"])
            missed = _integer(fields, "count") if "count" in fields else None
            away = _optional_text(fields, "away")
            ends = fields.get("until")
            until = tuple(parse_timestamp(end) for end in ends) if isinstance(ends, list) else ()
            return Notice(
                ts=ts, code=code, names=names, room=room, away=away, count=missed, until=until
            )
        case "error":
            rule = fields.get("rule")
            problem = NameProblem(rule) if isinstance(rule, str) and rule in _RULES else None
            extra = {
                key: sanitize_text(str(value))
                for key, value in fields.items()
                if key in _ERROR_DETAILS
            }
            return Error(
                ts=ts,
                code=_enum_value(ErrorCode, fields.get("code")),
                name=_optional_text(fields, "name"),
                command=_optional_text(fields, "command"),
                problem=problem,
                extra=extra,
            )
        case "bye":
            return Bye(ts=ts, reason=_enum_value(ByeReason, fields.get("reason")))
    return None


def decode_line(line: bytes | str) -> Event | None:
    """Parse one line of the JSON format; Malformed when it is not a valid event."""
    try:
        fields = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise Malformed("not JSON") from error
    if not isinstance(fields, dict):
        raise Malformed("not an object")
    return decode_fields(fields)
