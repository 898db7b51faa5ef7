"""The fan-out with rooms: members grouped by what they receive, one render per group kind,
and, over generated command sequences, nobody gets what is not theirs (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from papo.core.chat import Chat, ChatSettings
from papo.core.session import Session
from papo.hub.memory import MemoryHub
from papo.protocol.render import Renderer
from papo.server.fanout import FanOut
from tests.server.test_fanout import NOW, RecordingOutlet, received


class Scene:
    """A chat, its fan-out and one recording outlet per user, in JSON or text."""

    def __init__(self, settings: ChatSettings | None = None) -> None:
        self.chat = Chat(MemoryHub(), settings)
        self.fanout: FanOut[RecordingOutlet] = FanOut(Renderer("en"), self.chat.settings.history)
        self.outlets: dict[str, RecordingOutlet] = {}
        self._sids = 0

    def user(self, name: str, output: str = "json") -> RecordingOutlet:
        self._sids += 1
        outlet = RecordingOutlet(Session(self._sids))
        self.fanout.attach(outlet)
        self.line(outlet, f"/format {output}")
        self.line(outlet, name)
        self.outlets[name] = outlet
        return outlet

    def line(self, outlet: RecordingOutlet, text: str) -> None:
        self.fanout.deliver(self.chat.handle_line(outlet.session, text, NOW))

    def say(self, name: str, text: str) -> None:
        self.line(self.outlets[name], text)

    def flush(self) -> dict[str, bytes]:
        """What each user got since the last flush."""
        self.fanout.flush()
        got = {}
        for name, outlet in self.outlets.items():
            got[name] = received(outlet)
            outlet.queued.clear()
        return got


def events(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def test_members_of_the_same_rooms_share_one_bytes_object() -> None:
    scene = Scene()
    members = [scene.user(f"u{number}") for number in range(6)]
    for outlet in members:
        scene.line(outlet, "/join #dev")
    scene.flush()
    scene.say("u0", "hello dev")
    scene.fanout.flush()
    copies = [outlet.queued[-1] for outlet in members]
    assert len({id(data) for data in copies}) == 1
    assert json.loads(copies[0])["room"] == "#dev"


def test_text_lines_of_another_room_carry_the_room() -> None:
    scene = Scene()
    scene.user("ana", "text")
    scene.user("bob", "text")
    scene.user("eve", "text")
    for name in ("ana", "bob", "eve"):
        scene.say(name, "/join #dev")
    scene.say("eve", "/join #lobby")  # back to the lobby as her current room
    scene.say("bob", "/join #ops")
    scene.flush()
    scene.say("ana", "hi devs")
    got = scene.flush()
    assert got["ana"] == b""  # a text author sees no echo
    assert got["bob"] == b"[#dev] <ana> hi devs\n"
    assert got["eve"] == b"[#dev] <ana> hi devs\n"
    scene.say("ana", "/msg #lobby hi lobby")
    got = scene.flush()
    assert got["eve"] == b"<ana> hi lobby\n" and got["bob"] == b"[#lobby] <ana> hi lobby\n"


def test_a_leave_reaches_a_member_once_however_many_rooms_it_shared() -> None:
    scene = Scene()
    scene.user("ana")
    scene.user("bob")
    for room in ("#a", "#b", "#c"):
        scene.say("ana", f"/join {room}")
        scene.say("bob", f"/join {room}")
    scene.flush()
    scene.say("ana", "/quit")
    [leave] = events(scene.flush()["bob"])
    assert leave["type"] == "leave" and "room" not in leave and leave["reason"] == "quit"


def test_the_parter_gets_its_own_leave_then_nothing_more_of_the_room() -> None:
    scene = Scene()
    scene.user("ana")
    scene.user("bob")
    scene.say("ana", "/join #dev")
    scene.say("bob", "/join #dev")
    scene.flush()
    scene.say("ana", "/part #dev later")
    scene.say("bob", "still here")
    got = scene.flush()
    leave, current = events(got["ana"])
    assert (leave["type"], leave["room"], leave["reason"]) == ("leave", "#dev", "part")
    assert (current["type"], current["code"], current["room"]) == ("info", "current", "#lobby")
    assert [event["type"] for event in events(got["bob"])] == ["leave", "message"]


# -- invariants over generated sequences -----------------------------------------------------

NAMES = ("ana", "bob", "eve", "ivo")
ROOMS = ("#lobby", "#r0", "#r1", "#r2")

step = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from(
        (
            "say",
            "me",
            "join",
            "part",
            "part_room",
            "msg",
            "topic",
            "nick",
            "quit",
            "ignore",
            "invite",
        )
    ),
    st.sampled_from(ROOMS),
    st.sampled_from(NAMES),
)


def command(kind: str, room: str, turn: int, other: str) -> str:
    return {
        "ignore": f"/ignore {other}",
        "say": f"line {turn}",
        "me": f"/me acts {turn}",
        "join": f"/join {room}",
        "part": f"/part bye {turn}",
        "part_room": f"/part {room}",
        "msg": f"/msg {room} aimed {turn}",
        "topic": f"/topic {room} topic {turn}",
        "nick": f"/nick n{turn}",
        "quit": f"/quit gone {turn}",
        "invite": f"/invite {other} {room}",
    }[kind]


def members(chat: Chat) -> dict[str, set[int]]:
    return {key: set(room.members) for key, room in chat.rooms.items()}


@settings(max_examples=200, deadline=None)
@given(st.lists(step, min_size=1, max_size=40))
@example([("ana", "ignore", "#lobby", "bob"), ("bob", "say", "#lobby", "ana")])
@example(
    [("ana", "join", "#r0", "bob"), ("bob", "join", "#r0", "ana"), ("ana", "quit", "#r0", "bob")]
)
def test_nobody_gets_an_event_of_a_room_it_is_not_in_and_ids_only_grow(
    steps: list[tuple[str, str, str, str]],
) -> None:
    scene = Scene(ChatSettings(quiet_above=0))
    for name in NAMES:
        scene.user(name)
    scene.flush()
    last_id: dict[int, int] = {}
    for turn, (who, kind, room, other) in enumerate(steps):
        outlet = scene.outlets[who]
        session = outlet.session
        if not scene.chat.is_member(session):  # quit earlier: back under a new connection
            scene.fanout.detach(scene.outlets.pop(who))
            outlet = scene.user(f"{who}{turn}")
            scene.outlets[who] = scene.outlets.pop(f"{who}{turn}")
            scene.flush()
            session = outlet.session
        actor_rooms = set(session.rooms)
        before = members(scene.chat)
        target = scene.outlets[other].session.name or other
        target_sid = scene.outlets[other].session.sid
        scene.line(outlet, command(kind, room, turn, target))
        ignoring_actor = {
            reader.session.sid
            for reader in scene.outlets.values()
            if session.sid in reader.session.ignoring
        }
        after = members(scene.chat)
        receivers: dict[int, set[int]] = {}
        kinds: dict[int, dict[str, Any]] = {}
        scene.fanout.flush()
        for reader in scene.outlets.values():
            data = received(reader)
            reader.queued.clear()
            for event in events(data):
                if "id" not in event or event.get("history"):
                    continue
                sid = reader.session.sid
                assert event["id"] > last_id.get(sid, 0), (event, last_id)
                last_id[sid] = event["id"]
                assert sid not in receivers.setdefault(event["id"], set())  # never twice
                receivers[event["id"]].add(sid)
                kinds[event["id"]] = event
        for number, event in kinds.items():
            got = receivers[number]
            key = str(event.get("room", "")).casefold()
            match event["type"]:
                case "message" | "action":  # but to those who ignore its author
                    assert got == after[key] - ignoring_actor, event
                case "topic":
                    assert got == after[key], event
                case "join":
                    assert got == after[key] - {session.sid}, event
                case "leave" if key:
                    assert got == before[key], event
                case "leave":
                    shared = set().union(*(before[r] for r in actor_rooms)) - {session.sid}
                    assert got == shared, event
                case "nick":
                    assert got == set().union(*(after[r] for r in session.rooms)) | {session.sid}
                case "invite":  # to both, into a room the inviter is in and the invited not
                    assert got == {session.sid} | ({target_sid} - ignoring_actor), event
                    assert key in actor_rooms and target_sid not in after[key], event
                case "private":
                    raise AssertionError(event)
