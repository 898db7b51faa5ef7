"""Fixtures that start real server processes; each is stopped by its PID when the test ends."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.redis_server import RedisServer
from tests.support import ServerProcess

# The programs the tests start run as their users run them: this machine's PYTHONUNBUFFERED
# hid a client whose last lines, buffered, failed at exit to reach a closed terminal (Python's
# status 120); unbuffered, nothing was left to fail.
os.environ.pop("PYTHONUNBUFFERED", None)

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def start_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[StartServer]:
    if "redis_server" in request.fixturenames:
        # Up before the servers, so down after them: a server stopped with its Redis gone
        # waits to hand its users over (HAND_OVER_SECONDS), seconds a test would lose.
        request.getfixturevalue("redis_server")
    started: list[ServerProcess] = []

    def start(*args: str, **kwargs: Any) -> ServerProcess:
        server = ServerProcess(*args, tmp=tmp_path, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(params=["asyncio", "uvloop"])
def server(start_server: StartServer, request: pytest.FixtureRequest) -> ServerProcess:
    """A server with default options, on each event loop the shell supports."""
    return start_server("--loop", str(request.param))


@pytest.fixture
def clients() -> Iterator[list[pexpect.spawn]]:
    spawned: list[pexpect.spawn] = []
    yield spawned
    for child in spawned:
        if child.isalive():
            child.terminate(force=True)
        else:
            child.close()
        # Shown with a failing test's teardown output: how each client ended, if it had.
        print(f"client {child.pid}: exit {child.exitstatus}, signal {child.signalstatus}")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, no persistence, stopped by its PID."""
    try:
        server = RedisServer(tmp_path)
    except FileNotFoundError:
        pytest.skip("redis-server is not installed (make test installs it)")
    yield server
    server.stop()
