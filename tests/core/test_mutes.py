"""Mutes, driven directly: ``/mute`` and ``/unmute`` (operators only), what a muted person may
still do, and the mute's end."""

from __future__ import annotations

from papo.core.chat import ChatSettings
from papo.core.mutes import DEFAULT_MUTE_SECONDS, MuteList
from papo.core.session import Session
from papo.hub.memory import MemoryHub
from papo.protocol.events import Error, ErrorCode, Event, Message, Mute, Private, Whois
from papo.protocol.render import Renderer
from papo.protocol.timestamps import format_timestamp
from tests.core.world import NOW, World

PASSWORD = "correct horse battery"


def one(events: list[Event]) -> Event:
    [event] = events
    return event


def muted_world(hub: MemoryHub | None = None) -> tuple[World, Session, Session, Session]:
    """ana (an operator), bob and eve, all in the lobby and #dev; nothing waiting for them."""
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana, bob, eve = world.user("ana"), world.user("bob"), world.user("eve")
    world.line(ana, f"/oper {PASSWORD}")
    for session in (ana, bob, eve):
        world.line(session, "/join #dev")
    for session in (ana, bob, eve):
        world.take(session)
    return world, ana, bob, eve


def muted_until(seconds: int) -> Error:
    return Error(ts=NOW, code=ErrorCode.MUTED, extra={"until": format_timestamp(NOW + seconds)})


def test_a_mute_list_keeps_a_name_quiet_until_its_end() -> None:
    mutes = MuteList()
    mutes.mute("Bob", NOW + 60)
    assert mutes.until("ＢＯＢ", NOW) == NOW + 60  # as names compare
    assert mutes.until("bob", NOW + 60) is None and len(mutes) == 0  # over, and forgotten
    mutes.mute("bob", NOW + 60)
    mutes.lift("BOB")
    assert mutes.until("bob", NOW) is None


def test_a_muted_user_reads_but_talks_only_to_operators() -> None:
    world, ana, bob, eve = muted_world()
    refused = one(world.line(bob, "/mute eve"))
    assert refused == Error(ts=NOW, code=ErrorCode.NOT_OPERATOR, command="mute")
    world.take(bob)
    muted = one(world.line(ana, "/mute bob 30m flooding #dev"))
    assert isinstance(muted, Mute)
    assert muted == Mute(
        ts=NOW, id=muted.id, name="bob", by="ana", seconds=1800, text="flooding #dev"
    )
    world.take(ana)
    assert world.take(bob) == [muted] == world.take(eve)  # once each, both rooms shared
    for line, command in (
        ("hello?", None),
        ("/me sulks", None),
        ("/msg #lobby hello?", None),
        ("/msg eve psst", "private"),
        ("/notice eve psst", "notice"),
        ("/topic mine now", "topic"),
        ("/nick robert", "nick"),
        ("/invite eve #dev", "invite"),
    ):
        error = one(world.line(bob, line))
        assert isinstance(error, Error) and error.code is ErrorCode.MUTED, line
        assert error.command == command and error.extra == muted_until(1800).extra, line
        world.take(bob)
    assert world.take(eve) == [] and world.take(ana) == []
    said = one(world.line(bob, "/msg ana why?"))  # asking an operator goes through
    assert isinstance(said, Private) and world.take(ana) == [said]
    world.take(bob)
    whois = one(world.line(eve, "/whois bob"))  # anybody may see it, and for how long
    assert isinstance(whois, Whois) and whois.muted == NOW + 1800
    assert Renderer("en").text(whois).endswith(b"\n  muted for another 30 minutes\n")
    world.take(eve)
    # Its end: the same line goes through once the time is up.
    world.apply(world.chat.handle_line(bob, "back", NOW + 1800))
    [message] = world.take(eve)
    assert isinstance(message, Message) and message.text == "back"


def test_unmute_lifts_it_for_everybody_told_of_it_and_a_name_not_muted_is_said() -> None:
    world, ana, bob, eve = muted_world()
    world.line(ana, "/mute bob")
    assert world.chat.mutes.until("bob", NOW) == NOW + DEFAULT_MUTE_SECONDS
    for session in (ana, bob, eve):
        world.take(session)
    lifted = one(world.line(ana, "/unmute BOB"))
    assert isinstance(lifted, Mute) and (lifted.name, lifted.seconds) == ("bob", 0)
    assert world.take(bob) == [lifted] == world.take(eve)
    world.take(ana)
    said = one(world.line(bob, "sorry"))
    assert isinstance(said, Message)
    assert one(world.line(ana, "/unmute bob")) == Error(
        ts=NOW, code=ErrorCode.NOT_MUTED, name="bob"
    )
    world.take(ana)
    yourself = one(world.line(ana, "/mute ana"))
    assert isinstance(yourself, Error) and yourself.code is ErrorCode.USAGE
    world.take(ana)
    gone = one(world.line(ana, "/mute carol"))
    assert isinstance(gone, Error) and gone.code is ErrorCode.NO_SUCH_USER


def test_a_mute_is_of_the_name_and_read_back_from_the_log() -> None:
    """Leaving and coming back under the same name keeps it; a server that starts on the log
    (a restart with --store, another server of the chat) knows it."""
    hub = MemoryHub()
    world, ana, bob, _eve = muted_world(hub)
    world.line(ana, "/mute bob 1h")
    world.line(bob, "/quit")
    again = world.user("Bob")
    assert one(world.line(again, "hi")) == muted_until(3600)
    restarted = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    assert restarted.chat.mutes.until("bob", NOW) == NOW + 3600
    world.line(ana, "/unmute bob")
    assert World(ChatSettings(), hub=hub).chat.mutes.until("bob", NOW) is None


def test_a_name_that_has_just_left_can_be_muted_for_when_it_comes_back() -> None:
    world, ana, bob, eve = muted_world()
    bob.address = "192.0.2.7"
    world.line(bob, "/quit")
    world.take(eve)
    muted = one(world.line(ana, "/mute BOB 1h flooding"))
    assert isinstance(muted, Mute) and (muted.name, muted.seconds, muted.text) == (
        "bob",
        3600,
        "flooding",
    )
    assert world.take(eve) == []  # told to the operator alone: bob is in no room
    again = world.user("bob")
    assert one(world.line(again, "hi")) == muted_until(3600)
    assert one(world.line(ana, "/unmute bob")) == Mute(
        ts=NOW, id=muted.id + 2, name="bob", by="ana", seconds=0
    )
