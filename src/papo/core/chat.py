"""The chat: who is online, what was said recently, and the rules of each command.

The rules of names and of coming back (resume) are here, with the state they change; those of
talking (``talk``), those that only ask about rooms or people, or change a member's own rooms,
away text or ignores (``room_commands``, ``people``) are functions of the chat in modules of
their own, and the table at the end names each command's. What of the log may be shown again,
to whom, is ``past``'s.

Handlers never touch sockets. ``handle_line`` and friends return Outputs (send this event to that
session, to everyone, close that session) and the shell carries them out, which is what lets the
same rules run behind asyncio today and behind a Redis hub or an IRC gateway later.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from papo import PROTOCOL_VERSION, __version__
from papo.core import member_records, mutes, operators, people, room_commands, talk
from papo.core.holds import HoldRecord
from papo.core.ignores import Ignores
from papo.core.outputs import (
    Broadcast,
    Close,
    Decided,
    Departed,
    Held,
    Output,
    Publish,
    Reformat,
    Registered,
    Renamed,
    Resumed,
    Send,
)
from papo.core.passwords import chat_password_refusal
from papo.core.past import Past, author_of
from papo.core.room import Room
from papo.core.rooms import RoomDirectory
from papo.core.session import Session
from papo.core.shared import Route, SharedState
from papo.core.shown_early import ShownEarly
from papo.core.tokens import ResumeTokens, new_token
from papo.protocol.commands import (
    CHOSEN_FORMATS,
    OPERATOR_COMMANDS,
    CommandError,
    Invoke,
    OutputFormat,
    Privilege,
    Register,
    Say,
    Verb,
    find_command,
    parse_line,
)
from papo.protocol.events import (
    Action,
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Event,
    Hello,
    HelpInfo,
    Invite,
    Join,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Nick,
    Notice,
    NoticeCode,
    Private,
    Replayed,
    RoomEvent,
    Topic,
    Welcome,
)
from papo.protocol.framing import DEFAULT_MAX_LINE_BYTES
from papo.protocol.names import (
    MAX_NAME_CHARS,
    check_name,
    clean_message,
    name_key,
    sanitize_text,
)

MAX_NAME_TRIES = 5
DEFAULT_HISTORY = 20
DEFAULT_QUIET_ABOVE = 1000
DEFAULT_ROOM = "#lobby"
DEFAULT_MAX_ROOMS = 20
# Events that change a room's list of who is there (what a welcome or a ``joined`` shows).
LISTED_CHANGES = (Join, Leave, Nick)
DEFAULT_RESUME_GRACE = 120.0  # seconds a dropped JSON reader is held for (0: never held)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatSettings:
    history: int = DEFAULT_HISTORY
    history_days: float = 0.0  # older messages are not shown to newcomers (0: no limit)
    quiet_above: int = DEFAULT_QUIET_ABOVE
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    motd: str | None = None
    server_name: str = "papo"
    default_room: str = DEFAULT_ROOM
    max_rooms: int = DEFAULT_MAX_ROOMS  # per user; 0: no limit
    resume_grace: float = DEFAULT_RESUME_GRACE
    oper_password: str | None = None  # what /oper takes (None: nobody can be an operator)
    password: str | None = None  # what /pass takes before a name (None: no password asked)


class Chat:
    """The chat's state and rules: one per server process.

    A member's changes of room are made here, before the outputs that follow from them are
    carried out; the fan-out learns a member's rooms when something is sent to it, so every
    change of a member's rooms (or current room) comes with a ``Send`` to that member.
    """

    def __init__(
        self,
        shared: SharedState,
        settings: ChatSettings | None = None,
        tokens: Callable[[], str] = new_token,
    ) -> None:
        self.settings = settings or ChatSettings()
        # Names, the id counter and the log live in the shared state (the hub); the chat keeps
        # the sessions of this process that hold a name, by their id, and the rooms.
        self.shared = shared
        self.tokens = ResumeTokens(shared, tokens)
        self.members: dict[int, Session] = {}
        self.ignores = Ignores()
        # What each draft published here waits to be followed by, once the log has it back
        # (several servers: see ``settle``).
        self._then: deque[list[Output]] = deque()
        self._shown_early = ShownEarly()
        self.kicked_elsewhere = operators.KickedElsewhere()
        self.mutes = mutes.MuteList()
        self.rooms = RoomDirectory(shared, self.settings.default_room, self.settings.history)
        self.past = Past(shared, self.settings.history, self.settings.history_days)
        # Histories, topics and mutes come from the log at start, which is not empty when the
        # log outlives the process (--store) or is shared (several servers); what the log no
        # longer has of topics, locks and mutes is kept beside it (``papo.core.lasting``).
        self.recall(shared.lasting())
        self.recall([event for event, _ in shared.read_after(0)])

    # -- state -----------------------------------------------------------------------------

    @property
    def default_room(self) -> Room:
        return self.rooms.default

    def online_names(self) -> tuple[str, ...]:
        return self.shared.names()

    def is_member(self, session: Session) -> bool:
        return self.members.get(session.sid) is session

    def holding(self, name: str) -> tuple[int, str] | None:
        """Who holds ``name``, on this server or another, and the name as it spells it."""
        holder = self.shared.holder(name)
        held = self.shared.name_of(holder) if holder is not None else None
        return (holder, held) if holder is not None and held is not None else None

    @property
    def max_rooms(self) -> int:
        return self.settings.max_rooms

    def names_shown(self, session: Session, room: Room) -> tuple[str, ...] | None:
        """The names of ``room`` to show ``session`` (None in a quiet room), noted as shown to
        it: an arrival or departure already in that list is then not sent to it again."""
        if self.quiet(room):
            return None
        self._shown_early.shown(session.sid, room.key)
        return self.rooms.names(room)

    def quiet(self, room: Room) -> bool:
        """Whether arrivals and departures in ``room`` go untold (too many are in it)."""
        return self.rooms.quiet(room, self.settings.quiet_above)

    def recall(self, events: list[RoomEvent]) -> None:
        """Take these logged events, oldest first, into the state they leave, telling nobody:
        at start, or events a server of several missed (``HubListener.recovered``)."""
        for event in events:
            self._recall(event)

    def _recall(self, event: Event) -> None:
        """Take a logged event into the state it leaves behind (a history, a topic)."""
        match event:
            case Message() | Action():
                self._remember(self.rooms.logged(event.room), event)
            case Mute(name=name, seconds=0):
                self.mutes.lift(name)
            case Mute(name=name, seconds=seconds, ts=ts):
                self.mutes.mute(name, ts + seconds)
            case Topic(room=name, locked=bool(locked)):
                self.rooms.logged(name).topic_locked = locked  # the topic itself unchanged
            case Topic(room=name, by=by, text=text, ts=ts):
                room = self.rooms.logged(name)
                topic = (text, by, ts) if text else (None, None, None)  # "": cleared
                room.topic, room.topic_by, room.topic_at = topic

    def _claim(self, session: Session, name: str, now: float) -> Error | None:
        """Take ``name`` for ``session`` (checked first), or say why not."""
        problem = check_name(name)
        if problem is not None:
            shown = sanitize_text(name)
            return Error(ts=now, code=ErrorCode.NAME_INVALID, name=shown, problem=problem)
        holder = self.shared.claim(name, session.sid)
        if holder is None:
            return None
        like = {} if name_key(holder) == name_key(name) else {"like": holder}
        return Error(ts=now, code=ErrorCode.NAME_TAKEN, name=name, extra=like)

    def hello(self, session: Session, now: float) -> Hello:
        return Hello(
            ts=now,
            server=self.settings.server_name,
            version=__version__,
            protocol=PROTOCOL_VERSION,
            name=session.name,
            max_line_bytes=self.settings.max_line_bytes,
            max_name_chars=MAX_NAME_CHARS,
            motd=self.settings.motd,
            password=self.settings.password is not None,
        )

    # -- input -----------------------------------------------------------------------------

    def handle_line(self, session: Session, line: str, now: float) -> list[Output]:
        """Everything one line of input from ``session`` causes, its drafts numbered by the
        hub and applied at once (in one process there is no wait for the log)."""
        return self.settle(self.decide(session, line, now))

    def settle(self, decided: list[Decided]) -> list[Output]:
        """Number each draft in the hub and apply it, in order. A hub that numbers later
        (several servers) gives the event back through ``apply`` in the log's order; what
        was decided after such a draft (the ``away`` notice after a private) waits for it,
        so that it still comes after."""
        outputs: list[Output] = []
        waiting: list[Output] | None = None
        for item in decided:
            if isinstance(item, Publish):
                event = self.shared.append(item.draft, item.route)
                if event is None:
                    self._then.append(waiting := [])
                    self._shown_early.published()
                elif waiting is None:
                    outputs += self.apply(event, item.route)
                else:  # never: a hub numbers every draft now, or every draft later
                    raise RuntimeError("a hub that numbers some drafts later, some now")
            elif waiting is None:
                outputs.append(item)
            else:
                waiting.append(item)
        return outputs

    def apply(self, event: RoomEvent, route: Route, *, mine: bool = False) -> list[Output]:
        """A numbered event: what it leaves in the state (a room's history, its topic), and
        the deliveries it makes to this server's members; ``mine``: one this server published
        later than decided (then what waited for it follows)."""
        self._recall(event)
        outputs: list[Output] = []
        members = self.members
        if mine:
            route = self._not_shown_twice(event, route)
        kick = operators.kick_in(event, route)
        # A kick decided while its server had not read that its victim had left (several
        # servers): the log has the leave first, and the rooms are not told twice.
        gone = kick is not None and kick[0] not in members and self.shared.name_of(kick[0]) is None
        if route.rooms and not gone:
            outputs.append(Broadcast(event, self._hidden_here(event, route)))
        for sid in route.to:
            member = members.get(sid)
            if member is None:
                continue
            author = route.author
            if isinstance(event, Private | Invite) and author is not None and author != sid:
                if author in member.ignoring:
                    continue  # its author is another server's, which could not know
                if isinstance(event, Private):
                    member.last_private_from = (author, event.sender)  # for /r
            outputs.append(Send(event, member))
        if kick is not None:
            victim = members.get(kick[0])
            if victim is not None:
                outputs += self._put_out(victim, kick[1])
            else:
                self.kicked_elsewhere.note(kick[0])
                banned = operators.ban_of_one_gone(self, kick[1], route) if gone else None
                if banned is not None:
                    outputs.append(banned)
        if mine and self._then:
            outputs += self._then.popleft()
        return outputs

    def _not_shown_twice(self, event: RoomEvent, route: Route) -> Route:
        """The route of an event of this server's, back from the log, without the members who
        were shown, while it was on its way, the list of each room it is for that they are
        in, with it in already. (Shown one room's list only, a member still needs the event
        for its others: a departure from a room whose list it was not shown again.)"""
        early = self._shown_early.came_back(route.rooms)
        if not early or not isinstance(event, LISTED_CHANGES):
            return route
        renamed = self.shared.holder(event.new) if isinstance(event, Nick) else None
        members = self.members
        hidden = tuple(
            sid
            for sid, shown in early.items()
            if sid != renamed  # told its own new name all the same
            and (member := members.get(sid)) is not None
            and route.rooms & member.room_set <= shown
        )
        return replace(route, hidden_from=route.hidden_from + hidden) if hidden else route

    def _hidden_here(self, event: RoomEvent, route: Route) -> Route:
        """The route, with this server's members who ignore its author left out too, when
        the author is another server's (which knew only its own members' ignores)."""
        if not self.ignores:
            return route  # nobody here ignores anybody (always so for most chats)
        author = author_of(self.shared, event, route)
        if author is None or author in self.members:
            return route
        hidden = self.ignores.ignorers_of(author)
        return replace(route, hidden_from=route.hidden_from + hidden) if hidden else route

    def forget_waiting(self, count: int) -> None:
        """``count`` of this server's drafts will never come back (the log lost them): what
        waited for them is dropped."""
        lost = min(count, len(self._then))  # never more than are on their way
        for _ in range(lost):
            self._then.popleft()
        self._shown_early.lost(lost)

    def decide(self, session: Session, line: str, now: float) -> list[Decided]:
        """What one line of input from ``session`` calls for: replies, and drafts for the log
        (nothing is numbered, nothing sent, yet)."""
        registered = session.name is not None
        if registered:
            if not self.is_member(session):
                return []  # it has left: lines it sent after its /quit are not heard
            session.last_active = now
        parsed = parse_line(line, registered=registered)
        match parsed:
            case None:
                return []
            case CommandError(code=code, command=command):
                return [Send(Error(ts=now, code=code, command=sanitize_text(command)), session)]
            case Register() if self.settings.password is not None and not session.password_given:
                return self._refused(session, Error(ts=now, code=ErrorCode.PASSWORD_NEEDED), now)
            case Register(name=name):
                return self._register(session, name, now)
            case Say(text=text):
                return talk.say(self, session, text, now)
            case Invoke(spec=spec) if (
                spec.privilege is Privilege.OPERATOR and not self.shared.is_operator(session.sid)
            ):
                return [
                    Send(Error(ts=now, code=ErrorCode.NOT_OPERATOR, command=spec.name), session)
                ]
            case Invoke(spec=spec):
                return COMMAND_HANDLERS[spec.verb](self, session, parsed, now)

    def refuse_line(self, session: Session, code: ErrorCode, now: float) -> list[Output]:
        """A line the framing refused (too long, not UTF-8): tell its sender, nobody else."""
        extra = {}
        if code is ErrorCode.LINE_TOO_LONG:
            extra = {"max_line_bytes": str(self.settings.max_line_bytes)}
        return [Send(Error(ts=now, code=code, extra=extra), session)]

    def registration_timeout(self, session: Session, now: float) -> list[Output]:
        return self.settle(self._goodbye(session, now, ErrorCode.REGISTRATION_TIMEOUT))

    def disconnect(
        self, session: Session, reason: LeaveReason, now: float, *, hold: bool = True
    ) -> list[Output]:
        """The connection is gone (or being dropped). A member that can resume is held (unless
        the shell says no more holds, ``hold``): still in its rooms, its name taken, nobody
        told, what it would have received kept in the log. Any other leaves, and the others
        learn it (unless the room is quiet)."""
        if session.held_until is not None:
            return []  # held already
        if self.is_member(session) and self._may_resume(session) and hold:
            session.held_until = now + self.settings.resume_grace
            return [Held(session, session.held_until)]
        return self.settle(self._leave(session, reason, None, now))

    def _may_resume(self, member: Session) -> bool:
        """It reads JSON and holds a token (resume is on): a drop holds it, not a leave."""
        return member.token is not None and member.resumable and bool(self.settings.resume_grace)

    def expire(self, session: Session, until: float, now: float) -> list[Output]:
        """The hold that was to end at ``until`` is over: unless the member came back (or was
        held again since), it leaves the chat, and the others see it as a timeout."""
        if session.held_until != until:
            return []
        session.held_until = None
        return self.settle(self._leave(session, LeaveReason.TIMEOUT, None, now))

    def depart_elsewhere(self, holders: list[int], now: float) -> list[Output]:
        """Members of another server that is gone (it stopped renewing its lease): they leave
        the chat, announced by this server (by one survivor, the hub sees to it), as a
        dropped connection (reason ``disconnect``)."""
        shared = self.shared
        decided: list[Decided] = []
        for holder in holders:
            name = shared.name_of(holder)
            if name is None or holder in self.members:
                continue
            keys = shared.rooms_of(holder)
            if holder not in self.kicked_elsewhere:  # else its kick said it already
                decided += self._announce_leave(name, keys, LeaveReason.DISCONNECT, None, now)
            shared.set_away(holder, None)
            for key in keys:
                shared.exit(key, holder)
            shared.release(name, holder)
        return self.settle(decided)

    # -- registration and names --------------------------------------------------------------

    def _register(self, session: Session, wanted: str, now: float) -> list[Decided]:
        error = self._claim(session, wanted, now)
        if error is not None:
            return self._refused(session, error, now)
        session.name, session.key = wanted, name_key(wanted)
        session.since = session.last_active = now
        session.first_id = self.shared.last_id()
        self.members[session.sid] = session
        self._keep_address(session)
        room = self.default_room
        self.rooms.enter(session, room)
        token = self._issue_token(session) if session.resumable else None
        welcome = self._welcome(session, room, now, token)
        outputs: list[Decided] = [Registered(session), Send(welcome, session)]
        outputs += (Send(event, session) for event in self.past.on_arrival(room, now))
        if welcome.users is not None:  # not quiet
            join = Join(ts=now, id=0, name=wanted, room=room.name, arrived=True)
            outputs.append(Publish(join, Route(frozenset((room.key,)), exclude=session.sid)))
        return outputs

    def _refused(self, session: Session, error: Error, now: float) -> list[Decided]:
        """A name, a resume or an operator password refused: one more try spent; after the
        last, goodbye, and a member (one that tried passwords) leaves rather than being held:
        a resume would only buy more guesses."""
        session.refused_names += 1
        outputs: list[Decided] = [Send(error, session)]
        if session.refused_names >= MAX_NAME_TRIES:
            outputs += self._goodbye(session, now, ErrorCode.TOO_MANY_TRIES)
            outputs += self._leave(session, LeaveReason.DISCONNECT, None, now)
        return outputs

    def _welcome(
        self,
        session: Session,
        room: Room | None,
        now: float,
        token: str | None,
        *,
        resumed: bool = False,
    ) -> Welcome:
        """Count and names of ``room`` (none in a quiet one)."""
        rooms = tuple(self.rooms[key].name for key in session.rooms) if resumed else None
        return Welcome(
            ts=now,
            name=session.name or "",
            count=self.rooms.count(room) if room is not None else 0,
            users=self.names_shown(session, room) if room is not None else None,
            room=room.name if room is not None else None,
            topic=room.topic if room is not None else None,
            topic_by=room.topic_by if room is not None else None,
            topic_at=room.topic_at if room is not None else None,
            resume=token,
            resumed=resumed,
            rooms=rooms,
        )

    def _nick(self, session: Session, wanted: str, now: float) -> list[Decided]:
        if wanted == session.name:
            # Nothing to tell the others, nor an id to spend: a rename to oneself would be
            # noise in every room they share, one line at a time.
            return [Send(Notice(ts=now, code=NoticeCode.SAME_NAME, names=(wanted,)), session)]
        muted = mutes.refusal(self.mutes, session, now, "nick")  # a new name would shake it off
        if muted is not None:
            return [Send(muted, session)]
        error = self._claim(session, wanted, now)
        if error is not None:
            return [Send(error, session)]
        old = session.name or ""
        if wanted != old:
            self.shared.release(old, session.sid)
        session.name, session.key = wanted, name_key(wanted)
        nick = Nick(ts=now, id=0, old=old, new=wanted)
        if not session.rooms:
            return [Renamed(session, old), Publish(nick, Route(to=(session.sid,)))]
        # Once to each who shares a room, itself too.
        return [Renamed(session, old), Publish(nick, Route(session.room_set))]

    # -- resume ------------------------------------------------------------------------------

    def _issue_token(self, session: Session) -> str | None:
        """A new resume token for ``session``, the old one no longer valid (None: resume is
        off)."""
        return self.tokens.issue(session) if self.settings.resume_grace else None

    def adopt(self, hold: HoldRecord) -> Session:
        """A member of another server, held here from now on: it resumes here (its token was
        given to this server), or its server is gone and this one holds it for the grace."""
        member = member_records.restore(self, self.tokens, hold)
        member_records.restore_ignores(self, member, hold)
        if hold.token:  # used up by the take-over, good again: it may resume on any server
            self.shared.keep_token(member.sid, hold.token, hold.first_id)
        return member

    def moved_away(self, holder: int, now: float) -> list[Output]:
        """A member of this server resumed on another: it is that server's now. Nobody is
        told anything (it never left); a connection it still has here is replaced."""
        member = self.members.pop(holder, None)
        if member is None:
            return []
        self.tokens.forget(member)
        self.ignores.forget(member)
        self.rooms.forget(member)
        if member.held_until is not None:
            member.held_until = None
            return []
        return [Send(Bye(ts=now, reason=ByeReason.REPLACED), member), Close(member)]

    def _resume(self, session: Session, token: str, last: str, now: float) -> list[Decided]:
        """``/resume TOKEN LAST_ID``: back as the member the token is for, with everything it
        would have received after ``LAST_ID``. Each failure counts as a refused name."""
        if session.name is not None or not session.resumable:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="resume"), session)]
        member = self.tokens.member(token)
        if member is None or not last.isascii() or not last.isdigit():
            code = ErrorCode.RESUME_FAILED if member is None else ErrorCode.USAGE
            return self._refused(session, Error(ts=now, code=code, command="resume"), now)
        outputs: list[Decided] = []
        if member.held_until is None:  # still connected (half-open): that connection goes
            outputs += [Send(Bye(ts=now, reason=ByeReason.REPLACED), member), Close(member)]
        member.held_until = None
        member.resumable = True
        member.address = session.address  # where it is now
        self._keep_address(member)
        new = self._issue_token(member)
        welcome = self._welcome(member, self.rooms.current(member), now, new, resumed=True)
        outputs += [Resumed(member, session), Send(welcome, member)]
        return outputs + self._replay(member, int(last), now)

    def _keep_address(self, member: Session) -> None:
        if member.address is not None:
            self.shared.keep_address(member.sid, member.address)

    def hold_everyone(self, now: float) -> list[Session]:
        """The server stops and the log outlives it: every member that can resume is held
        (those held already keep their end), and the hub writes them down for the next
        process. Returns the members held, to be told ``restart``."""
        held = [member for member in self.members.values() if self._may_resume(member)]
        for member in held:
            if member.held_until is None:
                member.held_until = now + self.settings.resume_grace
        self.shared.keep_holds([self.record(member) for member in held])
        return held

    def record(self, member: Session) -> HoldRecord:
        """``member`` written down (``member_records.record``)."""
        return member_records.record(self, member)

    def recover(self, now: float) -> list[Output]:
        """At start, the members the previous process left (where the log outlives it): those
        it held at a graceful stop are held on; if it died without stopping, those it had
        online are held for the grace from ``now`` (their connections dropped with it), and
        those that cannot resume leave (reason ``disconnect``), which is logged for whoever
        resumes and was with them. Returns the leaves to carry out."""
        holds: list[HoldRecord] = []
        for hold in self.shared.take_holds():
            try:
                member_records.restore(self, self.tokens, hold)
            except ValueError:
                continue  # a store broken by hand: two with one name; the first keeps it
            holds.append(hold)
        for hold in holds:  # once all are back: whom each ignored
            member_records.restore_ignores(self, self.members[hold.member], hold)
        decided: list[Decided] = []
        for hold in holds:
            if hold.until:
                continue  # held already when the previous process ended: its end stands
            member = self.members[hold.member]
            if self._may_resume(member):
                member.held_until = now + self.settings.resume_grace
            else:
                decided += self._leave(member, LeaveReason.DISCONNECT, None, now)
        return self.settle(decided)

    def write_down_members(self) -> None:
        """Where the hub writes members down as they change (--store), hand it the records
        of those that changed: what ``recover`` gets back after a process that died."""
        changed = self.shared.changed_members()
        if not changed:
            return
        records, gone = [], []
        for holder in changed:
            member = self.members.get(holder)
            if member is None or member.name is None:
                gone.append(holder)
            else:
                records.append(self.record(member))
        self.shared.keep_members(records, gone)

    def held(self) -> list[Session]:
        """The members held now (after a restart: those the previous process held)."""
        return [member for member in self.members.values() if member.held_until is not None]

    def _replay(self, member: Session, last_id: int, now: float) -> list[Decided]:
        """Every logged event above ``last_id`` that was for ``member``, flagged, in order;
        first, how many (at most) are too old to be replayed any more."""
        after = max(last_id, member.first_id)
        outputs: list[Decided] = []
        oldest = self.shared.oldest_id()
        if oldest > after + 1:
            notice = Notice(ts=now, code=NoticeCode.MISSED, count=oldest - 1 - after)
            outputs.append(Send(notice, member))
        sid, ignoring, since = member.sid, member.ignoring, member.ignores_changed_at
        # An author it ignored when the event came is left out too: the log's route names only
        # the ignorers of the author's own server (for events after its last /ignore or
        # /unignore, its ignores now are those it had then).
        outputs += (
            Send(Replayed(event), member)
            for event, route in self.shared.read_after(after)
            if route.reaches(sid, member.rooms_at(event.id))
            and not (
                ignoring and event.id > since and author_of(self.shared, event, route) in ignoring
            )
        )
        return outputs

    def _remember(self, room: Room, event: Message | Action) -> None:
        if self.settings.history:
            room.history.append(replace(event, history=True))

    # -- the connection ----------------------------------------------------------------------

    def _help(self, session: Session, topic: str, now: float) -> list[Decided]:
        """One command's help, or the list of those this user can use (``HelpInfo``)."""
        word = topic.split(None, 1)[0].removeprefix("/") if topic else None
        if word is not None:
            spec = find_command(word)
            if spec is None:
                shown = sanitize_text(word)
                return [Send(Error(ts=now, code=ErrorCode.UNKNOWN_COMMAND, command=shown), session)]
            return [Send(HelpInfo(ts=now, topic=spec.name), session)]
        asked = self.settings.password is not None and session.name is None  # /pass of use
        not_listed: tuple[str, ...] = () if asked else ("pass",)
        if not self.shared.is_operator(session.sid):
            no_operators = self.settings.oper_password is None
            not_listed += (*OPERATOR_COMMANDS, "oper") if no_operators else OPERATOR_COMMANDS
        return [Send(HelpInfo(ts=now, not_listed=not_listed), session)]

    def _format(self, session: Session, wanted: str, now: float) -> list[Decided]:
        try:
            output = OutputFormat(wanted.casefold())
        except ValueError:
            output = None
        if output not in CHOSEN_FORMATS:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="format"), session)]
        session.resumable = output is OutputFormat.JSON  # a program can keep its token
        return [Reformat(session, output), Send(self.hello(session, now), session)]

    def _quit(self, session: Session, text: str, now: float) -> list[Decided]:
        outputs: list[Decided] = [Send(Bye(ts=now, reason=ByeReason.QUIT), session), Close(session)]
        return outputs + self._leave(session, LeaveReason.QUIT, clean_message(text) or None, now)

    def _pass(self, session: Session, password: str, now: float) -> list[Decided]:
        """``/pass PASSWORD``, before a name: the chat's password. A wrong one counts as a
        refused name. (A resume needs none: its token shows it was let in.)"""
        if session.name is not None:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="pass"), session)]
        refusal = chat_password_refusal(self.settings.password, password, now)
        if refusal is not None:
            return self._refused(session, refusal, now)
        session.password_given = True
        return [Send(Notice(ts=now, code=NoticeCode.PASSWORD_ACCEPTED), session)]

    def _oper(self, session: Session, password: str, now: float) -> list[Decided]:
        """``/oper PASSWORD``. A wrong one counts as a refused name."""
        refusal = operators.password_refusal(self.settings.oper_password, password, now)
        if refusal is None:
            return operators.made_operator(self, session, now)
        if refusal.code is ErrorCode.NO_OPERATORS:
            return [Send(refusal, session)]
        return self._refused(session, refusal, now)

    def _goodbye(self, session: Session, now: float, code: ErrorCode) -> list[Decided]:
        reason = ByeReason(code.value)
        return [
            Send(Error(ts=now, code=code), session),
            Send(Bye(ts=now, reason=reason), session),
            Close(session),
        ]

    def _leave(
        self, session: Session, reason: LeaveReason, text: str | None, now: float
    ) -> list[Decided]:
        """Out of the chat: one leave for each member who shared a room with ``session`` (in
        a room that is not quiet), however many rooms they shared."""
        if not self.is_member(session):
            return []
        leave = self._announce_leave(session.name or "", session.rooms, reason, text, now)
        return [self._depart(session, reason, now), *leave]

    def _depart(self, session: Session, reason: LeaveReason, now: float) -> Departed:
        """What a member leaves behind goes: its name, token, ignores, away text, rooms. The
        hub remembers its address for a while: an operator may still ban it."""
        del self.members[session.sid]
        self.tokens.revoke(session)
        self.ignores.forget(session)
        self.shared.set_away(session.sid, None)
        self.shared.release(session.name or "", session.sid)
        if session.address is not None:
            self.shared.note_departure(session.name or "", session.address, now)
        for key in tuple(session.rooms):
            self.rooms.exit(session, self.rooms[key])
        return Departed(session, reason)

    def _put_out(self, member: Session, kick: Leave) -> list[Output]:
        """A member kicked: goodbye, its connection closed (if it has one: a held member is
        let go), and it leaves as one that cannot come back (its token is no more)."""
        member.held_until = None
        departed = replace(self._depart(member, LeaveReason.KICKED, kick.ts), kick=kick)
        return [Send(Bye(ts=kick.ts, reason=ByeReason.KICKED), member), Close(member), departed]

    def rooms_told(self, keys: Iterable[str]) -> frozenset[str]:
        return frozenset(
            key for key in keys if (room := self.rooms.get(key)) and not self.quiet(room)
        )

    def _announce_leave(
        self, name: str, rooms: Iterable[str], reason: LeaveReason, text: str | None, now: float
    ) -> list[Decided]:
        """The one leave that tells those who shared a room (not a quiet one) with ``name``,
        if any; asked while it is still counted in them."""
        told = self.rooms_told(rooms)
        if not told:
            return []
        leave = Leave(ts=now, id=0, name=name, reason=reason, text=text)
        return [Publish(leave, Route(told))]


Handler = Callable[[Chat, Session, Invoke, float], list[Decided]]

# The handler of each command of the table (papo.protocol.commands.COMMANDS): what its arguments
# mean, and which rule of the chat it runs.
COMMAND_HANDLERS: dict[Verb, Handler] = {
    Verb.PRIVATE: lambda chat, session, c, now: talk.private(
        chat, session, c.args[0], c.args[1], now
    ),
    Verb.ONLINE: lambda chat, session, c, now: room_commands.online(chat, session, c.rest, now),
    Verb.QUIT: lambda chat, session, c, now: chat._quit(session, c.rest, now),
    Verb.NICK: lambda chat, session, c, now: chat._nick(session, c.args[0], now),
    Verb.ME: lambda chat, session, c, now: talk.act(chat, session, c.rest, now),
    Verb.ACTION: lambda chat, session, c, now: talk.private(
        chat, session, c.args[0], c.args[1], now, kind=talk.Said.ACTION
    ),
    Verb.NOTICE: lambda chat, session, c, now: talk.private(
        chat, session, c.args[0], c.args[1], now, kind=talk.Said.NOTICE
    ),
    Verb.HELP: lambda chat, session, c, now: chat._help(session, c.rest, now),
    Verb.FORMAT: lambda chat, session, c, now: chat._format(session, c.args[0], now),
    Verb.REPLY: lambda chat, session, c, now: talk.reply(chat, session, c.rest, now),
    Verb.IGNORE: lambda chat, session, c, now: people.ignore(chat, session, c.rest, now),
    Verb.UNIGNORE: lambda chat, session, c, now: people.unignore(chat, session, c.args[0], now),
    Verb.JOIN: lambda chat, session, c, now: room_commands.join(chat, session, c.args[0], now),
    Verb.PART: lambda chat, session, c, now: room_commands.part(chat, session, c.rest, now),
    Verb.ROOMS: lambda chat, session, c, now: room_commands.list_rooms(chat, session, now),
    Verb.TOPIC: lambda chat, session, c, now: room_commands.topic(chat, session, c.rest, now),
    Verb.HISTORY: lambda chat, session, c, now: room_commands.history(chat, session, c.rest, now),
    Verb.AWAY: lambda chat, session, c, now: people.set_away(chat, session, c.rest, now),
    Verb.WHOIS: lambda chat, session, c, now: people.whois(chat, session, c.args[0], now),
    Verb.RESUME: lambda chat, session, c, now: chat._resume(session, c.args[0], c.args[1], now),
    Verb.INVITE: lambda chat, session, c, now: talk.invite(chat, session, c.rest, now),
    Verb.OPER: lambda chat, session, c, now: chat._oper(session, c.args[0], now),
    Verb.PASS: lambda chat, session, c, now: chat._pass(session, c.args[0], now),
    Verb.KICK: lambda chat, session, c, now: operators.kick(chat, session, c.rest, now),
    Verb.BAN: lambda chat, session, c, now: operators.ban(chat, session, c.rest, now),
    Verb.UNBAN: lambda chat, session, c, now: operators.unban(chat, session, c.args[0], now),
    Verb.BANS: lambda chat, session, c, now: operators.bans(chat, session, now),
    Verb.MUTE: lambda chat, session, c, now: operators.mute(chat, session, c.rest, now),
    Verb.UNMUTE: lambda chat, session, c, now: operators.unmute(chat, session, c.args[0], now),
    Verb.LOCKTOPIC: lambda chat, session, c, now: room_commands.lock_topic(
        chat, session, c.rest, now, locked=True
    ),
    Verb.UNLOCKTOPIC: lambda chat, session, c, now: room_commands.lock_topic(
        chat, session, c.rest, now, locked=False
    ),
}
