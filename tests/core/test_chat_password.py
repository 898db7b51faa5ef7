"""A chat with a password (``--password-file``), driven directly: ``/pass`` before a name."""

from __future__ import annotations

from papo.core.chat import MAX_NAME_TRIES, ChatSettings
from papo.protocol.events import (
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Event,
    HelpInfo,
    Notice,
    NoticeCode,
    Welcome,
)
from tests.core.test_resume import resume
from tests.core.world import NOW, World

PASSWORD = "open sesame"


def codes(events: list[Event]) -> list[str]:
    return [e.code.value for e in events if isinstance(e, Error | Notice)]


def test_a_name_waits_for_the_password_and_a_wrong_one_is_refused() -> None:
    world = World(ChatSettings(password=PASSWORD))
    bob = world.connect()
    assert world.chat.hello(bob, NOW).password
    assert codes(world.line(bob, "bob")) == ["password_needed"]
    assert bob.name is None
    [wrong] = world.line(bob, "/pass open says me")
    assert isinstance(wrong, Error) and (wrong.code, wrong.command) == (
        ErrorCode.WRONG_PASSWORD,
        "pass",
    )
    assert world.line(bob, f"/pass {PASSWORD}") == [
        Notice(ts=NOW, code=NoticeCode.PASSWORD_ACCEPTED)
    ]
    assert isinstance(world.line(bob, "bob")[0], Welcome)
    assert codes(world.line(bob, f"/pass {PASSWORD}")) == ["usage"]  # in already


def test_every_refusal_is_a_try_and_the_fifth_ends_the_connection() -> None:
    world = World(ChatSettings(password=PASSWORD))
    eve = world.connect()
    for _ in range(MAX_NAME_TRIES - 2):
        world.line(eve, "/pass guess")
    world.line(eve, "eve")  # a name without the password counts too
    assert eve.sid not in world.closed
    events = world.line(eve, "/pass guess")
    assert codes(events) == ["wrong_password", "too_many_tries"]
    assert events[-1] == Bye(ts=NOW, reason=ByeReason.TOO_MANY_TRIES)
    assert eve.sid in world.closed


def test_a_resume_needs_no_password_its_token_shows_it_was_let_in() -> None:
    world = World(ChatSettings(password=PASSWORD))
    ana = world.connect()
    world.line(ana, "/format json")
    world.line(ana, f"/pass {PASSWORD}")
    [welcome, *_] = world.line(ana, "ana")
    assert isinstance(welcome, Welcome) and welcome.resume is not None
    world.drop(ana)
    member, got = resume(world, welcome.resume, 0)  # on a new connection, no /pass given
    assert member is ana
    assert any(isinstance(e, Welcome) and e.resumed and e.name == "ana" for e in got)


def test_an_open_chat_takes_pass_as_given_and_leaves_it_out_of_help() -> None:
    world = World()
    bob = world.connect()
    assert not world.chat.hello(bob, NOW).password
    assert codes(world.line(bob, "/pass anything")) == ["password_accepted"]
    [listed] = world.line(bob, "/help")
    assert isinstance(listed, HelpInfo) and "pass" in listed.not_listed
    locked = World(ChatSettings(password=PASSWORD))
    newcomer = locked.connect()
    [listed] = locked.line(newcomer, "/help")
    assert isinstance(listed, HelpInfo) and "pass" not in listed.not_listed
    locked.line(newcomer, f"/pass {PASSWORD}")
    locked.line(newcomer, "ana")
    [listed] = locked.line(newcomer, "/help")  # of no more use once in
    assert isinstance(listed, HelpInfo) and "pass" in listed.not_listed
