"""The chat's rules, driven directly: no sockets, no clock."""

from __future__ import annotations

from papo.core.chat import COMMAND_HANDLERS, MAX_NAME_TRIES, ChatSettings
from papo.core.outputs import Broadcast, Reformat
from papo.protocol.commands import OutputFormat, Verb
from papo.protocol.events import (
    Action,
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Hello,
    HelpInfo,
    Join,
    Leave,
    LeaveReason,
    Message,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    Welcome,
)
from papo.protocol.names import NameProblem
from papo.protocol.render import Renderer
from tests.core.world import NOW, World


def test_registration_welcome_and_join() -> None:
    world = World()
    alice = world.user("alice")
    bob = world.connect()
    [welcome] = world.line(bob, "Bob")
    assert welcome == Welcome(ts=NOW, name="Bob", count=2, users=("alice", "Bob"), room="#lobby")
    assert [type(e) for e in world.take(alice)] == [Welcome, Join]


def test_before_registration_commands_are_refused() -> None:
    world = World()
    session = world.connect()
    [error] = world.line(session, "/online")
    assert isinstance(error, Error) and error.code is ErrorCode.NOT_REGISTERED
    outputs = world.chat.handle_line(session, "/format json", NOW)
    assert outputs[0] == Reformat(session, OutputFormat.JSON)  # the connection's to apply
    world.apply(outputs)
    [hello] = world.take(session)[1:]
    assert isinstance(hello, Hello) and hello.name is None


def test_names_taken_after_casefold_and_nfkc() -> None:
    world = World()
    world.user("Alice")
    session = world.connect()
    for wanted in ("alice", "ＡＬＩＣＥ"):
        [error] = world.line(session, wanted)
        assert isinstance(error, Error) and error.code is ErrorCode.NAME_TAKEN


def test_invalid_name_is_explained_and_not_cleaned() -> None:
    world = World()
    session = world.connect()
    [error] = world.line(session, "\x1b[31mred")
    assert isinstance(error, Error)
    assert error.code is ErrorCode.NAME_INVALID and error.problem is NameProblem.BAD_START
    assert error.name == "red"  # shown sanitised, but the name itself was refused
    assert session.name is None


def test_five_refused_names_end_the_connection() -> None:
    world = World()
    session = world.connect()
    for _ in range(MAX_NAME_TRIES - 1):
        world.line(session, "root")
    assert session.sid not in world.closed
    events = world.line(session, "root")
    assert [type(e) for e in events] == [Error, Error, Bye]
    assert isinstance(events[1], Error) and events[1].code is ErrorCode.TOO_MANY_TRIES
    assert events[2] == Bye(ts=NOW, reason=ByeReason.TOO_MANY_TRIES)
    assert session.sid in world.closed


def test_public_message_reaches_everyone_with_one_increasing_id() -> None:
    world = World()
    alice, bob = world.user("alice"), world.user("bob")
    world.take(alice), world.take(bob)
    world.line(alice, "hi \x1b[2Jthere")
    world.line(bob, "/me waves")
    for session in (alice, bob):
        message, action = world.take(session)
        assert isinstance(message, Message) and message.text == "hi there"
        assert isinstance(action, Action) and action.sender == "bob"
        assert message.id < action.id


def test_private_goes_to_recipient_and_sender_only() -> None:
    world = World()
    alice, bob, carol = world.user("alice"), world.user("bob"), world.user("carol")
    for session in (alice, bob, carol):
        world.take(session)
    world.line(alice, "/msg BOB psst")
    [to_bob] = world.take(bob)
    assert to_bob == world.take(alice)[0]
    assert isinstance(to_bob, Private) and to_bob.recipient == "bob" and to_bob.text == "psst"
    assert world.take(carol) == []


def test_an_action_for_one_person_is_a_private_marked_as_an_action() -> None:
    world = World()
    alice, bob, carol = world.user("alice"), world.user("bob"), world.user("carol")
    for session in (alice, bob, carol):
        world.take(session)
    world.line(alice, "/action BOB waves at you")
    [to_bob] = world.take(bob)
    assert to_bob == world.take(alice)[0]
    assert isinstance(to_bob, Private) and to_bob.action
    assert (to_bob.recipient, to_bob.text, to_bob.words) == (
        "bob",
        "waves at you",
        "* alice waves at you",
    )
    assert world.take(carol) == []
    world.line(bob, "/r back")  # an action is a private: /r answers it
    assert world.take(alice)[0] == Private(
        ts=NOW, id=to_bob.id + 1, sender="bob", recipient="alice", text="back"
    )
    [error] = world.line(alice, "/describe ghost waves")
    assert isinstance(error, Error) and (error.code, error.name) == (
        ErrorCode.NO_SUCH_USER,
        "ghost",
    )
    for nothing in ("/action bob", "/action bob \u200b"):
        [error] = world.line(alice, nothing)
        assert isinstance(error, Error) and (error.code, error.command) == (
            ErrorCode.USAGE,
            "action",
        )


def test_a_notice_is_a_private_or_a_message_marked_so_and_wakes_no_away_answer() -> None:
    world = World()
    alice, bob = world.user("alice"), world.user("bob")
    world.line(bob, "/away lunch")
    for session in (alice, bob):
        world.take(session)
    world.line(alice, "/notice bob build passed")
    [to_bob] = world.take(bob)
    assert isinstance(to_bob, Private) and to_bob.notice and not to_bob.action
    assert world.take(alice) == [to_bob]  # the confirmation, and no word of bob's away
    world.line(alice, "/private bob and you?")
    assert [type(event) for event in world.take(alice)] == [Private, Notice]  # a private: told
    world.take(bob)
    world.line(alice, "/notice #lobby deploy done")
    [said] = world.take(bob)
    assert isinstance(said, Message) and said.notice and said.room == "#lobby"
    [error] = world.line(alice, "/notice #ops x")
    assert isinstance(error, Error) and (error.code, error.command) == (
        ErrorCode.NOT_IN_ROOM,
        "notice",
    )


def test_private_to_nobody_warns_the_sender() -> None:
    world = World()
    alice = world.user("alice")
    [error] = world.line(alice, "/private ghost hello")
    assert isinstance(error, Error) and error.code is ErrorCode.NO_SUCH_USER
    assert error.name == "ghost"


def test_online_sorted_by_casefold() -> None:
    world = World()
    alice = world.user("carol")
    world.user("Bob")
    world.user("alice")
    [online] = world.line(alice, "/who")
    assert online == Online(ts=NOW, users=("alice", "Bob", "carol"))


def test_quit_says_bye_and_others_see_leave_with_text() -> None:
    world = World()
    alice, bob = world.user("alice"), world.user("bob")
    world.take(alice)
    assert world.line(bob, "/quit see you") == [Bye(ts=NOW, reason=ByeReason.QUIT)]
    assert bob.sid in world.closed
    [leave] = world.take(alice)
    assert isinstance(leave, Leave) and leave.reason is LeaveReason.QUIT
    assert leave.text == "see you" and leave.name == "bob"
    assert world.chat.shared.holder("bob") is None and not world.chat.is_member(bob)


def test_disconnect_of_unregistered_session_is_silent() -> None:
    world = World()
    alice = world.user("alice")
    world.take(alice)
    stranger = world.connect()
    world.apply(world.chat.disconnect(stranger, LeaveReason.DISCONNECT, NOW))
    assert world.take(alice) == []


def test_nick_is_seen_by_everyone_and_frees_the_old_name() -> None:
    world = World()
    alice, bob = world.user("alice"), world.user("bob")
    world.take(alice)
    [nick] = world.line(bob, "/nick robert")
    assert isinstance(nick, Nick) and (nick.old, nick.new) == ("bob", "robert")
    assert world.take(alice) == [nick]
    [error] = world.line(bob, "/nick alice")
    assert isinstance(error, Error) and error.code is ErrorCode.NAME_TAKEN
    world.user("bob")


def test_a_rename_to_the_same_name_tells_only_who_asked_and_spends_no_id() -> None:
    world = World()
    alice, bob = world.user("alice"), world.user("bob")
    world.take(alice)
    [notice] = world.line(bob, "/nick bob")
    assert notice == Notice(ts=NOW, code=NoticeCode.SAME_NAME, names=("bob",))
    assert Renderer("en").notice_text(notice) == "You are already called bob."
    assert world.take(alice) == []
    [message] = world.line(bob, "still here")
    [nick] = world.line(bob, "/nick Bob")  # another case is another name to show
    assert isinstance(message, Message) and isinstance(nick, Nick)
    assert (nick.id, nick.old, nick.new) == (message.id + 1, "bob", "Bob")
    assert world.take(alice) == [message, nick]


def test_history_replays_last_messages_flagged() -> None:
    world = World(ChatSettings(history=2))
    alice = world.user("alice")
    for text in ("one", "two", "three"):
        world.line(alice, text)
    late = world.connect()
    welcome, *history = world.line(late, "late")
    assert isinstance(welcome, Welcome)
    assert [(e.text, e.history) for e in history if isinstance(e, Message)] == [
        ("two", True),
        ("three", True),
    ]


def test_quiet_room_announces_no_joins_and_omits_users() -> None:
    world = World(ChatSettings(quiet_above=2))
    alice = world.user("alice")
    world.user("bob")
    world.take(alice)
    carol = world.connect()
    [welcome] = world.line(carol, "carol")
    assert welcome == Welcome(ts=NOW, name="carol", count=3, users=None, room="#lobby")
    assert world.take(alice) == []
    world.apply(world.chat.disconnect(carol, LeaveReason.DISCONNECT, NOW))
    assert world.take(alice) == []
    [online] = world.line(alice, "/online")
    assert isinstance(online, Online) and online.users == ("alice", "bob")


def test_help_unknown_usage_and_format() -> None:
    world = World()
    alice = world.user("alice")
    [help_all] = world.line(alice, "/HELP")
    assert isinstance(help_all, HelpInfo) and help_all.topic is None
    # Nobody can be an operator here: their commands, and /oper, are not listed; nor /pass,
    # on a chat without a password.
    assert set(help_all.not_listed) == {
        "oper", "kick", "ban", "unban", "bans", "mute", "unmute", "locktopic", "unlocktopic",
        "pass",
    }  # fmt: skip
    [help_one] = world.line(alice, "/help /w")
    assert help_one == HelpInfo(ts=NOW, topic="private")
    [unknown] = world.line(alice, "/dance")
    assert isinstance(unknown, Error) and unknown.code is ErrorCode.UNKNOWN_COMMAND
    [usage] = world.line(alice, "/format xml")
    assert isinstance(usage, Error) and usage.code is ErrorCode.USAGE
    [usage] = world.line(alice, "/me \x07")
    assert isinstance(usage, Error) and usage.code is ErrorCode.USAGE


def test_empty_and_control_only_lines_send_nothing() -> None:
    world = World()
    alice, bob = world.user("alice"), world.user("bob")
    world.take(alice), world.take(bob)
    assert world.line(alice, "   ") == []
    world.line(alice, "\x1b[2J\x07")
    assert world.take(bob) == []


def test_public_message_names_its_author_so_text_readers_get_no_echo() -> None:
    world = World()
    alice = world.user("alice")
    outputs = world.chat.handle_line(alice, "hi", NOW)
    assert [type(o) for o in outputs] == [Broadcast]
    assert isinstance(outputs[0], Broadcast) and outputs[0].route.author == alice.sid


def test_online_order_survives_arrivals_renames_and_departures() -> None:
    world = World()
    sessions = {name: world.user(name) for name in ("mia", "Ana", "zoe", "bob", "Carl")}
    world.line(sessions["zoe"], "/nick Aaron")
    world.apply(world.chat.disconnect(sessions["bob"], LeaveReason.DISCONNECT, NOW))
    [online] = world.line(sessions["mia"], "/online")
    assert isinstance(online, Online)
    assert online.users == ("Aaron", "Ana", "Carl", "mia")
    assert list(online.users) == sorted(online.users, key=str.casefold)


def test_every_command_of_the_table_has_a_handler() -> None:
    assert set(COMMAND_HANDLERS) == set(Verb)


def test_ignore_hides_what_a_person_says_until_unignore() -> None:
    world = World()
    ana, bob, carol = world.user("ana"), world.user("bob"), world.user("carol")
    world.take(ana)
    [notice] = world.line(ana, "/ignore BOB")
    assert notice == Notice(ts=NOW, code=NoticeCode.IGNORED, names=("bob",))
    world.take(ana)
    world.line(bob, "hello all")
    world.line(bob, "/me waves")
    assert [type(e) for e in world.take(carol)][-2:] == [Message, Action]
    assert world.take(ana) == []  # neither the message nor the action
    [confirmation] = world.line(bob, "/private ana psst")  # bob is not told he is ignored
    assert isinstance(confirmation, Private) and world.take(ana) == []
    world.line(bob, "/nick robert")  # the ignore follows the person
    world.take(ana)
    world.line(bob, "still me")
    assert world.take(ana) == []
    assert world.line(ana, "/ignore") == [
        Notice(ts=NOW, code=NoticeCode.IGNORING, names=("robert",))
    ]
    world.line(ana, "/unignore robert")
    world.line(bob, "back")
    assert [e.text for e in world.take(ana) if isinstance(e, Message)] == ["back"]


def test_ignores_end_with_the_person_ignored() -> None:
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, "/ignore bob")
    world.line(bob, "/quit")
    later = world.user("bob")  # another person under the same name
    world.take(ana)
    world.line(later, "hi, I am new")
    assert [e.text for e in world.take(ana) if isinstance(e, Message)] == ["hi, I am new"]
    assert world.line(ana, "/ignore") == [Notice(ts=NOW, code=NoticeCode.IGNORING, names=())]
    [refused] = world.line(ana, "/ignore ana")
    assert isinstance(refused, Error) and refused.code is ErrorCode.USAGE
    assert Renderer("en").text_line(refused) == "Error: /ignore is for others, not yourself."
    assert Renderer("en").json_fields(refused)["yourself"] == "1"


def test_r_replies_to_the_last_private_message() -> None:
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    [nobody] = world.line(ana, "/r hello?")
    assert nobody == Error(ts=NOW, code=ErrorCode.NO_SUCH_USER, command="r")
    world.line(bob, "/msg ana are you there")
    world.take(ana)
    [sent] = world.line(ana, "/r yes!")
    assert isinstance(sent, Private) and (sent.recipient, sent.text) == ("bob", "yes!")
    world.line(bob, "/quit")
    [gone] = world.line(ana, "/r still there?")
    assert gone == Error(ts=NOW, code=ErrorCode.NO_SUCH_USER, name="bob")
