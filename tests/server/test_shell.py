"""The shell itself: the servidor.py entry point, signals, TLS, IPv6, a real nc."""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVarTuple

import pytest

from papo.server.__main__ import stop_on_signals
from tests.conftest import StartServer
from tests.support import ROOT, LineClient, issue_certificate


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_servidor_py_stops_gracefully_on_signal(start_server: StartServer, signum: int) -> None:
    server = start_server(command=[sys.executable, "servidor.py"], env={"PYTHONPATH": ""})
    alice, bob = server.user("alice"), server.user("bob")
    waiting = server.client()  # not registered yet: told too
    waiting.readline()
    alice.expect("join")
    started = time.monotonic()
    server.signal(signum)
    for client in (alice, bob):
        events = []
        while (event := client.event(5)) is not None:
            events.append(event)
            if event["type"] == "bye":
                break
        assert [e["type"] for e in events] == ["bye"]  # no leave storm before it
        assert events[0]["reason"] == "shutdown"
        assert client.closed_by_server()
    assert "shutting down" in (waiting.readline() or b"").decode()
    assert server.wait(10) == 0
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1])
def test_a_signal_sent_as_soon_as_the_server_says_it_listens_is_taken(
    start_server: StartServer, signum: int
) -> None:
    """A supervisor (or a script) that signals on seeing "listening on" must find the
    server's own handling in place: not SIGUSR1 still ignored, nor SIGTERM's default."""
    for _ in range(5):
        server = start_server()  # returns on reading the "listening on" line
        server.signal(signum)
        if signum == signal.SIGUSR1:
            server.wait_for_log("asked to read its files again", timeout=5)
            server.signal(signal.SIGTERM)
        assert server.wait(10) == 0
        assert "shut down" in server.log()


Arguments = TypeVarTuple("Arguments")


class _LoopWithoutSignals(asyncio.SelectorEventLoop):
    """As Windows's event loop is (no Windows here to run the real one): it takes no signal
    handlers."""

    def add_signal_handler(
        self, sig: int, callback: Callable[[*Arguments], object], *args: *Arguments
    ) -> None:
        raise NotImplementedError


def test_an_event_loop_without_signal_handlers_still_stops_on_a_signal() -> None:
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {signum: signal.getsignal(signum) for signum in signals}
    loop = _LoopWithoutSignals()

    async def stopped_by_sigterm() -> None:
        stop = asyncio.Event()
        stop_on_signals(asyncio.get_running_loop(), stop.set)
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), 5)

    try:
        loop.run_until_complete(stopped_by_sigterm())
    finally:
        loop.close()
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def test_a_hangup_ignored_at_start_stays_ignored(start_server: StartServer) -> None:
    """``nohup python servidor.py``: the terminal may close, the server goes on."""
    nohup = ["/bin/sh", "-c", 'trap "" HUP; exec "$0" servidor.py "$@"', sys.executable]
    server = start_server(command=nohup, env={"PYTHONPATH": ""})
    alice = server.user("alice")
    server.signal(signal.SIGHUP)
    time.sleep(0.5)
    alice.send("still here")
    alice.expect("message", text="still here")
    assert server.process.poll() is None


def test_help_and_version_from_a_fresh_checkout() -> None:
    outputs = {}
    for flag in ("--help", "--version"):
        result = subprocess.run(
            [sys.executable, "servidor.py", flag],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=20,
            env={"PATH": "/usr/bin:/bin"},  # no PYTHONPATH, nothing installed needed
        )
        assert result.returncode == 0, result.stderr
        outputs[flag] = result.stdout
    assert "--max-per-ip" in outputs["--help"] and "PAPO_" in outputs["--help"]
    assert outputs["--version"].startswith("papo-server ")


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])  # each has a TLS of its own
def test_tls_chat_with_a_certificate_made_here(
    start_server: StartServer, tmp_path: Path, loop: str
) -> None:
    certificate = issue_certificate(tmp_path, "127.0.0.1", "localhost")
    server = start_server(*certificate.server_args, "--loop", loop)
    context = certificate.trusting()
    alice, bob = server.tls_user(context, "alice"), server.tls_user(context, "bob")
    alice.send("over tls")
    assert bob.expect("message")["text"] == "over tls"
    plain = server.client()
    with pytest.raises((EOFError, AssertionError, UnicodeDecodeError)):
        plain.send("hello")
        plain.text_until(lambda line: "papo" in line, timeout=2)


def _ipv6_loopback_works() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback_works(), reason="no IPv6 loopback on this machine")
def test_ipv6(start_server: StartServer) -> None:
    server = start_server(host="::1")
    alice, bob = server.user("alice"), server.user("bob")
    alice.send("over ipv6")
    assert bob.expect("message")["text"] == "over ipv6"


def read_lines_until(fd: int, wanted: str, timeout: float = 5.0) -> list[str]:
    """Lines from a pipe up to the one holding ``wanted``."""
    deadline = time.monotonic() + timeout
    data = b""
    while wanted.encode() not in data and (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    assert wanted.encode() in data, data
    return data.decode().splitlines()


@pytest.mark.skipif(not _ipv6_loopback_works(), reason="no IPv6 loopback on this machine")
def test_default_listens_on_ipv4_and_ipv6_on_one_port(start_server: StartServer) -> None:
    server = start_server(host=None)
    v4 = server.user("four")
    v6 = LineClient(server.port, host="::1", json_mode=True)
    server.clients.append(v6)
    assert v6.register("six")["type"] == "welcome"
    v6.send("hello from ::1")
    assert v4.expect("message", text="hello from ::1")["from"] == "six"


def test_a_real_nc_can_chat(start_server: StartServer) -> None:
    nc = shutil.which("nc")
    if nc is None:
        pytest.skip("nc is not installed (make test installs netcat-openbsd)")
    server = start_server()
    alice = server.user("alice")
    process = subprocess.Popen(
        [nc, "127.0.0.1", str(server.port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=0,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"carol\nhello from nc\n")
        assert alice.expect("join")["name"] == "carol"
        message = alice.expect("message")
        assert (message["from"], message["text"]) == ("carol", "hello from nc")
        alice.send("hi carol")
        lines = read_lines_until(process.stdout.fileno(), "hi carol")
        assert lines[-1] == "<alice> hi carol"
        assert "Welcome" in lines[0]
        assert not any("hello from nc" in line for line in lines)  # no echo in text mode
    finally:
        process.kill()
        process.wait(5)
