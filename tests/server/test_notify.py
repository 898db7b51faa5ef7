"""systemd's notify protocol, heard as systemd hears it: a Unix datagram socket named by
``NOTIFY_SOCKET``, each message's sender known from the kernel (SO_PASSCRED), since systemd
takes them only from the process it started. Real server processes; a real redis-server for
``--workers``."""

from __future__ import annotations

import array
import os
import signal
import socket
import struct
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papo.server.notify import ServiceManager, notify
from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import ServerProcess

Message = tuple[int, dict[str, str]]  # who sent it (pid), and its fields


class Listener:
    """The manager's end: a datagram socket, the sender of each message read from the kernel."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.address = address

    def message(self, timeout: float = 10.0) -> Message:
        self.sock.settimeout(timeout)
        size = struct.calcsize("3i")
        data, ancillary, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(size))
        pid = 0
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = array.array("i", payload[:size])[0]
        fields = dict(line.split("=", 1) for line in data.decode().splitlines())
        return pid, fields

    def nothing_more(self, wait: float) -> bool:
        try:
            self.message(timeout=wait)
        except TimeoutError:
            return True
        return False


@pytest.fixture(params=["path", "abstract"])
def listener(request: pytest.FixtureRequest) -> Iterator[Listener]:
    """systemd names a path; a manager may name an abstract socket (``@`` in front)."""
    if request.param == "abstract":
        made = Listener(f"@papo-test-{os.getpid()}-{time.monotonic_ns()}")
        yield made
        made.sock.close()
        return
    with tempfile.TemporaryDirectory(prefix="papo-") as short:  # a socket path: 107 bytes
        made = Listener(str(Path(short) / "notify"))
        yield made
        made.sock.close()


def started(start: StartServer, listener: Listener, *args: str) -> ServerProcess:
    return start(*args, env={"NOTIFY_SOCKET": listener.address})


def test_a_server_says_ready_reloading_and_stopping(
    start_server: StartServer, listener: Listener, tmp_path: Path
) -> None:
    motd = tmp_path / "motd.txt"
    motd.write_text("hello\n")
    server = started(start_server, listener, "--motd", str(motd))
    pid, ready = listener.message()
    assert pid == server.process.pid
    assert ready == {"READY": "1", "STATUS": f"listening on port {server.port}"}
    server.user("ana")  # it listens indeed
    server.signal(signal.SIGUSR1)
    _, reloading = listener.message()
    assert reloading["RELOADING"] == "1" and reloading["STATUS"] == "reading its files"
    asked = time.monotonic_ns() // 1000  # the same clock as the manager's
    assert 0 <= asked - int(reloading["MONOTONIC_USEC"]) < 10_000_000
    _, again = listener.message()
    assert again == ready
    server.wait_for_log("read again: --motd")
    server.signal(signal.SIGTERM)
    _, stopping = listener.message()
    assert stopping == {"STOPPING": "1", "STATUS": "stopping: telling 1 connections"}
    assert server.wait() == 0
    assert listener.nothing_more(0.2)


def test_the_workers_parent_speaks_for_them(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    with tempfile.TemporaryDirectory(prefix="papo-") as short:
        listener = Listener(str(Path(short) / "notify"))
        server = started(start_server, listener, "--redis", redis_server.url, "--workers", "2")
        pid, ready = listener.message()
        assert pid == server.process.pid  # the parent, once both workers listen
        assert ready == {"READY": "1", "STATUS": f"2 workers listening on port {server.port}"}
        assert listener.nothing_more(1.0)  # not a word from the workers
        server.signal(signal.SIGUSR1)
        assert listener.message()[1]["RELOADING"] == "1"
        assert listener.message() == (server.process.pid, ready)
        server.signal(signal.SIGTERM)
        assert listener.message() == (
            server.process.pid,
            {"STOPPING": "1", "STATUS": "stopping its workers"},
        )
        assert server.wait() == 0
        assert listener.nothing_more(0.5)
        listener.sock.close()


def test_without_a_manager_nothing_is_sent_and_a_gone_one_harms_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert notify("READY=1", environ={}) is False
    gone = {"NOTIFY_SOCKET": str(tmp_path / "nobody")}
    assert notify("READY=1", environ=gone) is False
    assert "cannot tell the service manager" in caplog.text


def test_a_reload_before_ready_is_not_told(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGUSR1 may come while the server starts: a READY=1 after it would say it listens."""
    monkeypatch.setenv("NOTIFY_SOCKET", listener.address)
    manager = ServiceManager()
    with manager.reloading():
        pass
    assert listener.nothing_more(0.2)
    manager.ready("listening on port 1")
    assert listener.message() == (os.getpid(), {"READY": "1", "STATUS": "listening on port 1"})
    with manager.reloading():
        assert listener.message()[1]["RELOADING"] == "1"
    assert listener.message()[1] == {"READY": "1", "STATUS": "listening on port 1"}
