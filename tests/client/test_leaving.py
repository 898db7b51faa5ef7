"""The terminal client told to stop from outside: its terminal closed (SIGHUP), or SIGTERM.
It leaves as /quit does, so that its name is free at once; a client that vanished was held for
a resume nobody could make. Or put out by an operator: it says so, and does not come back.
A real pty (pexpect) and a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect

from tests.client.test_terminal import chatting, exit_status, spawn_client
from tests.conftest import StartServer
from tests.support import ROOT, TIMEOUT, LineClient, ServerProcess


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


# A stop signal that lands where the main thread cannot hear it: handed to another thread
# while the main one waits in a C call (as readline waits for a key). Python only sets a flag
# there, and the main thread waited on until its wait ended by itself.
UNHEARD_SIGTERM = """
import os, select, signal, sys, threading, time
from papo.client.app import ChatClient, ClientOptions
from papo.client.link import Address
from papo.client.screen import PlainScreen

address = Address(host="127.0.0.1", port=1)
options = ClientOptions(address=address, language="en", name="carol", colour=False)
client = ChatClient(options, PlainScreen(sys.stdin, sys.stdout), interactive=False)
client.main.take_stop_signals([signal.SIGTERM])
other = threading.Thread(target=time.sleep, args=(30,), daemon=True)
other.start()
threading.Timer(0.3, signal.pthread_kill, (other.ident, signal.SIGTERM)).start()
client.main.waiting_for_input = True  # as in a read: the handler ends it
started = time.monotonic()
try:
    select.select([os.pipe()[0]], [], [], 10)  # a wait nothing else ends for 10 s
except KeyboardInterrupt:
    pass
print(f"{time.monotonic() - started:.2f} {client.main.leaving.is_set()}")
"""


def test_a_stop_signal_another_thread_got_still_ends_the_wait_for_a_key() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", UNHEARD_SIGTERM],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    took, leaving = done.stdout.split()
    assert leaving == "True"
    assert float(took) < 5, "the main thread heard the signal only when its wait ended"
