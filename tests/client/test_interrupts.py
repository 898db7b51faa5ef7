"""The interrupts that end the main thread's read, landing while it holds the screen's lock.

On Python 3.14 the reader's interrupt, landing as the main thread took the screen's lock on
its way into a read, left the lock taken: the client hung when it then said the server had
gone (``test_piped``'s hostile server, every run there). Here the signals are real, sent to
this (the main) thread, and land where the test sleeps: inside the lock, and then outside it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from papo.client.interrupts import INTERRUPT, MainThread, ServerGone, holding, on_interrupt
from tests.support import ROOT

pytestmark = pytest.mark.skipif(INTERRUPT is None, reason="no signal to interrupt a read with")

LANDING = 0.05  # seconds slept for a signal sent to this thread to be handled


@pytest.fixture
def main() -> Iterator[MainThread]:
    main = MainThread()
    previous = on_interrupt(main.on_server_gone)
    try:
        yield main
    finally:
        on_interrupt(previous)


def interrupt(main: MainThread) -> None:
    assert main.ident is not None and INTERRUPT is not None
    signal.pthread_kill(main.ident, INTERRUPT)
    time.sleep(LANDING)


def test_the_servers_going_waits_while_the_lock_is_held_and_ends_the_read_after(
    main: MainThread,
) -> None:
    lock = threading.Lock()
    with main.reading():
        with holding(lock):
            interrupt(main)  # nothing raised: the lock would stay taken
        assert not lock.locked()
        with pytest.raises(ServerGone):
            interrupt(main)  # the next one, repeated by the reader
    assert not lock.locked()


def test_a_stop_signal_waits_while_the_lock_is_held_and_ends_the_read_after(
    main: MainThread,
) -> None:
    lock = threading.Lock()
    with main.reading():
        try:
            with holding(lock):
                main.leave_on_signal(signal.SIGTERM, None)
        except KeyboardInterrupt:  # not let through: it would end the test run
            pytest.fail("a stop signal was raised with the lock held")
        assert not main.leaving.is_set()  # not taken yet: the repeater sends it again
        with pytest.raises(KeyboardInterrupt):
            main.leave_on_signal(signal.SIGTERM, None)
    assert main.leaving.is_set() and not lock.locked()


def test_outside_a_read_a_held_lock_changes_nothing(main: MainThread) -> None:
    """Between reads the interrupts raise nothing anyway; a stop signal is noted for the next
    read to see."""
    with holding(threading.Lock()):
        interrupt(main)
        main.leave_on_signal(signal.SIGTERM, None)
    assert main.leaving.is_set()


def test_a_lock_taken_by_another_thread_does_not_hold_the_interrupts_back(
    main: MainThread,
) -> None:
    """The count is the main thread's own: the reader thread holds the screen's lock to write,
    and the main thread's read must still end meanwhile."""
    lock, taken, done = threading.Lock(), threading.Event(), threading.Event()

    def writer() -> None:
        with holding(lock):
            taken.set()
            done.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert taken.wait(5)
        with main.reading(), pytest.raises(ServerGone):
            interrupt(main)
    finally:
        done.set()
        thread.join(5)


HANGUP_IN_A_LOCK = """
import os, signal, sys, threading, time
from papo.client.interrupts import MainThread, holding
main = MainThread()
signal.signal(signal.SIGHUP, main.leave_on_signal)
with main.reading(), holding(threading.Lock()):
    os.kill(os.getpid(), signal.SIGHUP)
    time.sleep(0.05)
print(os.readlink("/proc/self/fd/1"), main.leaving.is_set(), file=sys.stderr)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_a_hangup_sends_the_output_nowhere_at_once_even_in_a_lock() -> None:
    """A closed terminal: what the client writes next (its goodbye, as the read ends on the
    end of input) must not fail, so the output goes nowhere as soon as the hangup is handled,
    even one that lands in a lock and whose leaving waits for the next. (Here the terminal
    stays open; test_leaving closes it, where the client once wrote to it and ended with
    Python's status 120.)"""
    controller, terminal = os.openpty()
    try:
        ran = subprocess.run(
            [sys.executable, "-c", HANGUP_IN_A_LOCK],
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=False,
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.split() == ["/dev/null", "False"]  # leaving: at the next, repeated
