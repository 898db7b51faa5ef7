"""The terminal client told to stop from outside: its terminal closed (SIGHUP), or SIGTERM.
It leaves as /quit does, so that its name is free at once; a client that vanished was held for
a resume nobody could make. Or put out by an operator: it says so, and does not come back.
A real pty (pexpect) and a real server."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pexpect

from tests.client.test_terminal import chatting, exit_status, spawn_client
from tests.conftest import StartServer
from tests.support import TIMEOUT, LineClient, ServerProcess


def _carol_and_alice(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> tuple[ServerProcess, pexpect.spawn, LineClient]:
    server = start_server()
    alice = server.user("alice")
    carol = chatting(server.port, clients, "carol")
    alice.expect("join", name="carol")
    return server, carol, alice


def test_closing_the_terminal_leaves_the_chat_and_frees_the_name(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server, carol, alice = _carol_and_alice(start_server, clients)
    carol.ptyproc.fileobj.close()  # the window closed: the kernel hangs the client up
    assert alice.expect("leave", name="carol")["reason"] == "quit"  # not held for minutes
    deadline = time.monotonic() + TIMEOUT
    while carol.ptyproc.isalive():
        assert time.monotonic() < deadline, "the client did not end"
        time.sleep(0.05)
    assert carol.ptyproc.exitstatus == 0  # no traceback into a terminal that is gone
    again = server.user("carol")  # a new terminal, the same name, at once
    assert again.welcome is not None and again.welcome["name"] == "carol"


def test_sigterm_leaves_as_quit_does(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    _, carol, alice = _carol_and_alice(start_server, clients)
    carol.kill(signal.SIGTERM)
    carol.expect_exact("Goodbye")  # the terminal is still there: it says so
    assert exit_status(carol) == 0
    assert alice.expect("leave", name="carol")["reason"] == "quit"


def test_a_hangup_ignored_at_start_stays_ignored(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    """``nohup python client.py``: whoever ran it asked for the hangup to be ignored."""
    server = start_server()
    alice = server.user("alice")
    nohup = ("/bin/sh", "-c", 'trap "" HUP; exec "$@"', "sh")
    carol = spawn_client(server.port, "--name", "carol", through=nohup)
    clients.append(carol)
    carol.expect("Hello, carol")
    alice.expect("join", name="carol")
    carol.kill(signal.SIGHUP)
    alice.send("still there?")
    carol.expect("still there")
    carol.sendline("yes")
    alice.expect("message", text="yes")


def test_a_client_kicked_out_says_by_whom_and_why_and_does_not_come_back(
    start_server: StartServer, clients: list[pexpect.spawn], tmp_path: Path
) -> None:
    secret = tmp_path / "oper"
    secret.write_text("the operators' password\n")
    server = start_server("--oper-password-file", str(secret))
    alice = server.user("alice")
    carol = chatting(server.port, clients, "carol")
    alice.send("/oper the operators' password")
    alice.expect("info", code="operator")
    alice.send("/kick carol too loud")
    carol.expect_exact("carol was kicked out by alice: too loud")
    carol.expect_exact("An operator put you out of the chat.")
    assert exit_status(carol) == 1  # ended, as when the server goes: no reconnecting
    assert "reconnecting" not in (carol.before or "")
