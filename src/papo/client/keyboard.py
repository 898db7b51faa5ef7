"""What the main thread's readline is doing with the keyboard, so that the reader thread writes
only while readline waits for a key.

Readline echoes what it reads, and draws its prompt, from the main thread, outside any lock of
ours. Lines written by the reader thread meanwhile are cut into that echo, and its redraw of the
prompt races readline's own: a paste of thirty lines came out with lines wiped and prompts
drawn into each other. So the reader thread holds the screen only once readline waits for a
key: no byte typed is left unread and, where GNU readline can be asked, it is not in the middle
of a key (echoing it, drawing its prompt, or done with a line the main thread has not erased
yet). Both are looked at with the screen's lock held: the main thread starts and ends its reads
under that lock, so a read cannot begin between the look and the writing. A paste is read a
byte at a time; output is held back for it ``LIMIT`` at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

STEP = 0.005  # seconds between two looks
# Where readline cannot be asked: bytes waiting this long, none of them read, are taken as read
# by nobody (readline reads a paste a byte at a time, much faster than this, unless its thread
# is kept off the CPU).
UNREAD = 0.1
LIMIT = 3.0  # seconds the output is held back at most (its thread kept off the CPU)


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
    """``reading``: the main thread is in a read, from just before its prompt is drawn until
    the line it read is erased; it changes only under the lock given to ``hold_when_idle``.

    ``editor_waits``: whether the line editor waits for a key, its prompt drawn (None where it
    cannot be asked: then bytes that stay unread for ``UNREAD`` are taken as read by nobody).

    (Readline's pre-input hook would tell when the prompt is drawn, but a hook is Python code
    run inside readline, which swallows any exception raised there: the signal handler that
    ends a read with one, when the server goes away or on SIGTERM, would have its exception
    lost, and the read would never end.)"""

    def __init__(self, fd: int, editor_waits: Callable[[], bool] | None = None) -> None:
        self.reading = False
        self._pending = _pending_counter(fd)
        self._editor_waits = editor_waits

    def hold_when_idle(self, lock: threading.Lock) -> None:
        """Take ``lock`` once readline has read what was typed and waits for a key, or is not
        reading at all (``LIMIT`` at most); the caller releases it."""
        now = time.monotonic()
        deadline = now + LIMIT
        waiting, since = -1, now
        while True:
            lock.acquire()
            if not self.reading or now >= deadline:
                return
            pending = self._pending()
            if pending == 0 and (self._editor_waits is None or self._editor_waits()):
                return
            lock.release()
            if self._editor_waits is None:
                if pending != waiting:
                    waiting, since = pending, now
                elif now - since >= UNREAD:
                    lock.acquire()
                    return  # nobody is reading them
            time.sleep(STEP)
            now = time.monotonic()
