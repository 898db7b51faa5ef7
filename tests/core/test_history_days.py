"""``--history-days``: what is older is not shown to newcomers, on arriving or on /join."""

from __future__ import annotations

from papo.core.chat import ChatSettings
from papo.core.past import SECONDS_PER_DAY
from papo.core.session import Session
from papo.protocol.events import Message
from tests.core.world import NOW, World


def _said_at(world: World, who: Session, text: str, when: float) -> None:
    world.apply(world.chat.handle_line(who, text, when))


def _history(world: World, who: Session, line: str, when: float) -> list[str]:
    before = len(world.inbox[who.sid])
    world.apply(world.chat.handle_line(who, line, when))
    return [e.text for e in world.inbox[who.sid][before:] if isinstance(e, Message)]


def test_messages_older_than_the_limit_are_not_shown_to_newcomers() -> None:
    world = World(ChatSettings(history=10, history_days=2))
    alice = world.user("alice")
    _said_at(world, alice, "three days ago", NOW - 3 * SECONDS_PER_DAY)
    _said_at(world, alice, "yesterday", NOW - SECONDS_PER_DAY)
    world.line(alice, "/join #dev")
    _said_at(world, alice, "in #dev, a week ago", NOW - 7 * SECONDS_PER_DAY)
    _said_at(world, alice, "in #dev, today", NOW)
    late = world.connect()
    assert _history(world, late, "late", NOW) == ["yesterday"]
    assert _history(world, late, "/join #dev", NOW) == ["in #dev, today"]


def test_no_limit_shows_the_whole_recent_history() -> None:
    world = World(ChatSettings(history=10))
    alice = world.user("alice")
    _said_at(world, alice, "a year ago", NOW - 365 * SECONDS_PER_DAY)
    late = world.connect()
    assert _history(world, late, "late", NOW) == ["a year ago"]
