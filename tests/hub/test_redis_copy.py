"""A server's copy of a chat shared in Redis, changed as the stream says, with no Redis: each
change another server makes (a step of ``redis_scripts.STEPS``) and each member of a snapshot
lands in the copy as the chat on this server needs to read it."""

from __future__ import annotations

import json

from papo.core.bans import Ban
from papo.core.departures import DEPARTURE_SECONDS, Departure
from papo.hub.redis_copy import ChatCopy, Moved
from papo.hub.redis_records import MEMBER_ID_BITS, ban_json

HERE, THERE, THIRD = 1, 2, 3
MINE = (HERE << MEMBER_ID_BITS) + 1
THEIRS = (THERE << MEMBER_ID_BITS) + 1
ALSO_THEIRS = (THERE << MEMBER_ID_BITS) + 2
NOW = 1_700_000_000.0


def test_a_member_of_another_server_arrives_with_the_time_it_came() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", repr(NOW), HERE, NOW)
    assert copy.holder("ANA") == THEIRS
    assert copy.since(THEIRS) == NOW
    copy.apply("claim", THEIRS, "ana", repr(NOW + 60), HERE, NOW)  # sent again: still since then
    assert copy.since(THEIRS) == NOW


def test_a_name_given_by_redis_puts_out_whoever_the_copy_still_had_under_it() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", "", HERE, NOW)
    copy.apply("claim", ALSO_THEIRS, "Ana", "", HERE, NOW)  # ana left; the copy had not read it
    assert copy.holder("ana") == ALSO_THEIRS
    assert copy.name_of(THEIRS) is None
    assert copy.names() == ("Ana",)


def test_a_release_takes_the_member_out_of_its_rooms_and_forgets_it() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", repr(NOW), HERE, NOW)
    copy.apply("enter", THEIRS, "#dev", "#Dev", HERE, NOW)
    copy.apply("enter", THEIRS, "#lobby", "#lobby", HERE, NOW)
    copy.apply("moved", THEIRS, str(THIRD), "", HERE, NOW)
    assert copy.room_names("#dev") == ("ana",)
    copy.apply("release", THEIRS, "ana", "", HERE, NOW)
    assert copy.count() == 0
    assert copy.rooms_of(THEIRS) == ()
    assert copy.room_count("#dev") == 0
    assert copy.since(THEIRS) is None
    assert copy.server_holding(THEIRS) == THERE  # its id's again


def test_a_release_of_an_old_name_keeps_a_renamed_member() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", repr(NOW), HERE, NOW)
    copy.apply("enter", THEIRS, "#lobby", "#lobby", HERE, NOW)
    copy.apply("claim", THEIRS, "anita", "", HERE, NOW)  # /nick: the new name first
    copy.apply("release", THEIRS, "ana", "", HERE, NOW)
    assert copy.name_of(THEIRS) == "anita"
    assert copy.rooms_of(THEIRS) == ("#lobby",)
    assert copy.since(THEIRS) == NOW
    assert copy.departure("ana", NOW) is None  # a rename is no departure: nothing to ban


def test_a_departure_read_with_its_address_can_be_banned_for_a_while() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "Ana", repr(NOW), HERE, NOW)
    copy.apply("release", THEIRS, "Ana", "2001:db8::/64", HERE, NOW + 5)  # Redis added it
    assert copy.name_of(THEIRS) is None
    assert copy.departure("ana", NOW + 60) == Departure("Ana", "2001:db8::/64", NOW + 5)
    assert copy.departure("ana", NOW + 5 + DEPARTURE_SECONDS) is None


def test_away_exit_operator_and_bans_change_the_copy() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", "", HERE, NOW)
    copy.apply("enter", THEIRS, "#dev", "#dev", HERE, NOW)
    copy.apply("away", THEIRS, "almoço", "", HERE, NOW)
    assert copy.aways() == {THEIRS: "almoço"}
    copy.apply("away", THEIRS, "", "", HERE, NOW)
    assert copy.aways() == {}
    copy.apply("exit", THEIRS, "#dev", "", HERE, NOW)
    assert copy.rooms_of(THEIRS) == ()
    copy.apply("operator", THEIRS, "", "", HERE, NOW)
    assert copy.is_operator(THEIRS)
    ban = Ban("192.0.2.7", NOW + 3600, "bob")
    assert copy.apply("ban", 0, ban.address, ban_json(ban), HERE, NOW) == ban  # its server acts
    assert copy.banned("192.0.2.7", NOW) == ban
    assert copy.apply("unban", 0, "192.0.2.7", "", HERE, NOW) is None
    assert copy.banned("192.0.2.7", NOW) is None


def test_a_step_this_papo_does_not_know_changes_nothing() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", "", HERE, NOW)
    assert copy.apply("teleport", THEIRS, "#dev", "", HERE, NOW) is None
    assert copy.names() == ("ana",)
    assert copy.rooms_of(THEIRS) == ()


def test_a_member_that_moves_is_told_and_depends_on_its_new_server() -> None:
    copy = ChatCopy()
    copy.apply("claim", THEIRS, "ana", "", HERE, NOW)
    assert copy.apply("moved", THEIRS, str(HERE), "", HERE, NOW) == Moved(THEIRS, False)
    assert copy.server_holding(THEIRS) == HERE
    assert copy.held_elsewhere(HERE) == {}


def test_a_member_of_this_server_taken_over_in_a_burial_says_it_was_buried() -> None:
    copy = ChatCopy()
    copy.claim("bea", MINE)
    assert copy.apply("moved", MINE, str(THERE), "buried", HERE, NOW) == Moved(MINE, True)
    # Another server's member moved in a burial: this server was not the one buried.
    copy.apply("claim", THEIRS, "ana", "", HERE, NOW)
    assert copy.apply("moved", THEIRS, str(THIRD), "buried", HERE, NOW) == Moved(THEIRS, False)


def test_members_are_grouped_by_the_server_whose_lease_they_depend_on() -> None:
    copy = ChatCopy()
    copy.claim("bea", MINE)
    copy.apply("claim", THEIRS, "ana", "", HERE, NOW)
    copy.apply("claim", ALSO_THEIRS, "caio", "", HERE, NOW)
    copy.apply("moved", ALSO_THEIRS, str(THIRD), "", HERE, NOW)
    assert copy.held_elsewhere(HERE) == {THERE: [THEIRS], THIRD: [ALSO_THEIRS]}
    assert copy.held_elsewhere(THERE) == {HERE: [MINE], THIRD: [ALSO_THEIRS]}


def test_a_snapshot_member_comes_with_its_rooms_away_and_server() -> None:
    copy = ChatCopy()
    state = {
        "n": "ana",
        "s": THIRD,
        "t": NOW,
        "r": {"#dev": "#Dev", "#lobby": "#lobby"},
        "a": "fora",
        "p": 1,
    }
    copy.load_member(THEIRS, json.loads(json.dumps(state)))
    assert copy.name_of(THEIRS) == "ana"
    assert copy.since(THEIRS) == NOW
    assert copy.server_holding(THEIRS) == THIRD
    assert sorted(copy.rooms_of(THEIRS)) == ["#dev", "#lobby"]
    assert copy.room_name("#dev") == "#Dev"
    assert copy.aways() == {THEIRS: "fora"}
    assert copy.is_operator(THEIRS)


def test_a_snapshot_member_on_its_own_server_with_nothing_more() -> None:
    copy = ChatCopy()
    copy.load_member(THEIRS, {"n": "ana", "s": THERE, "t": NOW})
    assert copy.server_holding(THEIRS) == THERE
    assert copy.rooms_of(THEIRS) == ()
    assert copy.aways() == {}
    assert not copy.is_operator(THEIRS)
