"""What GNU readline can do that Python's readline module does not expose, reached through
ctypes in the module's own library.

The terminal screen writes from the reader thread around a line readline is editing in the main
thread: it must redraw that line, change its prompt, know where its cursor is and whether
readline is in the middle of a key. Each is None where it cannot be had (libedit, as on macOS;
no readline at all, as on Windows): the screen then does without it.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable
from typing import TypeVar

try:
    import readline
except ImportError:  # Windows without pyreadline: plain input() still works
    readline = None  # type: ignore[assignment]

# Bits of rl_readline_state (readline.h): reading a line, the terminal set up for it (readline
# does that before it draws the prompt), and none of the steps of a key under way.
_WAITING = 0x0080000 | 0x0000004  # CALLBACK (between handler install and remove), TERMPREPPED
_BUSY = (
    0x0000008  # READCMD: reading a key
    | 0x0000020  # DISPATCHING: carrying it out
    | 0x0020000  # INPUTPENDING: a key pushed back, to be read next
    | 0x1000000  # REDISPLAYING: drawing the line
    | 0x2000000  # DONE: the line accepted, its newline written
    | 0x8000000  # EOF
)


@functools.cache
def _library() -> ctypes.CDLL | None:
    if readline is None or "libedit" in (readline.__doc__ or ""):
        return None
    try:
        return ctypes.CDLL(readline.__file__)
    except OSError:
        return None


def forced_redisplay() -> Callable[[], object] | None:
    """rl_forced_update_display: redraws the prompt and the line being edited with the cursor
    where the user left it; ``readline.redisplay()`` would not (it believes the screen still
    shows the line)."""
    library = _library()
    function: Callable[[], object] | None = getattr(library, "rl_forced_update_display", None)
    return function


def prompt_setter() -> Callable[[bytes], object] | None:
    """rl_set_prompt, to change the prompt of the line being edited (the room it names changes
    when a /join is answered, after the next line is already being read)."""
    library = _library()
    function: Callable[[bytes], object] | None = getattr(library, "rl_set_prompt", None)
    return function


def cursor_offset() -> Callable[[], int] | None:
    """rl_point: the cursor's place in the line being edited, in bytes of UTF-8."""
    point = _variable(ctypes.c_int, "rl_point")
    return None if point is None else lambda: int(point.value)


def waits_for_key() -> Callable[[], bool] | None:
    """Whether readline is reading a line and waits for a key: its prompt drawn, no key half
    read, carried out or echoed, the line not yet accepted.

    Its state (rl_readline_state) alone says so too early: readline sets it up before it draws
    the prompt, and output written meanwhile had the prompt drawn into it (``#lobby> 10:02
    <ana> hi``). So the prompt counts as drawn once readline's idea of the cursor
    (_rl_last_c_pos, _rl_last_v_pos) is off the first column: readline puts it there before it
    sets its state up for a read, whether the read before ended with a line or a signal."""
    state = _variable(ctypes.c_ulong, "rl_readline_state")
    column = _variable(ctypes.c_int, "_rl_last_c_pos")
    row = _variable(ctypes.c_int, "_rl_last_v_pos")
    if state is None or column is None or row is None:
        return None

    def waits() -> bool:
        idle = state.value & (_WAITING | _BUSY) == _WAITING
        return idle and (column.value != 0 or row.value != 0)

    return waits


Variable = TypeVar("Variable", ctypes.c_int, ctypes.c_ulong)


def _variable(kind: type[Variable], name: str) -> Variable | None:
    library = _library()
    if library is None:
        return None
    try:
        return kind.in_dll(library, name)
    except ValueError:
        return None


def line_being_typed() -> str:
    """The line as readline has it. Read from the reader thread while readline may be changing
    it (a paste is read a byte at a time), it can be caught half-written, with a NUL in it:
    that raised in the reader thread, which died, and the client went on deaf. Taken then as
    nothing typed (at worst, a row of it is left on the screen)."""
    if readline is None:
        return ""
    try:
        return readline.get_line_buffer()
    except ValueError:
        return ""
