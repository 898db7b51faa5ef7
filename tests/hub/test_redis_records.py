"""The forms the chat's state takes in Redis, read back byte by byte, with no Redis: what the
hub's scripts write is read here, and each odd case (a newer papo's event, a member from
before room order was kept) is a value, not a crash."""

from __future__ import annotations

import json

from papo.core.bans import Ban
from papo.core.shared import Route
from papo.hub.logged import event_json, route_json
from papo.hub.redis_records import (
    MEMBER_ID_BITS,
    ban_json,
    ban_of,
    hold_of,
    lasting_of,
    logged_of,
    server_of,
    text,
    up_to_an_event,
)
from papo.protocol.events import Message, Online, Topic
from papo.protocol.render import Renderer

NOW = 1_700_000_000.0
# A kind of event no hub logs (as one a newer papo logs would be to this one).
NOT_LOGGED = Renderer("en").json(Online(ts=NOW, users=("ana",))).decode().rstrip("\n")


def test_a_member_id_says_its_server() -> None:
    assert server_of(3 << MEMBER_ID_BITS) == 3
    assert server_of((3 << MEMBER_ID_BITS) + 41) == 3
    assert server_of(41) == 0


def test_replies_read_as_text_whether_bytes_or_numbers() -> None:
    assert text(b"ol\xc3\xa1") == "olá"
    assert text(7) == "7"
    assert text("17-0") == "17-0"


def test_an_event_entry_takes_its_number_from_the_entry_id() -> None:
    route = Route(frozenset({"#lobby"}), exclude=2, author=2)
    draft = Message(ts=NOW, id=0, sender="ana", text="olá")
    fields = {b"e": event_json(draft).encode(), b"r": route_json(route).encode(), b"q": b"9"}
    logged = logged_of(b"17-0", fields)
    assert logged == (Message(ts=NOW, id=17, sender="ana", text="olá"), route)


def test_an_event_of_a_kind_not_logged_is_passed_over() -> None:
    fields = {
        b"e": NOT_LOGGED.encode(),
        b"r": b"[[],[],null,null,[]]",
    }
    assert logged_of(b"18-0", fields) is None


def test_a_lasting_entry_is_its_id_then_its_json() -> None:
    topic = Topic(ts=NOW, id=0, room="#lobby", by="ana", text="sexta: 20h")
    assert lasting_of(f"42 {event_json(topic)}") == Topic(
        ts=NOW, id=42, room="#lobby", by="ana", text="sexta: 20h"
    )
    assert lasting_of(f"43 {NOT_LOGGED}") is None


def test_a_ban_reads_back_as_written() -> None:
    ban = Ban("203.0.113.9", NOW + 3600, "ana")
    raw = ban_json(ban)
    assert json.loads(raw) == {"u": NOW + 3600, "n": "ana"}
    assert ban_of("203.0.113.9", raw) == ban
    made = Ban("203.0.113.9", NOW + 60, "bob", by="carol")  # by an operator, as it is made
    assert json.loads(ban_json(made)) == {"u": NOW + 60, "n": "bob", "b": "carol"}
    assert ban_of("203.0.113.9", ban_json(made)) == made


def test_a_member_reads_as_a_hold_with_its_rooms_in_the_order_joined() -> None:
    state = {
        "n": "ana",
        "s": 1,
        "t": NOW,
        "r": {"#lobby": "#lobby", "#rust": "#Rust", "#go": "#go"},
        "o": ["#lobby", "#rust", "#gone"],  # "#gone": left since; "#go": joined before "o"
        "a": "lunch",
        "k": "00ff",
        "f": 12,
        "m": json.dumps([[5, ["#rust"]]]),
        "g": "7,9",
        "gi": 11,
        "p": 1,
        "ip": "198.51.100.7",
    }
    hold = hold_of(5, json.dumps(state))
    assert hold.member == 5
    assert hold.name == "ana"
    assert hold.rooms == ("#lobby", "#Rust", "#go")
    assert hold.current == "#go"  # the last one joined
    assert (hold.away, hold.token, hold.since, hold.first_id) == ("lunch", b"\x00\xff", NOW, 12)
    assert hold.moves == ((5, ("#rust",)),)
    assert (hold.ignoring, hold.ignores_changed_at) == ((7, 9), 11)
    assert hold.operator
    assert hold.address == "198.51.100.7"
    assert hold.until == 0.0  # set by whoever holds it


def test_a_member_with_nothing_but_a_name_reads_with_defaults() -> None:
    hold = hold_of(6, json.dumps({"n": "bob", "r": []}))  # an empty table, as Lua writes one
    assert (hold.rooms, hold.current, hold.away, hold.token) == ((), None, None, b"")
    assert (hold.moves, hold.ignoring, hold.operator, hold.address) == ((), (), False, None)


def _entries(*kinds: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """Stream entries: ``event`` an event, any other word a change of that kind."""
    made = []
    for number, kind in enumerate(kinds, start=1):
        fields = {b"e": b"{}"} if kind == "event" else {b"o": kind.encode()}
        made.append((f"{number}-0".encode(), fields))
    return made


def test_a_read_that_reached_the_end_of_the_stream_is_taken_whole() -> None:
    entries = _entries("event", "enter", "claim")
    assert up_to_an_event(entries, 4) == entries


def test_a_full_read_leaves_the_changes_after_its_last_event_announces_to_the_next() -> None:
    entries = _entries("event", "claim", "enter", "away", "exit")
    # The claim announces nothing; from the first change an event announces, all wait.
    assert up_to_an_event(entries, 5) == entries[:2]
    assert up_to_an_event(_entries("event", "release"), 2) == _entries("event")


def test_a_full_read_that_ends_with_an_event_or_unannounced_changes_is_taken_whole() -> None:
    assert up_to_an_event(_entries("enter", "event"), 2) == _entries("enter", "event")
    assert up_to_an_event(_entries("event", "away", "ban"), 3) == _entries("event", "away", "ban")


def test_a_full_read_of_nothing_but_announced_changes_is_taken_whole() -> None:
    entries = _entries("enter", "exit", "enter")
    assert up_to_an_event(entries, 3) == entries
