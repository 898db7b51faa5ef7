"""A member written down and brought back in another chat (a restart, a take-over) is the
member it was: the record of the restored member is the record it was restored from."""

from __future__ import annotations

import pytest

from papo.core import member_records
from papo.core.session import Session
from tests.core.world import NOW, World


def busy_member(world: World) -> Session:
    """A member with something of everything a record keeps: rooms (the current one not the
    last joined), an away text, whom it ignores, an operator, an address, a token."""
    world.user("bob")
    ana = world.connect()
    ana.address = "192.0.2.7"
    world.line(ana, "/format json")
    world.line(ana, "ana")
    for line in ("/join #dev", "/join #ops", "/join #dev", "/away lunch", "/ignore bob"):
        world.line(ana, line)
    world.chat.shared.keep_operator(ana.sid)
    ana.held_until = NOW + 60
    return ana


def test_a_member_restored_from_its_record_writes_the_same_record() -> None:
    world = World()
    ana = busy_member(world)
    written = member_records.record(world.chat, ana)
    assert written.rooms == ("#lobby", "#ops", "#dev") and written.current == "#dev"
    assert written.away == "lunch" and written.operator and written.ignoring
    assert written.token and written.until == NOW + 60

    elsewhere = World()
    elsewhere.user("bob")  # whom ana ignores is in this chat too, under the same id
    chat = elsewhere.chat
    restored = member_records.restore(chat, chat.tokens, written)
    member_records.restore_ignores(chat, restored, written)

    assert member_records.record(chat, restored) == written
    assert chat.members[restored.sid] is restored and restored.resumable
    assert chat.shared.name_of(restored.sid) == "ana"
    assert chat.shared.aways() == {restored.sid: "lunch"}
    assert chat.shared.is_operator(restored.sid)
    assert {chat.rooms[key].name for key in restored.rooms} == {"#lobby", "#dev", "#ops"}


def test_whom_it_ignored_and_who_left_meanwhile_is_not_ignored_any_more() -> None:
    world = World()
    written = member_records.record(world.chat, busy_member(world))
    elsewhere = World()  # bob is not in this chat
    chat = elsewhere.chat
    restored = member_records.restore(chat, chat.tokens, written)
    member_records.restore_ignores(chat, restored, written)
    assert not restored.ignoring
    assert restored.ignores_changed_at == written.ignores_changed_at


def test_a_name_held_already_is_not_restored_twice() -> None:
    world = World()
    written = member_records.record(world.chat, busy_member(world))
    elsewhere = World()
    elsewhere.user("ANA")  # the same name, as names compare
    with pytest.raises(ValueError, match="two held users named 'ana'"):
        member_records.restore(elsewhere.chat, elsewhere.chat.tokens, written)
