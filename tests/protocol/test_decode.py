"""decode is the inverse of render.json, and distrusts what it reads."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.decode import Malformed, decode_line
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
    Leave,
    LeaveReason,
    Message,
    Mute,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    Topic,
    TopicShown,
    Welcome,
    Whois,
)
from papo.protocol.names import NameProblem
from papo.protocol.render import Renderer

NOW = 1_763_989_331.123

EVENTS: list[Event] = [
    Hello(
        ts=NOW,
        server="papo",
        version="1",
        protocol=1,
        name=None,
        max_line_bytes=2048,
        max_name_chars=20,
        motd="hi",
    ),
    Welcome(ts=NOW, name="ana", count=2, users=("ana", "bia")),
    Welcome(ts=NOW, name="ana", count=2000, users=None),
    Message(ts=NOW, id=1, sender="ana", text="oi", history=True),
    Action(ts=NOW, id=2, sender="ana", text="acena"),
    Private(ts=NOW, id=3, sender="ana", recipient="bia", text="psiu"),
    Private(ts=NOW, id=3, sender="ana", recipient="bia", text="acena", action=True),
    Private(ts=NOW, id=3, sender="ana", recipient="bia", text="pronto", notice=True),
    Message(ts=NOW, id=1, sender="bot", text="build ok", room="#dev", notice=True),
    Invite(ts=NOW, id=3, sender="ana", recipient="bia", room="#dev"),
    Join(ts=NOW, id=4, name="bia"),
    Leave(ts=NOW, id=5, name="bia", reason=LeaveReason.TOO_SLOW, text=None),
    Leave(ts=NOW, id=5, name="bia", reason=LeaveReason.KICKED, text="spam", by="ana", ban=600),
    Notice(ts=NOW, code=NoticeCode.UNBANNED, names=("bia",), count=1),
    Notice(ts=NOW, code=NoticeCode.BANS, names=("bia", "ana"), count=2, until=(NOW + 60, NOW + 90)),
    Notice(ts=NOW, code=NoticeCode.BANNED_GONE, names=("bia",), until=(NOW + 3600,)),
    Whois(ts=NOW, name="ana", rooms=("#dev",), away=None, since=NOW, idle=3.0, operator=True),
    Whois(ts=NOW, name="bia", rooms=(), away=None, since=NOW, idle=0.0, muted=NOW + 600),
    Error(ts=NOW, code=ErrorCode.BANNED, extra={"until": "2025-11-24T14:02:11.123Z"}),
    Nick(ts=NOW, id=6, old="bia", new="bea"),
    Topic(ts=NOW, id=7, room="#dev", by="ana", text="plans"),
    Topic(ts=NOW, id=8, room="#dev", by="ana", text="plans", locked=True),
    Topic(ts=NOW, id=9, room="#dev", by="ana", text="", locked=False),
    TopicShown(ts=NOW, room="#dev", by="ana", text="plans", locked=True),
    TopicShown(ts=NOW, room="#dev", by="ana", text="plans", at=NOW - 3600),
    TopicShown(ts=NOW, room="#dev", by=None, text=""),
    Error(ts=NOW, code=ErrorCode.TOPIC_LOCKED, extra={"room": "#dev"}),
    Mute(ts=NOW, id=10, name="bia", by="ana", seconds=600, text="calma"),
    Mute(ts=NOW, id=11, name="bia", by="ana", seconds=0),
    Error(ts=NOW, code=ErrorCode.MUTED, extra={"until": "2025-11-24T14:02:11.123Z"}),
    Error(ts=NOW, code=ErrorCode.NOT_MUTED, name="bia"),
    Online(ts=NOW, users=("ana", "bea")),
    HelpInfo(ts=NOW, topic="private"),
    HelpInfo(ts=NOW, not_listed=("kick", "ban")),
    Notice(ts=NOW, code=NoticeCode.IGNORED, names=("bia",)),
    Notice(ts=NOW, code=NoticeCode.IGNORING, names=()),
    Error(ts=NOW, code=ErrorCode.NAME_INVALID, name="x y", problem=NameProblem.BAD_CHARACTER),
    Error(ts=NOW, code=ErrorCode.USAGE, command="ignore", extra={"yourself": "1"}),
    Bye(ts=NOW, reason=ByeReason.SHUTDOWN),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_render_then_decode_gives_the_event_back(event: Event) -> None:
    decoded = decode_line(Renderer("en").json(event))
    assert decoded is not None
    assert abs(decoded.ts - event.ts) < 0.001
    assert type(decoded) is type(event)
    assert {k: v for k, v in vars_of(decoded).items() if k != "ts"} == {
        k: v for k, v in vars_of(event).items() if k != "ts"
    }


def vars_of(event: Event) -> dict[str, object]:
    return {name: getattr(event, name) for name in event.__slots__}


def test_hostile_strings_are_sanitised_and_unknown_fields_ignored() -> None:
    line = json.dumps(
        {
            "type": "message",
            "id": 1,
            "from": "\x1b[2Jeve",
            "text": "\x1b]0;pwned\x07hi",
            "ts": "2026-01-01T00:00:00.000Z",
            "future_field": [1, 2],
        }
    )
    assert decode_line(line) == Message(ts=1767225600.0, id=1, sender="eve", text="hi")


def test_unknown_types_are_none_and_broken_lines_malformed() -> None:
    assert decode_line('{"type": "sparkle", "ts": "2026-01-01T00:00:00Z"}') is None
    for bad in ("not json", "[1]", '{"type": "message", "ts": "x"}', '{"type":"join","id":"1"}'):
        with pytest.raises(Malformed):
            decode_line(bad)


@given(st.dictionaries(st.sampled_from(["type", "id", "from", "text", "ts", "users"]), st.text()))
def test_decode_never_crashes_on_junk(fields: dict[str, str]) -> None:
    with contextlib.suppress(Malformed):
        decode_line(json.dumps(fields))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["type", "id", "from", "to", "text", "ts", "users", "name", "rule", "limits", "reason"]


@given(
    st.sampled_from(["hello", "welcome", "message", "private", "leave", "error", "online", "bye"]),
    st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES),
)
def test_any_json_values_are_an_event_or_malformed_never_a_crash(
    kind: str, fields: dict[str, object]
) -> None:
    fields = {**fields, "type": kind, "ts": "2026-01-01T00:00:00.000Z"}
    with contextlib.suppress(Malformed):
        decode_line(json.dumps(fields))
