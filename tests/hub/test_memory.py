"""The in-process hub: names claimed and released, one id counter, the log read after an id."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from papo.core.shared import Route
from papo.hub.memory import MemoryHub
from papo.protocol.events import Action, Join, Message, Private
from papo.protocol.names import name_key, room_key

NOW = 1_700_000_000.0


def test_a_name_is_held_by_one_holder_and_its_look_alikes_with_it() -> None:
    hub = MemoryHub()
    assert hub.claim("joe", 1) is None
    assert hub.claim("JOE", 2) == "joe"  # the same name
    assert hub.claim("јое", 2) == "joe"  # Cyrillic: looks the same
    assert hub.holder("Joe") == 1 and hub.holder("јое") is None
    hub.release("joe", 2)  # not its holder: nothing happens
    assert hub.holder("joe") == 1
    hub.release("joe", 1)
    assert hub.claim("јое", 2) is None and hub.count() == 1


def test_renaming_to_a_look_alike_of_ones_own_name_keeps_the_name_held() -> None:
    hub = MemoryHub()
    assert hub.claim("Ana", 1) is None
    assert hub.claim("ana", 1) is None  # same holder: a rename
    hub.release("Ana", 1)  # the old spelling only
    assert hub.holder("ana") == 1 and hub.names() == ("ana",)
    assert hub.claim("ΑΝΑ", 2) == "ana"


def test_names_are_listed_sorted_by_their_folded_form() -> None:
    hub = MemoryHub()
    for holder, name in enumerate(["bob", "Ana", "carol", "álvaro"]):
        assert hub.claim(name, holder) is None
    assert hub.names() == ("Ana", "bob", "carol", "álvaro")
    hub.release("bob", 0)
    assert hub.names() == ("Ana", "carol", "álvaro") and hub.count() == 3


def test_append_numbers_with_one_counter_and_the_log_reads_after_an_id() -> None:
    hub = MemoryHub(log_size=3)
    lobby, ana = Route(frozenset({"#lobby"})), Route(to=(1,))
    first = hub.append(Join(ts=NOW, id=0, name="ana"), lobby)
    second = hub.append(Message(ts=NOW, id=0, sender="ana", text="hi"), ana)
    assert (first.id, second.id) == (1, 2) and second.text == "hi"
    assert hub.read_after(0) == [(first, lobby), (second, ana)]  # each with its route
    assert hub.read_after(1) == [(second, ana)]
    assert hub.read_after(2) == [] and hub.last_id() == 2 and hub.oldest_id() == 1
    for number in range(3):
        hub.append(Message(ts=NOW, id=0, sender="ana", text=str(number)), lobby)
    assert [event.id for event, _ in hub.read_after(0)] == [3, 4, 5]  # only the last 3 are kept
    assert hub.oldest_id() == 3


@given(st.lists(st.integers(min_value=0, max_value=30), max_size=40), st.integers(1, 10))
def test_read_after_gives_exactly_the_kept_events_above_the_id(
    reads: list[int], log_size: int
) -> None:
    hub = MemoryHub(log_size=log_size)
    appended = [hub.append(Join(ts=NOW, id=0, name=f"u{n}"), Route()) for n in range(20)]
    kept = appended[-log_size:]
    for last_id in reads:
        read = [event for event, _ in hub.read_after(last_id)]
        assert read == [event for event in kept if event.id > last_id]


ROOMS = ("#dev", "#Dev", "#ops", "#lobby", "")  # #Dev is #dev; "": a protocol-1 event
KINDS = ("message", "action", "join")


def said(kind: str, room: str, n: int) -> Message | Action | Join:
    if kind == "message":
        return Message(ts=NOW, id=0, sender="ana", text=str(n), room=room)
    if kind == "action":
        return Action(ts=NOW, id=0, sender="ana", text=str(n), room=room)
    return Join(ts=NOW, id=0, name=f"u{n}", room=room)


@given(
    st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(ROOMS)), max_size=60),
    st.integers(0, 12),
)
def test_what_was_said_in_a_room_is_the_logs_messages_and_actions_of_that_room(
    events: list[tuple[str, str]], log_size: int
) -> None:
    """``/history`` reads a room's messages from an index that must stay the log's own, as
    the log drops its oldest: every room (its key) has exactly the log's, in order."""
    hub = MemoryHub(log_size=log_size)
    for n, (kind, room) in enumerate(events):
        route = Route(frozenset((room_key(room),))) if room else Route()
        if n % 2:
            hub.append(said(kind, room, n), route)
        else:  # as a replica of a log numbered elsewhere keeps it
            hub.keep(replace(said(kind, room, n), id=hub.last_id() + 1), route)
    log = hub.read_after(0)
    assert len(log) == min(len(events), log_size)
    for key in ("#dev", "#ops", "#lobby", "#nowhere"):
        expected = [
            logged
            for logged in log
            if isinstance(logged[0], Message | Action)
            and logged[0].room
            and room_key(logged[0].room) == key
        ]
        assert list(hub.said_in(key)) == expected


@given(
    st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4), st.booleans()), max_size=60),
    st.integers(0, 12),
)
def test_the_privates_of_a_member_are_the_logs_privates_for_that_member(
    privates: list[tuple[int, int, bool]], log_size: int
) -> None:
    """``/history NAME`` reads one's privates from an index kept as the rooms' is: each
    member has exactly the log's privates that were for it (sent or received), in order."""
    hub = MemoryHub(log_size=log_size)
    for n, (sender, recipient, public) in enumerate(privates):
        if public:  # a room's message between them: in no member's privates
            hub.append(said("message", "#dev", n), Route(frozenset(("#dev",))))
            continue
        private = Private(ts=0.0, id=0, sender=f"u{sender}", recipient=f"u{recipient}", text="")
        to = (recipient, sender) if recipient != sender else (sender,)
        hub.append(private, Route(to=to, author=sender))
    log = hub.read_after(0)
    for member in range(1, 6):
        expected = [
            logged for logged in log if isinstance(logged[0], Private) and member in logged[1].to
        ]
        assert list(hub.privates_of(member)) == expected


def test_presence_says_who_is_in_which_room_by_their_current_names() -> None:
    hub = MemoryHub()
    for holder, name in ((1, "Zoe"), (2, "ana"), (3, "bob")):
        assert hub.claim(name, holder) is None
    for holder in (1, 2, 3):
        hub.enter("#lobby", holder, "#Lobby")
    hub.enter("#dev", 1, "#Dev")
    hub.enter("#dev", 2, "#dev")  # named by who made it
    hub.enter("#dev", 9, "#dev")  # present without a name (released first, say): counted, not named
    assert hub.room_names("#dev") == ("ana", "Zoe") and hub.room_count("#dev") == 3
    assert hub.room_name("#dev") == "#Dev" and set(hub.room_holders("#dev")) == {1, 2, 9}
    assert sorted(hub.rooms_of(1)) == ["#dev", "#lobby"] and hub.rooms_of(7) == ()
    hub.exit("#dev", 9)
    assert hub.room_count("#lobby") == 3
    assert hub.claim("Zed", 1) is None  # a rename: the new name is the one listed
    hub.release("Zoe", 1)
    assert hub.room_names("#dev") == ("ana", "Zed")
    hub.exit("#dev", 1)
    hub.exit("#dev", 2)
    hub.exit("#nowhere", 2)  # nothing to do
    assert hub.room_counts() == {"#lobby": 3}  # an empty room is not listed
    assert hub.room_count("#dev") == 0 and hub.room_names("#dev") == ()
    assert hub.room_name("#dev") is None  # gone with its last member


def test_away_is_kept_by_holder_and_ends_with_the_name() -> None:
    hub = MemoryHub()
    assert hub.claim("ana", 1) is None and hub.claim("bob", 2) is None
    hub.set_away(1, "lunch")
    hub.set_away(2, "out")
    hub.set_away(2, None)
    assert hub.aways() == {1: "lunch"} and hub.name_of(1) == "ana"
    hub.release("ana", 1)
    assert hub.aways() == {} and hub.name_of(1) is None


@given(
    st.lists(st.text(alphabet="aAbBcCzZ", min_size=1, max_size=4), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=40), max_size=40),
)
def test_a_rooms_names_are_sorted_by_the_name_rules_whatever_its_size(
    names: list[str], present: list[int]
) -> None:
    """Small rooms sort their names; rooms of most of the chat pick them from the kept order:
    the same answer either way."""
    hub = MemoryHub()
    holders = {}
    for holder, name in enumerate(names):
        if hub.claim(name, holder) is None:
            holders[holder] = name
    for holder in present:
        hub.enter("#r", holder, "#r")
    expected = sorted((holders[h] for h in set(present) if h in holders), key=name_key)
    assert hub.room_names("#r") == tuple(expected)
