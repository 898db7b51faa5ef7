"""What the client learns of the chat from each event: byte-free, as the screen sees it."""

from __future__ import annotations

from papo.client.knowledge import ChatKnowledge
from papo.protocol.events import (
    Bye,
    ByeReason,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Message,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Replayed,
    Welcome,
)


def welcomed(**overrides: object) -> ChatKnowledge:
    known = ChatKnowledge()
    fields: dict[str, object] = {
        "ts": 1.0,
        "name": "ana",
        "count": 2,
        "users": ("ana", "bia"),
        "room": "#lobby",
        "resume": "token-1",
    }
    fields.update(overrides)
    assert known.track(Welcome(**fields))  # type: ignore[arg-type]
    return known


def test_a_welcome_gives_the_name_the_room_the_names_and_the_token() -> None:
    known = welcomed()
    assert (known.name, known.room, known.token) == ("ana", "#lobby", "token-1")
    assert known.joined == ["#lobby"]
    assert known.completions() == ["#lobby", "ana", "bia"]


def test_a_resumed_welcome_keeps_every_room_still_joined() -> None:
    known = welcomed(room="#dev", rooms=("#lobby", "#dev"), resumed=True)
    assert known.joined == ["#lobby", "#dev"]
    assert known.room == "#dev"


def test_joining_makes_a_room_current_and_newest_and_parting_forgets_it() -> None:
    known = welcomed()
    assert known.track(Joined(ts=2.0, room="#dev", topic=None, count=1, users=("ana",)))
    assert (known.room, known.joined) == ("#dev", ["#lobby", "#dev"])
    assert not known.track(Leave(ts=3.0, id=7, name="bia", reason=LeaveReason.PART, room="#dev"))
    assert known.joined == ["#lobby", "#dev"]  # somebody else's part
    known.track(Leave(ts=3.0, id=8, name="ana", reason=LeaveReason.PART, room="#dev"))
    assert known.joined == ["#lobby"]
    assert known.track(Notice(ts=4.0, code=NoticeCode.CURRENT, room="#lobby"))
    assert known.room == "#lobby"


def test_names_follow_joins_renames_leaves_and_online() -> None:
    known = welcomed()
    known.track(Join(ts=2.0, id=3, name="caio", room="#lobby"))
    known.track(Nick(ts=3.0, id=4, old="bia", new="bea"))
    known.track(Leave(ts=4.0, id=5, name="caio", reason=LeaveReason.QUIT))
    assert known.names == {"ana", "bea"}
    known.track(Nick(ts=5.0, id=6, old="ana", new="ana2"))
    assert known.name == "ana2"
    known.track(Online(ts=6.0, users=("ana2", "dora")))
    assert known.names == {"ana2", "dora"}


def test_the_newest_id_counts_replayed_events_and_never_goes_back() -> None:
    known = welcomed()
    said = Message(ts=2.0, id=40, sender="bia", text="hi", room="#lobby")
    known.track(Replayed(said))
    known.track(Message(ts=3.0, id=12, sender="bia", text="old", room="#lobby", history=True))
    assert known.last_id == 40
    assert "#lobby" in known.rooms


def test_a_goodbye_is_remembered_for_deciding_whether_to_come_back() -> None:
    known = welcomed()
    assert not known.track(Bye(ts=2.0, reason=ByeReason.RESTART))
    assert known.last_bye is ByeReason.RESTART
