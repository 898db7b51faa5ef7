"""The log on disk: real SQLite files, written by the store's thread, read back at start."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from papo.core.bans import Ban
from papo.core.chat import Chat
from papo.core.departures import DEPARTURE_SECONDS, Departure
from papo.core.shared import Route
from papo.hub.memory import ID_RESERVATION, MemoryHub
from papo.hub.store import BATCH, LogStore, StoreError
from papo.protocol.events import (
    Join,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Private,
    Replayed,
    Topic,
    Welcome,
)
from tests.core.world import World
from tests.support import ROOT

NOW = 1_700_000_000.0


def test_a_restart_goes_on_with_the_log_and_its_ids(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    lobby = Route(frozenset({"#lobby"}), exclude=1, author=2, hidden_from=(3, 4))
    private = Route(to=(2, 1))
    written = [
        (hub.append(Join(ts=NOW, id=0, name="ana"), lobby), lobby),
        (hub.append(Message(ts=NOW, id=0, sender="ana", text="olá, mundo"), lobby), lobby),
        (
            hub.append(Private(ts=NOW, id=0, sender="ana", recipient="bob", text="psst"), private),
            private,
        ),
    ]
    hub.close()
    again = MemoryHub(store=LogStore(path))
    assert again.read_after(0) == written  # the routes too: who each event was for
    back = Message(ts=NOW, id=0, sender="bob", text="back")
    assert again.append(back, lobby).id == 4  # not reused
    chat = Chat(again)
    assert [event.text for event in chat.default_room.history] == ["olá, mundo", "back"]
    assert all(event.history for event in chat.default_room.history)
    again.close()


def test_bans_outlive_the_process_until_they_end_or_are_lifted(tmp_path: Path) -> None:
    """(A process killed outright keeps them too, each being written at once: the server
    tests kill one.)"""
    path = tmp_path / "chat.db"
    now = time.time()
    hub = MemoryHub(store=LogStore(path))
    hub.ban(Ban("192.0.2.7", now + 60, "bob"))
    hub.ban(Ban("192.0.2.8", now + 60, "carol"))
    hub.ban(Ban("192.0.2.9", now + 0.2, "dave"))  # over by the next start
    hub.close()
    time.sleep(0.3)
    again = MemoryHub(store=LogStore(path))
    assert again.banned("192.0.2.7", now) == Ban("192.0.2.7", now + 60, "bob")
    assert [ban.name for ban in again.unban("CAROL", now)] == ["carol"]
    again.close()
    with sqlite3.connect(path) as db:  # the one over was deleted at start
        assert db.execute("SELECT address FROM bans").fetchall() == [("192.0.2.7",)]
    third = MemoryHub(store=LogStore(path))
    assert [ban.name for ban in third.bans_in_force(time.time())] == ["bob"]
    third.close()


def test_recent_departures_outlive_a_graceful_stop_once(tmp_path: Path) -> None:
    """Where the last members to leave came from, for a late /ban: written at a stop, read
    (and removed) at the next start; those over their hour are not read back."""
    path = tmp_path / "chat.db"
    now = time.time()
    hub = MemoryHub(store=LogStore(path))
    hub.note_departure("ana", "192.0.2.1", now - DEPARTURE_SECONDS - 1)  # over by the start
    hub.note_departure("Bob", "2001:db8::/64", now - 60)
    hub.close()
    again = MemoryHub(store=LogStore(path))
    assert again.departure("bob", now) == Departure("Bob", "2001:db8::/64", now - 60)
    assert again.departure("ana", now - DEPARTURE_SECONDS) is None
    with sqlite3.connect(path) as db:  # taken: a process killed now would not read them again
        assert db.execute("SELECT name FROM departures").fetchall() == []
    again.close()
    third = MemoryHub(store=LogStore(path))  # and written again at the second stop
    assert third.departure("BOB", now) is not None
    third.close()


def test_more_events_than_one_transaction_takes_are_all_written_in_order(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    count = 2 * BATCH + 100  # three transactions of one wake-up
    handed = [
        hub.append(Message(ts=NOW, id=0, sender="ana", text=str(number)), Route()).id
        for number in range(count)
    ]
    hub.close()
    with sqlite3.connect(path) as reader:
        rows = reader.execute("SELECT id, event FROM events ORDER BY id").fetchall()
    assert [row[0] for row in rows] == handed
    assert [json.loads(row[1])["text"] for row in rows] == [str(n) for n in range(count)]


def test_events_reach_the_file_soon_without_a_close(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    for number in range(5):
        hub.append(Message(ts=NOW, id=0, sender="ana", text=str(number)), Route())
    deadline = time.monotonic() + 5
    count = 0
    while time.monotonic() < deadline and count < 5:
        time.sleep(0.05)
        with sqlite3.connect(path) as reader:
            (count,) = reader.execute("SELECT COUNT(*) FROM events").fetchone()
    assert count == 5
    hub.close()


def test_after_a_crash_ids_jump_past_the_reservation_never_back(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    store = LogStore(path)
    hub = MemoryHub(store=store)
    handed = hub.append(Join(ts=NOW, id=0, name="ana"), Route()).id
    # No close: as if killed. Whatever the writer did or did not write, the next id is higher.
    # (The kernel drops a killed process's lock on the store: so does this test.)
    assert store._lock is not None
    os.close(store._lock)
    again = MemoryHub(store=LogStore(path))
    assert again.append(Join(ts=NOW, id=0, name="bob"), Route()).id > handed + ID_RESERVATION - 1
    again.close()


def test_one_store_is_one_processes_while_it_runs(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    first = LogStore(path)
    with pytest.raises(StoreError, match=rf"in use by another papo server \(pid {os.getpid()}\)"):
        LogStore(path)
    first.close(0)
    LogStore(path).close(0)  # free again once the first has closed


def test_a_file_that_is_not_a_store_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just words\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.txt"):
        LogStore(path)
    missing = tmp_path / "missing"
    with pytest.raises(StoreError, match=re.escape(f"there is no folder {missing}; make it")):
        LogStore(missing / "chat.db")
    with pytest.raises(StoreError, match=re.escape(f"{tmp_path}: is a directory; name a file")):
        LogStore(tmp_path)


def test_a_room_without_a_store_starts_empty() -> None:
    chat = Chat(MemoryHub())
    assert not chat.default_room.history and chat.online_names() == ()


def test_the_writer_thread_runs_at_the_lowest_priority(tmp_path: Path) -> None:
    store = LogStore(tmp_path / "chat.db")
    try:
        writer = store._writer.native_id
        assert writer is not None
        for _ in range(100):  # it lowers itself as it starts
            if os.getpriority(os.PRIO_PROCESS, writer) == 19:
                break
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, writer) == 19
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) != 19
    finally:
        store.close(0)


def _online_in(path: Path, count: int) -> set[str]:
    """The names in the store's ``online`` table once it has ``count`` rows (the writer
    thread writes them within its batch time)."""
    deadline = time.monotonic() + 5
    names: set[str] = set()
    while time.monotonic() < deadline:
        with sqlite3.connect(path) as reader:
            rows = reader.execute("SELECT hold FROM online").fetchall()
        names = {json.loads(text)["name"] for (text,) in rows}
        if len(names) == count:
            break
        time.sleep(0.05)
    return names


def test_after_a_crash_who_was_online_is_held_or_leaves(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    store = LogStore(path)
    world = World(hub=MemoryHub(store=store))
    ana, bob = world.user("ana", json=True), world.user("bob", json=True)
    world.user("carl", json=True)
    world.user("tex")  # reads text: cannot resume
    world.line(ana, "/join #dev")
    world.line(ana, "/away lunch")
    world.line(ana, "/ignore carl")
    world.line(bob, "/nick bea")
    world.line(bob, "/quit")
    world.chat.write_down_members()
    assert _online_in(path, 3) == {"ana", "carl", "tex"}  # bea left: forgotten
    said = world.chat.shared.last_id()
    # No close: as if killed (the kernel drops a killed process's lock: so does this test).
    assert store._lock is not None
    os.close(store._lock)

    again = World(hub=MemoryHub(store=LogStore(path)))
    chat, later = again.chat, NOW + 60
    again.apply(chat.recover(later))
    ana_held, carl_held = sorted(chat.held(), key=lambda member: member.sid)
    assert (ana_held.name, ana_held.held_until) == ("ana", later + 120)
    assert chat.shared.aways() == {ana_held.sid: "lunch"}
    assert [chat.rooms[key].name for key in ana_held.rooms] == ["#lobby", "#dev"]
    assert ana_held.ignoring == {carl_held.sid} and carl_held.name == "carl"
    assert chat.shared.holder("tex") is None and chat.shared.holder("bea") is None
    (leave,) = [event for event, _ in chat.shared.read_after(said)]  # tex went with it
    assert isinstance(leave, Leave)
    assert (leave.name, leave.reason) == ("tex", LeaveReason.DISCONNECT)

    back = again.connect()
    again.line(back, "/format json")
    events = again.line(back, f"/resume token-1 {said}")  # ana's token, from before
    welcome = events[0]
    assert isinstance(welcome, Welcome) and welcome.resumed and welcome.room == "#dev"
    (replayed,) = events[1:]
    assert isinstance(replayed, Replayed) and replayed.event == leave


def test_a_graceful_stop_leaves_nobody_online_in_the_store(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    world = World(hub=hub)
    world.user("ana", json=True)
    world.chat.write_down_members()
    assert _online_in(path, 1) == {"ana"}
    world.chat.hold_everyone(NOW)
    hub.close()
    assert _online_in(path, 0) == set()
    again = World(hub=MemoryHub(store=LogStore(path)))
    assert again.chat.recover(NOW) == []
    (held,) = again.chat.held()
    assert (held.name, held.held_until) == ("ana", NOW + 120)  # the end the stop gave it


def test_two_records_of_one_name_keep_the_first_and_the_chat_starts(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    store = LogStore(path)
    world = World(hub=MemoryHub(store=store))
    ana = world.user("ana", json=True)
    world.chat.write_down_members()
    assert _online_in(path, 1) == {"ana"}
    assert store._lock is not None
    os.close(store._lock)  # killed
    with sqlite3.connect(path) as db:  # and the file edited by hand: a second "ana"
        (text,) = db.execute("SELECT hold FROM online").fetchone()
        db.execute(
            "INSERT INTO online VALUES (99, ?)", (text.replace('"member": 1', '"member": 99'),)
        )
    again = World(hub=MemoryHub(store=LogStore(path)))
    again.apply(again.chat.recover(NOW))
    assert [(member.sid, member.name) for member in again.chat.held()] == [(ana.sid, "ana")]


# Run in a process of its own: its file size is limited (as a full disk), which the test
# runner's own files must not be. The backlog's bound is made small to be reached.
_BACKLOG_PAST_ITS_BOUND = """
import logging, resource, sys, time
from pathlib import Path

from papo.core.shared import Route
from papo.hub import store_backlog
from papo.hub.memory import MemoryHub
from papo.hub.store import LogStore
from papo.protocol.events import Message

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
store_backlog.MAX_WAITING = 10
path = Path(sys.argv[1])
hub = MemoryHub(store=LogStore(path))
longest = max(file.stat().st_size for file in path.parent.glob("chat.db*"))
resource.setrlimit(resource.RLIMIT_FSIZE, (longest, resource.RLIM_INFINITY))

def say(count):
    for _ in range(count):
        hub.append(Message(ts=0.0, id=0, sender="ana", text="x"), Route())

say(5)
time.sleep(0.6)  # the first write fails: 5 wait
say(10)  # taken at the next try, 1 s after the failure: 15, past the bound of 10
time.sleep(1.2)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
time.sleep(2.5)  # the try after, 2 s later, gets in
hub.close()
"""


def test_past_its_bound_the_backlog_gives_up_the_oldest_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    result = subprocess.run(
        [sys.executable, "-c", _BACKLOG_PAST_ITS_BOUND, str(path)],
        capture_output=True, text=True, timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "cannot write to" in result.stderr
    assert "5 events were given up unwritten" in result.stderr
    assert "is written again" in result.stderr and "the 10 events that waited" in result.stderr
    with sqlite3.connect(path) as reader:
        written = [row[0] for row in reader.execute("SELECT id FROM events ORDER BY id")]
    assert written == list(range(6, 16))  # the 5 oldest were given up, the rest kept in order


def _set_for_good(hub: MemoryHub, ts: float) -> None:
    """A topic, its lock and a mute, said at ``ts``, then more than a small log keeps."""
    dev = Route(frozenset({"#dev"}))
    hub.append(Topic(ts=ts, id=0, room="#dev", by="bob", text="the build is green"), dev)
    hub.append(Topic(ts=ts, id=0, room="#dev", by="ana", text="", locked=True), dev)
    hub.append(Mute(ts=time.time(), id=0, name="eve", by="ana", seconds=3600), dev)
    for n in range(5):
        hub.append(Message(ts=time.time(), id=0, sender="ana", text=f"m{n}", room="#dev"), dev)


def _room_and_mutes(hub: MemoryHub) -> tuple[str | None, bool, float | None]:
    chat = Chat(hub)
    dev = chat.rooms.logged("#dev")
    return dev.topic, dev.topic_locked, chat.mutes.until("eve", time.time())


def test_topics_locks_and_mutes_outlive_the_log_and_history_days(tmp_path: Path) -> None:
    """The log read back is at most --log-size events, and --history-days deletes old ones
    from the file: what they set for good is kept apart."""
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    _set_for_good(hub, time.time() - 30 * 86_400)
    hub.close()
    pruned = MemoryHub(log_size=3, store=LogStore(path, history_days=1))
    deadline = time.monotonic() + 10
    while sqlite3.connect(path).execute("SELECT COUNT(*) FROM events").fetchone()[0] > 6:
        assert time.monotonic() < deadline, "--history-days deleted nothing"
        time.sleep(0.05)
    pruned.close()
    again = MemoryHub(log_size=3, store=LogStore(path, history_days=1))
    topic, locked, muted = _room_and_mutes(again)
    assert (topic, locked) == ("the build is green", True)
    assert muted is not None and muted > time.time() + 3000
    again.close()


def test_a_store_from_before_finds_what_its_events_set_for_good(tmp_path: Path) -> None:
    """A file written by a papo that kept only the log: its topics, locks and mutes are found
    in its events once, at the first start."""
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    _set_for_good(hub, time.time())
    hub.close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE lasting")
    again = MemoryHub(log_size=3, store=LogStore(path))
    topic, locked, muted = _room_and_mutes(again)
    assert (topic, locked, muted is not None) == ("the build is green", True, True)
    again.close()


def test_past_its_limit_the_store_keeps_what_was_set_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("papo.hub.store.LASTING_LIMIT", 2)
    path = tmp_path / "chat.db"
    hub = MemoryHub(store=LogStore(path))
    for name in ("ana", "bob", "carol"):
        hub.append(Mute(ts=NOW, id=0, name=name, by="op", seconds=60), Route(to=(1,)))
    hub.close()
    store = LogStore(path)
    assert [event.name for event in store.lasting() if isinstance(event, Mute)] == ["bob", "carol"]
    store.close(3)
