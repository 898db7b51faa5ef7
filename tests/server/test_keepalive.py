"""TCP keepalive on both ends, read back from the kernel: a peer gone without a word (no FIN,
no RST) is found by the kernel's probes, then handled as any lost connection."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papo.keepalive import keep_alive
from tests.support import ROOT, ServerProcess

PROC_TCP = Path("/proc/net/tcp")
TICKS_PER_SECOND = 100  # /proc/net/tcp counts timers in USER_HZ


def established(port: int) -> dict[tuple[int, int], str]:
    """The established IPv4 connections from or to ``port``: (local, remote) port -> timer."""
    found: dict[tuple[int, int], str] = {}
    for row in PROC_TCP.read_text().splitlines()[1:]:
        fields = row.split()
        local, remote, state, timer = fields[1], fields[2], fields[3], fields[5]
        ports = int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)
        if port in ports and state == "01":
            found[ports] = timer
    return found


def keepalive_timer(local_port: int, remote_port: int) -> float | None:
    """Seconds until the keepalive timer of that connection fires; None if it has none."""
    timer = established(remote_port).get((local_port, remote_port))
    if timer is None or not timer.startswith("02:"):
        return None
    return int(timer[3:], 16) / TICKS_PER_SECOND


def keepalive_timer_soon(local_port: int, remote_port: int) -> float | None:
    """The same, once the connection's last bytes are acknowledged: until then its timer is
    the retransmission's (``01``), and on a loaded machine the acknowledgement of the welcome
    may still be on its way (a delayed ACK) when the test looks. Looked at for 2 s at most."""
    deadline = time.monotonic() + 2.0
    while (when := keepalive_timer(local_port, remote_port)) is None:
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)
    return when


pytestmark = pytest.mark.skipif(not PROC_TCP.exists(), reason="no /proc/net/tcp (not Linux)")


def test_options_read_back_from_a_real_socket() -> None:
    with socket.socket() as sock:
        keep_alive(sock, 60, 15, 4)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 60
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 15
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 4
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 0  # kernel's
    with socket.socket() as sock:
        keep_alive(sock, 30, 10, 3, unacknowledged=True)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 60_000
    with socket.socket(socket.AF_UNIX) as local:
        keep_alive(local, 30, 10, 3)  # not TCP: left alone, no error


def test_the_server_probes_a_quiet_client(server: ServerProcess) -> None:
    client = server.line_user("quiet")
    mine = client.sock.getsockname()[1]
    assert keepalive_timer(mine, server.port) is None  # this test's socket: none of its own
    when = keepalive_timer_soon(server.port, mine)
    assert when is not None and 30 < when <= 60  # probed after a minute of silence


def test_the_client_probes_a_quiet_server(server: ServerProcess) -> None:
    watcher = server.user("watcher")
    client = subprocess.Popen(
        [sys.executable, "client.py", "--port", str(server.port), "--name", "kay"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        watcher.expect("join", name="kay")
        theirs = {watcher.sock.getsockname()[1]}
        (kay,) = [local for local, remote in established(server.port) if remote == server.port
                  and local not in theirs]  # fmt: skip
        when = keepalive_timer_soon(kay, server.port)
        assert when is not None and 0 < when <= 30  # the client's: after half a minute
    finally:
        client.kill()
        client.wait(5)
