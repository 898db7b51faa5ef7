"""Where the client's lines go: a readline terminal that keeps what you are typing, or plain lines.

Messages arrive while you type. The terminal screen clears the line being edited, prints what
arrived above it, and draws the prompt and your half-typed text again, so nothing you typed is
lost or garbled. Completion (Tab) offers commands, then the names of who is online.

A terminal that cannot move its cursor (``TERM=dumb``: Emacs's shell, some IDE consoles), or an
output that is not the terminal typed in (``| tee chat.log``), gets lines only: escape codes
would show there as garbage.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol, TextIO

from papo.client import gnu_readline
from papo.client.cells import cursor_row, rows_taken
from papo.client.gnu_readline import line_being_typed
from papo.client.interrupts import holding
from papo.client.keyboard import Keyboard
from papo.client.query import QUERY
from papo.protocol.commands import COMMANDS, CONNECTION_VERBS

try:
    import readline
except ImportError:  # Windows without pyreadline: plain input() still works
    readline = None  # type: ignore[assignment]


PROMPT = "> "
COMMAND_WORDS = sorted(
    [
        *(
            "/" + word
            for spec in COMMANDS
            if spec.verb not in CONNECTION_VERBS  # the client's own: typed, they are not sent
            for word in (spec.name, *spec.aliases)
        ),
        QUERY,  # the client's alone (papo.client.query)
    ]
)


def terminal_columns() -> int:
    """The terminal's width as the terminal itself says it, which readline draws by. Not
    ``$COLUMNS`` first, as ``shutil.get_terminal_size`` has it: exported, it stays what it was
    when the client started, and after the window is resized every typed line was cleared by
    the old width, its first rows left on the screen above each message."""
    for stream in (sys.stdout, sys.stdin):
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            continue
        if columns > 0:
            return columns
    return shutil.get_terminal_size().columns


def can_draw(environ: Mapping[str, str], output_is_terminal: bool) -> bool:
    """Whether the output is a terminal that takes escape codes (colours, moving the cursor)."""
    return output_is_terminal and environ.get("TERM") != "dumb"


class Screen(Protocol):
    def show(self, lines: Iterable[str], bell: bool = False) -> None: ...
    def read_line(self, prompt: str = PROMPT) -> str:
        """A line typed in the chat (``prompt``: the room's)."""
        ...

    def ask(self, question: str) -> str:
        """The answer to a question of the client's (a name, an address)."""
        ...

    def ask_secret(self, question: str) -> str:
        """An answer not shown as it is typed, nor kept in the line history (a password)."""
        ...

    def set_prompt(self, prompt: str) -> None: ...
    def prefill(self, text: str) -> None: ...
    def forget_last_line(self) -> None:
        """Keep the line just read out of the line history (it held a password)."""
        ...


class PlainScreen:
    """Piped mode: lines in from a file, lines out, no colour, no editing."""

    def __init__(self, source: TextIO, sink: TextIO) -> None:
        self.source, self.sink = source, sink
        self._lock = threading.Lock()

    def show(self, lines: Iterable[str], bell: bool = False) -> None:
        with self._lock:
            for line in lines:
                self.sink.write(line + "\n")
            self.sink.flush()

    def set_prompt(self, prompt: str) -> None:
        """No prompt is shown when reading from a file."""

    def prefill(self, text: str) -> None:
        """Nothing is typed when reading from a file."""

    def forget_last_line(self) -> None:
        """A file keeps no line history."""

    def read_line(self, prompt: str = PROMPT) -> str:
        line = self.source.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    def ask(self, question: str) -> str:
        """Read from a file, the answer is the next line; nobody would see the question."""
        return self.read_line()

    def ask_secret(self, question: str) -> str:
        """At the terminal itself, where there is one, with what is typed not shown."""
        with self._lock:
            self.sink.flush()
        return getpass.getpass(question)


class LineScreen(PlainScreen):
    """Somebody types, on a terminal that cannot draw: what arrives is written line by line
    as it comes, and the terminal (or Emacs) edits the line being typed. Questions are asked
    with their prompt; the room's prompt is left out, since what arrives while one types would
    be written after it, on its line. No bell: a dumb terminal may show it as ``^G``."""

    def ask(self, question: str) -> str:
        with holding(self._lock):  # in the read the reader's interrupt ends
            self.sink.write(question)
            self.sink.flush()
        return self.read_line()


def complete_word(buffer: str, word: str, names: Iterable[str]) -> list[str]:
    """Candidates for ``word`` at the end of ``buffer``: a command first, names after. A
    person's name that starts a message is followed by a colon, as IRC clients write it when
    a line is addressed to somebody ("ana: lunch?")."""
    first = buffer.lstrip() == word
    if first and word.startswith("/"):
        return [c + " " for c in COMMAND_WORDS if c.startswith(word.casefold())]
    folded = word.casefold()
    return sorted(
        n + (": " if first and not n.startswith("#") else " ")
        for n in names
        if n.casefold().startswith(folded)
    )


class TerminalScreen:
    """Interactive mode on a terminal, with GNU readline (or libedit) when there is one."""

    def __init__(self, names: Callable[[], Iterable[str]], bell: bool) -> None:
        self._lock = threading.Lock()
        self._bell = bell
        self._names = names
        self._prompt = ""
        self._candidates: list[str] = []
        self._redraw = gnu_readline.forced_redisplay()
        self._set_prompt = gnu_readline.prompt_setter()
        self._prompt_bytes = b""  # kept alive while readline points at it
        self._cursor = gnu_readline.cursor_offset()
        self._keyboard = Keyboard(sys.stdin.fileno(), gnu_readline.waits_for_key())
        if readline is not None:
            readline.set_completer(self._complete)
            readline.set_completer_delims(" \t\n")
            if "libedit" in (readline.__doc__ or ""):
                readline.parse_and_bind("bind ^I rl_complete")
            else:
                readline.parse_and_bind("tab: complete")

    def _complete(self, word: str, state: int) -> str | None:
        if state == 0:
            buffer = readline.get_line_buffer() if readline is not None else word
            self._candidates = complete_word(buffer[: readline.get_endidx()], word, self._names())
        return self._candidates[state] if state < len(self._candidates) else None

    def show(self, lines: Iterable[str], bell: bool = False) -> None:
        with self._keyboard_idle():
            typed = self._clear_typed()
            out = sys.stdout
            for line in lines:
                out.write(line + "\n")
            if bell and self._bell:
                out.write("\a")
            if self._prompt and self._redraw is not None:
                out.flush()
                self._redraw()  # prompt and typed text, cursor where it was
            else:
                out.write(self._prompt + typed)
            out.flush()

    @contextlib.contextmanager
    def _keyboard_idle(self) -> Iterator[None]:
        """The screen's lock, taken once readline waits for a key (or reads no line): drawing
        while it echoes a key or draws its prompt garbles both."""
        self._keyboard.hold_when_idle(self._lock)
        try:
            yield
        finally:
            self._lock.release()

    def _clear_typed(self) -> str:
        """Clear the prompt and the line being typed from the screen; return that line.

        A typed line longer than the terminal spans several rows: go up to its first row and
        clear from there down, or its first rows stay above what is written next."""
        typed = line_being_typed() if self._prompt else ""
        at = len(typed)
        if self._cursor is not None:  # readline counts bytes of UTF-8, not characters
            at = len(typed.encode()[: self._cursor()].decode(errors="ignore"))
        columns = terminal_columns()
        rows_above = cursor_row(self._prompt + typed, len(self._prompt) + at, columns)
        sys.stdout.write("\r" + (f"\x1b[{rows_above}A" if rows_above else "") + "\x1b[J")
        return typed

    def set_prompt(self, prompt: str) -> None:
        """Change the prompt of the line being typed, in place, the typed text kept."""
        with self._keyboard_idle():
            if not self._prompt or prompt == self._prompt:
                return
            if self._set_prompt is None or self._redraw is None:
                return  # the next line gets it
            self._clear_typed()
            self._prompt = prompt
            self._prompt_bytes = prompt.encode()
            self._set_prompt(self._prompt_bytes)
            sys.stdout.flush()
            self._redraw()

    def prefill(self, text: str) -> None:
        """Start the next line with ``text`` typed, to be edited (a line the client could not
        send, given back)."""
        if readline is None:
            return

        def type_it() -> None:
            readline.insert_text(text)
            readline.set_startup_hook(None)

        readline.set_startup_hook(type_it)

    def ask(self, question: str) -> str:
        return self.read_line(question)

    def ask_secret(self, question: str) -> str:
        with self._lock:
            sys.stdout.flush()
        return getpass.getpass(question)

    def forget_last_line(self) -> None:
        """Out of readline's history, so that Up does not bring it back on the screen."""
        if readline is None:
            return
        count = readline.get_current_history_length()
        if count:
            readline.remove_history_item(count - 1)

    def read_line(self, prompt: str = PROMPT) -> str:
        # The lock is taken in the read the reader's interrupt ends: ``holding``, never ``with``.
        with holding(self._lock):
            self._prompt = prompt
            self._keyboard.reading = True
        try:
            line = input(prompt)
        except BaseException:
            with holding(self._lock):
                self._prompt = ""
                self._keyboard.reading = False
            raise
        with holding(self._lock):  # one hold: nothing written between the line and its erasing
            shown, self._prompt = self._prompt, ""
            self._keyboard.reading = False
            self._erase_typed(shown, line)
        return line

    @staticmethod
    def _erase_typed(prompt: str, line: str) -> None:
        """The server's echo will show the line as sent; the raw typed copy would double it.
        (Rows are counted up from the cursor: lines written first would be erased instead.)"""
        rows = rows_taken(prompt + line, terminal_columns())
        sys.stdout.write("\x1b[1A\x1b[2K" * rows + "\r")
        sys.stdout.flush()
