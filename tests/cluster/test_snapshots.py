"""What a newcomer is told is there, then the events after it, tell one story.

A welcome (or a ``joined``) lists who is in the room; the joins and leaves that follow must be
changes to that list: never the arrival of somebody it listed, never the departure of somebody
it did not. On several servers a server's own changes are made at once and numbered by Redis
a moment later, which is when this can go wrong.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import Event, LineClient, ServerProcess

ROUNDS = 6
ARRIVING = 8  # per round, all at once
SETTLE = 0.5  # seconds


def story_breaks(welcome: Event, after: list[Event], room: str) -> list[str]:
    """Where the events after ``welcome`` contradict the list it gave of ``room``."""
    present = set(welcome["users"])
    broken = []
    for event in after:
        name, kind = event.get("name"), event["type"]
        if kind == "join" and event.get("room", room) == room:
            if name in present:
                broken.append(f"{name} joined, listed already")
            present.add(name)
        elif kind == "leave" and event.get("room", room) == room:
            if name not in present:
                broken.append(f"{name} left, never listed")
            present.discard(name)
    return broken


@pytest.mark.parametrize("servers", [0, 1, 2])
def test_a_welcome_and_the_joins_and_leaves_after_it_agree(
    start_server: StartServer, redis_server: RedisServer, servers: int
) -> None:
    """0: one server alone (no Redis), where the log numbers at once."""
    shared = ("--redis", redis_server.url) if servers else ()
    running: list[ServerProcess] = [start_server(*shared) for _ in range(max(servers, 1))]
    servers = len(running)
    broken: list[str] = []
    leaving: list[LineClient] = []
    for round_ in range(ROUNDS):
        clients = [running[i % servers].client(json_mode=True) for i in range(ARRIVING)]
        for index, client in enumerate(clients):  # arrivals, and the last round's departures
            client.send(f"u{round_}x{index}")
            if leaving:
                leaving.pop().send("/quit")
        welcomes = [client.expect("welcome") for client in clients]
        time.sleep(SETTLE)  # every arrival and departure of the round numbered and delivered
        for client, welcome in zip(clients, welcomes, strict=True):
            broken += story_breaks(welcome, client.quiet(0.05), welcome["room"])
        leaving = clients
    assert not broken, broken
