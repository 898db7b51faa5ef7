"""A server's copy of a chat shared in Redis, changed as the stream says, with no Redis: each
change another server makes (a step of ``redis_scripts.STEPS``) and each member of a snapshot
lands in the copy as the chat on this server needs to read it."""

from __future__ import annotations

import json

from papo.core.bans import Ban
from papo.hub.redis_records import MEMBER_ID_BITS, ban_json
from papo.hub.redis_replica import Moved, Replica

HERE, THERE, THIRD = 1, 2, 3
MINE = (HERE << MEMBER_ID_BITS) + 1
THEIRS = (THERE << MEMBER_ID_BITS) + 1
ALSO_THEIRS = (THERE << MEMBER_ID_BITS) + 2
NOW = 1_700_000_000.0


def test_a_member_of_another_server_arrives_with_the_time_it_came() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", repr(NOW), HERE)
    assert replica.holder("ANA") == THEIRS
    assert replica.since(THEIRS) == NOW
    replica.apply("claim", THEIRS, "ana", repr(NOW + 60), HERE)  # sent again: still since then
    assert replica.since(THEIRS) == NOW


def test_a_name_given_by_redis_puts_out_whoever_the_copy_still_had_under_it() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", "", HERE)
    replica.apply("claim", ALSO_THEIRS, "Ana", "", HERE)  # ana left; the copy had not read it
    assert replica.holder("ana") == ALSO_THEIRS
    assert replica.name_of(THEIRS) is None
    assert replica.names() == ("Ana",)


def test_a_release_takes_the_member_out_of_its_rooms_and_forgets_it() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", repr(NOW), HERE)
    replica.apply("enter", THEIRS, "#dev", "#Dev", HERE)
    replica.apply("enter", THEIRS, "#lobby", "#lobby", HERE)
    replica.apply("moved", THEIRS, str(THIRD), "", HERE)
    assert replica.room_names("#dev") == ("ana",)
    replica.apply("release", THEIRS, "ana", "", HERE)
    assert replica.count() == 0
    assert replica.rooms_of(THEIRS) == ()
    assert replica.room_count("#dev") == 0
    assert replica.since(THEIRS) is None
    assert replica.server_holding(THEIRS) == THERE  # its id's again


def test_a_release_of_an_old_name_keeps_a_renamed_member() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", repr(NOW), HERE)
    replica.apply("enter", THEIRS, "#lobby", "#lobby", HERE)
    replica.apply("claim", THEIRS, "anita", "", HERE)  # /nick: the new name first
    replica.apply("release", THEIRS, "ana", "", HERE)
    assert replica.name_of(THEIRS) == "anita"
    assert replica.rooms_of(THEIRS) == ("#lobby",)
    assert replica.since(THEIRS) == NOW


def test_away_exit_operator_and_bans_change_the_copy() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", "", HERE)
    replica.apply("enter", THEIRS, "#dev", "#dev", HERE)
    replica.apply("away", THEIRS, "almoço", "", HERE)
    assert replica.aways() == {THEIRS: "almoço"}
    replica.apply("away", THEIRS, "", "", HERE)
    assert replica.aways() == {}
    replica.apply("exit", THEIRS, "#dev", "", HERE)
    assert replica.rooms_of(THEIRS) == ()
    replica.apply("operator", THEIRS, "", "", HERE)
    assert replica.is_operator(THEIRS)
    ban = Ban("192.0.2.7", NOW + 3600, "bob")
    assert replica.apply("ban", 0, ban.address, ban_json(ban), HERE) == ban  # its server acts
    assert replica.banned("192.0.2.7", NOW) == ban
    assert replica.apply("unban", 0, "192.0.2.7", "", HERE) is None
    assert replica.banned("192.0.2.7", NOW) is None


def test_a_step_this_papo_does_not_know_changes_nothing() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", "", HERE)
    assert replica.apply("teleport", THEIRS, "#dev", "", HERE) is None
    assert replica.names() == ("ana",)
    assert replica.rooms_of(THEIRS) == ()


def test_a_member_that_moves_is_told_and_depends_on_its_new_server() -> None:
    replica = Replica()
    replica.apply("claim", THEIRS, "ana", "", HERE)
    assert replica.apply("moved", THEIRS, str(HERE), "", HERE) == Moved(THEIRS, False)
    assert replica.server_holding(THEIRS) == HERE
    assert replica.held_elsewhere(HERE) == {}


def test_a_member_of_this_server_taken_over_in_a_burial_says_it_was_buried() -> None:
    replica = Replica()
    replica.claim("bea", MINE)
    assert replica.apply("moved", MINE, str(THERE), "buried", HERE) == Moved(MINE, True)
    # Another server's member moved in a burial: this server was not the one buried.
    replica.apply("claim", THEIRS, "ana", "", HERE)
    assert replica.apply("moved", THEIRS, str(THIRD), "buried", HERE) == Moved(THEIRS, False)


def test_members_are_grouped_by_the_server_whose_lease_they_depend_on() -> None:
    replica = Replica()
    replica.claim("bea", MINE)
    replica.apply("claim", THEIRS, "ana", "", HERE)
    replica.apply("claim", ALSO_THEIRS, "caio", "", HERE)
    replica.apply("moved", ALSO_THEIRS, str(THIRD), "", HERE)
    assert replica.held_elsewhere(HERE) == {THERE: [THEIRS], THIRD: [ALSO_THEIRS]}
    assert replica.held_elsewhere(THERE) == {HERE: [MINE], THIRD: [ALSO_THEIRS]}


def test_a_snapshot_member_comes_with_its_rooms_away_and_server() -> None:
    replica = Replica()
    state = {
        "n": "ana",
        "s": THIRD,
        "t": NOW,
        "r": {"#dev": "#Dev", "#lobby": "#lobby"},
        "a": "fora",
        "p": 1,
    }
    replica.load_member(THEIRS, json.loads(json.dumps(state)))
    assert replica.name_of(THEIRS) == "ana"
    assert replica.since(THEIRS) == NOW
    assert replica.server_holding(THEIRS) == THIRD
    assert sorted(replica.rooms_of(THEIRS)) == ["#dev", "#lobby"]
    assert replica.room_name("#dev") == "#Dev"
    assert replica.aways() == {THEIRS: "fora"}
    assert replica.is_operator(THEIRS)


def test_a_snapshot_member_on_its_own_server_with_nothing_more() -> None:
    replica = Replica()
    replica.load_member(THEIRS, {"n": "ana", "s": THERE, "t": NOW})
    assert replica.server_holding(THEIRS) == THERE
    assert replica.rooms_of(THEIRS) == ()
    assert replica.aways() == {}
    assert not replica.is_operator(THEIRS)
