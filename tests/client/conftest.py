"""Fixtures of the client tests."""

from __future__ import annotations

from collections.abc import Iterator

import pexpect
import pytest


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
