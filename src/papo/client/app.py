"""The client's life: connect, pick a name, then show what arrives while sending what is typed.

Two threads: the main one reads the user's lines (readline, or a pipe), a reader thread shows
events as they come. When the connection is lost the reader reconnects, with growing pauses,
and resumes: the server replays what was said meanwhile, and lines typed in between are sent
once back. When the server goes away for good the reader interrupts the main thread with a
signal, so a blocked ``input()`` returns at once.

What is here is the part that talks to the screen and drives the two threads; the rules it
follows are in modules of their own: what the events tell of the chat (``knowledge``), where a
typed line goes while the connection comes and goes (``outbox``), whether and how to come back
(``reconnect``), the chat's password on each connection (``chat_password``), which certificate
a TLS link takes (``trust``), and how the main thread's read is ended from outside
(``interrupts``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field, replace

from papo.cli import host_and_port
from papo.client.chat_password import ChatPassword
from papo.client.compose import fit, is_message
from papo.client.days import DayChanges
from papo.client.interrupts import (
    INTERRUPT_REPEAT_SECONDS,
    MainThread,
    ServerGone,
    on_interrupt,
)
from papo.client.knowledge import ChatKnowledge
from papo.client.known_servers import KnownServers, known_servers_path
from papo.client.link import Address, CannotConnect, Link, LinkError
from papo.client.outbox import Outbox
from papo.client.query import QUERY, Query, Turn, asks_about_query, query_words
from papo.client.reconnect import reconnect_pause, rejoin_lines, should_reconnect
from papo.client.screen import PROMPT, Screen, terminal_columns
from papo.client.trust import TrustedLinks
from papo.client.view import DIM, View, rings
from papo.protocol.commands import Invoke, Verb, parse_line
from papo.protocol.events import (
    Action,
    Bye,
    Error,
    ErrorCode,
    Event,
    Hello,
    HelpInfo,
    Leave,
    Message,
    Notice,
    NoticeCode,
    Replayed,
    Welcome,
)
from papo.protocol.framing import DEFAULT_MAX_LINE_BYTES
from papo.protocol.i18n import translation
from papo.protocol.render import Renderer

EXIT_OK = 0
EXIT_SERVER_GONE = 1
EXIT_CANNOT_CONNECT = 2
QUIT_WAIT_SECONDS = 5.0
# Commands whose words are a password: never shown back, nor kept in the line history.
SECRET_VERBS = frozenset({Verb.OPER, Verb.PASS})
PASS = "/pass"
NEWLINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    address: Address
    language: str
    name: str | None
    colour: bool
    reconnect: bool = True  # after a lost connection (--no-reconnect: never)
    reconnect_always: bool = False  # --reconnect: even after the server said it shuts down
    password: str | None = field(default=None, repr=False)  # the chat's, if it asks for one


class ChatClient:
    def __init__(self, options: ClientOptions, screen: Screen, *, interactive: bool) -> None:
        self.options = options
        self.screen = screen
        self.interactive = interactive
        self._ = translation(options.language).gettext
        self._n = translation(options.language).ngettext
        self.view = View(Renderer(options.language), options.colour)
        self.days = DayChanges(self._)
        self.known = ChatKnowledge()  # our name, the room, the names for Tab; to resume
        # The chat's: given again on each reconnection, asked for when refused.
        self.chat_password = ChatPassword(options.password, self, self._, interactive=interactive)
        # TLS certificates this user trusted, by server (``known_servers``).
        known_servers = KnownServers(known_servers_path(os.environ))
        self.trusted_links = TrustedLinks(known_servers, options.language)
        self.query = Query()  # /query NAME: where a plain line goes instead
        self._recent_header_due = False  # the history that follows a welcome gets a heading
        self._missed_header_due = False  # and so do the lines missed, after a resume
        self.outbox = Outbox()  # the connection; lines typed while there is none
        self.quitting = threading.Event()
        self.reader_done = threading.Event()
        self.server_gone = threading.Event()
        self.max_line_bytes = DEFAULT_MAX_LINE_BYTES  # the server's, once its hello says it
        # Set while reconnecting once our name was refused (taken meanwhile): /nick picks another.
        self.name_refused = threading.Event()
        self.chat_unreachable_said = False  # in this outage
        self.main = MainThread()  # the thread reading what is typed, and how to interrupt it

    # -- helpers ---------------------------------------------------------------------------

    def say(self, text: str, colour: str = "") -> None:
        """Wrapped here at the terminal's width, as the chat's own lines are: left to the
        terminal, a long sentence would break in the middle of a word."""
        width = terminal_columns() if self.interactive else None
        self.screen.show(self.view.block(text, width, colour))

    def say_dim(self, text: str) -> None:
        """The client's own word on what goes on (not the chat's): dimmed."""
        self.say(text, DIM)

    def ask_secret(self, prompt: str) -> str:
        return self.screen.ask_secret(prompt)

    def complain(self, text: str) -> None:
        """A problem: on the screen in a terminal; piped, on standard error, apart from the chat."""
        if self.interactive:
            self.say(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def show(self, event: Event) -> None:
        if self.known.track(event):
            self.screen.set_prompt(self.prompt)
        self._show(event)
        self._follow_query(event)

    def _show(self, event: Event) -> None:
        width = terminal_columns() if self.interactive else None
        lines = self.view.lines(event, self.known.name, width, self.known.room)
        if not lines:
            return
        if isinstance(event, HelpInfo) and event.topic is None:  # the list: and the client's own
            own = "\n".join((self._("This client also has:"), self._query_help()))
            lines = [*lines, *self.view.block(own, width)]
        if isinstance(event, Error) and not self.interactive:
            for line in lines:
                self.complain(line)
            return
        day = self.days.line_before(event) if self.interactive else None
        if day is not None:  # under the headings below: they are about the lines after them
            lines = [self.view.paint(DIM, day), *lines]
        replayed = isinstance(event, Message | Action) and event.history
        if replayed and self._recent_header_due:
            lines = [self.view.paint(DIM, self._("Recent messages:")), *lines]
        missed = isinstance(event, Replayed) or (
            isinstance(event, Notice) and event.code is NoticeCode.MISSED
        )
        if missed and self._missed_header_due:
            lines = [self.view.paint(DIM, self._("Missed while you were disconnected:")), *lines]
            self._missed_header_due = False
        self._recent_header_due = isinstance(event, Welcome)
        if isinstance(event, Welcome):
            self._missed_header_due = event.resumed
        self.screen.show(lines, bell=rings(event, self.known.name))

    def show_motd(self, hello: Hello) -> None:
        if hello.motd:
            self.screen.show([self.view.paint(DIM, line) for line in hello.motd.splitlines()])

    @property
    def prompt(self) -> str:
        if self.query.name is not None:
            return f"@{self.query.name}{PROMPT}"
        return f"{self.known.room}{PROMPT}" if self.known.room else PROMPT

    def completions(self) -> list[str]:
        return self.known.completions()

    # -- connecting ------------------------------------------------------------------------

    def connect(self) -> Link:
        link = self._link()
        link.start()
        if link.hello is not None and link.hello.max_line_bytes > 0:
            self.max_line_bytes = link.hello.max_line_bytes
        return link

    def _link(self) -> Link:
        ask = self._trust_asked if self._may_ask_trust() else None
        link, address = self.trusted_links.open(self.options.address, ask)
        if address != self.options.address:
            self.options = replace(self.options, address=address)
        return link

    def _may_ask_trust(self) -> bool:
        """At a terminal, before the first name only (a reconnection cannot ask)."""
        return self.interactive and self.known.name is None

    def _trust_asked(self, presented: str) -> bool:
        question = self._(
            "Its certificate is its own: no authority this machine trusts vouches for it. "
            "Its SHA-256 fingerprint is {fingerprint}; compare it with the one its server "
            "printed when it started. Trust it from now on? [y/N] "
        ).format(fingerprint=presented)
        try:
            answer = self.screen.ask(question).strip().lower()
        except (EOFError, KeyboardInterrupt):
            return False
        return answer in {"y", "yes", self._("y"), self._("yes")}

    def register(self, link: Link, first_name: str | None) -> Welcome | None:
        """Ask for names until one is accepted; None when there is nothing more to ask."""
        name = first_name
        while True:
            if name is None:
                if not self.interactive:
                    return None
                try:
                    name = self._ask_name(link).strip()
                except ServerGone:  # it spoke first: to say goodbye (no name in time)
                    for event in link.events():
                        self.show(event)
                        if isinstance(event, Bye):
                            break
                    return None
                if not name:  # Enter alone: ask again (the server ignores an empty line)
                    name = None
                    continue
            verb = typed_verb(name)
            if verb is Verb.QUIT:
                raise EOFError  # as Ctrl-D at this prompt: leave, status 0
            if verb is Verb.FORMAT:  # this client reads JSON: another format would deafen it
                answer: Welcome | Error | HelpInfo = Error(
                    ts=time.time(), code=ErrorCode.NOT_REGISTERED
                )
            else:
                answer = link.register(name)
            if isinstance(answer, Welcome):
                return answer
            self.show(answer)
            if not self.interactive:
                return None
            name = None

    def _ask_name(self, link: Link) -> str:
        """The name typed at the prompt. Before a name the server speaks only to say goodbye
        (no name in time, too many tries), so if it speaks the prompt is interrupted at once
        (ServerGone) rather than after the next Enter."""
        asking = threading.Event()
        asking.set()
        watcher = threading.Thread(
            target=self._interrupt_if_server_speaks, args=(link, asking), daemon=True
        )
        watcher.start()
        try:
            with self.main.reading():
                return self.screen.ask(self._("Your name: "))
        finally:
            asking.clear()
            watcher.join()

    def _interrupt_if_server_speaks(self, link: Link, asking: threading.Event) -> None:
        while asking.is_set():
            if link.has_input(INTERRUPT_REPEAT_SECONDS):
                self.main.interrupt(asking)
                return

    # -- running ---------------------------------------------------------------------------

    def run(self) -> int:
        try:
            link = self._first_link()
        except LinkError as error:
            self.complain(f"papo: {error}")
            return EXIT_CANNOT_CONNECT
        if link.hello is not None:
            self.show_motd(link.hello)
        previous = on_interrupt(self.main.on_server_gone)
        try:
            welcome = self._join(link)
        finally:
            on_interrupt(previous)
        if not isinstance(welcome, Welcome):
            link.close()
            return welcome
        self.outbox.attach(link)
        self.show(welcome)
        previous = on_interrupt(self.main.on_server_gone)
        reader = threading.Thread(target=self._read_events, name="papo-reader", daemon=True)
        reader.start()
        try:
            return self._input_loop()
        finally:
            self.main.input_stopped.set()
            self.reader_done.wait(QUIT_WAIT_SECONDS)
            # A reader still running could yet signal: ignore it then, rather than die of it.
            on_interrupt(previous if self.reader_done.is_set() else signal.SIG_IGN)
            last = self.outbox.link
            if last is not None:
                last.close()

    def _first_link(self) -> Link:
        """Connected; or, at a terminal, when nothing answers at the address given (or the
        default: this machine), the address asked for until one answers. The manual's other
        machine runs ``python client.py`` with no option, and is asked where the server is."""
        while True:
            try:
                return self.connect()
            except CannotConnect as error:
                if not self.interactive:
                    raise
                self.complain(f"papo: {error}")
                address = self._ask_address()
                if address is None:
                    raise LinkError(self._("no server to connect to.")) from None
                self.options = replace(self.options, address=address)

    def _ask_address(self) -> Address | None:
        """An address typed as the server prints it (HOST, or HOST:PORT); None: Enter alone,
        Ctrl-D or Ctrl-C."""
        current = self.options.address
        while True:
            try:
                typed = self.screen.ask(
                    self._("Server address (HOST or HOST:PORT; Enter alone to leave): ")
                ).strip()
            except (EOFError, KeyboardInterrupt):
                return None
            if not typed:
                return None
            try:
                host, port = host_and_port(typed, None, current.port)
            except argparse.ArgumentTypeError as error:
                self.complain(f"papo: {error}")
                continue
            return replace(current, host=host, port=port)

    def _join(self, link: Link) -> Welcome | int:
        """Registered (the welcome), or the exit status to leave with."""
        first = self.options.name
        try:
            if (
                link.hello is not None
                and link.hello.password
                and not self.chat_password.let_in(link)
            ):
                return EXIT_SERVER_GONE
            while not first and not self.interactive:  # the first line that is not empty
                first = self.screen.read_line().strip()
            welcome = self.register(link, first)
        except (EOFError, KeyboardInterrupt):
            if self.interactive:
                print(flush=True)  # end the "Your name:" line, so the shell's prompt starts afresh
                return EXIT_OK
            self.complain("papo: " + self._("no name: the input was empty (or give --name)."))
            return EXIT_SERVER_GONE
        except LinkError as error:
            self.complain(f"papo: {error}")
            return EXIT_SERVER_GONE
        return EXIT_SERVER_GONE if welcome is None else welcome

    def _input_loop(self) -> int:
        while True:
            try:
                typed = self._read_line()
            except ServerGone:
                if not self.chat_password.ended:  # else why it ended is said already
                    self.complain("papo: " + self._("the server closed the connection."))
                return EXIT_SERVER_GONE
            if typed is None:
                return self._quit("/quit")
            if any(typed_verb(line) in SECRET_VERBS for line in NEWLINES.split(typed)):
                self.screen.forget_last_line()  # a password, for Up to show to anyone near
            # Lines pasted at once come as one text with newlines in it (readline holds a
            # paste until Enter): each is taken as if typed alone, a command too.
            for line in NEWLINES.split(typed):
                status = self._take_typed(line)
                if status is not None:
                    return status

    def _take_typed(self, line: str) -> int | None:
        """One line typed: sent, cut to fit, or answered here; the exit status if it ends the
        session."""
        if not line.strip():
            return None
        verb = typed_verb(line)
        if verb is Verb.QUIT:
            return self._quit(line)
        if self._answered_here(line, verb):
            return None
        if verb is Verb.JOIN and (was := self.query.end()) is not None:  # a room to talk in
            self._query_ended(self._("No longer talking to {name} alone.").format(name=was))
        privately = self.query.lines(line, self.max_line_bytes)
        if privately is not None:
            for each in privately:
                self._send(each)
        elif len(line.encode()) <= self.max_line_bytes:
            self._send(line)
        elif is_message(line):  # cut where it fits, rather than refused and lost
            for piece in fit(line, self.max_line_bytes):
                self._send(piece)
        else:  # a command cut in two would be a command and a message
            self._refuse_too_long(line)
        return None

    def _answered_here(self, line: str, verb: Verb | None) -> bool:
        """The client's own commands, and the server's that it does itself: whether ``line``
        was one (and is then done with)."""
        words = query_words(line)
        if words is not None:
            self._query(words)
        elif verb is Verb.HELP and asks_about_query(line):
            self.say(self._query_help())
        elif verb is Verb.FORMAT:  # this client reads JSON: another format would deafen it
            self.say(self._("This client shows the chat itself: /format is for programs."))
        elif verb is Verb.RESUME:  # by hand it could only end this session, or fail
            self.say(self._("This client resumes by itself when the connection drops."))
        elif verb is Verb.NICK and self.outbox.link is None and self.name_refused.is_set():
            self._come_back_as(line)
        elif self.chat_password.wanted.is_set() and line.split(None, 1)[0].casefold() == PASS:
            self.chat_password.typed(line)
        else:
            return False
        return True

    # -- /query: talking to one person -----------------------------------------------------

    def _query(self, words: list[str]) -> None:
        """``/query NAME`` turns plain lines to NAME; ``/query`` alone back to the room."""
        match self.query.asked(words):
            case Turn.STARTED:
                self.screen.set_prompt(self.prompt)
                self.say_dim(self._(
                    "Talking to {name} alone: your lines go to {name} in private, until /query "
                    "alone."
                ).format(name=self.query.name))  # fmt: skip
            case Turn.ENDED:
                self._query_ended(self._back_in_room())
            case _:
                self.say(self._query_help())

    def _query_ended(self, said: str) -> None:
        """Plain lines go to the current room again, and ``said`` says so."""
        self.screen.set_prompt(self.prompt)
        self.say_dim(said)

    def _back_in_room(self) -> str:
        if self.known.room:
            return self._("Talking in {room} again.").format(room=self.known.room)
        return self._("Talking in your room again.")

    def _follow_query(self, event: Event) -> None:
        """The person talked to renamed (followed) or left the chat (the query ends), said
        after the event that tells it."""
        match self.query.follow(event):
            case Turn.RENAMED:
                self.screen.set_prompt(self.prompt)
            case Turn.ENDED if isinstance(event, Leave):
                left = self._("{name} left the chat.").format(name=event.name)
                self._query_ended(f"{left} {self._back_in_room()}")

    def _query_help(self) -> str:
        usage = self.view.renderer.localized_usage(f"{QUERY} NAME")
        return f"  {usage}  " + self._(
            "talk to NAME alone: plain lines go to NAME in private, until /query alone (this "
            "client's own)"
        )

    def _refuse_too_long(self, line: str) -> None:
        """Not sent: said, and the line put back to be shortened."""
        self.say_dim(self._(
            "Not sent: that command is {size} bytes, and the server takes {limit} at most."
        ).format(size=len(line.encode()), limit=self.max_line_bytes))  # fmt: skip
        self.screen.prefill(line)

    def _come_back_as(self, line: str) -> None:
        """``/nick NAME`` while our name is refused on reconnecting: the name to try next."""
        words = line.split()
        if len(words) != 2:
            self._hint_another_name()
            return
        self.known.name = words[1]
        self.name_refused.clear()  # a refusal of this name is said again

    def _hint_another_name(self) -> None:
        hint = self._("Still trying; /nick NAME comes back under another name.")
        self.say_dim(hint)

    def _read_line(self) -> str | None:
        """One typed line, None at the end of input (Ctrl-D, Ctrl-C); ServerGone if the
        server goes away first. Only in here may the reader's signal interrupt us."""
        try:
            with self.main.reading():
                if self.server_gone.is_set():
                    raise ServerGone
                if self.main.leaving.is_set():  # told to leave while not reading
                    return None
                return self.screen.read_line(self.prompt)
        except (EOFError, KeyboardInterrupt):
            return None

    def _send(self, line: str) -> None:
        """Send ``line``; while reconnecting, keep it for when the connection is back."""
        keep = self.options.reconnect and not self.server_gone.is_set()
        if self.outbox.send(line, keep=keep):
            return
        if keep:
            kept = self._("Not connected: this line will be sent once back: {line}")
            self.say_dim(kept.format(line=shown_typed(line)))
        else:
            self.complain("papo: " + self._("not connected: that line was not sent."))

    def _quit(self, line: str) -> int:
        self.quitting.set()
        link, unsent = self.outbox.state()
        if link is None:  # disconnected: just leave
            if unsent:
                self.complain(
                    "papo: "
                    + self._n(
                        "{count} line typed while disconnected was not sent.",
                        "{count} lines typed while disconnected were not sent.",
                        unsent,
                    ).format(count=unsent)
                )
            return EXIT_OK
        self._send(line)
        self.reader_done.wait(QUIT_WAIT_SECONDS)
        return EXIT_OK

    # -- the reader thread -----------------------------------------------------------------

    def _read_events(self) -> None:
        try:
            while True:
                link = self.outbox.link
                if link is not None:
                    for event in link.events():
                        self.show(event)
                        if isinstance(event, Bye):
                            break
                if self.quitting.is_set():
                    return
                if not self._should_reconnect() or not self._reconnect():
                    self.server_gone.set()
                    self.main.interrupt()
                    return
        finally:
            self.reader_done.set()

    def _should_reconnect(self) -> bool:
        options = self.options
        return should_reconnect(
            self.known.last_bye,
            allowed=options.reconnect,
            always=options.reconnect_always,
            interactive=self.interactive,
        )

    def _reconnect(self) -> bool:
        """Try again with growing pauses; resume when the server still holds us (nothing is
        lost), else ask for the same name and go back into the same rooms."""
        old = self.outbox.detach()
        if old is not None:
            old.close()
        self.known.last_bye = None
        self.name_refused.clear()
        self.chat_unreachable_said = False
        self.chat_password.new_outage()
        rooms, current = list(self.known.joined), self.known.room
        lost = self._("Connection lost; reconnecting to {address}...")
        # One line for the whole outage; the welcome says it is over.
        self.say_dim(lost.format(address=self.options.address))
        for attempt in range(10_000):
            if self.chat_password.wanted.is_set():
                if not self.chat_password.wait(self.quitting):
                    return False
            elif self.quitting.wait(reconnect_pause(attempt)):
                return False
            try:
                link = self.connect()
                if not self._come_back(link, rooms, current):
                    link.close()
                    continue
            except LinkError:
                continue
            return True
        return False

    def _come_back(self, link: Link, rooms: list[str], current: str | None) -> bool:
        """On ``link``: resumed, or registered again (and back in ``rooms``); False when the
        name is still taken (try again later)."""
        if self.known.token is not None:
            answer = link.resume(self.known.token, self.known.last_id)
            if isinstance(answer, Welcome):
                self.show(answer)
                self._attach(link)
                return True
            if self._chat_unreachable(answer):
                return False  # we are still held: resumed once the chat is whole again
            self.known.token = None  # expired, or a server that restarted without its log
            self.say_dim(
                self._("Could not resume: what was said while you were disconnected is lost.")
            )
        if (
            link.hello is not None
            and link.hello.password
            and not self.chat_password.let_in_again(link)
        ):
            return False
        name = self.known.name or ""
        welcome = link.register(name)
        if self._chat_unreachable(welcome):
            return False
        if not isinstance(welcome, Welcome):  # taken meanwhile, say: said once per outage
            # Not said if /nick chose another name while this one was being refused: that one
            # is tried next, and the refusal of the old one would be said once too often.
            if name == self.known.name and not self.name_refused.is_set():
                self.name_refused.set()
                self.show(welcome)
                self._hint_another_name()
            return False
        self.show(welcome)
        for line in rejoin_lines(rooms, current, landed=self.known.room):  # the default room
            link.send(line)
        self._attach(link)
        return True

    def _chat_unreachable(self, answer: Welcome | Error | HelpInfo) -> bool:
        """Whether the server answered that the rest of its chat is out of reach (several
        servers, their Redis away): nothing is refused, so the token is kept and the name
        asked for again later. Said once per outage, beside "reconnecting"."""
        if not isinstance(answer, Error) or answer.code is not ErrorCode.UNAVAILABLE:
            return False
        if not self.chat_unreachable_said:
            self.chat_unreachable_said = True
            hint = self._("The server is back, the rest of the chat not yet: still trying.")
            self.say_dim(hint)
        return True

    def _attach(self, link: Link) -> None:
        """The connection is back: send the lines typed meanwhile, in order."""
        sent = self.outbox.attach(link)
        if sent:
            said = self._n(
                "Sent {count} line typed while disconnected.",
                "Sent {count} lines typed while disconnected.",
                sent,
            )
            self.say_dim(said.format(count=sent))


def shown_typed(line: str) -> str:
    """A typed line as the client may show it back: a password given to /oper or /pass
    hidden."""
    if typed_verb(line) not in SECRET_VERBS:
        return line
    return line.split(None, 1)[0] + " ********"


def typed_verb(line: str) -> Verb | None:
    """The command a typed line is (by any alias), as the server's parser reads it; None for a
    message, an unknown command or one missing its arguments (the server answers those)."""
    parsed = parse_line(line, registered=True)
    return parsed.spec.verb if isinstance(parsed, Invoke) else None


def colour_wanted(no_colour_flag: bool, terminal_can_draw: bool) -> bool:
    """NO_COLOR (any value but empty), --no-color and an output that is no terminal able to
    draw (a pipe, ``TERM=dumb``) all turn colour off."""
    return not no_colour_flag and terminal_can_draw and not os.environ.get("NO_COLOR")
