"""What the main thread's readline is doing with the keyboard, so that the reader thread writes
only while readline waits for a key.

Readline echoes what it reads, and draws its prompt, from the main thread, outside any lock of
ours. Lines written by the reader thread meanwhile are cut into that echo, and its redraw of the
prompt races readline's own: a paste of thirty lines came out with lines wiped and prompts
drawn into each other. The reader thread waits, briefly, while readline reads bytes already
typed (a paste is read a byte at a time); bytes that nobody reads (no line is being asked for)
never hold it back, and neither does a paste longer than a second. The main thread erases the
line it read in the same hold of the screen's lock as it learns the read is over, so that no
line is written between (the erase counts rows up from the cursor).
"""

from __future__ import annotations

import time
from collections.abc import Callable

STEP = 0.005  # seconds between two looks
# Bytes waiting this long, none of them read, are taken as read by nobody (readline reads a
# paste a byte at a time, much faster than this, unless its thread is kept off the CPU).
UNREAD = 0.1
LIMIT = 1.0  # seconds the output is held back at most


def _pending_counter(fd: int) -> Callable[[], int]:
    """How many bytes wait to be read from ``fd`` (a terminal); 0 where it cannot be asked."""
    try:
        import array
        import fcntl
        import termios
    except ImportError:  # not POSIX (Windows)
        return lambda: 0

    def pending() -> int:
        count = array.array("i", [0])
        try:
            fcntl.ioctl(fd, termios.FIONREAD, count)
        except OSError:
            return 0
        return int(count[0])

    return pending


class Keyboard:
    """``reading``: the main thread is in a read, from just before its prompt is drawn.

    (Readline's pre-input hook would tell when the prompt is drawn, but a hook is Python code
    run inside readline, which swallows any exception raised there: the signal handler that
    ends a read with one, when the server goes away or on SIGTERM, would have its exception
    lost, and the read would never end. Bytes waiting while a read starts are waited for all
    the same, since the read then consumes them.)"""

    def __init__(self, fd: int) -> None:
        self.reading = False
        self._pending = _pending_counter(fd)

    def wait_until_idle(self) -> None:
        """Until readline has read what was typed, or is not reading at all (``LIMIT`` at
        most)."""
        now = time.monotonic()
        deadline = now + LIMIT
        waiting, since = -1, now
        while now < deadline:
            pending = self._pending() if self.reading else 0
            if pending == 0:
                return
            if pending != waiting:
                waiting, since = pending, now
            elif now - since >= UNREAD:
                return  # nobody is reading them
            time.sleep(STEP)
            now = time.monotonic()
