"""Lines that ask the shared state of several servers first, then go to the chat.

With ``--redis``, a registration or a ``/nick`` first claims the name on every server (the chat
then decides as if alone), and a ``/resume`` with a token this server does not know first takes
its member over from the server that has it; meanwhile the connection's next lines wait, in
order. While Redis cannot be reached lines are refused with ``unavailable`` (never silence),
but for those that need nothing shared (``/quit``, ``/help``). A server alone has none of this:
its lines go to the chat at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from enum import Enum, auto
from typing import Any, Protocol

from papo.core.chat import Chat
from papo.core.outputs import Output, Send
from papo.core.session import Session
from papo.core.tokens import token_digest
from papo.hub.backplane import Backplane, Unavailable
from papo.irc.door import ToChat
from papo.protocol.commands import Invoke, Register, Verb, parse_line
from papo.protocol.events import Error, ErrorCode
from papo.protocol.names import check_name
from papo.server.connection import Connection

log = logging.getLogger("papo.server")


class Verdict(Enum):
    NOW = auto()  # nothing to ask first: the chat takes the line now
    REFUSED = auto()  # the shared state is out of reach: its sender was told
    WAITING = auto()  # asked: the line, and the rest after it, are taken once it answers


@dataclass(frozen=True, slots=True)
class Ask:
    """What a line must first ask of the shared state."""

    verb: Verb  # NICK: claim ``value``, a valid name; RESUME: take over ``value``'s member
    value: str


def ask_of(name: str | None, line: str) -> Ask | None:
    """What ``line`` (from a connection whose name is ``name``) must ask first, if anything
    (an invalid name asks nothing: the chat refuses it itself)."""
    parsed = parse_line(line, registered=name is not None)
    if isinstance(parsed, Register):
        wanted: str | None = parsed.name
    elif isinstance(parsed, Invoke) and parsed.args and parsed.spec.verb is Verb.NICK:
        wanted = parsed.args[0]
    elif isinstance(parsed, Invoke) and parsed.args and parsed.spec.verb is Verb.RESUME:
        return Ask(Verb.RESUME, parsed.args[0])
    else:
        return None
    return Ask(Verb.NICK, wanted) if wanted is not None and check_name(wanted) is None else None


ANSWERED_HERE = frozenset({Verb.QUIT, Verb.HELP, Verb.FORMAT})


def answered_here(name: str | None, line: str) -> bool:
    """Lines that need nothing shared (leaving, help, a connection's format): taken even
    while Redis is away. A program's first line is ``/format json``: refused, it would wait
    for a ``hello`` that never comes, instead of reading that names are refused for now."""
    parsed = parse_line(line, registered=name is not None)
    return isinstance(parsed, Invoke) and parsed.spec.verb in ANSWERED_HERE


class LineTaker(Protocol):
    """What the server does with a line once the shared state has answered (implemented by
    ``papo.server.app.ChatServer``)."""

    chat: Chat

    def take_line(
        self, connection: Connection, line: str, now: float, *, unanswered: bool
    ) -> None: ...

    def take_rest(self, connection: Connection, items: list[ToChat], now: float) -> bool: ...

    def hold_until(self, member: Session, until: float) -> None: ...

    def carry_out(self, outputs: list[Output], origin: Connection | None = None) -> None: ...


class SharedFirst:
    """Asks the shared state what a line needs before the chat sees it."""

    def __init__(self, backplane: Backplane, server: LineTaker, resume_grace: float) -> None:
        self.backplane = backplane
        self.server = server
        self.resume_grace = resume_grace
        self._asking: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    def line(
        self, connection: Connection, line: str, now: float, rest: list[ToChat], unanswered: bool
    ) -> Verdict:
        """Whether the chat takes ``line`` now, it was refused, or it waits (and ``rest``, the
        rest of an IRC line, with it)."""
        name = connection.session.name
        if not self.backplane.available() and not answered_here(name, line):
            self.unavailable(connection, now, line)
            return Verdict.REFUSED
        ask = ask_of(name, line)
        if ask is None:
            return Verdict.NOW
        if ask.verb is Verb.NICK:
            job = self._claim_then_take(connection, line, ask.value, rest, unanswered)
        elif self.server.chat.tokens.knows(ask.value):
            return Verdict.NOW  # its member is this server's already
        else:
            job = self._take_over_then_resume(connection, line, ask.value)
        self._meanwhile(connection, job)
        return Verdict.WAITING

    def unavailable(self, connection: Connection, now: float, line: str) -> None:
        """``line`` refused: the error names its command, as the chat's own errors do (an IRC
        question waits on the answer to its ``/online``, a refusal included)."""
        parsed = parse_line(line, registered=connection.session.name is not None)
        command = parsed.spec.name if isinstance(parsed, Invoke) else None
        error = Error(ts=now, code=ErrorCode.UNAVAILABLE, command=command)
        self.server.carry_out([Send(error, connection.session)])

    def _meanwhile(self, connection: Connection, job: Coroutine[Any, Any, None]) -> None:
        """``job`` answers the connection's line later: its next lines wait for it."""
        connection.hold_input()
        task = asyncio.get_running_loop().create_task(job)
        self._asking.add(task)
        task.add_done_callback(self._asking.discard)

    async def _claim_then_take(
        self,
        connection: Connection,
        line: str,
        wanted: str,
        rest: list[ToChat],
        unanswered: bool,
    ) -> None:
        session = connection.session
        try:
            await self.backplane.reserve(wanted, session.sid)
        except Unavailable:
            if not connection.closing:
                self.unavailable(connection, time.time(), line)
        else:
            if connection.closing:  # gone meanwhile: the name is not kept for it
                if session.name != wanted:
                    self.backplane.release(wanted, session.sid)
            else:
                self.server.take_line(connection, line, time.time(), unanswered=unanswered)
        if not connection.closing and self.server.take_rest(connection, rest, time.time()):
            connection.release_input()

    async def _take_over_then_resume(self, connection: Connection, line: str, token: str) -> None:
        """A resume with a token this server does not know: its member may be another
        server's (held there, or still connected there): taken over, then resumed here."""
        try:
            hold = await self.backplane.take(token_digest(token))
        except Unavailable:
            if not connection.closing:
                self.unavailable(connection, time.time(), line)
                connection.release_input()
            return
        if hold is not None:
            # This server's now, held until it resumes (a bad LAST_ID is refused) or its grace
            # ends: even if this connection went meanwhile, it is nobody else's any more.
            until = time.time() + self.resume_grace
            member = self.server.chat.adopt(replace(hold, until=until))
            self.server.hold_until(member, until)
            log.info("%r taken over from another server", member.name)
        if connection.closing:
            return
        self.server.take_line(connection, line, time.time(), unanswered=False)
        connection.release_input()
