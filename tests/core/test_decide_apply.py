"""The chat decides (replies and drafts, nothing numbered) and then applies numbered events
(state and deliveries): the split a hub shared by several servers needs."""

from __future__ import annotations

from papo.core.outputs import Broadcast, Publish, Send
from papo.protocol.events import Message, Private, Topic
from tests.core.world import NOW, World


def test_deciding_writes_nothing_to_the_log_and_changes_no_history() -> None:
    world = World()
    ana = world.user("ana")
    world.line(ana, "/join #dev")
    logged = len(world.chat.shared.read_after(0))
    [publish] = world.chat.decide(ana, "hello dev", NOW)
    assert isinstance(publish, Publish) and isinstance(publish.draft, Message)
    assert publish.draft.id == 0 and publish.route.rooms == frozenset({"#dev"})
    [topic] = world.chat.decide(ana, "/topic plans", NOW)
    assert isinstance(topic, Publish) and isinstance(topic.draft, Topic)
    assert len(world.chat.shared.read_after(0)) == logged  # nothing numbered yet
    room = world.chat.rooms["#dev"]
    assert not room.history and room.topic is None  # nor applied


def test_applying_a_numbered_event_keeps_its_effects_and_delivers_it() -> None:
    world = World()
    ana = world.user("ana")
    world.line(ana, "/join #dev")
    [publish] = world.chat.decide(ana, "hello dev", NOW)
    assert isinstance(publish, Publish)
    event = world.chat.shared.append(publish.draft, publish.route)
    assert event is not None  # one process: numbered at once
    [broadcast] = world.chat.apply(event, publish.route)
    assert isinstance(broadcast, Broadcast) and broadcast.event == event and event.id > 0
    assert [m.text for m in world.chat.rooms["#dev"].history] == ["hello dev"]
    [topic] = world.chat.decide(ana, "/topic plans", NOW)
    assert isinstance(topic, Publish)
    numbered = world.chat.shared.append(topic.draft, topic.route)
    assert numbered is not None
    world.chat.apply(numbered, topic.route)
    assert world.chat.rooms["#dev"].topic == "plans"


def test_a_private_is_published_to_both_ends_in_order() -> None:
    world = World()
    ana, bob = world.user("ana"), world.user("bob")
    [publish] = world.chat.decide(ana, "/msg bob hi", NOW)
    assert isinstance(publish, Publish) and publish.route.to == (bob.sid, ana.sid)
    assert not publish.route.rooms
    sends = world.chat.settle([publish])
    assert [(type(o), o.to) for o in sends if isinstance(o, Send)] == [(Send, bob), (Send, ana)]
    assert all(isinstance(o, Send) and isinstance(o.event, Private) for o in sends)
