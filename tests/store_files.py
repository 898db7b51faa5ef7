"""Store files made and read by the tests themselves: messages of days ago, what is left."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from papo.core.past import SECONDS_PER_DAY
from papo.core.shared import Route
from papo.hub.memory import MemoryHub
from papo.hub.store import LogStore
from papo.protocol.events import Message


def fill_store(path: Path, said_days_ago: dict[str, float]) -> list[int]:
    """A store in which ana said each text in #lobby that many days ago, in that order; their
    ids."""
    hub = MemoryHub(store=LogStore(path))
    now = time.time()
    ids = []
    for text, days in said_days_ago.items():
        said = Message(
            ts=now - days * SECONDS_PER_DAY, id=0, sender="ana", text=text, room="#lobby"
        )
        ids.append(hub.append(said, Route(frozenset({"#lobby"}))).id)
    hub.close()
    return ids


def messages_in(path: Path) -> list[str]:
    """The texts of the messages in the file, in order."""
    with sqlite3.connect(path) as reader:
        rows = reader.execute("SELECT event FROM events ORDER BY id").fetchall()
    events = [json.loads(event) for (event,) in rows]
    return [event["text"] for event in events if event["type"] == "message"]
