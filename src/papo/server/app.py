"""The server: admit within limits, carry out what the chat decides, shut down cleanly.

Its doors (``papo.server.doors``) listen and hand it each connection; from then on it is here.

The chat (pure) decides; this module only moves bytes. Each event is rendered at most once per
output format however many receive it, and the same bytes object is queued for every recipient.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import replace

from papo.core.chat import Chat, ChatSettings
from papo.core.outputs import (
    AddressBanned,
    Departed,
    Held,
    Output,
    Reformat,
    Registered,
    Renamed,
    Resumed,
    Send,
)
from papo.core.session import Session
from papo.core.shared import SharedState
from papo.hub.backplane import Backplane
from papo.irc.door import Door, ToChat, Unanswered, opens_irc
from papo.irc.message import line as irc_line
from papo.irc.nicks import nick_of
from papo.irc.render import IrcRenderer
from papo.protocol.commands import OutputFormat
from papo.protocol.events import (
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Greeting,
    Leave,
    LeaveReason,
    Mute,
    Notice,
    NoticeCode,
    Topic,
)
from papo.protocol.framing import Line, Refused
from papo.protocol.line_editing import edited
from papo.protocol.render import Renderer
from papo.protocol.timestamps import format_timestamp
from papo.server.config import ServerConfig
from papo.server.connection import Connection
from papo.server.doors import Doors
from papo.server.fanout import FanOut
from papo.server.flushes import Flushes
from papo.server.metrics import Census, Counters
from papo.server.moderation import Moderation, log_moderation
from papo.server.per_address import AddressLimits, AddressRules
from papo.server.reach import certificate_fingerprint
from papo.server.reload import read_again
from papo.server.shared_first import SharedFirst, Verdict

log = logging.getLogger("papo.server")

FORGET_IDLE_EVERY_SECONDS = 30.0
# How often who is online is handed to the store (--store), when it changed: with the store's
# own batch time, what a process that dies may leave out.
WRITE_MEMBERS_EVERY_SECONDS = 0.25


def tls_context(config: ServerConfig) -> ssl.SSLContext | None:
    if config.tls_cert is None or config.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config.tls_cert, config.tls_key)
    return context


class ChatServer:
    """Owns the chat and every connection; implements connection.ConnectionOwner."""

    def __init__(
        self, config: ServerConfig, shared: SharedState, backplane: Backplane | None = None
    ) -> None:
        self.config = config
        # Several servers, one chat: the hub they share (the same object as ``shared``).
        self.backplane = backplane
        self.chat = Chat(
            shared,
            ChatSettings(
                history=config.history,
                history_days=config.history_days,
                quiet_above=config.quiet_above,
                default_room=config.default_room,
                max_rooms=config.max_rooms,
                max_line_bytes=config.max_line_bytes,
                motd=config.motd,
                resume_grace=config.resume_grace,
                oper_password=config.oper_password,
                password=config.password,
            ),
        )
        # Those the previous process left (--store): held on, or gone with it (after start).
        self._recovered = self.chat.recover(time.time())
        self.renderer = Renderer(config.language)
        self.irc = IrcRenderer(config.irc_server_name, self.renderer, motd=config.motd)
        self.fanout: FanOut[Connection] = FanOut(self.renderer, config.history, self.irc)
        self.addresses = AddressLimits(
            AddressRules(
                max_connections=config.max_per_ip,
                connect_rate=config.ip_connect_rate,
                line_rate=config.ip_rate,
                line_burst=config.ip_burst,
            )
        )
        self.admitted = 0  # connections counted against the limits, from accept on
        self.counters = Counters()  # what happened, for --metrics
        self._forgetting: asyncio.TimerHandle | None = None
        self._pinging: asyncio.TimerHandle | None = None
        self._writing_members: asyncio.TimerHandle | None = None
        # --store: who is online is written as it changes (never with Redis, which keeps it).
        self._writes_members = backplane is None and self.chat.shared.keeps_holds()
        self.shutting_down = False
        self.stop_requested = asyncio.Event()  # set by SIGINT, SIGTERM, or being taken for dead
        self.evicted = False  # the other servers of the chat took this one for dead
        # Members held by a previous process (--store) keep their ids: new ones come after.
        first = backplane.first_member_id() if backplane is not None else 0
        self._next_sid = max(max(self.chat.members, default=0), first)
        # With several servers: what a line must ask their shared state before the chat.
        self._shared_first = (
            SharedFirst(backplane, self, config.resume_grace) if backplane is not None else None
        )
        self._slow: list[Connection] = []
        self.flushes = Flushes(self.fanout, self.counters, after=self._drop_all_slow)
        self._holds: dict[int, asyncio.TimerHandle] = {}  # by member id: when each hold ends
        self._held_from: dict[int, str] = {}  # by member id: the address it was dropped from
        self._tls = tls_context(config)
        self.doors = Doors(config, self._tls, self.new_connection, self.admit)
        self.moderation = Moderation(self.chat, self.fanout.outlets)

    # -- connections -----------------------------------------------------------------------

    def new_connection(self, irc: bool, tls: bool) -> Connection:
        """A connection for a door (``Doors``), with the next member id."""
        self._next_sid += 1
        return Connection(
            self,
            Session(self._next_sid),  # its address once it has a peer (set_peer)
            max_line_bytes=self.config.max_line_bytes,
            rate=self.config.rate,
            burst=self.config.burst,
            sendq=self.config.sendq,
            tls=tls,
            door=self._door() if irc else None,
        )

    def _door(self) -> Door:
        """An IRC connection's door, knowing what IRC asks of the server (its name, its MOTD)."""
        return Door(self.config.irc_server_name, motd=self.config.motd)

    async def start(self) -> list[tuple[str, int]]:
        """Listen on every door asked for (``Doors.open``); then carry on what the previous
        process left."""
        addresses = await self.doors.open()
        self._forget_idle_addresses()
        self._carry_out_recovery()
        if self.doors.irc_addresses:
            self._start_pinging()
        return addresses

    def _carry_out_recovery(self) -> None:
        """What the previous process left (--store): holds that go on, and the leaves of
        those that went with it (logged, for those who resume)."""
        recovered, self._recovered = self._recovered, []
        held = self.chat.held()
        left = sum(isinstance(output, Departed) for output in recovered)
        if held or left:
            log.info("users held from the previous process: %d (left with it: %d)", len(held), left)
        for member in held:  # their hold goes on
            self.hold_until(member, member.held_until or 0.0)
        self.carry_out(recovered)

    def _write_members(self) -> None:
        """Who is online goes to the store as it changes: a process that dies leaves the next
        one its members to hold, rather than forget them. Due after something was carried out
        (every change of a member is a decision of the chat), so an idle server never wakes."""
        self._writing_members = None
        self.chat.write_down_members()

    def _forget_idle_addresses(self) -> None:
        """Addresses with no connection left are remembered until their buckets refill."""
        self.addresses.forget_idle(time.monotonic())
        loop = asyncio.get_running_loop()
        self._forgetting = loop.call_later(FORGET_IDLE_EVERY_SECONDS, self._forget_idle_addresses)

    def _start_pinging(self) -> None:
        if self._pinging is None and not self.shutting_down:
            self._ping_silent_irc_clients()

    def _ping_silent_irc_clients(self) -> None:
        """IRC's keepalive: an IRC client silent for --irc-ping seconds is sent a PING, and
        one silent as long again leaves with reason timeout (its TCP may be long gone)."""
        interval = self.config.irc_ping
        now = asyncio.get_running_loop().time()
        for connection in list(self.fanout.outlets.values()):
            if connection.door is None or connection.closing:
                continue
            silent = now - connection.heard_at
            if silent >= 2 * interval:
                log.info("%r from %s did not answer PING", connection.session.name, connection.peer)
                connection.abort()
                self._depart(connection, LeaveReason.TIMEOUT)
            elif silent >= interval and not connection.pinged:
                connection.pinged = True
                ping = f"PING :{self.config.irc_server_name}\r\n".encode()
                self.fanout.send_bytes(connection, ping)
        loop = asyncio.get_running_loop()
        self._pinging = loop.call_later(interval / 4, self._ping_silent_irc_clients)

    # -- connection lifecycle (ConnectionOwner) --------------------------------------------

    def admit(self, connection: Connection) -> bool:
        """Count a connection against the limits as soon as it is accepted (before any TLS
        handshake), or refuse it."""
        max_clients = self.config.max_clients
        if self.shutting_down or (max_clients and self.admitted >= max_clients):
            self._refuse(connection, ErrorCode.SERVER_FULL)
            return False
        ban = self.chat.shared.banned(connection.address_group, time.time())
        if ban is not None:
            self._refuse(connection, ErrorCode.BANNED, {"until": format_timestamp(ban.until)})
            return False
        refusal = self.addresses.admit(connection.address_group, time.monotonic())
        if refusal is not None:
            self._refuse(connection, refusal)
            return False
        connection.admitted = True
        self.counters.connections += 1
        connection.address_bucket = self.addresses.line_bucket(connection.address_group)
        self.admitted += 1
        log.log(
            connection.log_level, "connection %s from %s", connection.session.sid, connection.peer
        )
        if self.config.registration_timeout:  # 0: no deadline
            connection.registration_timer = asyncio.get_running_loop().call_later(
                self.config.registration_timeout, self._registration_timeout, connection
            )
        return True

    def greet(self, connection: Connection) -> None:
        """The connection carries lines now (its TLS handshake, if any, is done)."""
        self.fanout.attach(connection)
        if connection.door is not None:
            return  # an IRC client speaks first
        greeting = Greeting(
            ts=time.time(), motd=self.config.motd, password=self.config.password is not None
        )
        self.carry_out([Send(greeting, connection.session)])

    def _refuse(
        self, connection: Connection, code: ErrorCode, extra: dict[str, str] | None = None
    ) -> None:
        """Say why in plain text (at the IRC door, as IRC's ``ERROR``, which IRC clients show)
        and close; a TLS client is closed before its handshake, which would cost what the
        refusal is meant to save."""
        log.log(connection.log_level, "refused %s: %s", connection.peer, code.value)
        self.counters.refused[code.value] += 1
        if connection.tls:
            return  # not yet connected: the accept loop closes its socket
        now = time.time()
        error = Error(ts=now, code=code, extra=extra or {})
        if connection.door is not None:
            said = f"Closing link: {self.renderer.error_text(error)}"
            connection.queue(f"{irc_line('ERROR', said)}\r\n".encode())
        else:
            for event in (error, Bye(ts=now, reason=ByeReason(code.value))):
                connection.queue(self.renderer.text(event))
        connection.close_after_flush()

    def _registration_timeout(self, connection: Connection) -> None:
        connection.registration_timer = None
        if connection.session.name is None and not connection.closing:
            log.info("registration timeout for %s", connection.peer)
            self.carry_out(
                self.chat.registration_timeout(connection.session, time.time()), connection
            )

    def handle_frame(self, connection: Connection, event: Line | Refused) -> None:
        session = connection.session
        now = time.time()
        if isinstance(event, Line) and self._irc_here(connection, event):
            connection.door = self._door()
            log.info("an IRC client on the papo port from %s", connection.peer)
            self.carry_out([Reformat(session, OutputFormat.IRC)], connection)
            self._start_pinging()
        if connection.door is not None and isinstance(event, Line):
            self._irc_line(connection, connection.door, event.text, now)
            return
        match event:
            case Line(text=text):
                if connection.output is OutputFormat.TEXT:  # maybe typed key by key
                    text = edited(text)
                self._chat_line(connection, text, now, [])
            case Refused(error=error):
                # FramingError's values are the protocol's error codes.
                outputs = self.chat.refuse_line(session, ErrorCode(error.value), now)
                self.carry_out(outputs, connection)

    def _irc_here(self, connection: Connection, line: Line) -> bool:
        """An IRC client pointed at the papo port (the port users are told): it is served
        as on --irc-port, rather than refused name after name. Only a text-mode connection
        with no name yet, and only IRC's opening lines, which are never papo names."""
        return (
            connection.session.name is None  # first: false for every line of a member
            and connection.door is None
            and connection.output is OutputFormat.TEXT
            and opens_irc(line.text)
        )

    def _irc_line(self, connection: Connection, door: Door, text: str, now: float) -> None:
        """One IRC line: the door's own answers at once, then what it asks of the chat."""
        session = connection.session
        rooms = tuple(self.chat.rooms[key].name for key in session.rooms)
        to_chat, replies = door.receive(text, rooms, now)
        if replies:
            self.fanout.send_bytes(connection, "".join(r + "\r\n" for r in replies).encode())
        wanted = door.output
        if connection.output is not wanted:  # server-time or message-tags taken or dropped
            self.carry_out([Reformat(session, wanted)], connection)
        self.take_rest(connection, list(to_chat), now, paid=True)

    def take_rest(
        self, connection: Connection, items: list[ToChat], now: float, *, paid: bool = False
    ) -> bool:
        """What an IRC line asks of the chat, in order (the rest waits if one waits). False:
        one waits (for the shared state, or for the flood limit), and will go on with the rest.

        The IRC line took one token of the flood limit when it was read (``paid``: the first
        of its papo lines); each more one takes one too, or a line of ``PRIVMSG`` to seventy
        targets (or ``JOIN``, ``PART``, ``NAMES`` of many) was seventy lines at the price of
        one. Slowed, never dropped: the rest waits for the bucket to refill."""
        if not items:
            return True
        if not paid:
            wait = connection.take_token()
            if wait > 0:
                connection.hold_input()
                asyncio.get_running_loop().call_later(wait, self._go_on, connection, items)
                return False
        item = items.pop(0)  # and _chat_line goes on with the rest, now or once it is let
        if isinstance(item, Unanswered):
            return self._chat_line(connection, item.line, now, items, unanswered=True)
        return self._chat_line(connection, item, now, items)

    def _go_on(self, connection: Connection, items: list[ToChat]) -> None:
        """The flood limit lets the rest of an IRC line through now."""
        if not connection.closing and self.take_rest(connection, items, time.time()):
            connection.release_input()

    def _chat_line(
        self,
        connection: Connection,
        line: str,
        now: float,
        rest: list[ToChat],
        *,
        unanswered: bool = False,
    ) -> bool:
        """One papo line to the chat, then ``rest`` (of an IRC line); with several servers,
        after what it must first ask their shared state (False: the line waits for that)."""
        first = self._shared_first
        verdict = first.line(connection, line, now, rest, unanswered) if first else Verdict.NOW
        if verdict is Verdict.WAITING:
            return False
        if verdict is Verdict.NOW:
            self.take_line(connection, line, now, unanswered=unanswered)
        return self.take_rest(connection, rest, now)

    def take_line(self, connection: Connection, line: str, now: float, *, unanswered: bool) -> None:
        self.counters.lines += 1
        outputs = self.chat.handle_line(connection.session, line, now)
        if unanswered:  # a NOTICE: its errors are not sent back
            outputs = [
                o for o in outputs if not (isinstance(o, Send) and isinstance(o.event, Error))
            ]
        self.carry_out(outputs, connection)

    def input_ended(self, connection: Connection) -> None:
        """The peer closed its sending side: what it said is handled, now it leaves."""
        if connection.closing:
            return
        self._depart(connection, LeaveReason.DISCONNECT)
        connection.close_after_flush()

    def connection_gone(self, connection: Connection) -> None:
        if not connection.admitted:
            return
        connection.admitted = False
        self.admitted -= 1
        still_its_members = self.fanout.detach(connection)
        self.addresses.release(connection.address_group)
        if still_its_members and not self.shutting_down:  # not replaced by a resume
            self._depart(connection, LeaveReason.DISCONNECT)
        log.debug("connection %s from %s closed", connection.session.sid, connection.peer)

    def peer_left_while_slowed(self, connection: Connection) -> None:
        """A flooder that hangs up leaves at once: it does not stay online for the hours its
        unread lines would take at the flood rate. What it had not been allowed to say yet is
        dropped, and the log says how much."""
        log.info(
            "%s closed while slowed by the flood limit: %d bytes it sent were not handled",
            connection.peer,
            connection.unread_bytes,
        )
        connection.abort()

    def _depart(self, connection: Connection, reason: LeaveReason) -> None:
        session, now = connection.session, time.time()
        hold = self._may_hold(connection.address_group)
        self.carry_out(self.chat.disconnect(session, reason, now, hold=hold), connection)

    def _may_hold(self, address: str) -> bool:
        """At most --max-per-ip holds per address and --max-clients in all (0: no limit):
        past them a dropped user leaves at once, as a line client does."""
        in_all = self.config.max_clients
        return self.addresses.may_hold(address) and (not in_all or len(self._holds) < in_all)

    def too_slow(self, connection: Connection) -> None:
        self._slow.append(connection)

    def schedule_flush(self, connection: Connection) -> None:
        self.flushes.own(connection)

    # -- carrying out the chat's decisions -------------------------------------------------

    def carry_out(self, outputs: list[Output], origin: Connection | None = None) -> None:
        """Deliver what the chat decided; what it says of ``origin``'s own member (it arrived,
        was renamed, left) is the shell's to log and act on."""
        outputs = list(outputs)
        # Before delivery closes the connection it bans; what a kick adds is looked at too
        # (a ban puts out the others at its address: kicks in turn).
        for output in outputs:
            match output:
                case Departed(kick=Leave() as kick):
                    self.end_hold(output.session)
                    outputs += self.moderation.kicked_out(output.session, kick)
                case AddressBanned():
                    outputs += self.moderation.address_banned(output)
                case Send(event=Mute() | Topic(locked=bool()) as event, to=to):
                    log_moderation(event, to)
                case Send(event=Error(code=code)):
                    self.counters.errors[code.value] += 1
        self.fanout.deliver(outputs)
        if self._writes_members and self._writing_members is None and not self.shutting_down:
            loop = asyncio.get_running_loop()
            self._writing_members = loop.call_later(
                WRITE_MEMBERS_EVERY_SECONDS, self._write_members
            )
        if origin is not None:
            for output in outputs:
                self._note(output, origin)
        if self.fanout.pending:
            self.flushes.broadcasts()
        self._drop_all_slow()

    def _note(self, output: Output, origin: Connection) -> None:
        session, peer = origin.session, origin.peer
        match output:
            case Registered():
                log.info("registered %s as %r from %s", session.sid, session.name, peer)
                self.counters.registrations += 1
                origin.stop_registration_timer()
                if origin.door is not None:
                    origin.door.registered = True  # IRC commands act from now on
            case Resumed(member=member):
                log.info("%r resumed from %s", member.name, peer)
                self.counters.resumes += 1
                origin.stop_registration_timer()
                self.end_hold(member)
            case Held(session=member, until=until):
                log.info("%r held for %g s from %s", member.name, self.config.resume_grace, peer)
                self.hold_until(member, until)
                self._held_from[member.sid] = origin.address_group
                self.addresses.hold(origin.address_group)
            case Renamed(old=old):
                log.info("%r is now %r, from %s", old, session.name, peer)
                if origin.door is not None and session.name is not None:
                    origin.door.nick = nick_of(session.name)  # its own replies name it so
            case Departed(session=departed, reason=reason) if departed is session:
                log.info("%r left (%s) from %s", session.name, reason.value, peer)
            case Send(event=Notice(code=NoticeCode.OPERATOR)):
                log.info("%r is an operator now, from %s", session.name, peer)
            case Send(event=Error(code=ErrorCode.WRONG_PASSWORD, command="pass")):
                log.warning("wrong chat password from %s", peer)
            case Send(event=Error(code=ErrorCode.WRONG_PASSWORD)):
                log.warning("wrong operator password from %r at %s", session.name, peer)
            case Send(event=Bye(reason=ByeReason.TOO_MANY_TRIES)):
                log.info("too many refused names from %s", peer)

    def hold_until(self, member: Session, until: float) -> None:
        """At ``until`` (wall clock) the chat is asked whether the member came back."""
        previous = self._holds.pop(member.sid, None)
        if previous is not None:
            previous.cancel()
        delay = max(0.0, until - time.time())
        loop = asyncio.get_running_loop()
        self._holds[member.sid] = loop.call_later(delay, self._hold_over, member, until)

    def _hold_over(self, member: Session, until: float) -> None:
        outputs = self.chat.expire(member, until, time.time())
        if outputs:
            log.info("%r did not come back in time", member.name)
            self.end_hold(member)
        self.carry_out(outputs)

    def end_hold(self, member: Session) -> None:
        """The member resumed or left: its hold no longer counts."""
        timer = self._holds.pop(member.sid, None)
        if timer is not None:
            timer.cancel()
        address = self._held_from.pop(member.sid, None)
        if address is not None:
            self.addresses.unhold(address)

    def _drop_all_slow(self) -> None:
        while self._slow:
            self._drop_slow(self._slow.pop())

    def _drop_slow(self, connection: Connection) -> None:
        log.info("dropping %r from %s: too slow", connection.session.name, connection.peer)
        self.counters.too_slow += 1
        connection.abort()
        self._depart(connection, LeaveReason.TOO_SLOW)

    def census(self) -> Census:
        """Who is here now, for --metrics (counted when asked, not as it changes)."""
        registered = sum(c.session.name is not None for c in self.fanout.outlets.values())
        return Census(
            connections=self.admitted,
            users_here=registered,
            users_held=len(self._holds),
            users_online=self.chat.shared.count(),
            rooms=len(self.chat.shared.room_counts()),
            hub_available=self.backplane.available() if self.backplane is not None else None,
        )

    # -- SIGUSR1 ---------------------------------------------------------------------------

    def read_files_again(self) -> None:
        """The certificate, the message of the day and the passwords, read again
        (``papo.server.reload``): for new connections and the next ``/oper`` or ``/pass``."""
        again = read_again(self.config, self._tls)
        for problem in again.problems:
            log.error("%s: what was read before stays in use", problem)
        config = self.config = again.config
        settings = self.chat.settings
        self.chat.settings = replace(
            settings,
            motd=config.motd,
            oper_password=config.oper_password,
            password=config.password,
        )
        self.irc.motd = config.motd
        for connection in self.fanout.outlets.values():  # IRC's MOTD command, asked later
            if connection.door is not None:
                connection.door.motd = config.motd
        if again.read:
            log.info("read again: %s", ", ".join(again.read))
            if "--tls-cert" in again.read and config.tls_cert is not None:
                log.info("TLS certificate (SHA-256): %s", certificate_fingerprint(config.tls_cert))
        elif not again.problems:
            log.info("asked to read its files again: none was given")

    # -- shutdown --------------------------------------------------------------------------

    def give_back_holds(self) -> None:
        """The server could not start (a port in use): the users it took from the store, held
        for it, are written back, for the next start to hold."""
        if self.chat.shared.keeps_holds():
            self.chat.hold_everyone(time.time())

    async def shutdown(self) -> None:
        """Stop listening, tell everyone once, flush, wait a little, then cut what is left."""
        self.shutting_down = True
        for timer in (self._forgetting, self._pinging, self._writing_members):
            if timer is not None:
                timer.cancel()
        for hold in self._holds.values():
            hold.cancel()
        self.doors.close()
        now = time.time()
        restart: set[int] = set()
        if self.chat.shared.keeps_holds():  # the next process can take them back
            restart = {member.sid for member in self.chat.hold_everyone(now)}
            if restart:
                log.info("users held for the restart: %d", len(restart))
        if restart and self.backplane is not None:
            # Told to come back, they resume at once on another server: it must know them
            # (after Redis came back empty, only this process does; a new token may wait).
            await self.backplane.hand_over()
        shutdown, back_soon = (
            Bye(ts=now, reason=ByeReason.SHUTDOWN),
            Bye(ts=now, reason=ByeReason.RESTART),
        )
        connections = self.fanout.tell_everyone(
            lambda outlet: back_soon if outlet.session.sid in restart else shutdown
        )
        for connection in connections:
            connection.close_after_flush()
        if connections:
            await asyncio.wait([c.lost for c in connections], timeout=self.config.shutdown_grace)
            for connection in connections:
                if not connection.lost.done():
                    connection.abort()
        await self.doors.wait_closed()
        if (restart or self.backplane is not None) and not self.evicted:
            # Those that cannot resume leave: on the other servers the others see it and the
            # names are free. In the log (--store, Redis) the held ones replay it when they
            # resume, rather than go on counting in their rooms somebody who is gone. The held
            # ones resume on another server, or after the restart, or whoever buries this
            # server holds them.
            now = time.time()
            for member in list(self.chat.members.values()):
                if member.held_until is None:
                    self.carry_out(
                        self.chat.disconnect(member, LeaveReason.SHUTDOWN, now, hold=False)
                    )
        log.info("shut down")
