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
