"""Operators, driven directly: ``/oper`` with the server's password, and ``/kick``."""

from __future__ import annotations

from papo.core.chat import MAX_NAME_TRIES, ChatSettings
from papo.core.operators import KICKS_REMEMBERED, KickedElsewhere
from papo.core.outputs import Departed
from papo.protocol.events import (
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    HelpInfo,
    Leave,
    LeaveReason,
    Notice,
    NoticeCode,
    Whois,
)
from tests.core.world import NOW, World

PASSWORD = "correct horse battery"


def operators_world() -> World:
    return World(ChatSettings(oper_password=PASSWORD))


def test_the_right_password_makes_an_operator_and_a_wrong_one_is_refused() -> None:
    world = operators_world()
    ana = world.user("ana")
    [refused] = world.line(ana, "/oper correct horse")
    assert isinstance(refused, Error) and refused.code is ErrorCode.WRONG_PASSWORD
    assert not world.chat.shared.is_operator(ana.sid)
    assert world.line(ana, f"/oper {PASSWORD}") == [Notice(ts=NOW, code=NoticeCode.OPERATOR)]
    assert world.chat.shared.is_operator(ana.sid)


def test_without_a_password_nobody_is_an_operator_and_nothing_is_counted() -> None:
    world = World()
    ana = world.user("ana")
    for _ in range(MAX_NAME_TRIES + 1):
        [refused] = world.line(ana, f"/oper {PASSWORD}")
        assert isinstance(refused, Error) and refused.code is ErrorCode.NO_OPERATORS
    assert not world.chat.shared.is_operator(ana.sid) and ana.sid not in world.closed


def test_too_many_wrong_passwords_end_the_connection_and_its_user_leaves() -> None:
    world = operators_world()
    ana, bob = world.user("ana", json=True), world.user("bob")
    world.take(bob)
    for _ in range(MAX_NAME_TRIES - 1):
        world.line(ana, "/oper guess")
    assert ana.sid not in world.closed
    events = world.line(ana, "/oper guess")
    assert [e.code for e in events if isinstance(e, Error)] == [
        ErrorCode.WRONG_PASSWORD,
        ErrorCode.TOO_MANY_TRIES,
    ]
    assert events[-1] == Bye(ts=NOW, reason=ByeReason.TOO_MANY_TRIES)
    assert ana.sid in world.closed
    # Gone, not held for a resume (that would only buy more guesses).
    assert not world.chat.is_member(ana) and world.chat.shared.holder("ana") is None
    [leave] = world.take(bob)
    assert isinstance(leave, Leave) and leave.name == "ana"
    assert leave.reason is LeaveReason.DISCONNECT  # not a quit of ana's own


def test_kick_is_for_operators() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    [refused] = world.line(ana, "/kick bob spam")
    assert refused == Error(ts=NOW, code=ErrorCode.NOT_OPERATOR, command="kick")
    assert world.chat.is_member(bob) and bob.sid not in world.closed


def test_an_operator_is_whom_the_hub_says_is_one() -> None:
    """On several servers, an /oper can reach Redis after its member has moved to another
    server (a resume there within the writer's milliseconds): that server restores a member
    who is no operator, and then reads that it is one. What the hub says counts, once it
    says it: nowhere is it kept apart, where the two could disagree (WHOIS saying operator,
    /kick refusing)."""
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, "/part")
    world.take(ana)
    [refused] = world.line(ana, "/kick bob")
    assert isinstance(refused, Error) and refused.code is ErrorCode.NOT_OPERATOR
    world.chat.shared.keep_operator(ana.sid)  # as the late step, read from the stream
    [leave] = world.line(ana, "/kick bob")
    assert isinstance(leave, Leave) and leave.by == "ana" and bob.sid in world.closed


def test_a_kick_puts_the_user_out_and_tells_who_did_it_and_why() -> None:
    world = operators_world()
    ana, bob, carol = world.user("ana"), world.user("Bob", json=True), world.user("carol")
    world.line(ana, f"/oper {PASSWORD}")
    world.line(bob, "/join #dev")
    world.line(carol, "/join #dev")
    for session in (ana, bob, carol):
        world.take(session)
    kick = world.chat.handle_line(ana, "/kick bob  spamming #dev ", NOW)
    departed = [output for output in kick if isinstance(output, Departed)]
    assert [(d.session, d.reason) for d in departed] == [(bob, LeaveReason.KICKED)]
    world.apply(kick)
    said = Leave(
        ts=NOW,
        id=world.chat.shared.last_id(),
        name="Bob",  # as the name is spelt, however the operator typed it
        reason=LeaveReason.KICKED,
        text="spamming #dev",
        by="ana",
    )
    # The one kicked learns who and why, then goodbye; nothing lets it come back.
    assert world.take(bob) == [said, Bye(ts=NOW, reason=ByeReason.KICKED)]
    assert bob.sid in world.closed and bob.token is None
    assert world.chat.shared.holder("bob") is None and not world.chat.is_member(bob)
    # Those who shared a room with it are told once (carol shares two), the operator too.
    assert world.take(carol) == [said]
    assert world.take(ana) == [said]
    assert "bob" not in [
        name.casefold() for name in world.chat.rooms.names(world.chat.rooms["#dev"])
    ]


def test_the_operator_is_told_even_sharing_no_room_and_a_reason_is_optional() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, f"/oper {PASSWORD}")
    world.line(ana, "/part")
    world.take(ana)
    [leave] = world.line(ana, "/kick bob")
    assert isinstance(leave, Leave) and leave.reason is LeaveReason.KICKED
    assert leave.text is None and leave.by == "ana"
    assert bob.sid in world.closed


def test_a_held_user_can_be_kicked_and_is_no_longer_held() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob", json=True)
    world.line(ana, f"/oper {PASSWORD}")
    world.drop(bob)
    assert bob.held_until is not None
    world.take(ana)
    [leave] = world.line(ana, "/kick bob gone for good")
    assert isinstance(leave, Leave) and leave.text == "gone for good"
    assert bob.held_until is None and not world.chat.is_member(bob)
    assert world.chat.shared.holder("bob") is None


def test_kick_of_nobody_or_of_oneself_is_refused() -> None:
    world = operators_world()
    ana = world.user("ana")
    world.line(ana, f"/oper {PASSWORD}")
    [nobody] = world.line(ana, "/kick zed")
    assert isinstance(nobody, Error) and nobody.code is ErrorCode.NO_SUCH_USER
    assert nobody.name == "zed"
    [yourself] = world.line(ana, "/kick ANA")
    assert isinstance(yourself, Error) and yourself.code is ErrorCode.USAGE
    assert yourself.extra == {"yourself": "1"} and world.chat.is_member(ana)


def test_whois_says_who_is_an_operator() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    [whois] = world.line(bob, "/whois ana")
    assert isinstance(whois, Whois) and not whois.operator
    world.line(ana, f"/oper {PASSWORD}")
    [whois] = world.line(bob, "/whois ana")
    assert isinstance(whois, Whois) and whois.operator
    assert world.chat.shared.is_operator(ana.sid)
    world.line(ana, "/quit")
    assert not world.chat.shared.is_operator(ana.sid)  # it goes with the member


def test_operators_stay_operators_through_a_rename() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, f"/oper {PASSWORD}")
    world.line(ana, "/nick anna")
    [leave] = [e for e in world.line(ana, "/kick bob") if isinstance(e, Leave)]
    assert leave.by == "anna" and bob.sid in world.closed


def test_kicks_of_other_servers_members_are_remembered_the_last_so_many() -> None:
    kicked = KickedElsewhere()
    for member in range(KICKS_REMEMBERED + 1):
        kicked.note(member)
    assert 0 not in kicked and 1 in kicked and KICKS_REMEMBERED in kicked


def test_help_lists_operators_commands_to_operators_and_oper_to_the_others() -> None:
    world = operators_world()
    ana = world.user("ana")
    [before] = world.line(ana, "/help")
    assert isinstance(before, HelpInfo)
    assert "oper" not in before.not_listed  # ana could become one
    assert {"kick", "ban", "mute", "locktopic"} <= set(before.not_listed)
    world.line(ana, f"/oper {PASSWORD}")
    # Everything, but /pass: the chat asks for no password.
    assert world.line(ana, "/help") == [HelpInfo(ts=NOW, not_listed=("pass",))]
    assert world.line(world.user("bob"), "/help kick") == [HelpInfo(ts=NOW, topic="kick")]
