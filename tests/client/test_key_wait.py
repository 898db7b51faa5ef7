"""Whether GNU readline waits for a key, read from readline itself, in a real pty.

The reader thread writes only while readline waits for a key with its prompt drawn. Readline
sets its state up before it draws the prompt; output written in between had the prompt drawn
into it (``#lobby> 10:02 <carol> pasted line 01``). Readline's startup hook runs in exactly
that gap, so the program below asks there, and again once the prompt is on the screen.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest

from papo.client import gnu_readline
from tests.support import ROOT

PROGRAM = """
import readline, signal, threading, time
from papo.client.gnu_readline import waits_for_key

class Interrupted(Exception):
    pass

def interrupt(signum, frame):
    raise Interrupted

signal.signal(signal.SIGUSR1, interrupt)
waits = waits_for_key()
in_the_gap = []
readline.set_startup_hook(lambda: in_the_gap.append(waits()))
main = threading.get_ident()

def watch(read):
    deadline = time.monotonic() + 10
    while not waits() and time.monotonic() < deadline:
        time.sleep(0.005)
    print(f"waits for key {read}: {waits()}", flush=True)
    if read == 1:
        signal.pthread_kill(main, signal.SIGUSR1)

for read in (1, 2, 3):
    watcher = threading.Thread(target=watch, args=(read,))
    watcher.start()
    try:
        input("#lobby> ")
    except Interrupted:
        print("interrupted", flush=True)
    watcher.join()
print(f"in the gap: {in_the_gap}", flush=True)
"""


def test_readline_waits_for_a_key_only_once_its_prompt_is_drawn(tmp_path: Path) -> None:
    """Asked between readline's setting up and its drawing of the prompt: no, on the first
    read and on those after it, after a read ended by a signal (as the client's are when the
    server goes away) as after one ended by Enter. Asked once the prompt is drawn: yes."""
    if gnu_readline.waits_for_key() is None:
        pytest.skip("no GNU readline here (libedit, or none): the screen does without it")
    program = tmp_path / "key_wait.py"
    program.write_text(PROGRAM)
    child = pexpect.spawn(
        sys.executable,
        [str(program)],
        env={"PYTHONPATH": str(ROOT / "src"), "TERM": "xterm", "LANG": "C.UTF-8"},
        encoding="utf-8",
        timeout=15,
    )
    try:
        child.expect_exact("waits for key 1: ")
        assert child.readline().strip() == "True"
        child.expect_exact("interrupted")
        for read in (2, 3):
            child.expect_exact(f"waits for key {read}: ")
            assert child.readline().strip() == "True"
            child.send(f"line {read}\r")
        child.expect_exact("in the gap: ")
        assert child.readline().strip() == "[False, False, False]"
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
