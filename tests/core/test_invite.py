"""``/invite``, driven directly: a word from one person to another naming a room, delivered
as a private is; no sockets, no clock."""

from __future__ import annotations

from papo.core.session import Session
from papo.protocol.events import (
    Error,
    ErrorCode,
    Event,
    Invite,
    Notice,
    NoticeCode,
    Private,
)
from papo.protocol.render import Renderer
from tests.core.world import NOW, World


def three() -> tuple[World, Session, Session, Session]:
    world = World()
    ana, bob, eve = (world.user(name) for name in ("ana", "bob", "eve"))
    world.line(ana, "/join #Dev")
    for session in (ana, bob, eve):
        world.take(session)
    return world, ana, bob, eve


def refusal(events: list[Event]) -> Error:
    [error] = events
    assert isinstance(error, Error), events
    return error


def test_an_invitation_reaches_the_invited_and_the_inviter_only() -> None:
    world, ana, bob, eve = three()
    [invite] = world.line(ana, "/invite BOB")  # into the room ana talks in, bob as he spells it
    assert isinstance(invite, Invite)
    assert invite == Invite(ts=NOW, id=invite.id, sender="ana", recipient="bob", room="#Dev")
    assert world.take(bob) == [invite]
    assert world.take(eve) == []
    world.line(bob, "/part")
    world.take(ana)
    [again] = world.line(ana, "/invite bob #lobby")  # a room named, ana's other one
    assert isinstance(again, Invite) and again.room == "#lobby"
    [without_hash] = world.line(ana, "/invite bob dev")  # the '#' may be left out, as in /join
    assert isinstance(without_hash, Invite) and without_hash.room == "#Dev"
    text = Renderer("en").text_line(invite)
    assert text == "*** ana invites bob to #Dev (/join #Dev)"
    assert Renderer("pt_BR").text_line(invite) == "*** ana convida bob para #Dev (/join #Dev)"


def test_an_invitation_is_refused_with_a_reason() -> None:
    world, ana, bob, eve = three()
    assert refusal(world.line(ana, "/invite nobody")).code is ErrorCode.NO_SUCH_USER
    not_in = refusal(world.line(bob, "/invite eve #dev"))  # bob is not in #dev himself
    assert (not_in.code, not_in.command, not_in.extra["room"]) == (
        ErrorCode.NOT_IN_ROOM,
        "invite",
        "#dev",
    )
    already = refusal(world.line(ana, "/invite bob #lobby"))  # everybody is in #lobby
    assert (already.code, already.name, already.extra["room"]) == (
        ErrorCode.ALREADY_IN_ROOM,
        "bob",
        "#lobby",
    )
    assert Renderer("en").error_text(already) == "bob is already in #lobby."
    assert refusal(world.line(ana, "/invite ana")).code is ErrorCode.ALREADY_IN_ROOM
    assert refusal(world.line(ana, "/invite bob #")).code is ErrorCode.ROOM_INVALID
    assert refusal(world.line(ana, "/invite")).code is ErrorCode.USAGE
    words = refusal(world.line(ana, "/invite bob #dev come see"))  # no words: not lost, refused
    assert (words.code, words.command) == (ErrorCode.USAGE, "invite")
    world.line(eve, "/part")
    world.take(eve)
    no_room = refusal(world.line(eve, "/invite ana"))
    assert (no_room.code, no_room.command) == (ErrorCode.NO_ROOM, "invite")
    received = [event for session in (ana, bob, eve) for event in world.take(session)]
    assert not [event for event in received if isinstance(event, Invite)]


def test_an_invitation_from_somebody_ignored_reaches_nobody_but_its_sender() -> None:
    world, ana, bob, _eve = three()
    world.line(bob, "/ignore ana")
    world.take(bob)
    [invite] = world.line(ana, "/invite bob")
    assert isinstance(invite, Invite)  # as a private: ana is not told she is ignored
    assert world.take(bob) == []


def test_an_invitation_to_somebody_away_says_so_at_once_and_is_not_replied_to() -> None:
    world, ana, bob, _eve = three()
    world.line(bob, "/away lunch")
    world.line(ana, "/msg bob first")
    invite, notice = world.line(ana, "/invite bob")
    assert isinstance(invite, Invite)
    assert notice == Notice(ts=NOW, code=NoticeCode.AWAY, names=("bob",), away="lunch")
    [private] = world.line(bob, "/r thanks")  # /r answers the last private, not the invitation
    assert isinstance(private, Private) and private.recipient == "ana"
