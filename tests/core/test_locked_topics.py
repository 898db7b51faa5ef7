"""Locked topics, driven directly: ``/locktopic`` and ``/unlocktopic`` (operators only), and
``/topic`` of a locked room refused to everybody else."""

from __future__ import annotations

from papo.core.chat import ChatSettings
from papo.core.shared import Route
from papo.hub.memory import MemoryHub
from papo.protocol.events import Error, ErrorCode, Event, Topic, TopicShown
from tests.core.world import NOW, World

PASSWORD = "correct horse battery"


def one(events: list[Event]) -> Event:
    [event] = events
    return event


def topic(events: list[Event]) -> Topic:
    event = one(events)
    assert isinstance(event, Topic), event
    return event


def test_an_operator_locks_a_topic_that_only_operators_may_then_change() -> None:
    world = World(ChatSettings(oper_password=PASSWORD))
    ana, bob, eve = world.user("ana"), world.user("bob"), world.user("eve")
    for session in (bob, eve):
        world.line(session, "/join #dev")
    world.line(bob, "/topic the build is green")
    world.line(ana, f"/oper {PASSWORD}")
    for session in (ana, bob, eve):
        world.take(session)
    refused = one(world.line(bob, "/locktopic #dev"))
    assert refused == Error(ts=NOW, code=ErrorCode.NOT_OPERATOR, command="locktopic")
    world.take(bob)
    # The operator need not be in the room: told once, as its members are.
    locked = topic(world.line(ana, "/locktopic #DEV"))
    assert locked == Topic(
        ts=NOW, id=locked.id, room="#dev", by="ana", text="the build is green", locked=True
    )
    assert world.take(bob) == [locked] == world.take(eve)
    assert one(world.line(eve, "/topic mine now")) == Error(
        ts=NOW, code=ErrorCode.TOPIC_LOCKED, extra={"room": "#dev"}
    )
    world.take(eve)
    shown = one(world.line(eve, "/topic"))
    assert shown == TopicShown(
        ts=NOW, room="#dev", by="bob", text="the build is green", locked=True, at=NOW
    )
    assert one(world.line(ana, "/locktopic #dev")) == shown  # locked already: nobody told
    assert world.take(bob) == []
    world.line(ana, "/join #dev")
    for session in (ana, bob, eve):
        world.take(session)
    changed = topic(world.line(ana, "/topic release on friday"))
    assert changed == Topic(ts=NOW, id=changed.id, room="#dev", by="ana", text="release on friday")
    assert world.take(eve) == [changed]
    world.take(ana)
    unlocked = one(world.line(ana, "/unlocktopic"))  # the room one talks in
    assert isinstance(unlocked, Topic) and unlocked.locked is False
    assert unlocked.text == "release on friday"
    assert world.take(eve) == [unlocked]
    cleared = one(world.line(eve, "/topic -delete"))
    assert isinstance(cleared, Topic) and cleared.text == "" and cleared.locked is None


def test_lock_commands_name_an_existing_room_and_take_nothing_more() -> None:
    world = World(ChatSettings(oper_password=PASSWORD))
    ana = world.user("ana")
    world.line(ana, f"/oper {PASSWORD}")
    world.take(ana)
    nowhere = one(world.line(ana, "/locktopic #nowhere"))
    assert isinstance(nowhere, Error) and nowhere.code is ErrorCode.NO_SUCH_ROOM
    more = one(world.line(ana, "/unlocktopic #lobby please"))
    assert more == Error(ts=NOW, code=ErrorCode.USAGE, command="unlocktopic")
    world.line(ana, "/part")
    world.take(ana)
    assert one(world.line(ana, "/locktopic")) == Error(ts=NOW, code=ErrorCode.NO_ROOM)


def test_a_lock_is_read_back_from_the_log_and_changes_no_topic() -> None:
    """A server that starts on a log (a restart with --store, another server of the chat)
    knows which topics are locked, and a lock changes no topic, whatever text it repeats."""
    hub = MemoryHub()
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana, bob = world.user("ana"), world.user("bob")
    world.line(bob, "/topic welcome")
    world.line(ana, f"/oper {PASSWORD}")
    world.line(ana, "/locktopic")
    stale = Topic(ts=NOW, id=0, room="#lobby", by="ana", text="stale", locked=True)
    hub.append(stale, Route(frozenset({"#lobby"})))
    for gone in (ana, bob):  # with the first server (its ids are the next one's again)
        world.line(gone, "/quit")
    again = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    carol = again.user("carol")
    assert one(again.line(carol, "/topic #lobby")) == TopicShown(
        ts=NOW, room="#lobby", by="bob", text="welcome", locked=True, at=NOW
    )
    refused = one(again.line(carol, "/topic mine"))
    assert isinstance(refused, Error) and refused.code is ErrorCode.TOPIC_LOCKED
