"""Resume, pure: a JSON reader whose connection drops is held; ``/resume TOKEN LAST_ID`` on a
new connection brings it back with exactly what it would have received, flagged as replayed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from papo.core.chat import MAX_NAME_TRIES, ChatSettings
from papo.core.outputs import Close, Held, Resumed, Send
from papo.core.session import Session
from papo.protocol.events import (
    Action,
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Event,
    Invite,
    Leave,
    LeaveReason,
    Message,
    Nick,
    Notice,
    NoticeCode,
    Private,
    Replayed,
    Welcome,
)
from tests.core.world import NOW, World


def welcome_of(world: World, session: Session) -> Welcome:
    [welcome] = [e for e in world.inbox[session.sid] if isinstance(e, Welcome)][-1:]
    return welcome


def last_id(events: list[Event]) -> int:
    return max(getattr(event, "id", 0) for event in events)


def resume(world: World, token: str | None, last: int) -> tuple[Session, list[Event]]:
    """A new connection resumes; the member it became, and what it got."""
    via = world.connect()
    world.line(via, "/format json")
    world.take(via)
    outputs = world.chat.handle_line(via, f"/resume {token} {last}", NOW)
    world.apply(outputs)
    resumed = [o.member for o in outputs if isinstance(o, Resumed)]
    if not resumed:
        return via, world.take(via)
    got = world.take(resumed[0])
    start = max(n for n, event in enumerate(got) if isinstance(event, Welcome))
    return resumed[0], got[start:]  # what came before the drop is no concern here


def test_json_readers_get_a_token_text_readers_none() -> None:
    world = World()
    ana, bob = world.user("ana", json=True), world.user("bob")
    assert welcome_of(world, ana).resume == "token-1"
    assert welcome_of(world, bob).resume is None


def test_a_dropped_json_reader_is_held_unseen_and_its_name_stays_taken() -> None:
    world = World()
    ana, bob = world.user("ana", json=True), world.user("bob")
    world.take(bob)
    world.rooms_of.pop(ana.sid)
    world.gone.add(ana.sid)
    [held] = world.chat.disconnect(ana, LeaveReason.DISCONNECT, NOW)
    assert held == Held(ana, NOW + 120)
    assert world.take(bob) == []  # nobody is told
    world.line(bob, "/online")
    assert world.take(bob)[-1].users == ("ana", "bob")  # type: ignore[union-attr]
    carol = world.connect()
    assert isinstance(world.line(carol, "ana")[0], Error)  # still taken


def test_resume_replays_exactly_what_was_for_it_in_order_then_goes_on_live() -> None:
    world = World()
    ana = world.user("ana", json=True)
    bob, carol = world.user("bob"), world.user("carol")
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    world.line(carol, "/join #ops")
    world.line(bob, "before the drop")
    token = welcome_of(world, ana).resume
    seen = last_id(world.take(ana))
    world.drop(ana)
    world.line(bob, "in dev")  # bob's current room: #dev
    world.line(bob, "/msg #lobby in the lobby")
    world.line(carol, "in ops, not for ana")
    world.line(carol, "/msg bob not for ana either")
    world.line(carol, "/msg ana psst")
    world.line(carol, "/invite ana #ops")
    world.line(carol, "/invite bob #ops")  # not for ana
    world.line(bob, "/nick robert")
    world.line(carol, "/quit bye")  # shared the lobby with ana
    member, got = resume(world, token, seen)
    assert member is ana
    welcome, *replayed = got
    assert isinstance(welcome, Welcome) and welcome.resumed and welcome.name == "ana"
    assert welcome.rooms == ("#lobby", "#dev") and welcome.room == "#dev"
    assert welcome.resume == "token-2"  # a new one
    assert all(isinstance(event, Replayed) for event in replayed)
    events = [event.event for event in replayed if isinstance(event, Replayed)]
    assert [type(e) for e in events] == [Message, Message, Private, Invite, Nick, Leave]
    assert [e.text for e in events[:3]] == ["in dev", "in the lobby", "psst"]  # type: ignore[union-attr]
    assert [e.id for e in events] == sorted(e.id for e in events) and events[0].id > seen
    world.line(member, "/quit")  # the member is back: its lines act
    world.line(world.sessions[1], "after")  # bob, renamed
    assert not world.chat.is_member(ana)


def test_a_resume_replays_nothing_at_or_below_last_id() -> None:
    world = World()
    ana, bob = world.user("ana", json=True), world.user("bob")
    token = welcome_of(world, ana).resume
    world.line(bob, "one")
    world.line(bob, "two")
    two = last_id(world.take(ana))
    world.drop(ana)
    world.line(bob, "three")
    _, got = resume(world, token, two)
    assert [e.event.text for e in got if isinstance(e, Replayed)] == ["three"]  # type: ignore[union-attr]


def test_a_room_left_after_last_id_replays_up_to_the_part_and_the_part_itself() -> None:
    world = World()
    ana, bob = world.user("ana", json=True), world.user("bob")
    world.line(ana, "/join #dev")
    world.line(bob, "/join #dev")
    token = welcome_of(world, ana).resume
    seen = last_id(world.take(ana))
    world.line(bob, "still there?")  # ana's connection has not shown it yet
    world.line(ana, "/part #dev")
    world.line(bob, "gone now")
    world.drop(ana)
    _, got = resume(world, token, seen)
    events = [e.event for e in got if isinstance(e, Replayed)]
    assert [type(e) for e in events] == [Message, Leave]
    assert isinstance(events[1], Leave) and events[1].name == "ana"


def test_a_room_joined_after_last_id_replays_only_from_the_join_on() -> None:
    world = World()
    ana, bob = world.user("ana", json=True), world.user("bob")
    token = welcome_of(world, ana).resume
    world.line(bob, "/join #dev")
    seen = last_id(world.take(ana))
    world.line(bob, "before ana came")
    world.line(ana, "/join #dev")
    world.line(bob, "after ana came")
    world.drop(ana)
    _, got = resume(world, token, seen)
    texts = [e.event.text for e in got if isinstance(e, Replayed) and isinstance(e.event, Message)]
    assert texts == ["after ana came"]


def test_a_token_is_good_once_and_a_bad_one_counts_as_a_refused_name() -> None:
    world = World()
    ana = world.user("ana", json=True)
    token = welcome_of(world, ana).resume
    world.drop(ana)
    member, _ = resume(world, token, 0)
    assert member is ana
    world.drop(ana)
    stranger, got = resume(world, token, 0)  # used: a new one came with the welcome
    assert stranger is not ana
    assert isinstance(got[0], Error) and got[0].code is ErrorCode.RESUME_FAILED
    assert world.chat.is_member(ana)  # still held for the right token
    for _ in range(MAX_NAME_TRIES - 1):
        got = world.line(stranger, "/resume nope 1")
    assert isinstance(got[-1], Bye) and got[-1].reason is ByeReason.TOO_MANY_TRIES


def test_a_member_is_written_down_with_the_address_of_its_latest_connection() -> None:
    """What a ban of a held member goes by, after a restart or on another server."""
    world = World()
    ana = world.connect()
    ana.address = "192.0.2.7"  # the shell's, from the peer
    world.line(ana, "/format json")
    world.line(ana, "ana")
    assert world.chat.record(ana).address == "192.0.2.7"
    token = welcome_of(world, ana).resume
    world.drop(ana)
    via = world.connect()
    via.address = "2001:db8::/64"
    world.line(via, "/format json")
    world.apply(world.chat.handle_line(via, f"/resume {token} 0", NOW))
    assert world.chat.record(ana).address == "2001:db8::/64"


def test_a_malformed_resume_or_one_in_text_is_a_usage_error() -> None:
    world = World()
    ana = world.user("ana", json=True)
    token = welcome_of(world, ana).resume
    world.drop(ana)
    _, got = resume(world, token, 0)
    text_reader = world.connect()
    [error] = world.line(text_reader, f"/resume {token} 1")
    assert isinstance(error, Error) and error.code is ErrorCode.USAGE
    json_reader = world.connect()
    world.line(json_reader, "/format json")
    [error] = world.line(json_reader, "/resume abc -1")
    assert isinstance(error, Error) and error.code is ErrorCode.RESUME_FAILED
    assert isinstance(got[0], Welcome)


def test_resuming_a_member_still_connected_closes_that_connection_replaced() -> None:
    world = World()
    ana = world.user("ana", json=True)
    token = welcome_of(world, ana).resume
    via = world.connect()
    world.line(via, "/format json")
    outputs = world.chat.handle_line(via, f"/resume {token} 0", NOW)
    assert outputs[:3] == [
        Send(Bye(ts=NOW, reason=ByeReason.REPLACED), ana),
        Close(ana),
        Resumed(ana, via),
    ]


def test_a_hold_that_ends_is_a_timeout_leave_and_its_token_is_void() -> None:
    world = World(ChatSettings(resume_grace=30))
    ana, bob = world.user("ana", json=True), world.user("bob")
    token = welcome_of(world, ana).resume
    world.take(bob)
    world.rooms_of.pop(ana.sid)
    [held] = world.chat.disconnect(ana, LeaveReason.DISCONNECT, NOW)
    assert isinstance(held, Held) and held.until == NOW + 30
    assert world.chat.expire(ana, NOW + 1, NOW + 30) == []  # not this hold's end
    world.apply(world.chat.expire(ana, held.until, NOW + 30))
    [leave] = world.take(bob)
    assert isinstance(leave, Leave) and leave.reason is LeaveReason.TIMEOUT
    _, got = resume(world, token, 0)
    assert isinstance(got[0], Error) and got[0].code is ErrorCode.RESUME_FAILED


def test_events_gone_from_the_log_are_counted_as_missed_first() -> None:
    world = World(log_size=5)
    ana, bob = world.user("ana", json=True), world.user("bob")
    token = welcome_of(world, ana).resume
    seen = last_id(world.take(ana))
    world.drop(ana)
    for number in range(8):
        world.line(bob, f"m{number}")
    _, got = resume(world, token, seen)
    notice = got[1]
    assert isinstance(notice, Notice) and notice.code is NoticeCode.MISSED
    assert notice.count == 3
    assert [e.event.text for e in got[2:] if isinstance(e, Replayed)] == [  # type: ignore[union-attr]
        f"m{n}" for n in range(3, 8)
    ]


def test_no_grace_no_token_and_a_drop_is_a_leave() -> None:
    world = World(ChatSettings(resume_grace=0))
    ana, bob = world.user("ana", json=True), world.user("bob")
    assert welcome_of(world, ana).resume is None
    world.take(bob)
    world.drop(ana)
    [leave] = world.take(bob)
    assert isinstance(leave, Leave) and leave.reason is LeaveReason.DISCONNECT


NAMES = ("ana", "bob", "cid")
STEP = st.tuples(
    st.integers(0, 2),
    st.sampled_from(  # moves between rooms and talk in them most: what the replay hinges on
        ["say"] * 4 + ["join"] * 3 + ["part"] * 2 + ["me", "msg", "topic", "nick", "ignore", "quit"]
    ),
    st.integers(0, 2),
)


def act(world: World, users: list[Session], step: tuple[int, str, int]) -> None:
    actor, kind, arg = step
    session = users[actor]
    target = users[arg].name or NAMES[arg]
    line = {
        "say": f"hello {arg}",
        "me": f"waves {arg}",
        "join": f"/join #r{arg // 2}",  # mostly #r0
        "part": f"/part #r{arg // 2}",
        "msg": f"/msg {target} psst {arg}",
        "topic": f"/topic t{arg}",
        "nick": f"/nick {NAMES[actor]}{arg}",
        "ignore": f"/ignore {target}",
        "quit": "/quit",
    }[kind]
    if actor == 0 and kind == "quit":
        return  # the member that resumes stays
    world.line(session, line)


def numbered(events: list[Event]) -> list[tuple[str, int]]:
    """The logged events among ``events`` (not history, which is not the member's to replay)."""
    shown = []
    for event in events:
        inner = event.event if isinstance(event, Replayed) else event
        if isinstance(inner, Message | Action) and inner.history:
            continue
        if hasattr(inner, "id"):
            shown.append((type(inner).__name__, inner.id))
    return shown


@settings(max_examples=300, deadline=None)
@given(st.lists(STEP, max_size=20), st.lists(STEP, max_size=20), st.integers(0, 12))
def test_a_resume_replays_exactly_what_the_member_would_have_received_live(
    before: list[tuple[int, str, int]], during: list[tuple[int, str, int]], cut: int
) -> None:
    """Twice the same script: once the member stays connected, once it drops after reading
    up to some event and resumes at the end. Nobody sees a hold, so the log is the same both
    times, and what the resume replays must be what the member got live after that event."""

    def run(drop: bool) -> tuple[list[tuple[str, int]], int]:
        world = World()
        users = [world.user(name, json=n == 0) for n, name in enumerate(NAMES)]
        token = welcome_of(world, users[0]).resume
        for step in before:
            act(world, users, step)
        seen = numbered(world.take(users[0]))
        last = seen[min(cut, len(seen)) - 1][1] if cut and seen else 0
        if drop:
            world.drop(users[0])
        for step in during:
            if step[0] != 0:
                act(world, users, step)
        if not drop:
            live = seen + numbered(world.take(users[0]))
            return [event for event in live if event[1] > last], last
        member, got = resume(world, token, last)
        assert member is users[0]
        return numbered(got), last

    replayed, last = run(drop=True)
    live, same_last = run(drop=False)
    assert last == same_last
    assert replayed == live
