"""The bench waits for every worker of a server on several: counted from the kernel's table
of listening sockets, with real sockets sharing one port."""

from __future__ import annotations

import socket
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from bench.adapters import ADAPTERS, adapter_for
from bench.servers import STDLIB_KIND, listeners_on, start, wait_for_listeners


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


def test_papo_on_the_standard_librarys_loop_runs_as_a_fresh_clone_does() -> None:
    """``papo-stdlib`` is papo-json without uvloop (installed here, so asked for by name)."""
    running = start(STDLIB_KIND)
    try:
        command = Path(f"/proc/{running.pid}/cmdline").read_bytes().split(b"\0")
        assert command[command.index(b"--loop") + 1] == b"asyncio"
        assert adapter_for(STDLIB_KIND, running.irc_port) == ADAPTERS["papo-json"]
    finally:
        running.stop()
