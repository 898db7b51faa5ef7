"""How the chat's state reads and writes in Redis: stream entries, the ``lasting`` hash, bans
and members, each from the form the scripts (``redis_scripts``) keep it in.

Apart from the hub so that each form is read in one place, with no connection to Redis: the
hub moves bytes, this turns them into the chat's values (and is tested byte by byte).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from papo.core.bans import Ban
from papo.core.holds import HoldRecord
from papo.core.shared import Logged
from papo.hub.logged import event_from_json, route_from_json
from papo.protocol.events import RoomEvent

MEMBER_ID_BITS = 32  # a member id is its server's number, then this many bits of its own
# Changes in the stream that an event after them announces (a join, a leave).
ANNOUNCED_CHANGES = (b"enter", b"exit", b"release")


def server_of(member: int) -> int:
    """The server that made ``member``'s id (each has its own range: a route means the same
    members on every server)."""
    return member >> MEMBER_ID_BITS


def text(value: Any) -> str:
    """A value of a Redis reply as text (replies are bytes; numbers a script returns are not)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def logged_of(entry_id: Any, fields: dict[bytes, bytes]) -> Logged | None:
    """An event entry: its number is the entry's id (the JSON was written before it had one).
    None for an event this papo does not know (written by a newer one)."""
    event = event_from_json(text(fields[b"e"]))
    if event is None:
        return None
    number = int(text(entry_id).split("-", 1)[0])
    return replace(event, id=number), route_from_json(text(fields[b"r"]))


def lasting_of(raw: str) -> RoomEvent | None:
    """A lasting event as the ``lasting`` hash keeps it: its id, a space, its JSON."""
    number, _, event_text = raw.partition(" ")
    event = event_from_json(event_text)
    return replace(event, id=int(number)) if event is not None else None


def ban_json(ban: Ban) -> str:
    """A ban as the ``bans`` hash keeps it, under its address (``b``: who made it)."""
    state: dict[str, float | str] = {"u": ban.until, "n": ban.name}
    if ban.by is not None:
        state["b"] = ban.by
    return json.dumps(state, separators=(",", ":"))


def ban_of(address: str, raw: str) -> Ban:
    state = json.loads(raw)
    by = state.get("b")
    return Ban(address, float(state["u"]), str(state["n"]), str(by) if by is not None else None)


def hold_of(member: int, raw: str) -> HoldRecord:
    """A member's state in Redis as a hold (its end is set by whoever holds it)."""
    state = json.loads(raw)
    names: dict[str, str] = state.get("r") or {}
    order = [key for key in (state.get("o") or []) if key in names]
    order += [key for key in names if key not in order]
    return HoldRecord(
        member=member,
        name=state["n"],
        token=bytes.fromhex(state.get("k") or ""),
        until=0.0,
        rooms=tuple(names[key] for key in order),
        current=names[order[-1]] if order else None,
        away=state.get("a") or None,
        since=float(state.get("t") or 0),
        first_id=int(state.get("f") or 0),
        moves=tuple((int(at), tuple(keys)) for at, keys in json.loads(state.get("m") or "[]")),
        ignoring=tuple(int(sid) for sid in (state.get("g") or "").split(",") if sid),
        ignores_changed_at=int(state.get("gi") or 0),
        operator=bool(state.get("p")),
        address=state.get("ip") or None,
    )


def up_to_an_event(entries: list[Any], asked: int) -> list[Any]:
    """The entries of a read of ``asked`` entries that are taken now. A full read may end
    inside one call of a script, between changes of who is in a room and the event that
    announces them: those are left to the next read, which starts after the last entry taken,
    so that a welcome made between two reads never lists somebody the events after it will
    announce. (A read that is nothing but such changes is taken whole: there is no better
    place to stop.)"""
    if len(entries) < asked:
        return entries  # the end of the stream: the end of a call
    cut = len(entries)
    for index in range(len(entries) - 1, -1, -1):
        fields = entries[index][1]
        if b"e" in fields:
            break
        if fields.get(b"o") in ANNOUNCED_CHANGES:
            cut = index
    return entries[:cut] or entries
