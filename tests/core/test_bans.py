"""Bans, driven directly: the ban list, ``/ban``'s length and reason, and ``/unban``."""

from __future__ import annotations

import pytest

from papo.core import operators
from papo.core.bans import DEFAULT_BAN_SECONDS, MAX_BAN_SECONDS, Ban, BanList, ban_seconds
from papo.core.chat import ChatSettings
from papo.core.departures import DEPARTURE_SECONDS
from papo.core.outputs import AddressBanned, Broadcast, Departed, Publish, Send
from papo.core.session import Session
from papo.core.shared import Route
from papo.hub.memory import MemoryHub
from papo.protocol.events import Error, ErrorCode, Leave, LeaveReason, Notice, NoticeCode
from tests.core.world import NOW, World

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("word", "seconds"),
    [
        ("90s", 90),
        ("30m", 1800),
        ("2h", 7200),
        ("7D", 7 * 86400),
        ("400d", MAX_BAN_SECONDS),
        ("0h", None),
        ("h", None),
        ("2", None),
        ("2x", None),
        ("-2h", None),
        ("²h", None),  # a digit to str.isdigit, not a number
        ("spam", None),
        ("", None),
    ],
)
def test_a_ban_length_is_a_number_and_a_unit(word: str, seconds: int | None) -> None:
    assert ban_seconds(word) == seconds


def test_a_ban_list_keeps_an_address_out_until_its_end() -> None:
    bans = BanList()
    bans.add(Ban("192.0.2.7", NOW + 60, "bob"))
    assert bans.banned("192.0.2.7", NOW) == Ban("192.0.2.7", NOW + 60, "bob")
    assert bans.banned("192.0.2.8", NOW) is None
    assert bans.banned("192.0.2.7", NOW + 60) is None  # over: and forgotten
    assert bans.in_force(NOW) == []


def test_a_ban_list_lifts_by_the_name_it_was_made_for_as_names_compare() -> None:
    bans = BanList()
    bans.add(Ban("192.0.2.7", NOW + 60, "Bob"))
    bans.add(Ban("2001:db8::/64", NOW + 30, "bob"))
    bans.add(Ban("192.0.2.9", NOW + 90, "carol"))
    assert bans.in_force(NOW) == [
        Ban("2001:db8::/64", NOW + 30, "bob"),
        Ban("192.0.2.7", NOW + 60, "Bob"),
        Ban("192.0.2.9", NOW + 90, "carol"),
    ]
    assert {ban.address for ban in bans.lift("BOB")} == {"192.0.2.7", "2001:db8::/64"}
    assert [ban.name for ban in bans.in_force(NOW)] == ["carol"]
    assert bans.lift("bob") == []


def test_a_later_ban_of_an_address_replaces_the_earlier() -> None:
    bans = BanList()
    bans.add(Ban("192.0.2.7", NOW + 3600, "bob"))
    bans.add(Ban("192.0.2.7", NOW + 60, "bob2"))
    assert bans.banned("192.0.2.7", NOW) == Ban("192.0.2.7", NOW + 60, "bob2")


def operators_world() -> World:
    return World(ChatSettings(oper_password=PASSWORD))


def test_ban_is_a_kick_that_says_for_how_long() -> None:
    world = operators_world()
    ana, bob, carol = world.user("ana"), world.user("Bob", json=True), world.user("carol")
    world.line(ana, f"/oper {PASSWORD}")
    for session in (ana, bob, carol):
        world.take(session)
    ban = world.chat.handle_line(ana, "/ban bob 2h  flooding ", NOW)
    departed = [output for output in ban if isinstance(output, Departed)]
    assert [(d.session, d.reason) for d in departed] == [(bob, LeaveReason.KICKED)]
    assert departed[0].kick is not None and departed[0].kick.ban == 7200
    world.apply(ban)
    said = Leave(
        ts=NOW,
        id=world.chat.shared.last_id(),
        name="Bob",
        reason=LeaveReason.KICKED,
        text="flooding",
        by="ana",
        ban=7200,
    )
    assert world.take(carol) == [said] and world.take(ana) == [said]
    assert bob.sid in world.closed and not world.chat.is_member(bob)


@pytest.mark.parametrize(
    ("line", "seconds", "text"),
    [
        ("/ban bob", DEFAULT_BAN_SECONDS, None),
        ("/ban bob spam and more", DEFAULT_BAN_SECONDS, "spam and more"),
        ("/ban bob 30m", 1800, None),
        ("/ban bob 1d off you go", 86400, "off you go"),
    ],
)
def test_a_ban_lasts_an_hour_unless_told_and_its_reason_is_optional(
    line: str, seconds: int, text: str | None
) -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, f"/oper {PASSWORD}")
    world.take(ana)
    [leave] = world.line(ana, line)
    assert isinstance(leave, Leave) and (leave.ban, leave.text) == (seconds, text)
    assert bob.sid in world.closed


def test_ban_and_unban_are_for_operators_and_ban_needs_somebody_else_online() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    for line, command in (("/ban bob", "ban"), ("/unban bob", "unban")):
        [refused] = world.line(ana, line)
        assert refused == Error(ts=NOW, code=ErrorCode.NOT_OPERATOR, command=command)
    world.line(ana, f"/oper {PASSWORD}")
    [nobody] = world.line(ana, "/ban zed 1h")
    assert isinstance(nobody, Error) and nobody.code is ErrorCode.NO_SUCH_USER
    [yourself] = world.line(ana, "/ban ana")
    assert isinstance(yourself, Error) and yourself.code is ErrorCode.USAGE
    assert yourself.command == "ban" and world.chat.is_member(bob)


def test_unban_lifts_the_bans_made_for_a_name_on_the_hub() -> None:
    hub = MemoryHub()
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana = world.user("ana")
    world.line(ana, f"/oper {PASSWORD}")
    hub.ban(Ban("192.0.2.7", NOW + 60, "Bob"))
    hub.ban(Ban("192.0.2.8", NOW - 1, "bob"))  # over already
    [lifted] = world.line(ana, "/unban bob")
    assert lifted == Notice(ts=NOW, code=NoticeCode.UNBANNED, names=("Bob",), count=1)
    assert hub.banned("192.0.2.7", NOW) is None
    [none] = world.line(ana, "/unban bob")
    assert none == Error(ts=NOW, code=ErrorCode.NOT_BANNED, name="bob")


def test_bans_lists_for_whom_each_ban_was_made_and_until_when() -> None:
    hub = MemoryHub()
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana, bob = world.user("ana"), world.user("bob")
    [refused] = world.line(bob, "/bans")
    assert refused == Error(ts=NOW, code=ErrorCode.NOT_OPERATOR, command="bans")
    world.line(ana, f"/oper {PASSWORD}")
    [empty] = world.line(ana, "/bans")
    assert empty == Notice(ts=NOW, code=NoticeCode.BANS, count=0)
    hub.ban(Ban("192.0.2.7", NOW + 7200, "carol"))
    hub.ban(Ban("192.0.2.8", NOW + 60, "dave"))
    hub.ban(Ban("192.0.2.9", NOW - 1, "eve"))  # over
    [listed] = world.line(ana, "/bans")
    assert listed == Notice(
        ts=NOW,
        code=NoticeCode.BANS,
        names=("dave", "carol"),
        count=2,
        until=(NOW + 60, NOW + 7200),
    )


def test_a_ban_puts_out_everyone_else_at_its_address_but_operators() -> None:
    world = operators_world()
    ana, bob, bob2, held, carol, dave = (
        world.user(name, json=name == "held")
        for name in ("ana", "bob", "bob2", "held", "carol", "dave")
    )
    for session, address in ((ana, "192.0.2.1"), (dave, "192.0.2.1"), (carol, "192.0.2.9")):
        session.address = address
    for session in (bob, bob2, held):
        session.address = "192.0.2.7"
    world.line(dave, "/join #dev")
    world.line(bob2, "/join #dev")
    world.line(ana, f"/oper {PASSWORD}")
    world.drop(held)  # a program dropped from the address: held, gone with the rest
    assert world.chat.is_member(held)
    for session in world.sessions:
        world.take(session)
    ban = Ban("192.0.2.7", NOW + 1800.5, "bob", by="ana")
    world.apply(world.chat.settle(operators.put_out_at(world.chat, ban, NOW)))
    kicked = [
        Leave(ts=NOW, id=world.chat.shared.last_id() - 2 + n, name=name, reason=LeaveReason.KICKED,
              by="ana", ban=1800)
        for n, name in enumerate(("bob", "bob2", "held"))
    ]  # fmt: skip
    assert world.take(carol) == kicked
    assert world.take(dave) == kicked  # bob2 once, though they shared two rooms
    assert world.take(bob)[0] == kicked[0]
    assert world.take(bob2)[:2] == kicked[:2]  # bob went first
    assert not any(world.chat.is_member(s) for s in (bob, bob2, held))
    assert {bob.sid, bob2.sid} <= world.closed
    assert world.chat.is_member(ana) and world.chat.is_member(carol)


def test_an_operator_at_a_banned_address_stays_and_an_ended_ban_puts_out_nobody() -> None:
    world = operators_world()
    ana, bob = world.user("ana"), world.user("bob")
    ana.address = bob.address = "192.0.2.7"
    world.line(ana, f"/oper {PASSWORD}")
    assert operators.put_out_at(world.chat, Ban("192.0.2.7", NOW + 0.5, "eve", "ana"), NOW) == []
    [leave] = operators.put_out_at(world.chat, Ban("192.0.2.7", NOW + 60, "eve"), NOW)
    assert isinstance(leave, Publish) and leave.draft == Leave(
        ts=NOW, id=0, name="bob", reason=LeaveReason.KICKED, ban=60
    )


def test_ban_of_somebody_who_just_left_bans_the_address_they_left_from() -> None:
    """A hit-and-run flooder is gone before the operator types: the chat still knows where
    they came from a while; the shell puts out whoever else is there (``AddressBanned``)."""
    hub = MemoryHub()
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana, bob = world.user("ana"), world.user("Bob")
    bob.address = "192.0.2.7"
    world.line(ana, f"/oper {PASSWORD}")
    world.line(bob, "/quit")
    outputs = world.chat.handle_line(ana, "/ban bob 2h \x07flooding", NOW + 30)
    ban = Ban("192.0.2.7", NOW + 30 + 7200, "Bob", by="ana")
    told = Notice(ts=NOW + 30, code=NoticeCode.BANNED_GONE, names=("Bob",), until=(ban.until,))
    assert outputs == [Send(told, ana), AddressBanned(ban, ana, "flooding")]
    assert hub.banned("192.0.2.7", NOW + 60) == ban
    [listed] = world.line(ana, "/bans")
    assert isinstance(listed, Notice) and listed.names == ("Bob",)


def test_a_ban_that_reaches_the_log_after_its_user_left_bans_where_they_left_from() -> None:
    """Several servers: the operator's server decided the ban before it read bob's leave,
    which the log has first. Nobody is there to kick; that server bans the address instead,
    once (bob's own server is no longer bob's), and only while bob's name is free."""
    hub = MemoryHub()
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana = world.user("ana")
    world.line(ana, f"/oper {PASSWORD}")
    theirs = 1 << 40  # a member of another server
    kick = Leave(ts=NOW, id=9, name="bob", reason=LeaveReason.KICKED, text="spam", by="ana",
                 ban=600)  # fmt: skip
    route = Route(frozenset({"#lobby"}), to=(theirs, ana.sid), exclude=theirs)
    hub.claim("bob", theirs)
    still_here = world.chat.apply(kick, route, mine=True)
    assert AddressBanned not in map(type, still_here)
    assert Broadcast in map(type, still_here)  # the rooms are told: bob is still in them
    hub.release("bob", theirs)
    gone = world.chat.apply(kick, route, mine=True)
    assert gone == [Send(kick, ana)]  # told the operator alone: the rooms saw bob leave
    hub.note_departure("bob", "192.0.2.7", NOW - 1)
    ban = Ban("192.0.2.7", NOW + 600, "bob", "ana")
    assert AddressBanned(ban, ana, "spam") in world.chat.apply(kick, route, mine=True)
    assert hub.banned("192.0.2.7", NOW) == ban
    assert AddressBanned not in map(type, world.chat.apply(kick, route, mine=True))  # made


def bob_gone(address: str, how: str) -> tuple[MemoryHub, World, Session]:
    """ana, an operator, and bob, who came from ``address`` and has left by ``how`` (a line
    of ana's or of bob's); the hub and ana are returned."""
    hub = MemoryHub()
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana, bob = world.user("ana"), world.user("bob")
    bob.address = address
    world.line(ana, f"/oper {PASSWORD}")
    world.line(bob if how == "/quit" else ana, how)
    return hub, world, ana


def test_ban_of_somebody_kicked_already_bans_their_address() -> None:
    hub, world, ana = bob_gone("2001:db8::/64", "/kick bob enough")
    [told] = world.line(ana, "/ban bob 30m")
    assert told == Notice(ts=NOW, code=NoticeCode.BANNED_GONE, names=("bob",), until=(NOW + 1800,))
    assert hub.banned("2001:db8::/64", NOW) == Ban("2001:db8::/64", NOW + 1800, "bob", "ana")


def test_a_ban_of_somebody_gone_keeps_a_longer_ban_of_their_address() -> None:
    hub, world, ana = bob_gone("192.0.2.7", "/quit")
    longer = Ban("192.0.2.7", NOW + 86400, "eve", "ana")
    hub.ban(longer)
    outputs = world.chat.handle_line(ana, "/ban bob 30m", NOW)
    assert outputs == [
        Send(
            Notice(ts=NOW, code=NoticeCode.BANNED_GONE, names=("bob",), until=(longer.until,)), ana
        )
    ]
    assert hub.banned("192.0.2.7", NOW) == longer


def test_only_a_recent_departure_with_an_address_can_be_banned_and_a_rename_is_none() -> None:
    world = operators_world()
    ana, bob, carol, dave = (world.user(name) for name in ("ana", "bob", "carol", "dave"))
    bob.address = carol.address = "192.0.2.7"
    world.line(ana, f"/oper {PASSWORD}")
    world.line(bob, "/quit")
    world.line(carol, "/nick caroline")  # still here, under another name
    world.line(dave, "/quit")  # known from no address (a record of an older papo)
    for name, after in (("bob", DEPARTURE_SECONDS), ("carol", 0), ("dave", 0)):
        [error] = world.chat.handle_line(ana, f"/ban {name}", NOW + after)
        assert isinstance(error, Send) and isinstance(error.event, Error)
        assert error.event.code is ErrorCode.NO_SUCH_USER
