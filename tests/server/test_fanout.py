"""The fan-out: one render per format, the same bytes object for every recipient."""

from __future__ import annotations

from papo.core.chat import Chat
from papo.core.outputs import Reformat
from papo.core.session import Session
from papo.hub.memory import MemoryHub
from papo.irc.door import Door
from papo.protocol.commands import OutputFormat
from papo.protocol.render import Renderer
from papo.server.fanout import FanOut

NOW = 1_700_000_000.0


class RecordingOutlet:
    """An outlet that keeps what it is given (the fan-out's only view of a connection)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.output = OutputFormat.TEXT
        self.door: Door | None = None
        self.queued: list[bytes] = []
        self.closed = False

    def queue(self, data: bytes, *, owed: bool = False) -> None:
        self.queued.append(data)

    def flush(self, tail: bytes = b"", *, small_room: bool = False) -> None:
        if tail:
            self.queued.append(tail)

    def close_after_flush(self) -> None:
        self.closed = True


def setup(count: int) -> tuple[Chat, FanOut[RecordingOutlet], list[RecordingOutlet]]:
    chat = Chat(MemoryHub())
    hub: FanOut[RecordingOutlet] = FanOut(Renderer("en"), chat.settings.history)
    outlets = []
    for sid in range(count):
        outlet = RecordingOutlet(Session(sid))
        hub.attach(outlet)
        hub.deliver(
            chat.handle_line(outlet.session, "/format json" if sid % 2 else "/format text", NOW)
        )
        hub.deliver(chat.handle_line(outlet.session, f"user{sid}", NOW))
        outlets.append(outlet)
    hub.flush()
    for outlet in outlets:
        outlet.queued.clear()
    return chat, hub, outlets


def test_broadcast_renders_once_per_format_and_shares_the_bytes() -> None:
    chat, hub, outlets = setup(6)
    hub.deliver(chat.handle_line(outlets[1].session, "hello", NOW))
    hub.flush()
    json_copies = [o.queued[0] for o in outlets if o.output is OutputFormat.JSON]
    text_copies = [o.queued[0] for o in outlets[2:] if o.output is OutputFormat.TEXT]
    assert len({id(b) for b in json_copies}) == 1 and b'"text":"hello"' in json_copies[0]
    assert len({id(b) for b in text_copies}) == 1 and text_copies[0] == b"<user1> hello\n"


def test_text_author_gets_no_echo_json_author_does() -> None:
    chat, hub, outlets = setup(2)
    hub.deliver(chat.handle_line(outlets[0].session, "from text", NOW))
    hub.deliver(chat.handle_line(outlets[1].session, "from json", NOW))
    hub.flush()
    assert outlets[0].queued == [b"<user1> from json\n"]
    (both,) = outlets[1].queued  # one write
    assert both.index(b'"text":"from text"') < both.index(b'"text":"from json"')


def test_an_author_gets_its_own_words_back_unless_its_client_showed_them() -> None:
    """A line client's person typed the message but not the action papo makes of /me; an IRC
    client shows both itself, unless it took echo-message; a JSON program gets both back."""
    chat, hub, outlets = setup(4)
    silent, echoing = Door("irc.test", registered=True), Door("irc.test", registered=True)
    echoing.caps = frozenset({"echo-message"})
    for outlet, door in ((outlets[2], silent), (outlets[3], echoing)):
        outlet.door = door  # an IRC client, as the server makes one of it
        hub.deliver([Reformat(outlet.session, OutputFormat.IRC)])
    hub.flush()
    for outlet in outlets:
        outlet.queued.clear()
    for outlet in outlets:
        name = outlet.session.name
        hub.deliver(chat.handle_line(outlet.session, f"said by {name}", NOW))
        hub.deliver(chat.handle_line(outlet.session, f"/me waves, {name}", NOW))
        hub.flush()
    got = [b"".join(outlet.queued) for outlet in outlets]
    own = [(b"said by user%d" % n in got[n], b"waves, user%d" % n in got[n]) for n in range(4)]
    assert own == [(False, True), (True, True), (False, False), (True, True)]
    assert all(b"said by user%d" % n in got[(n + 1) % 4] for n in range(4))  # the others do


def test_close_and_detach_and_tell_everyone() -> None:
    chat, hub, outlets = setup(3)
    hub.deliver(chat.handle_line(outlets[0].session, "/quit", NOW))
    assert outlets[0].closed
    hub.detach(outlets[0])
    hello = chat.hello(outlets[1].session, NOW)
    told = hub.tell_everyone(lambda outlet: hello)
    assert told == outlets[1:]
    assert outlets[0].queued[-1].startswith(b"Goodbye")


def test_history_replays_are_rendered_once_and_pruned() -> None:
    chat, hub, outlets = setup(2)
    for n in range(30):
        hub.deliver(chat.handle_line(outlets[1].session, f"m{n}", NOW))
    newcomers = []
    for sid in (100, 101):
        outlet = RecordingOutlet(Session(sid))
        hub.attach(outlet)
        hub.deliver(chat.handle_line(outlet.session, "/format json", NOW))
        hub.deliver(chat.handle_line(outlet.session, f"late{sid}", NOW))
        newcomers.append(outlet.queued[2:])  # after hello and welcome
    first, second = newcomers
    assert len(first) == 20 and all(b'"history":true' in line for line in first)
    assert b'"text":"m10"' in first[0] and b'"text":"m29"' in first[-1]
    assert all(a is b for a, b in zip(first, second, strict=True))  # the very same bytes
    assert len(hub._replays) <= 4 * 20 + 1


def received(outlet: RecordingOutlet) -> bytes:
    return b"".join(outlet.queued)


def test_what_one_member_is_sent_keeps_its_place_among_the_broadcasts() -> None:
    chat, hub, outlets = setup(3)
    alice, bob = outlets[0], outlets[2]  # both read text
    hub.deliver(chat.handle_line(outlets[1].session, "before", NOW))
    hub.deliver(chat.handle_line(alice.session, "/private user2 secret", NOW))
    hub.deliver(chat.handle_line(outlets[1].session, "after", NOW))
    hub.deliver(chat.handle_line(alice.session, "/online", NOW))
    hub.flush()
    lines = received(bob).splitlines()
    assert lines[0] == b"<user1> before"
    assert b"secret" in lines[1]
    assert lines[2] == b"<user1> after"
    alice_lines = received(alice).splitlines()
    assert alice_lines[0] == b"<user1> before" and b"secret" in alice_lines[1]
    assert alice_lines[2] == b"<user1> after" and b"user0" in alice_lines[3]


def test_a_newcomer_gets_only_what_was_said_after_it_joined() -> None:
    chat, hub, outlets = setup(2)
    hub.deliver(chat.handle_line(outlets[1].session, "/format text", NOW))
    hub.flush()
    for outlet in outlets:
        outlet.queued.clear()
    hub.deliver(chat.handle_line(outlets[1].session, "early", NOW))
    late = RecordingOutlet(Session(50))
    hub.attach(late)
    hub.deliver(chat.handle_line(late.session, "late", NOW))
    hub.deliver(chat.handle_line(outlets[1].session, "later", NOW))
    hub.flush()
    after_welcome = received(late).split(b"<user1> later\n")
    assert len(after_welcome) == 2 and after_welcome[1] == b""
    assert b"<user1> early" in after_welcome[0]  # as history, in the replay
    assert b"early" in received(outlets[0]) and b"joined" in received(outlets[0])


def test_switching_format_mid_flush_keeps_order_and_changes_rendering() -> None:
    chat, hub, outlets = setup(2)
    switcher = outlets[0]  # reads text
    hub.deliver(chat.handle_line(outlets[1].session, "one", NOW))
    hub.deliver(chat.handle_line(switcher.session, "/format json", NOW))
    hub.deliver(chat.handle_line(outlets[1].session, "two", NOW))
    hub.flush()
    data = received(switcher)
    assert data.startswith(b"<user1> one\n")
    assert data.endswith(b'"text":"two","ts":"2023-11-14T22:13:20.000Z"}\n')


def test_nothing_reaches_a_member_after_it_quits() -> None:
    chat, hub, outlets = setup(2)
    hub.deliver(chat.handle_line(outlets[1].session, "first", NOW))
    hub.deliver(chat.handle_line(outlets[0].session, "/quit", NOW))
    hub.deliver(chat.handle_line(outlets[1].session, "second", NOW))
    hub.flush()
    data = received(outlets[0])
    assert outlets[0].closed and b"first" in data and data.endswith(b"Goodbye!\n")
    assert b"second" not in data
