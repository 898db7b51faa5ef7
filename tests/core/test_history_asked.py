"""``/history [#ROOM] [N]``: more of a room's past than a newcomer is shown, from the log."""

from __future__ import annotations

from papo.core.chat import ChatSettings
from papo.core.past import SECONDS_PER_DAY
from papo.core.room_commands import MAX_HISTORY_ASKED
from papo.core.session import Session
from papo.protocol.events import Action, Error, ErrorCode, Message, Notice, NoticeCode, Private
from papo.protocol.timestamps import format_timestamp
from tests.core.world import NOW, World


def asked(
    world: World, who: Session, line: str, *, privates: bool = False
) -> tuple[Notice | Error, list[str]]:
    """What ``line`` answers ``who``: the notice (or error) first, then what is shown, each
    flagged as history: a room's texts, or (``privates``) ``sender>recipient: text``."""
    world.take(who)
    first, *rest = world.line(who, line)
    assert isinstance(first, Notice | Error), first
    texts = []
    for event in rest:
        if privates:
            assert isinstance(event, Private) and event.history, event
            texts.append(f"{event.sender}>{event.recipient}: {event.text}")
        else:
            assert isinstance(event, Message | Action) and event.history, event
            texts.append(event.text)
    return first, texts


def test_history_shows_more_than_a_newcomer_sees_oldest_first() -> None:
    world = World(ChatSettings(history=3))
    ana = world.user("ana")
    for n in range(60):
        world.line(ana, f"line {n}")
    world.line(ana, "/me stretches")
    bob = world.user("bob")
    notice, texts = asked(world, bob, "/history")
    assert isinstance(notice, Notice) and notice.code is NoticeCode.HISTORY
    assert (notice.room, notice.count) == ("#lobby", 50)  # the default
    assert texts == [f"line {n}" for n in range(11, 60)] + ["stretches"]
    notice, texts = asked(world, bob, "/history 5")
    assert (
        isinstance(notice, Notice)
        and notice.count == 5
        and texts == ["line 56", "line 57", "line 58", "line 59", "stretches"]
    )
    _, texts = asked(world, bob, "/history 100000")  # capped
    assert len(texts) == 61 <= MAX_HISTORY_ASKED  # all there is


def test_a_room_named_or_the_current_one_only_messages_of_that_room() -> None:
    world = World()
    ana = world.user("ana")
    world.line(ana, "in the lobby")
    world.line(ana, "/join #dev")
    world.line(ana, "in dev")
    bob = world.user("bob")
    world.line(bob, "/private ana a private is nobody's history")
    world.line(bob, "/join #dev")
    notice, texts = asked(world, bob, "/history")  # #dev is bob's current room now
    assert isinstance(notice, Notice) and notice.room == "#dev" and texts == ["in dev"]
    notice, texts = asked(world, bob, "/history #LOBBY 10")
    assert isinstance(notice, Notice) and notice.room == "#lobby" and texts == ["in the lobby"]
    world.line(bob, "/part #lobby")
    error, texts = asked(world, bob, "/history #lobby")  # only of a room one is in
    assert isinstance(error, Error) and error.code is ErrorCode.NOT_IN_ROOM and texts == []


def test_a_count_that_is_not_one_is_a_usage_error() -> None:
    world = World()
    bob = world.user("bob")
    for line in (
        "/history 0",
        "/history #lobby -3",
        "/history ana ten",
        "/history a 5 6",
        "/history #lobby ５",
    ):
        error, _ = asked(world, bob, line)
        assert isinstance(error, Error), line
        assert (error.code, error.command) == (ErrorCode.USAGE, "history"), line


def test_nothing_to_show_is_said_as_a_count_of_none() -> None:
    world = World()
    bob = world.user("bob")
    notice, texts = asked(world, bob, "/history")
    assert isinstance(notice, Notice) and (notice.count, texts) == (0, [])


def test_what_a_newcomer_would_not_be_shown_is_not_shown_asked_either() -> None:
    old = NOW - 3 * SECONDS_PER_DAY
    world = World(ChatSettings(history_days=2))
    ana = world.user("ana")
    world.apply(world.chat.handle_line(ana, "three days ago", old))
    world.line(ana, "today")
    bob = world.user("bob")
    assert asked(world, bob, "/history")[1] == ["today"]
    quiet = World(ChatSettings(history=0))  # a server that shows no history shows none
    ana = quiet.user("ana")
    quiet.line(ana, "said")
    assert asked(quiet, quiet.user("bob"), "/history")[1] == []


def test_the_words_of_someone_ignored_are_left_out() -> None:
    world = World()
    ana, eve = world.user("ana"), world.user("eve")
    world.line(ana, "hello")
    world.line(eve, "spam")
    bob = world.user("bob")
    world.line(bob, "/ignore eve")
    assert asked(world, bob, "/history")[1] == ["hello"]


def test_only_what_the_log_still_has() -> None:
    world = World(log_size=5)
    ana = world.user("ana")
    for n in range(10):
        world.line(ana, f"line {n}")
    bob = world.user("bob")  # its arrival is logged too: four messages left
    assert asked(world, bob, "/history")[1] == ["line 6", "line 7", "line 8", "line 9"]


def test_a_page_of_the_past_on_either_side_of_an_id_or_a_time() -> None:
    """What a program (IRC's CHATHISTORY) pages a room's past by: N before, after or around
    an event's id or a time, the last N after one, or N between two; ignored words and
    other rooms' messages left out as in the last N."""
    world = World()
    ana, eve = world.user("ana"), world.user("eve")
    said = {}
    for n in range(10):
        [*_, event] = world.line(ana, f"line {n}")
        assert isinstance(event, Message)
        said[n] = event
        world.line(eve, f"spam {n}")
    bob = world.user("bob")
    world.line(bob, "/ignore eve")
    id_of = {n: str(event.id) for n, event in said.items()}
    assert asked(world, bob, f"/history 3 before {id_of[5]}")[1] == ["line 2", "line 3", "line 4"]
    assert asked(world, bob, f"/history #lobby 2 after {id_of[5]}")[1] == ["line 6", "line 7"]
    assert asked(world, bob, f"/history 2 latest {id_of[5]}")[1] == ["line 8", "line 9"]
    assert asked(world, bob, f"/history 4 AROUND {id_of[5]}")[1] == [
        "line 3", "line 4", "line 5", "line 6"
    ]  # fmt: skip
    between = f"/history 9 between {id_of[7]} {id_of[3]}"  # from the first towards the second
    assert asked(world, bob, between)[1] == ["line 4", "line 5", "line 6"]
    assert asked(world, bob, f"/history 2 between {id_of[3]} {id_of[7]}")[1] == ["line 4", "line 5"]
    assert asked(world, bob, f"/history 2 between {id_of[7]} {id_of[3]}")[1] == ["line 5", "line 6"]
    notice, texts = asked(world, bob, f"/history 2 after {said[9].id + 100}")
    assert isinstance(notice, Notice) and (notice.count, texts) == (0, [])
    when = format_timestamp(said[4].ts)  # all said at one time here: before it, nothing
    assert asked(world, bob, f"/history 3 before {when}")[1] == []
    assert asked(world, bob, "/history 3 after 1970-01-01T00:00:00Z")[1] == [
        "line 0", "line 1", "line 2"
    ]  # fmt: skip
    for bad in (
        "/history 3 before",
        "/history before soon",
        "/history 3 between 1",
        "/history 2 after -1",
    ):
        error, _ = asked(world, bob, bad)
        assert isinstance(error, Error) and error.code is ErrorCode.USAGE, bad


def privates(world: World, who: Session, line: str) -> tuple[Notice | Error, list[str]]:
    return asked(world, who, line, privates=True)


def test_history_of_a_name_is_ones_own_privates_with_that_person() -> None:
    """Only what was for the asker itself (by member id), with whoever holds the name now
    or held it then; ignored ones left out; under the same windows as a room's."""
    world = World()
    ana, bob, carol, eve = (world.user(name) for name in ("ana", "bob", "carol", "eve"))
    world.line(ana, "/private bob hi bob")
    world.line(bob, "/private ana hi ana")
    world.line(carol, "/private bob from carol")
    world.line(ana, "/private carol not for bob")
    world.line(ana, "/msg #lobby a room's, not a private")
    notice, texts = privates(world, bob, "/history ana")
    assert isinstance(notice, Notice) and (notice.names, notice.room, notice.count) == (
        ("ana",),
        None,
        2,
    )
    assert texts == ["ana>bob: hi bob", "bob>ana: hi ana"]
    assert privates(world, bob, "/history ANA 1")[1] == ["bob>ana: hi ana"]
    assert privates(world, bob, "/history carol")[1] == ["carol>bob: from carol"]
    assert privates(world, eve, "/history ana")[1] == []  # never hers to see
    world.line(ana, "/nick anna")  # followed by who holds the name now
    assert privates(world, bob, "/history anna")[1] == ["ana>bob: hi bob", "bob>ana: hi ana"]
    world.line(bob, "/ignore carol")
    assert privates(world, bob, "/history carol")[1] == []
    world.line(ana, "/quit")  # gone: found by the name they had then
    assert privates(world, bob, "/history ana")[1] == ["ana>bob: hi bob", "bob>ana: hi ana"]
    [*_, sent] = world.line(bob, "/private eve x")
    assert isinstance(sent, Private)
    world.line(eve, "/private bob y")
    assert privates(world, bob, f"/history eve 5 after {sent.id}")[1] == ["eve>bob: y"]
    error, _ = privates(world, bob, "/history no/such 5")
    assert isinstance(error, Error) and error.code is ErrorCode.USAGE
