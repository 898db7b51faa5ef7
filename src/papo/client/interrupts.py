"""Making the main thread stop reading what is typed, from the outside.

The client's main thread spends its life blocked in a read of the keyboard (readline, or a
pipe). Two things must end that read at once rather than at the next Enter: the reader thread
seeing the server go (``ServerGone``), and a stop signal (SIGTERM; SIGHUP when the terminal is
closed), which leaves as ``/quit`` does. Python runs a signal's handler only in the main thread,
and only between two of its bytecodes, so each of them is sent again and again until the read
has ended: one signal landing just before the read blocks would otherwise be lost.

Around the read the main thread takes the screen's lock; an exception of ours raised there
would leave it taken, and the client hung at the next line it wrote (``holding``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

# The reader repeats its interrupt this often until the input loop has ended: one signal that
# lands just before readline enters select() is noted but does not wake it (a lost wake-up).
INTERRUPT_REPEAT_SECONDS = 0.1
# The signal the reader interrupts the main thread's read with (POSIX). Windows has neither it
# nor a way to send it to a thread: there a read ends at the next Enter, and the input loop
# then sees that the server is gone.
INTERRUPT = getattr(signal, "SIGUSR1", None) if hasattr(signal, "pthread_kill") else None

Handler = Callable[[int, FrameType | None], Any] | int | None

# How many locks this thread holds through ``holding``: the handlers run in the main thread,
# and look at its own count.
_held = threading.local()


@contextmanager
def holding(lock: threading.Lock) -> Iterator[None]:
    """``lock``, held where no interrupt of ours is raised.

    An exception raised between a lock's taking and the ``try`` that gives it back keeps it
    taken for ever. Python 3.14 runs a signal's handler as soon as a call returns, the lock's
    among them: the reader's interrupt landing as the main thread took the screen's lock on
    its way into a read left it taken, and the client hung when it went on to say the server
    had gone. In here the handlers raise nothing; the interrupts are repeated, and the next
    one lands in the read itself. (Ctrl-C's KeyboardInterrupt is Python's own, raised
    anywhere: a key pressed in these microseconds is not guarded against.)"""
    count = getattr(_held, "count", 0)
    _held.count = count + 1
    try:
        with lock:
            yield
    finally:
        _held.count = count


def _holding_a_lock() -> bool:
    return getattr(_held, "count", 0) > 0


class ServerGone(Exception):
    """Raised in the main thread (through a signal) when the reader sees the server leave."""


class MainThread:
    """The thread that reads what is typed, and the ways to end its read from elsewhere."""

    def __init__(self) -> None:
        self.ident = threading.main_thread().ident
        self.waiting_for_input = False  # in a read: the only place an interrupt may land
        self.input_stopped = threading.Event()  # the input loop has ended, for good
        self.leaving = threading.Event()  # SIGTERM or SIGHUP: quit at the next read
        # The output's files that are a terminal, looked at now: one closed (hung up) is a
        # terminal no longer to isatty, and writing to it fails.
        self.terminal_outputs = _terminal_outputs()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Around a read of the keyboard: the interrupts end it, and only it."""
        self.waiting_for_input = True
        try:
            yield
        finally:
            self.waiting_for_input = False

    def interrupt(self, until_cleared: threading.Event | None = None) -> None:
        """Signal the main thread, again and again (a signal landing just before a read
        blocks would be lost), until the input loop has ended or ``until_cleared`` is."""
        while self.ident is not None and INTERRUPT is not None and not self.input_stopped.is_set():
            if until_cleared is not None and not until_cleared.is_set():
                return
            signal.pthread_kill(self.ident, INTERRUPT)
            self.input_stopped.wait(INTERRUPT_REPEAT_SECONDS)

    def on_server_gone(self, signum: int, frame: FrameType | None) -> None:
        """Interrupt a blocked read, and only that, once: elsewhere the loop sees the flag."""
        if self.waiting_for_input and not _holding_a_lock():
            self.waiting_for_input = False
            raise ServerGone

    def take_stop_signals(self, signums: list[signal.Signals]) -> None:
        """Leave on these signals (``leave_on_signal``), and make sure the main thread hears
        them. Python runs a handler only when the main thread runs Python code: a signal that
        lands while the main thread is on its way into readline's wait for a key (after the
        last check, before the wait), or that the kernel hands to another thread, only sets a
        flag, and the client stayed, told to stop, until a key was pressed. Every signal also
        writes its number to a pipe (``set_wakeup_fd``): a thread reading it sends a stop
        signal on to the main thread until its handler has run."""
        for signum in signums:
            signal.signal(signum, self.leave_on_signal)
        if INTERRUPT is None or not signums:
            return  # no pthread_kill (Windows): the handler alone
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        stopping = frozenset(int(signum) for signum in signums)
        watcher = threading.Thread(
            target=self._pass_stop_signals_on,
            args=(read_end, stopping),
            name="papo-signals",
            daemon=True,
        )
        watcher.start()

    def _pass_stop_signals_on(self, read_end: int, stopping: frozenset[int]) -> None:
        """Until the main thread has taken a stop signal (``leaving``), signal it again."""
        while True:
            try:
                received = os.read(read_end, 64)
            except OSError:
                return
            if not received:
                return
            for signum in received:
                if signum in stopping:
                    self._repeat_until_left(signum)

    def _repeat_until_left(self, signum: int) -> None:
        while (
            self.ident is not None and not self.leaving.is_set() and not self.input_stopped.is_set()
        ):
            signal.pthread_kill(self.ident, signum)
            self.leaving.wait(INTERRUPT_REPEAT_SECONDS)

    def leave_on_signal(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM, or SIGHUP (the terminal was closed): leave as ``/quit`` does, rather than
        die with the connection. A client that just vanished was held for a resume that
        nobody could make (the token dies with this process), and whoever opened a new
        terminal found the name taken for minutes. After a SIGHUP nothing can be shown: the
        terminal's output goes nowhere, so that writing to it cannot fail (at once, whatever
        the main thread holds: the line it may write next, goodbye included, would fail)."""
        if signum == getattr(signal, "SIGHUP", None):
            for fd in self.terminal_outputs:
                _write_nowhere(fd)
        if self.waiting_for_input and _holding_a_lock():
            return  # on the way into a read, or out of it: the next one lands (repeated)
        self.leaving.set()
        if self.waiting_for_input:  # as Ctrl-C is, so that readline puts the terminal back
            self.waiting_for_input = False
            raise KeyboardInterrupt


def on_interrupt(handler: Handler) -> Handler:
    """Handle the reader's interrupt with ``handler`` (where there is one); the previous."""
    if INTERRUPT is None:
        return None
    return signal.signal(INTERRUPT, handler)


def _terminal_outputs() -> tuple[int, ...]:
    """The files of standard output and error that are a terminal (where they are files)."""
    found: list[int] = []
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):  # none, or not a file (a test's capture)
            continue
        if os.isatty(fd) and fd not in found:
            found.append(fd)
    return tuple(found)


def _write_nowhere(fd: int) -> None:
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, fd)
    os.close(nowhere)
