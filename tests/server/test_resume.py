"""Resume over real sockets: held on a drop, back with ``/resume TOKEN LAST_ID``, nothing lost,
doubled or reordered, through a proxy that cuts, stalls and resets connections."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import StartServer
from tests.proxy import FaultyProxy
from tests.support import TIMEOUT, Event, LineClient, ServerProcess

FAST = ("--rate", "0", "--ip-rate", "0", "--ip-connect-rate", "0", "--max-per-ip", "0")


def resume(server: ServerProcess, token: str, last_id: int, port: int | None = None) -> LineClient:
    client = LineClient(port or server.port, json_mode=True)
    server.clients.append(client)
    client.send(f"/resume {token} {last_id}")
    return client


def test_a_json_drop_is_held_unseen_and_a_resume_brings_back_what_was_missed(
    server: ServerProcess,
) -> None:
    ana, bob = server.user("ana"), server.user("bob")
    assert ana.welcome is not None and len(ana.welcome["resume"]) >= 22  # >= 128 bits
    ana.send("/join #dev")
    ana.expect("joined", room="#dev")  # before bob: his join is one she reads
    bob.send("/join #dev")
    first = ana.expect("join", name="bob", room="#dev")["id"]
    bob.expect("joined")
    ana.reset()
    assert bob.quiet(0.5) == []  # nobody is told of a drop
    bob.send("/online")
    assert "ana" in bob.expect("online")["users"]
    bob.send("while you were out")
    bob.send("/msg ana psst")
    bob.expect("private")
    back = resume(server, ana.welcome["resume"], first)
    welcome = back.expect("welcome")
    assert welcome["resumed"] is True and welcome["name"] == "ana"
    assert welcome["rooms"] == ["#lobby", "#dev"] and welcome["room"] == "#dev"
    assert welcome["resume"] != ana.welcome["resume"]
    message, private = back.next_event(), back.next_event()
    assert message == {**message, "type": "message", "text": "while you were out", "replay": True}
    assert private == {**private, "type": "private", "text": "psst", "replay": True}
    bob.send("live again")
    live = back.expect("message", text="live again")
    assert "replay" not in live and live["id"] > private["id"] > message["id"] > first
    assert "resumed from" in server.log() and ana.welcome["resume"] not in server.log()


def test_a_bad_token_is_refused_and_the_connection_may_still_pick_a_name(
    server: ServerProcess,
) -> None:
    client = resume(server, "not-a-token", 0)
    assert client.expect("error")["code"] == "resume_failed"
    client.send("/resume only-one-argument")
    assert client.expect("error")["code"] == "usage"
    assert client.register("zoe")["type"] == "welcome"


def test_resuming_while_the_old_connection_is_open_replaces_it(server: ServerProcess) -> None:
    ana, bob = server.user("ana"), server.user("bob")
    assert ana.welcome is not None
    back = resume(server, ana.welcome["resume"], 0)
    assert back.expect("welcome")["resumed"] is True
    assert ana.expect("bye")["reason"] == "replaced"
    assert ana.closed_by_server()
    bob.send("hello")
    assert back.expect("message", text="hello")["from"] == "bob"
    assert [e for e in bob.quiet(0.3) if e["type"] == "leave"] == []  # ana never left


def test_a_hold_that_runs_out_is_a_timeout_leave(start_server: StartServer) -> None:
    server = start_server("--resume-grace", "0.5")
    ana, bob = server.user("ana"), server.user("bob")
    assert ana.welcome is not None
    ana.sock.close()
    assert bob.expect("leave", name="ana")["reason"] == "timeout"
    late = resume(server, ana.welcome["resume"], 0)
    assert late.expect("error")["code"] == "resume_failed"
    assert late.register("ana")["type"] == "welcome"  # the name is free again


def test_five_failed_resumes_are_five_refused_names(server: ServerProcess) -> None:
    client = server.client(json_mode=True)
    for _ in range(5):
        client.send("/resume guess 0")
    assert client.expect("bye")["reason"] == "too_many_tries"


class ResumingReader:
    """A JSON client that resumes by itself, as the papo client does, and keeps every event."""

    def __init__(self, server: ServerProcess, proxy: FaultyProxy, name: str) -> None:
        self.server, self.proxy = server, proxy
        self.client = LineClient(proxy.port, json_mode=True)
        welcome = self.client.register(name)
        self.token: str = welcome["resume"]
        self.last_id = 0
        self.events: list[Event] = []
        self.resumes = 0

    def send(self, line: str) -> None:
        self.client.send(line)

    def read(self, until: Any, timeout: float = 20) -> None:
        """Read until ``until(event)``; a lost connection is resumed on a new one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.client.event(0.5)
            except (EOFError, OSError):
                self.come_back()
                continue
            if event is None:
                continue
            self.take(event)
            if until(event):
                return
        raise AssertionError(f"timed out; last events {self.events[-5:]}")

    def take(self, event: Event) -> None:
        if event["type"] == "welcome":
            self.token = event["resume"]
        if "id" in event:
            assert event["id"] > self.last_id, (event, self.last_id)
            self.last_id = event["id"]
        self.events.append(event)

    def come_back(self, *, abandon: bool = False) -> None:
        """Resume on a new connection (``abandon``: leave the old one open, unread)."""
        if not abandon:
            self.client.close()
        self.resumes += 1
        self.client = LineClient(self.proxy.port, json_mode=True)
        self.client.send(f"/resume {self.token} {self.last_id}")
        welcome = self.client.expect("welcome", timeout=TIMEOUT)
        assert welcome["resumed"] is True
        self.take(welcome)


@pytest.mark.parametrize("fault", ["cut", "reset", "stall"])
def test_through_faults_each_message_arrives_once_in_order(
    start_server: StartServer, fault: str
) -> None:
    """500 messages in two rooms and privates while the connection breaks three times."""
    server = start_server(*FAST)
    proxy = FaultyProxy(server.port)
    try:
        ana = ResumingReader(server, proxy, "ana")
        ana.send("/join #a")
        ana.read(lambda e: e["type"] == "joined")
        ana.send("/join #b")
        ana.read(lambda e: e["type"] == "joined")
        bob, carol, dave = server.user("bob"), server.user("carol"), server.user("dave")
        bob.send("/join #a")
        carol.send("/join #b")
        dave.send("/join #elsewhere")  # what dave says in there is not for ana
        for sender in (bob, carol, dave):
            sender.expect("joined")
        sent: dict[str, list[Event]] = {"bob": [], "carol": [], "dave": []}

        def talk() -> None:
            for number in range(500):
                who, line = [
                    (bob, f"a{number}"),
                    (carol, f"b{number}"),
                    (dave, f"/msg ana p{number}"),
                    (dave, f"x{number}"),
                ][number % 4]
                who.send(line)
                if number % 25 == 0:
                    time.sleep(0.02)

        talker = threading.Thread(target=talk)
        talker.start()
        for count in (60, 200, 340):
            ana.read(lambda e, count=count: e["type"] in ("message", "private")
                     and int(e["text"][1:]) >= count)  # fmt: skip
            if fault == "stall":
                proxy.stall()
                ana.come_back(abandon=True)
            else:
                getattr(proxy, fault)()
        talker.join()
        for name, client in (("bob", bob), ("carol", carol), ("dave", dave)):
            while len(sent[name]) < 125:
                event = client.expect("message" if name != "dave" else "private")
                if event.get("from") == name:
                    sent[name].append(event)
        expected = sorted(e["id"] for e in (*sent["bob"], *sent["carol"], *sent["dave"]))
        ana.read(lambda e: ana.last_id >= expected[-1])
        got = [e["id"] for e in ana.events if e["type"] in ("message", "private")]
        missing, extra = set(expected) - set(got), set(got) - set(expected)
        assert (missing, extra) == (set(), set()), [e for e in ana.events if e.get("id") in extra]
        assert got == expected  # every one, once, in order (none of dave's in #elsewhere)
        assert ana.resumes >= 3 and any(e.get("replay") for e in ana.events)
    finally:
        proxy.close()


@pytest.mark.parametrize(
    ("stop", "line_client_left"),
    [(signal.SIGTERM, "shutdown"), (signal.SIGKILL, "disconnect")],
    ids=["stopped", "killed"],
)
def test_with_a_store_a_restart_is_resumed_and_nothing_is_lost(
    start_server: StartServer, tmp_path: Path, stop: signal.Signals, line_client_left: str
) -> None:
    """Stopped, the server holds its JSON users for the next one; killed outright, it has
    written who was online as it went, and the next one holds them as well: their rooms, away
    text, and operator rights too."""
    store = str(tmp_path / "chat.db")
    secret = tmp_path / "oper"
    secret.write_text("the operator password\n")
    options = ("--store", store, "--oper-password-file", str(secret))
    server = start_server(*options)
    ana, bob, text = server.user("ana"), server.user("bob"), server.line_user("tex")
    assert ana.welcome is not None and bob.welcome is not None
    ana.send("/join #dev")
    ana.expect("joined")
    ana.send("/away lunch")
    ana.expect("info", code="now_away")
    ana.send("/oper the operator password")
    ana.expect("info", code="operator")
    bob.send("/join #dev")
    seen = ana.expect("join", name="bob")["id"]
    bob.send("before the restart")
    bob.expect("message", text="before the restart")
    if stop is signal.SIGTERM:
        server.signal(stop)
        assert bob.expect("bye")["reason"] == "restart"  # JSON: come back
        assert text.text_until(lambda line: "shutting down" in line)  # a line client: goodbye
        assert server.wait() == 0
    else:
        time.sleep(1)  # past the store's batch time
        server.signal(stop)
        server.wait()
    again = start_server(*options)
    stranger = again.client(json_mode=True)
    assert stranger.register("ana")["code"] == "name_taken"  # still ana's, held
    back = resume(again, bob.welcome["resume"], 0)
    welcome = back.expect("welcome")
    assert welcome["resumed"] and welcome["rooms"] == ["#lobby", "#dev"]
    back.send("/msg ana after the restart")
    back.expect("private")
    ana_back = resume(again, ana.welcome["resume"], seen)
    assert ana_back.expect("welcome")["room"] == "#dev"
    replayed = [ana_back.next_event() for _ in range(3)]
    assert [(e["type"], e.get("text") or e.get("name"), e["replay"]) for e in replayed] == [
        ("message", "before the restart", True),
        ("leave", "tex", True),  # the line client, not held, left with the server
        ("private", "after the restart", True),
    ]
    assert replayed[1]["reason"] == line_client_left and "room" not in replayed[1]
    ana_back.send("/whois ana")
    assert ana_back.expect("whois")["away"] == "lunch"
    tex = again.user("tex")  # the line client was not held: its name is free
    assert tex.welcome is not None
    ana_back.send("/kick tex")
    assert ana_back.expect("leave", name="tex")["reason"] == "kicked"


def test_held_users_of_a_restart_time_out_when_nobody_comes_back(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = str(tmp_path / "chat.db")
    server = start_server("--store", store, "--resume-grace", "1")
    server.user("ana")
    server.signal(signal.SIGTERM)
    assert server.wait() == 0
    again = start_server("--store", store, "--resume-grace", "1")
    bob = again.user("bob")
    assert bob.expect("leave", name="ana")["reason"] == "timeout"


def test_holds_per_address_are_bounded_like_connections(start_server: StartServer) -> None:
    """A hold costs a name and memory for minutes: at most --max-per-ip of them per address;
    past that a dropped user leaves at once."""
    server = start_server("--max-per-ip", "2", "--ip-connect-rate", "0")
    for name in ("ana", "bob"):
        server.user(name).reset()
    watcher = server.user("watcher")
    carol = server.user("carol")
    carol.reset()
    assert watcher.expect("leave", name="carol")["reason"] == "disconnect"
    watcher.send("/online")
    assert watcher.expect("online")["users"] == ["ana", "bob", "watcher"]  # still held


def _say_until_dropped(server: ServerProcess, talker: LineClient) -> list[int]:
    """``talker`` says more than the cap lets wait for 'sleepy', who does not read, until it is
    dropped as too slow (and held): the ids of what was said."""
    held = server.log().count("'sleepy' held for")
    said = []
    for number in range(5000):  # the kernel's buffers take a few MB first
        talker.send(f"{number} " + "z" * 2000)
        said.append(talker.expect("message", text=f"{number} " + "z" * 2000)["id"])
        if number % 50 == 0 and server.log().count("'sleepy' held for") > held:
            return said
    raise AssertionError(f"never dropped: {server.log()}")


def _sleepy_dropped(start_server: StartServer) -> tuple[ServerProcess, LineClient, str, list[int]]:
    """A server with a 64 KiB cap, where 'sleepy' was dropped as too slow while 'talker' spoke:
    the server, talker, sleepy's resume token, and the ids of what it missed."""
    server = start_server(*FAST, "--sendq", "65536")
    sleepy = server.user("sleepy", rcvbuf=4096)
    assert sleepy.welcome is not None
    talker = server.user("talker")
    return server, talker, sleepy.welcome["resume"], _say_until_dropped(server, talker)


def test_a_member_dropped_as_too_slow_resumes_with_all_it_missed(
    start_server: StartServer,
) -> None:
    # What it missed is far more than --sendq: a replay is owed, not a sign of slowness
    # (it was counted as one: the resumed connection was dropped at once, over and over).
    server, talker, token, said = _sleepy_dropped(start_server)
    back = resume(server, token, said[0] - 1)
    assert back.expect("welcome")["resumed"] is True
    replayed = [back.expect("message", timeout=10) for _ in said]
    assert [(event["id"], event["replay"]) for event in replayed] == [(i, True) for i in said]
    talker.send("live again")
    assert back.expect("message", text="live again")["from"] == "talker"


def test_a_resumed_member_that_still_does_not_read_is_dropped_again(
    start_server: StartServer,
) -> None:
    server, talker, token, said = _sleepy_dropped(start_server)
    still = LineClient(server.port, json_mode=True, rcvbuf=4096)  # reads nothing after this
    server.clients.append(still)
    still.send(f"/resume {token} {said[0] - 1}")
    server.wait_for_log("'sleepy' resumed")
    _say_until_dropped(server, talker)  # the replay's allowance is not a blank cheque
    assert server.log().count("dropping 'sleepy'") == 2
