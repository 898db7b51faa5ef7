"""The bench waits for every worker of a server on several: counted from the kernel's table
of listening sockets, with real sockets sharing one port."""

from __future__ import annotations

import socket
import subprocess
import sys
from contextlib import ExitStack

import pytest
from bench.servers import listeners_on, wait_for_listeners


def listening(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="no SO_REUSEPORT")
def test_the_workers_sharing_a_port_are_counted_each() -> None:
    with ExitStack() as stack:
        first = stack.enter_context(listening(0))
        port = first.getsockname()[1]
        assert listeners_on(port) == 1
        stack.enter_context(listening(port))
        assert listeners_on(port) == 2
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            wait_for_listeners(port, 2, sleeper, timeout=5)  # there: at once
            with pytest.raises(RuntimeError, match="2 of 3 workers"):
                wait_for_listeners(port, 3, sleeper, timeout=0.2)
        finally:
            sleeper.kill()
            sleeper.wait()
