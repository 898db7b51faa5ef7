"""A member shown a room's list while this server's own changes are on their way to the log is
not told those changes again when they come back numbered (several servers number later)."""

from __future__ import annotations

from collections import deque

from papo.core.shared import Logged, Numbered, Route
from papo.core.shown_early import ShownEarly
from papo.hub.memory import MemoryHub
from papo.protocol.events import Join, Joined, Leave, Message, Nick, Welcome
from tests.core.world import World


def test_a_list_shown_with_a_draft_on_its_way_hides_that_draft_from_its_member() -> None:
    early = ShownEarly()
    early.shown(7, "#lobby")  # nothing on its way: nothing to remember
    early.published()  # draft 1
    early.shown(8, "#lobby")  # had draft 1 in it
    early.published()  # draft 2
    early.shown(9, "#dev")  # had drafts 1 and 2 in it
    assert early.came_back({"#lobby"}) == {8: {"#lobby"}}  # 9 was shown #dev, not the lobby
    assert early.came_back({"#dev", "#lobby"}) == {9: {"#dev"}}  # 8's had not draft 2 in it
    early.published()
    assert early.came_back({"#dev"}) == {}  # shown before it was published


def test_drafts_the_log_lost_still_count_in_order() -> None:
    early = ShownEarly()
    early.published()
    early.published()
    early.shown(8, "#lobby")
    early.published()
    early.lost(2)  # drafts 1 and 2 never come back
    assert early.came_back({"#lobby"}) == {}  # draft 3: shown before it


class NumbersLater(MemoryHub):
    """A hub that numbers a draft only when told to, as Redis does a moment later (what
    ``SharedState.append`` allows; ``MemoryHub`` promises more, hence the override)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: deque[Logged] = deque()

    def append(self, draft: Numbered, route: Route) -> Numbered | None:  # type: ignore[override]
        self.waiting.append((draft, route))
        return None

    def number_one(self) -> Logged:
        draft, route = self.waiting.popleft()
        return super().append(draft, route), route


def numbered_later() -> tuple[World, NumbersLater]:
    hub = NumbersLater()
    return World(hub=hub), hub


def number_all(world: World, hub: NumbersLater) -> None:
    while hub.waiting:
        event, route = hub.number_one()
        world.apply(world.chat.apply(event, route, mine=True))


def test_an_arrival_listed_in_a_welcome_is_not_announced_to_it_again() -> None:
    world, hub = numbered_later()
    ana = world.user("ana")
    bob = world.user("bob")  # ana's arrival is not numbered yet, and bob's welcome lists her
    [welcome] = world.take(bob)
    assert isinstance(welcome, Welcome) and welcome.users == ("ana", "bob")
    number_all(world, hub)
    assert world.take(bob) == []
    assert [type(e) for e in world.take(ana)] == [Welcome, Join]  # bob came after her welcome


def test_a_departure_made_before_a_welcome_is_not_told_to_whom_never_saw_the_leaver() -> None:
    world, hub = numbered_later()
    ana, carol = world.user("ana"), world.user("carol")
    number_all(world, hub)
    world.take(ana)
    world.line(carol, "/quit")  # carol is out of the lobby at once; her leave is on its way
    bob = world.user("bob")
    [welcome] = world.take(bob)
    assert isinstance(welcome, Welcome) and welcome.users == ("ana", "bob")
    number_all(world, hub)
    assert world.take(bob) == []
    assert [(type(e), getattr(e, "name", None)) for e in world.take(ana)] == [
        (Leave, "carol"),
        (Join, "bob"),
    ]


def test_words_on_their_way_are_not_in_any_list_and_still_reach_a_newcomer() -> None:
    world, hub = numbered_later()
    ana = world.user("ana")
    number_all(world, hub)
    world.line(ana, "hello")  # not numbered yet: in no history the newcomer is sent
    bob = world.user("bob")
    number_all(world, hub)
    [welcome, said] = world.take(bob)
    assert isinstance(welcome, Welcome) and isinstance(said, Message) and said.text == "hello"


def test_a_room_joined_while_another_joins_lists_them_and_does_not_announce_them() -> None:
    world, hub = numbered_later()
    ana, bob = world.user("ana"), world.user("bob")
    number_all(world, hub)
    world.line(ana, "/join #dev")
    [joined] = [e for e in world.line(bob, "/join #dev") if isinstance(e, Joined)]
    assert joined.users == ("ana", "bob")
    world.take(bob)
    number_all(world, hub)
    assert [e for e in world.take(bob) if getattr(e, "room", None) == "#dev"] == []


def test_a_new_name_is_hidden_from_whom_saw_it_listed_but_not_from_its_owner() -> None:
    world, hub = numbered_later()
    ana, bob = world.user("ana"), world.user("bob")
    number_all(world, hub)
    world.line(ana, "/nick anna")  # on its way
    world.line(ana, "/join #lobby")  # ana's own list, with anna in it
    [joined] = [e for e in world.line(bob, "/join #lobby") if isinstance(e, Joined)]
    assert joined.users == ("anna", "bob")
    world.take(ana), world.take(bob)
    number_all(world, hub)
    assert world.take(bob) == []
    assert [(type(e), getattr(e, "new", None)) for e in world.take(ana)] == [(Nick, "anna")]


def test_a_member_shown_one_room_again_still_hears_of_a_departure_from_its_others() -> None:
    world, hub = numbered_later()
    ana, bob = world.user("ana"), world.user("bob")
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    number_all(world, hub)
    world.line(ana, "/quit")  # out of the lobby and #dev at once; her leave is on its way
    [joined] = [e for e in world.line(bob, "/join #dev") if isinstance(e, Joined)]
    assert joined.users == ("bob",)  # #dev shown again, without her; the lobby was not
    world.take(bob)
    number_all(world, hub)
    assert [(type(e), getattr(e, "name", None)) for e in world.take(bob)] == [(Leave, "ana")]
