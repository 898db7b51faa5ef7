"""``--history-days`` with ``--store``: the events older than that leave the file (real SQLite
files, written and pruned by the store's own thread)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from papo.core.shared import Route
from papo.hub.memory import MemoryHub
from papo.hub.store import LogStore
from papo.hub.store_retention import Retention
from papo.protocol.events import Message
from tests.store_files import fill_store, messages_in

LOBBY = Route(frozenset({"#lobby"}))


def test_a_store_opened_with_a_limit_deletes_what_is_older(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    ids = fill_store(path, {"9": 9, "5": 5, "3": 3, "1": 1, "0.5": 0.5})
    hub = MemoryHub(store=LogStore(path, history_days=2))
    deadline = time.monotonic() + 10
    while len(messages_in(path)) > 2:  # the writer's first pass runs at once
        assert time.monotonic() < deadline, messages_in(path)
        time.sleep(0.05)
    assert messages_in(path) == ["1", "0.5"]
    said = hub.append(Message(ts=time.time(), id=0, sender="ana", text="now"), LOBBY)
    assert said.id == ids[-1] + 1  # ids go on: never handed out twice
    hub.close()
    again = MemoryHub(store=LogStore(path))  # no limit now: nothing more is deleted
    assert [event.text for event, _ in again.read_after(0) if isinstance(event, Message)] == [
        "1",
        "0.5",
        "now",
    ]
    again.close()


def test_a_pass_goes_chunk_by_chunk_and_stops_at_the_first_recent_event(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    old = {f"old {n}": 4 for n in range(5)}
    fill_store(path, {**old, "recent": 1, "set back": 4})  # a clock set back: kept in its place
    retention = Retention(2, chunk=2)
    with sqlite3.connect(path, isolation_level=None) as db:
        steps = 0
        while retention.wait() == 0.0:
            retention.step(db)
            steps += 1
        assert steps == 3  # 2 + 2 + 1 deleted, then the first recent one ends the pass
        assert (retention.wait() or 0) > 3000  # the next pass in an hour
        assert messages_in(path) == ["recent", "set back"]


def test_no_limit_deletes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    fill_store(path, {"900": 900, "1": 1})
    assert Retention(0).wait() is None
    hub = MemoryHub(store=LogStore(path))
    time.sleep(0.5)
    hub.close()
    assert len(messages_in(path)) == 2


def test_the_first_pass_and_the_reads_at_start_share_the_file_safely(tmp_path: Path) -> None:
    """The writer's first pass begins as the store opens, on the connection the start reads
    with: a server started on a store with old events once failed with "cannot commit - no
    transaction is active" (the pass's commit ended the read of the bans)."""
    path = tmp_path / "chat.db"
    fill_store(path, {"old": 9})
    with sqlite3.connect(path) as db:
        event, route = db.execute("SELECT event, route FROM events").fetchone()
    for _ in range(3):
        with sqlite3.connect(path) as db:  # 20 chunks of old events for the pass
            rows = [(number, event, route) for number in range(2, 20_002)]
            db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", rows)
        store = LogStore(path, history_days=2)
        deadline = time.monotonic() + 20
        while store.load(5):  # the start's reads, again and again, during the pass
            assert store.bans() == [] and store.take_holds() == [] and store.lasting() == []
            assert store.last_id() >= 1
            assert time.monotonic() < deadline
        store.close(store.last_id())
    assert messages_in(path) == []
