"""The chat's password (a server started with ``--password-file``), given before a name.

A newcomer shows it on every connection, so the client keeps the one that let it in and gives
it again when it comes back as a newcomer (a resume needs none: its token shows it was let
in). Given by ``--password-file`` or ``PAPO_PASSWORD``, or typed unseen at a terminal. When
the chat refuses it while reconnecting (it changed meanwhile, or a server that restarted asks
for one now), it is not tried again at every pause: at a terminal the user is asked for
another with ``/pass``; piped, nobody can type one, and the client ends saying why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from papo.client.interrupts import INTERRUPT_REPEAT_SECONDS
from papo.client.link import Link
from papo.protocol.events import Event, Notice


class Asker(Protocol):
    """What the password needs of the client: to ask for one, and to say things."""

    def ask_secret(self, prompt: str) -> str:
        """A line typed unseen; EOFError or KeyboardInterrupt when there is none."""
        ...

    def say_dim(self, text: str) -> None: ...

    def complain(self, text: str) -> None:
        """A problem: on the screen at a terminal, on standard error when piped."""
        ...

    def show(self, event: Event) -> None: ...


class ChatPassword:
    """The password to give, whether one is wanted (``/pass``) before trying again, and
    whether the client ends for want of one (said already)."""

    def __init__(
        self,
        password: str | None,
        asker: Asker,
        gettext: Callable[[str], str],
        *,
        interactive: bool,
    ) -> None:
        self.password = password
        self.asker = asker
        self._ = gettext
        self.interactive = interactive
        # Set while reconnecting once the password was refused (changed meanwhile), or asked
        # for when none was given: no more tries until /pass gives one.
        self.wanted = threading.Event()
        self.ended = False  # piped, refused while reconnecting: the client ends, said why
        self._refused_said = False  # in this outage

    def let_in(self, link: Link) -> bool:
        """Give the password the server asks for before a name: the one given, or at a
        terminal the one typed (not shown), until it is right. False: there is none to give
        (piped without one, which is said), or it was wrong and nobody can type another."""
        while True:
            if self.password is None:
                if not self.interactive:
                    self.asker.complain("papo: " + self._(
                        "this chat asks for a password: give it with --password-file FILE or "
                        "PAPO_PASSWORD."
                    ))  # fmt: skip
                    return False
                self.password = self.ask()
                continue  # Enter alone: asked again
            answer = link.give_password(self.password)
            if isinstance(answer, Notice):
                return True
            self.asker.show(answer)
            self.password = None
            if not self.interactive:
                return False

    def new_outage(self) -> None:
        """The connection was lost: what an outage says once may be said again."""
        self._refused_said = False
        self.wanted.clear()

    def let_in_again(self, link: Link) -> bool:
        """Coming back as a newcomer, the password again. None known (the server asks for
        one since it restarted), or no longer the right one: no use trying it again. At a
        terminal the user is asked for one (``/pass``, said once per outage); piped, nobody
        can type it, and the client ends."""
        answer = None if self.password is None else link.give_password(self.password)
        if isinstance(answer, Notice):
            return True
        self.password = None  # wrong, or none: asked for, not tried again
        self.wanted.set()
        if not self.interactive:
            self.ended = True
            self.asker.complain("papo: " + self._(
                "the chat's password was refused (it changed, or is asked for since the "
                "server restarted): give the new one with --password-file FILE or "
                "PAPO_PASSWORD."
            ))  # fmt: skip
        elif not self._refused_said:
            self._refused_said = True
            self.asker.say_dim(self._(
                "The chat asks for its password again: it changed, or the server asks for "
                "one since it restarted."
            ))  # fmt: skip
            self.hint()
        elif answer is not None:  # the one typed with /pass: wrong too
            self.asker.show(answer)
            self.hint()
        return False

    def typed(self, line: str) -> None:
        """``/pass`` while one is wanted: the one to give from now on, typed unseen (or, as
        the server takes it, after ``/pass``). The reconnection goes on at once."""
        words = line.split(None, 1)
        try:
            typed = (words[1].strip() or None) if len(words) == 2 else self.ask()
        except (EOFError, KeyboardInterrupt):
            typed = None
        if typed is None:
            self.hint()
            return
        self.password = typed
        self.wanted.clear()

    def wait(self, quitting: threading.Event) -> bool:
        """Until ``/pass`` gives one (True) or the user quits; at once False where nobody
        can type one (piped)."""
        if not self.interactive:
            return False
        while self.wanted.is_set():
            if quitting.wait(INTERRUPT_REPEAT_SECONDS):
                return False
        return True

    def ask(self) -> str | None:
        """The password, typed unseen; None for Enter alone."""
        return self.asker.ask_secret(self._("Password: ")).strip() or None

    def hint(self) -> None:
        self.asker.say_dim(self._("Type /pass to give the chat's password, or /quit to leave."))
