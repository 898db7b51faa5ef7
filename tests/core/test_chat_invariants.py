"""The chat's promises under any mix of what people do, checked on random scripts.

Four seats where people connect (programs reading JSON, and line clients), pick names (often
the same one), move between rooms, talk, rename, go away, ignore each other, drop and resume,
or stay away past their hold; the first seat is an operator where the chat has a password, and
kicks, bans (of those online, and of those who have just left), mutes and lifts them; with a
store (``--store``), the server also restarts now and then. After every step:
- what each of them received carries ids that only grow (history and a resume's replay
  included: each comes after what it had, in order);
- nobody is told twice that the same person left the chat without seeing them come back
  (where no room is quiet: there arrivals are not told, and a leave is once the room is
  small again, as PROTOCOL.md's quiet rule has it);
- the names online are unique, and are exactly those of the people registered and not gone;
- after a restart, everybody held is held still, under the same name.
Nothing a person can type raises in the core.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papo.core.chat import Chat, ChatSettings
from papo.core.outputs import Resumed
from papo.core.session import Session
from papo.hub.memory import MemoryHub
from papo.hub.store import LogStore
from papo.protocol.events import (
    Event,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Replayed,
    Welcome,
)
from tests.core.world import NOW, World

NAMES = ("ana", "bob", "cid", "dee")
ROOMS = ("#r0", "#r0", "#r0", "#r1")  # by a step's number: #r0 the most
GRACE = 120.0

# Weighted by repeating: moves between rooms, talk and leaving are what the promises hinge on.
LINES = (
    *["/join {room}"] * 8,
    *["hello {n}"] * 3,
    "/me waves {n}",
    "/part {room} bye",
    "/part #lobby",
    "/part",
    "/msg {name} psst",
    "/msg {room} psst",
    "/r back",
    "/nick {name}",
    "/nick {name}{n}",
    "/topic {room} t{n}",
    "/away lunch",
    "/away",
    "/ignore {name}",
    "/unignore {name}",
    "/invite {name} {room}",
    "/online",
    "/online {room}",
    "/rooms",
    "/whois {name}",
    *["/quit later"] * 2,
    "//slash {n}",
    # Operators: kicks and bans of whoever is online, or has just left.
    "/oper {password}",
    *["/kick {name} out"] * 2,
    *["/ban {name} 1m"] * 3,
    "/mute {name} 1m",
    "/unmute {name}",
    "/unban {name}",
    "/bans",
)
OPER_PASSWORD = "correct horse battery"
ACTION = st.sampled_from(
    ["line"] * 8 + ["drop"] * 2 + ["resume", "expire", "stale_resume", "restart"]
)
STEP = st.tuples(st.integers(0, 3), ACTION, st.integers(0, 3), st.integers(0, len(LINES) - 1))


@dataclass
class Person:
    """One seat: the member it is now (or None), and what it last could resume with."""

    session: Session | None = None
    held_until: float | None = None
    token: str | None = None
    previous_tokens: list[str] = field(default_factory=list)


# The chat as run by default, and with the limits that change what is sent: rooms quiet from
# three people, two rooms each at most, no history, a log too short for most resumes.
SETTINGS = (
    (ChatSettings(resume_grace=GRACE, oper_password=OPER_PASSWORD), 10_000),
    (ChatSettings(resume_grace=GRACE, quiet_above=2), 10_000),
    (ChatSettings(resume_grace=GRACE, max_rooms=2, history=0), 10_000),
    (ChatSettings(resume_grace=GRACE, oper_password=OPER_PASSWORD), 4),
)


class Script:
    """``store``: the log, holds and tokens kept in that SQLite file, and the server restarted
    (SIGTERM, then a new process on the same file) as one of the steps."""

    def __init__(
        self,
        chat: ChatSettings = SETTINGS[0][0],
        log_size: int = 10_000,
        store: Path | None = None,
    ) -> None:
        self.log_size, self.store = log_size, store
        self.running = self.hub()
        self.world = World(chat, log_size, self.running)
        self.people = [Person() for _ in range(4)]
        self.now = NOW

    def hub(self) -> MemoryHub:
        return MemoryHub(self.log_size, LogStore(self.store) if self.store else None)

    # -- what people do ----------------------------------------------------------------------

    def step(self, actor: int, action: str, arg: int, line: int) -> None:
        person = self.people[actor]
        match action:
            case "line" if person.held_until is None and not self.connected(person):
                # Somebody new at this seat: a program (JSON) or a line client, and a name
                # that may well be taken.
                self.connect(person, json=arg % 2 == 0, name=NAMES[(actor + arg) % 4])
            case "line" if self.connected(person):
                assert person.session is not None
                said = LINES[line].format(
                    n=arg, room=ROOMS[arg], name=NAMES[arg], password=OPER_PASSWORD
                )
                self.say(person, said)
            case "drop" if self.connected(person):
                self.drop(person)
            case "resume" if person.held_until is not None:
                self.resume(person, person.token)
            case "stale_resume" if person.previous_tokens:
                self.resume(person, person.previous_tokens[0], stale=True)
            case "expire" if person.held_until is not None:
                self.expire(person)
            case "restart" if self.store is not None:
                self.restart()

    def connected(self, person: Person) -> bool:
        session = person.session
        return (
            session is not None
            and session.sid not in self.world.closed
            and session.sid not in self.world.gone
        )

    def connect(self, person: Person, *, json: bool, name: str) -> None:
        if person.session is not None and person.session.sid not in self.world.closed:
            return  # still connected, or held: one person, one member
        session = self.world.connect()
        session.address = f"192.0.2.{self.people.index(person)}"  # a seat's: for a ban
        person.session, person.held_until = session, None
        if json:
            self.world.line(session, "/format json")
        self.say(person, name)
        if person is self.people[0]:  # an operator, where the chat has a password for them
            self.say(person, f"/oper {OPER_PASSWORD}")

    def say(self, person: Person, line: str) -> None:
        session = person.session
        assert session is not None
        self.world.line(session, line)
        self.note_welcome(person)
        for other in self.people:  # a held member kicked cannot resume: it is gone for good
            held = other.session
            if other.held_until is not None and held and not self.world.chat.is_member(held):
                other.held_until = None
                self.world.closed.add(held.sid)

    def note_welcome(self, person: Person) -> None:
        assert person.session is not None
        welcomes = [e for e in self.world.inbox[person.session.sid] if isinstance(e, Welcome)]
        if welcomes and welcomes[-1].resume and welcomes[-1].resume != person.token:
            if person.token is not None:
                person.previous_tokens.append(person.token)
            person.token = welcomes[-1].resume

    def drop(self, person: Person) -> None:
        session = person.session
        assert session is not None
        registered = session.name is not None and self.world.chat.is_member(session)
        self.world.drop(session)
        if registered and session.held_until is not None:
            person.held_until = session.held_until
        else:
            self.world.closed.add(session.sid)

    def resume(self, person: Person, token: str | None, *, stale: bool = False) -> None:
        held = person.session
        assert held is not None
        via = self.world.connect()
        self.world.line(via, "/format json")
        outputs = self.world.chat.handle_line(
            via, f"/resume {token} {last_id(self.world.inbox[held.sid])}", self.now
        )
        self.world.apply(outputs)
        resumed = [o.member for o in outputs if isinstance(o, Resumed)]
        if stale:
            assert not resumed, "a used token resumed"
            self.world.closed.add(via.sid)  # it leaves unregistered
            return
        assert [member.sid for member in resumed] == [held.sid]
        person.session, person.held_until = resumed[0], None
        self.note_welcome(person)

    def expire(self, person: Person) -> None:
        session = person.session
        assert session is not None and person.held_until is not None
        self.now += GRACE
        self.world.apply(self.world.chat.expire(session, person.held_until, self.now))
        person.held_until = None
        self.world.closed.add(session.sid)

    def restart(self) -> None:
        """As the server does on SIGTERM with a store: who can resume is held and told to come
        back, everybody's connection closes, the others leave (in the log, for the held to
        replay); then a new process on the same file takes the holds back."""
        world, chat, now = self.world, self.world.chat, self.now
        held = {member.sid for member in chat.hold_everyone(now)}
        for session in world.sessions:
            if session.sid not in world.closed and session.sid not in world.gone:
                world.rooms_of.pop(session.sid, None)
                (world.gone if session.sid in held else world.closed).add(session.sid)
        for member in list(chat.members.values()):
            if member.held_until is None:
                world.apply(chat.disconnect(member, LeaveReason.SHUTDOWN, now, hold=False))
        self.running.close()
        self.running = self.hub()
        world.chat = Chat(self.running, chat.settings, tokens=lambda: next(world.tokens))
        world.apply(world.chat.recover(now))
        for person in self.people:
            was = person.session
            if was is None or was.sid in world.closed:
                continue
            back = world.chat.members.get(was.sid)
            assert back is not None and back.held_until is not None, "a hold lost in a restart"
            assert back.name == was.name and back.rooms == was.rooms
            person.session, person.held_until = back, back.held_until

    # -- what must hold ------------------------------------------------------------------------

    def check(self) -> None:
        for sid, events in self.world.inbox.items():
            ids = [i for i in map(event_id, events) if i is not None]
            assert ids == sorted(set(ids)), (sid, ids)
            if self.world.chat.settings.quiet_above >= len(self.people):
                # (Rooms never quiet: in a quiet room a name comes back untold, by design.)
                leaves_told_once(sid, events)
        present = {
            p.session.name.casefold()
            for p in self.people
            if p.session is not None
            and p.session.name is not None
            and p.session.sid not in self.world.closed
            and self.world.chat.is_member(p.session)
        }
        online = [name.casefold() for name in self.world.chat.online_names()]
        assert len(online) == len(set(online)), online
        assert set(online) == present, (online, present)
        for person in self.people:
            session = person.session
            if (
                self.connected(person)
                and session is not None
                and self.world.chat.is_member(session)
            ):
                self.check_online_reply(session)

    def check_online_reply(self, session: Session) -> None:
        before = len(self.world.inbox[session.sid])
        self.world.apply(self.world.chat.handle_line(session, "/online", self.now))
        [reply] = self.world.inbox[session.sid][before:]
        del self.world.inbox[session.sid][before:]
        assert isinstance(reply, Online)
        assert [n.casefold() for n in reply.users] == sorted(
            n.casefold() for n in self.world.chat.online_names()
        )


def event_id(event: Event) -> int | None:
    """The id a client checks the order by: none for history, shown again on every /join."""
    inner = event.event if isinstance(event, Replayed) else event
    if getattr(inner, "history", False):
        return None
    return getattr(inner, "id", None)


def last_id(events: list[Event]) -> int:
    """What a client resumes from: the newest id it read (0 if none)."""
    return max((i for i in map(event_id, events) if i is not None), default=0)


def leaves_told_once(sid: int, events: list[Event]) -> None:
    """Between two leaves of the chat by one name, that name came back (a join or a
    welcome listing it), somebody took it by renaming, or events were missed (a resume
    from further back than the log keeps). An operator is told of each kick they make,
    wherever they are: whether they saw the name come back is not the kick's to say."""
    gone: set[str] = set()
    me: str | None = None
    for event in events:
        inner = event.event if isinstance(event, Replayed) else event
        match inner:
            case Welcome(name=name):
                me = name
            case Nick(old=old, new=new) if old == me:
                me = new
        match inner:
            case Leave(by=by) if by is not None and by == me:
                pass
            case Leave(name=name, room=None):
                assert name.casefold() not in gone, (sid, name, events)
                gone.add(name.casefold())
            case Join(name=name):
                gone.discard(name.casefold())
            case Nick(new=new):
                gone.discard(new.casefold())
            case Joined(users=users) | Welcome(users=users) if users:
                gone.difference_update(n.casefold() for n in users)
            case Notice(code=NoticeCode.MISSED):
                gone.clear()  # what came meanwhile is lost, and said to be


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SETTINGS), st.lists(STEP, min_size=20, max_size=60))
def test_any_script_keeps_order_leaves_once_and_names_unique(
    chat: tuple[ChatSettings, int], steps: list[tuple[int, str, int, int]]
) -> None:
    script = Script(*chat)
    for step in steps:
        script.step(*step)
        script.check()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SETTINGS), st.lists(STEP, min_size=20, max_size=60))
def test_the_same_with_the_server_restarted_on_its_store(
    chat: tuple[ChatSettings, int], steps: list[tuple[int, str, int, int]]
) -> None:
    """With ``--store``: ids go on after a restart, the held come back with their names, and
    a resume after it replays what they missed, the departures of the restart included."""
    # The writer's wait for a batch to pile up (0.2 s) is a stop's wait too: not here.
    with tempfile.TemporaryDirectory() as directory, patch("papo.hub.store.FLUSH_SECONDS", 0):
        script = Script(*chat, store=Path(directory) / "chat.db")
        try:
            for step in steps:
                script.step(*step)
                script.check()
        finally:
            script.running.close()


def test_the_script_reaches_every_kind_of_step() -> None:
    """The script can do what it claims (its moves are not all no-ops), and a leave told
    twice is caught."""
    script = Script()
    ana, cid = script.people[0], script.people[1]
    join, quit = LINES.index("/join {room}"), LINES.index("/quit later")
    script.step(0, "line", 0, join)  # connects, as ana (JSON)
    script.step(1, "line", 1, join)  # connects, as cid (a line client)
    for seat in (0, 1):
        script.step(seat, "line", 0, join)  # into #r0
    assert ana.session is not None and ana.session.rooms == ["#lobby", "#r0"]
    script.step(0, "drop", 0, 0)
    assert ana.held_until is not None
    script.step(0, "resume", 0, 0)
    assert ana.held_until is None and ana.previous_tokens
    script.step(0, "stale_resume", 0, 0)
    script.step(0, "drop", 0, 0)
    script.step(0, "expire", 0, 0)
    assert ana.session.sid in script.world.closed
    assert cid.session is not None
    inbox = script.world.inbox[cid.session.sid]
    assert [e.name for e in inbox if isinstance(e, Leave)] == ["ana"]
    script.check()
    script.step(0, "line", 0, join)  # ana again, in a new connection
    script.step(0, "line", 0, join)
    script.step(0, "line", 0, quit)
    script.check()
    assert isinstance(inbox[-1], Leave)
    inbox.append(inbox[-1])  # as if the one leave had come twice
    with pytest.raises(AssertionError):
        script.check()


def test_a_restart_in_the_script_holds_the_programs_and_lets_the_line_clients_go(
    tmp_path: Path,
) -> None:
    """The restart step does what the server does (a check of the script itself)."""
    script = Script(store=tmp_path / "chat.db")
    ana, cid = script.people[0], script.people[1]
    join = LINES.index("/join {room}")
    script.step(0, "line", 0, join)  # ana, JSON
    script.step(1, "line", 1, join)  # cid, a line client
    script.step(0, "line", 0, LINES.index("hello {n}"))
    assert ana.session is not None and cid.session is not None
    before = last_id(script.world.inbox[ana.session.sid])
    script.step(0, "restart", 0, 0)
    assert ana.held_until is not None and cid.session.sid in script.world.closed
    script.step(0, "resume", 0, 0)
    script.check()
    inbox = script.world.inbox[ana.session.sid]
    [replayed] = [e.event for e in inbox if isinstance(e, Replayed)]
    assert isinstance(replayed, Leave) and replayed.reason is LeaveReason.SHUTDOWN
    assert replayed.name == "cid" and replayed.id > before
    script.running.close()
