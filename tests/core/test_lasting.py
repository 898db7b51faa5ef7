"""Topics, locks and mutes outlive the log: a chat that starts after the log dropped the events
that set them (``--log-size``) still knows them."""

from __future__ import annotations

from papo.core.chat import ChatSettings
from papo.core.lasting import Lasting, lasting_key
from papo.hub.memory import MemoryHub
from papo.protocol.events import Join, Message, Mute, Topic, TopicShown
from tests.core.world import NOW, World

PASSWORD = "correct horse battery"


def topic(event_id: int, room: str = "#dev", locked: bool | None = None) -> Topic:
    return Topic(ts=NOW, id=event_id, room=room, by="ana", text=f"t{event_id}", locked=locked)


def mute(event_id: int, name: str = "bob", seconds: int = 60) -> Mute:
    return Mute(ts=NOW, id=event_id, name=name, by="ana", seconds=seconds)


def test_each_lasting_event_has_the_key_of_what_it_sets() -> None:
    assert lasting_key(topic(1, "#Dev")) == lasting_key(topic(2, "#dev")) == "topic #dev"
    assert lasting_key(topic(3, "#dev", locked=True)) == "lock #dev"
    assert lasting_key(topic(4, "#dev", locked=False)) == "lock #dev"
    assert lasting_key(topic(5, "")) == "topic "  # a protocol-1 log's: the default room
    assert lasting_key(mute(6, "Bob")) == lasting_key(mute(7, "bob", 0)) == "mute bob"
    assert lasting_key(Message(ts=NOW, id=8, sender="ana", text="hi")) is None
    assert lasting_key(Join(ts=NOW, id=9, name="ana")) is None


def test_the_newest_of_each_key_is_kept_whatever_order_they_come_in() -> None:
    lasting = Lasting()
    for event in (topic(1), mute(2), Message(ts=NOW, id=3, sender="a", text="x"), topic(4)):
        lasting.keep(event)
    lasting.keep(topic(0))  # older, read back from elsewhere: changes nothing
    lasting.keep(topic(5, locked=True))
    assert lasting.events() == [mute(2), topic(4), topic(5, locked=True)]
    assert lasting.before(4) == [mute(2)]  # the log from 4 on has the others
    assert lasting.before(0) == lasting.events()  # an empty log has none


def test_past_the_limit_the_key_written_least_recently_goes() -> None:
    lasting = Lasting(limit=2)
    for event in (mute(1, "a"), mute(2, "b"), mute(3, "a"), mute(4, "c")):
        lasting.keep(event)
    assert lasting.events() == [mute(3, "a"), mute(4, "c")]
    assert len(lasting) == 2


def test_a_chat_started_after_the_log_dropped_them_knows_topics_locks_and_mutes() -> None:
    """As a restart with --store, or a server started late, finds a chat that ran a while."""
    hub = MemoryHub(log_size=5)
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, f"/oper {PASSWORD}")
    world.line(bob, "/topic before")
    world.line(bob, "/topic welcome")
    world.line(ana, "/locktopic")
    world.line(ana, "/mute bob 1h")
    world.line(ana, "/mute eve 1h")
    world.line(ana, "/unmute eve")
    for n in range(10):
        world.line(ana, f"line {n}")
    assert not [event for event, _ in hub.read_after(0) if lasting_key(event) is not None]

    again = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    assert again.chat.mutes.until("bob", NOW) == NOW + 3600
    assert again.chat.mutes.until("eve", NOW) is None
    carol = again.user("carol")
    [shown] = again.line(carol, "/topic")
    assert shown == TopicShown(ts=NOW, room="#lobby", by="bob", text="welcome", locked=True, at=NOW)


def test_what_the_log_still_has_is_read_from_the_log_alone() -> None:
    """A lasting event the log has is not read twice: the log's order decides."""
    hub = MemoryHub(log_size=100)
    world = World(ChatSettings(oper_password=PASSWORD), hub=hub)
    bob = world.user("bob")
    world.line(bob, "/topic welcome")
    assert hub.lasting() == []
    assert World(hub=hub).chat.rooms.default.topic == "welcome"
