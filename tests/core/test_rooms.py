"""Rooms (PROTOCOL.md version 2), driven directly: no sockets, no clock."""

from __future__ import annotations

import pytest

from papo.core import room_commands
from papo.core.chat import ChatSettings
from papo.core.session import Session
from papo.protocol.events import (
    Action,
    Error,
    ErrorCode,
    Event,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Message,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    RoomInfo,
    Rooms,
    Topic,
    TopicShown,
)
from papo.protocol.names import NameProblem
from papo.protocol.render import Renderer
from tests.core.world import NOW, World


def error_of(events: list[Event]) -> Error:
    [error] = events
    assert isinstance(error, Error), events
    return error


def users(count: int, settings: ChatSettings | None = None) -> tuple[World, list[Session]]:
    world = World(settings)
    sessions = [world.user(name) for name in ("ana", "bob", "eve", "ivo", "lia")[:count]]
    for session in sessions:
        world.take(session)
    return world, sessions


def test_join_makes_the_room_tells_its_members_and_nobody_else() -> None:
    world, (ana, bob, eve) = users(3)
    [joined] = world.line(ana, "/join #Dev")
    assert joined == Joined(ts=NOW, room="#Dev", topic=None, count=1, users=("ana",))
    world.take(ana)
    [joined] = world.line(bob, "/join #dev")  # one room: names compare as names do
    assert joined == Joined(ts=NOW, room="#Dev", topic=None, count=2, users=("ana", "bob"))
    [join] = world.take(ana)
    assert isinstance(join, Join) and (join.name, join.room, join.arrived) == ("bob", "#Dev", False)
    assert world.take(eve) == []
    assert ana.current == bob.current == "#dev"


def test_a_plain_line_goes_to_the_current_room_only() -> None:
    world, (ana, bob, eve) = users(3)
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    world.take(ana)
    world.line(bob, "hi devs")
    [message] = world.take(ana)
    assert isinstance(message, Message) and (message.room, message.text) == ("#dev", "hi devs")
    assert world.take(eve) == []
    world.line(bob, "/me waves")
    [action] = world.take(ana)
    assert isinstance(action, Action) and action.room == "#dev"


def test_msg_action_and_notice_to_a_room_say_it_there_without_switching() -> None:
    world, (ana, bob, eve) = users(3)
    world.line(ana, "/join #dev")
    world.line(ana, "/join #ops")
    world.line(bob, "/join #dev")
    world.take(ana)
    world.take(bob)
    world.line(ana, "/msg #dev from ops")
    world.line(ana, "/action #DEV waves from ops")
    world.line(ana, "/notice #dev build passed")
    assert ana.current == "#ops"
    message, action, notice = world.take(bob)
    assert isinstance(message, Message) and message.room == "#dev" and not message.notice
    assert isinstance(action, Action) and (action.room, action.text) == ("#dev", "waves from ops")
    assert isinstance(notice, Message) and notice.room == "#dev" and notice.notice
    error = error_of(world.line(eve, "/msg #dev let me in"))
    assert error.code is ErrorCode.NOT_IN_ROOM and error.extra["room"] == "#dev"
    error = error_of(world.line(eve, "/action #dev waves"))
    assert error.code is ErrorCode.NOT_IN_ROOM and error.command == "action"
    error = error_of(world.line(eve, "/w #nowhere hello"))
    assert error.code is ErrorCode.NOT_IN_ROOM
    error = error_of(world.line(eve, "/msg #a,b hello"))
    assert error.code is ErrorCode.ROOM_INVALID
    assert world.take(bob) == []


def test_part_tells_the_room_and_says_where_the_parter_now_talks() -> None:
    world, (ana, bob, _) = users(3)
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    world.take(ana)
    leave, notice = world.line(bob, "/part see you")
    assert isinstance(leave, Leave)
    assert leave == Leave(
        ts=NOW, id=leave.id, name="bob", reason=LeaveReason.PART, text="see you", room="#dev"
    )
    assert notice == Notice(ts=NOW, code=NoticeCode.CURRENT, room="#lobby")
    assert world.take(ana) == [leave]
    assert bob.current == "#lobby" and bob.rooms == ["#lobby"]


def test_an_empty_room_vanishes_but_the_default_room_stays() -> None:
    world, (ana, bob, _) = users(3)
    world.line(ana, "/join #dev")
    [rooms] = world.line(bob, "/rooms")
    assert isinstance(rooms, Rooms) and [info.room for info in rooms.rooms] == ["#lobby", "#dev"]
    world.line(ana, "/part #dev")
    [rooms] = world.line(bob, "/rooms")
    assert isinstance(rooms, Rooms) and [info.room for info in rooms.rooms] == ["#lobby"]
    for session in world.sessions:
        world.line(session, "/part #lobby")
    [rooms] = world.line(bob, "/rooms")
    assert isinstance(rooms, Rooms)
    assert rooms.rooms == (RoomInfo(room="#lobby", count=0, topic=None),)


def test_in_no_room_a_line_gets_no_room() -> None:
    world, (ana, bob) = users(2)
    leave, notice = world.line(ana, "/part")
    assert isinstance(leave, Leave) and leave.room == "#lobby"
    assert notice == Notice(ts=NOW, code=NoticeCode.CURRENT, room=None)
    assert error_of(world.line(ana, "hello?")).code is ErrorCode.NO_ROOM
    assert error_of(world.line(ana, "/me sighs")).code is ErrorCode.NO_ROOM
    assert error_of(world.line(ana, "/part")).code is ErrorCode.NO_ROOM
    assert error_of(world.line(ana, "/topic")).code is ErrorCode.NO_ROOM
    assert [type(event) for event in world.take(bob)] == [Leave]
    [joined] = world.line(ana, "/join lobby")  # the '#' may be left out
    assert isinstance(joined, Joined) and joined.room == "#lobby"


def test_part_of_a_room_one_is_not_in() -> None:
    world, (ana, bob) = users(2)
    world.line(bob, "/join #dev")
    assert error_of(world.line(ana, "/part #dev")).code is ErrorCode.NOT_IN_ROOM
    assert error_of(world.line(ana, "/part #nowhere")).code is ErrorCode.NOT_IN_ROOM
    assert error_of(world.line(ana, "/part #no way")).code is ErrorCode.NOT_IN_ROOM
    assert error_of(world.line(ana, "/part #")).code is ErrorCode.ROOM_INVALID


def test_rooms_lists_the_biggest_first_with_topics() -> None:
    world, (ana, bob, eve, ivo) = users(4)
    for session in (ana, bob):
        world.line(session, "/join #b")
    world.line(eve, "/join #a")
    world.line(ivo, "/join #c")
    world.line(ivo, "/topic #c all about c")
    [rooms] = world.line(ana, "/list")
    assert isinstance(rooms, Rooms)
    assert rooms.rooms == (
        RoomInfo(room="#lobby", count=4, topic=None),
        RoomInfo(room="#b", count=2, topic=None),
        RoomInfo(room="#a", count=1, topic=None),
        RoomInfo(room="#c", count=1, topic="all about c"),
    )


def test_topic_is_set_by_a_member_shown_to_anybody() -> None:
    world, (ana, bob, eve) = users(3)
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    world.take(ana)
    world.take(bob)
    [topic] = world.line(ana, "/topic the \x1b[31mbuild\x1b[0m is green")
    assert isinstance(topic, Topic)
    assert topic == Topic(ts=NOW, id=topic.id, room="#dev", by="ana", text="the build is green")
    assert world.take(bob) == [topic]
    assert world.take(eve) == []
    [shown] = world.line(eve, "/topic #DEV")
    assert shown == TopicShown(ts=NOW, room="#dev", by="ana", text="the build is green", at=NOW)
    assert error_of(world.line(eve, "/topic #dev mine now")).code is ErrorCode.NOT_IN_ROOM
    assert error_of(world.line(eve, "/topic #nowhere")).code is ErrorCode.NO_SUCH_ROOM
    long = error_of(world.line(ana, "/topic " + "x" * 301))
    assert long.code is ErrorCode.USAGE and long.extra == {"max_chars": "300"}
    [shown] = world.line(ana, "/topic #lobby")
    assert shown == TopicShown(ts=NOW, room="#lobby", by=None, text="")
    [joined] = world.line(eve, "/join #dev")
    assert isinstance(joined, Joined) and joined.topic == "the build is green"


def test_a_topic_is_cleared_with_delete_and_nothing_visible_sets_none() -> None:
    world, (ana, bob, _) = users(3)
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    world.line(ana, "/topic plans")
    world.take(ana)
    world.take(bob)
    assert error_of(world.line(ana, "/topic \u200b")).code is ErrorCode.USAGE  # not a clear
    world.take(ana)
    [cleared] = world.line(bob, "/topic #DEV -delete")
    assert isinstance(cleared, Topic)
    assert cleared == Topic(ts=NOW, id=cleared.id, room="#dev", by="bob", text="")
    assert world.take(ana) == [cleared] == world.take(bob)
    [shown] = world.line(ana, "/topic")
    assert shown == TopicShown(ts=NOW, room="#dev", by=None, text="")
    [nothing] = world.line(ana, "/topic -delete")  # no topic to clear: nobody is told
    assert nothing == shown and world.take(bob) == []
    [rooms] = world.line(ana, "/rooms")
    assert isinstance(rooms, Rooms) and [r.topic for r in rooms.rooms if r.room == "#dev"] == [None]


def test_online_lists_the_chat_or_one_room() -> None:
    world, (ana, bob, eve) = users(3)
    world.line(eve, "/join #dev")
    world.line(ana, "/join #dev")
    [online] = world.line(bob, "/online")
    assert online == Online(ts=NOW, users=("ana", "bob", "eve"))
    [online] = world.line(bob, "/who #Dev")
    assert online == Online(ts=NOW, users=("ana", "eve"), room="#dev")
    assert error_of(world.line(bob, "/online #nowhere")).code is ErrorCode.NO_SUCH_ROOM


def test_leaving_the_chat_is_told_once_to_each_who_shared_a_room_never_to_others() -> None:
    world, (ana, bob, eve) = users(3)
    for session in (ana, bob):
        world.line(session, "/join #dev")
        world.line(session, "/join #ops")
    world.line(eve, "/join #far")
    world.line(eve, "/part #lobby")
    world.line(ana, "/part #lobby")  # ana and bob share two rooms, not the lobby any more
    for session in world.sessions:
        world.take(session)
    world.line(bob, "/quit bye all")
    [leave] = world.take(ana)
    assert isinstance(leave, Leave) and leave.room is None and leave.text == "bye all"
    assert world.take(eve) == []
    [rooms] = world.line(ana, "/rooms")
    assert isinstance(rooms, Rooms)
    assert {info.room: info.count for info in rooms.rooms} == {
        "#lobby": 0,
        "#dev": 1,
        "#ops": 1,
        "#far": 1,
    }


def test_a_rename_is_told_once_to_each_who_shares_a_room() -> None:
    world, (ana, bob, eve) = users(3)
    for session in (ana, bob):
        world.line(session, "/join #dev")
    world.line(eve, "/part")
    for session in world.sessions:
        world.take(session)
    [nick] = world.line(ana, "/nick anna")
    assert isinstance(nick, Nick) and (nick.old, nick.new) == ("ana", "anna")
    assert world.take(bob) == [nick]
    assert world.take(eve) == []
    world.take(ana)
    [nick] = world.line(eve, "/nick eva")  # in no room: only the renamed hears of it
    assert isinstance(nick, Nick) and nick.new == "eva"
    assert world.take(ana) == world.take(bob) == []


def test_ids_increase_across_rooms_for_every_reader() -> None:
    world, (ana, bob) = users(2)
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    for turn in range(5):
        world.line(ana, f"/msg #lobby lobby {turn}")
        world.line(bob, f"dev {turn}")
        world.line(bob, f"/w ana private {turn}")
    for session in (ana, bob):
        ids = [
            event.id
            for event in world.inbox[session.sid]
            if isinstance(event, Message | Private | Join | Leave | Nick | Topic)
        ]
        assert ids == sorted(ids) and len(ids) == len(set(ids)) and len(ids) > 10


def test_max_rooms_per_user() -> None:
    world, (ana,) = users(1, ChatSettings(max_rooms=3))
    world.line(ana, "/join #one")
    world.line(ana, "/join #two")
    error = error_of(world.line(ana, "/join #three"))
    assert error.code is ErrorCode.TOO_MANY_ROOMS and error.extra["max_rooms"] == "3"
    [joined] = world.line(ana, "/join #one")  # one it is in: only made current
    assert isinstance(joined, Joined) and ana.current == "#one"
    unlimited, (bob,) = users(1, ChatSettings(max_rooms=0))
    for number in range(30):
        unlimited.line(bob, f"/join #r{number}")
    assert len(bob.rooms) == 31


def test_room_names_follow_the_name_rules() -> None:
    world, (ana,) = users(1)
    for bad, rule in (
        ("#", NameProblem.EMPTY),
        ("#two words", NameProblem.BAD_CHARACTER),
        ("#" + "x" * 33, NameProblem.TOO_LONG),
        ("#pаypal", NameProblem.MIXED_SCRIPTS),  # a Cyrillic a
        ("#\u200bdev", NameProblem.INVISIBLE),
        ("#-dev", NameProblem.BAD_START),
    ):
        error = error_of(world.line(ana, f"/join {bad}"))
        assert error.code is ErrorCode.ROOM_INVALID and error.problem is rule, bad
    [joined] = world.line(ana, "/join #admin")  # no reserved words for rooms
    assert isinstance(joined, Joined)
    [joined] = world.line(ana, "/join #" + "ção" * 10)
    assert isinstance(joined, Joined)


def test_joining_a_room_one_is_in_only_makes_it_current() -> None:
    world, (ana, bob) = users(2)
    world.line(ana, "/join #dev")
    world.line(ana, "hello dev")
    world.line(ana, "/join #ops")
    world.take(bob)
    [joined] = world.line(ana, "/join #dev")  # no history again, nobody told
    assert isinstance(joined, Joined) and ana.current == "#dev"
    assert world.take(bob) == []
    world.line(ana, "/part")  # back to the one joined before: #ops
    assert ana.current == "#ops"


def test_history_is_per_room() -> None:
    world, (ana, bob) = users(2)
    world.line(ana, "in the lobby")
    world.line(ana, "/join #dev")
    world.line(ana, "in dev")
    joined, *history = world.line(bob, "/join #dev")
    assert isinstance(joined, Joined)
    assert [(event.text, event.history) for event in history if isinstance(event, Message)] == [
        ("in dev", True)
    ]
    carol = world.connect()
    _welcome, *history = world.line(carol, "carol")
    assert [event.text for event in history if isinstance(event, Message)] == ["in the lobby"]


def test_quiet_is_per_room() -> None:
    world, (ana, bob, eve, ivo) = users(4, ChatSettings(quiet_above=2))
    world.line(ana, "/join #small")
    world.take(ana)
    [joined, join] = [*world.line(bob, "/join #small"), *world.take(ana)]
    assert isinstance(joined, Joined) and joined.users == ("ana", "bob")
    assert isinstance(join, Join) and join.room == "#small"
    [joined] = world.line(eve, "/join #small")  # three is above two: quiet now
    assert isinstance(joined, Joined) and joined.users is None and joined.count == 3
    assert world.take(ana) == []
    world.line(ivo, "/quit")  # the lobby (4) is quiet: nobody is told
    assert world.take(ana) == []


def test_a_room_emptied_keeps_its_topic_and_history_when_made_again() -> None:
    world, (ana, bob) = users(2)
    world.line(ana, "/join #dev")
    world.line(ana, "/topic still here")
    world.line(ana, "remember me")
    world.line(ana, "/part")
    assert "#dev" not in world.chat.rooms
    joined, *history = world.line(bob, "/join #dev")
    assert isinstance(joined, Joined) and joined.topic == "still here" and joined.count == 1
    assert [event.text for event in history if isinstance(event, Message)] == ["remember me"]


def test_rooms_lists_the_biggest_and_counts_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room_commands, "MAX_ROOMS_LISTED", 2)
    world, (ana, bob, eve) = users(3)
    for session, room in ((ana, "#a"), (bob, "#a"), (eve, "#b")):
        world.line(session, f"/join {room}")
    [rooms] = world.line(ana, "/rooms")
    assert isinstance(rooms, Rooms) and rooms.more == 1
    assert [info.room for info in rooms.rooms] == ["#lobby", "#a"]  # the biggest two
    text = Renderer("en").text_line(rooms).splitlines()
    assert text[0] == "3 rooms:" and text[-1] == "  ... and 1 smaller room"
    assert Renderer("en").json_fields(rooms)["more"] == 1
