"""The terminal client where the terminal cannot draw: ``TERM=dumb`` (Emacs's shell, IDE
consoles), or typed in a terminal with the output sent elsewhere (``| tee``). Lines only: not
one escape code, and the chat works. A real pty (pexpect) and a real server."""

from __future__ import annotations

import io
import os
import shlex
import sys

import pexpect

from tests.client.test_terminal import ESCAPE, exit_status, spawn_client
from tests.conftest import StartServer
from tests.support import ROOT, ServerProcess


def _chat_through(child: pexpect.spawn, server: ServerProcess) -> str:
    """Name asked and given, a mention and a private received, a line sent, /quit: all that
    the terminal was shown."""
    shown = io.StringIO()
    child.logfile_read = shown
    alice = server.user("alice")
    child.expect_exact("Your name: ")
    child.sendline("carol")
    child.expect_exact("Hello, carol")
    alice.expect("join", name="carol")
    alice.send("hi carol")  # a mention: bold and coloured where the terminal can draw
    alice.send("/private carol psst")  # rings the bell where the terminal can draw
    child.expect_exact("<alice> hi carol")
    child.expect_exact("[alice -> carol] psst")
    child.sendline("hello alice")
    assert alice.expect("message", text="hello alice")["from"] == "carol"
    child.expect_exact("<carol> hello alice")
    child.sendline("/quit")
    assert exit_status(child) == 0
    return shown.getvalue()


def test_a_dumb_terminal_gets_lines_without_escape_codes(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    server = start_server()
    child = spawn_client(server.port, env={"TERM": "dumb"})
    clients.append(child)
    shown = _chat_through(child, server)
    assert ESCAPE not in shown and "\a" not in shown
    assert "#lobby> " not in shown  # what arrives would be written after it, on its line


def test_output_sent_elsewhere_than_the_terminal_gets_no_escape_codes(
    start_server: StartServer, clients: list[pexpect.spawn]
) -> None:
    """Typed in a terminal, shown through a pipe (``| cat`` here, ``| tee chat.log`` in use):
    what reaches the pipe is what a log file would keep."""
    server = start_server()
    command = f"{shlex.quote(sys.executable)} client.py --port {server.port} | cat"
    env = {**os.environ, "TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "", "NO_COLOR": ""}
    child = pexpect.spawn(
        "/bin/sh", ["-c", command], cwd=str(ROOT), env=env, encoding="utf-8", timeout=10
    )
    clients.append(child)
    shown = _chat_through(child, server)
    assert ESCAPE not in shown
