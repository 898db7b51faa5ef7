"""The chat: who is online, what was said recently, and the rules of each command.

Handlers never touch sockets. ``handle_line`` and friends return Outputs (send this event to that
session, to everyone, close that session) and the shell carries them out, which is what lets the
same rules run behind asyncio today and behind a Redis hub or an IRC gateway later.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from papo import PROTOCOL_VERSION, __version__
from papo.core.shared import SharedState
from papo.protocol.commands import (
    CommandError,
    Invoke,
    OutputFormat,
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
    Join,
    Leave,
    LeaveReason,
    Message,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
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


class Session:
    """What the chat knows of one connection. The shell keeps one per client."""

    __slots__ = (
        "ignoring",
        "key",
        "last_private_from",
        "name",
        "output",
        "peer",
        "refused_names",
        "sid",
    )

    def __init__(self, sid: int, peer: str = "") -> None:
        self.sid = sid
        self.peer = peer
        self.name: str | None = None
        self.key: str | None = None
        # Whom this session ignores (by session id: it follows a person through renames, and
        # ends when they leave), and who last wrote to it in private (for /r).
        self.ignoring: set[int] = set()
        self.last_private_from: tuple[int, str] | None = None
        self.output = OutputFormat.TEXT
        self.refused_names = 0

    def __repr__(self) -> str:
        return f"Session({self.sid}, {self.name!r})"


@dataclass(frozen=True, slots=True)
class Send:
    event: Event
    to: Session


@dataclass(frozen=True, slots=True)
class Broadcast:
    """An event for every registered session but ``exclude``.

    ``author`` is left out only if it reads text: a line-client user already sees what they
    typed, while a program (JSON) takes the echo as the confirmation that the line was accepted.
    """

    event: Event
    exclude: Session | None = None
    author: Session | None = None
    hidden_from: tuple[Session, ...] = ()  # who ignores its author


@dataclass(frozen=True, slots=True)
class Close:
    """The shell flushes what is queued for ``session``, then closes it."""

    session: Session


Output = Send | Broadcast | Close


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatSettings:
    history: int = DEFAULT_HISTORY
    quiet_above: int = DEFAULT_QUIET_ABOVE
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    motd: str | None = None
    server_name: str = "papo"


class Chat:
    """The chat's state and rules: one per server process."""

    def __init__(self, shared: SharedState, settings: ChatSettings | None = None) -> None:
        self.settings = settings or ChatSettings()
        # Names, the id counter and the log live in the shared state (the hub); the chat keeps
        # the sessions of this process that hold a name, by their id.
        self.shared = shared
        self.members: dict[int, Session] = {}
        # For each session ignored by somebody: who ignores it (the reverse of .ignoring).
        self._ignored_by: dict[int, set[Session]] = {}
        # Kept as the replays newcomers get (flagged once here, not once per newcomer); taken
        # from the log at start, which is not empty when the log outlives the process.
        self.history: deque[Message | Action] = deque(maxlen=self.settings.history)
        for event in shared.read_after(0):
            if isinstance(event, Message | Action):
                self._remember(event)

    # -- state -----------------------------------------------------------------------------

    @property
    def quiet(self) -> bool:
        """Above the threshold, arrivals and departures are not announced."""
        quiet_above = self.settings.quiet_above
        return bool(quiet_above) and self.shared.count() > quiet_above  # 0: never quiet

    def online_names(self) -> tuple[str, ...]:
        return self.shared.names()

    def is_member(self, session: Session) -> bool:
        return self.members.get(session.sid) is session

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
        )

    # -- input -----------------------------------------------------------------------------

    def handle_line(self, session: Session, line: str, now: float) -> list[Output]:
        """Everything one line of input from ``session`` causes."""
        registered = session.name is not None
        parsed = parse_line(line, registered=registered)
        match parsed:
            case None:
                return []
            case CommandError(code=code, command=command):
                return [Send(Error(ts=now, code=code, command=sanitize_text(command)), session)]
            case Register(name=name):
                return self._register(session, name, now)
            case Say(text=text):
                return self._say(session, text, now)
            case Invoke(spec=spec):
                return COMMAND_HANDLERS[spec.verb](self, session, parsed, now)

    def refuse_line(self, session: Session, code: ErrorCode, now: float) -> list[Output]:
        """A line the framing refused (too long, not UTF-8): tell its sender, nobody else."""
        extra = {}
        if code is ErrorCode.LINE_TOO_LONG:
            extra = {"max_line_bytes": str(self.settings.max_line_bytes)}
        return [Send(Error(ts=now, code=code, extra=extra), session)]

    def registration_timeout(self, session: Session, now: float) -> list[Output]:
        return self._goodbye(session, now, ErrorCode.REGISTRATION_TIMEOUT)

    def disconnect(self, session: Session, reason: LeaveReason, now: float) -> list[Output]:
        """The connection is gone (or being dropped): the others learn it, unless it is quiet."""
        return self._leave(session, reason, None, now)

    # -- commands --------------------------------------------------------------------------

    def _online(self, session: Session, now: float) -> list[Output]:
        return [Send(Online(ts=now, users=self.online_names()), session)]

    def _register(self, session: Session, wanted: str, now: float) -> list[Output]:
        error = self._claim(session, wanted, now)
        if error is not None:
            session.refused_names += 1
            outputs: list[Output] = [Send(error, session)]
            if session.refused_names >= MAX_NAME_TRIES:
                outputs += self._goodbye(session, now, ErrorCode.TOO_MANY_TRIES)
            return outputs
        session.name, session.key = wanted, name_key(wanted)
        self.members[session.sid] = session
        count = self.shared.count()
        users = None if self.quiet else self.online_names()
        outputs = [Send(Welcome(ts=now, name=wanted, count=count, users=users), session)]
        outputs += (Send(event, session) for event in self.history)
        if not self.quiet:
            join = self.shared.append(Join(ts=now, id=0, name=wanted))
            outputs.append(Broadcast(join, session))
        return outputs

    def _say(self, session: Session, text: str, now: float) -> list[Output]:
        text = clean_message(text)
        if not text:
            return []
        event = self.shared.append(Message(ts=now, id=0, sender=session.name or "", text=text))
        self._remember(event)
        return [Broadcast(event, author=session, hidden_from=self._ignorers(session))]

    def _act(self, session: Session, text: str, now: float) -> list[Output]:
        text = clean_message(text)
        if not text:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="me"), session)]
        event = self.shared.append(Action(ts=now, id=0, sender=session.name or "", text=text))
        self._remember(event)
        return [Broadcast(event, hidden_from=self._ignorers(session))]

    def _remember(self, event: Message | Action) -> None:
        if self.settings.history:
            self.history.append(replace(event, history=True))

    def _private(self, session: Session, to: str, text: str, now: float) -> list[Output]:
        recipient = self._member_named(to)
        if recipient is None or recipient.name is None:
            return self._not_online(session, to, now)
        text = clean_message(text)
        if not text:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="private"), session)]
        sender = session.name or ""
        event = self.shared.append(
            Private(ts=now, id=0, sender=sender, recipient=recipient.name, text=text)
        )
        if recipient is session:
            return [Send(event, session)]
        if session.sid in recipient.ignoring:
            return [Send(event, session)]  # as IRC does: the sender is not told it is ignored
        recipient.last_private_from = (session.sid, sender)
        return [Send(event, recipient), Send(event, session)]

    def _ignorers(self, session: Session) -> tuple[Session, ...]:
        ignorers = self._ignored_by.get(session.sid)
        return tuple(ignorers) if ignorers else ()

    def _reply(self, session: Session, text: str, now: float) -> list[Output]:
        last = session.last_private_from
        if last is None:
            return [Send(Error(ts=now, code=ErrorCode.NO_SUCH_USER, command="r"), session)]
        sid, name = last
        correspondent = self.members.get(sid)
        if correspondent is None or correspondent.name is None:
            return self._not_online(session, name, now)
        return self._private(session, correspondent.name, text, now)

    def _ignore(self, session: Session, name: str, now: float) -> list[Output]:
        if not name:
            names = tuple(
                sorted(
                    (m.name or "" for sid in session.ignoring if (m := self.members.get(sid))),
                    key=name_key,
                )
            )
            return [Send(Notice(ts=now, code=NoticeCode.IGNORING, names=names), session)]
        target = self._member_named(name)
        if target is None or target.name is None:
            return self._not_online(session, name, now)
        if target is session:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="ignore"), session)]
        session.ignoring.add(target.sid)
        self._ignored_by.setdefault(target.sid, set()).add(session)
        return [Send(Notice(ts=now, code=NoticeCode.IGNORED, names=(target.name,)), session)]

    def _unignore(self, session: Session, name: str, now: float) -> list[Output]:
        target = self._member_named(name)
        if target is None or target.name is None:
            return self._not_online(session, name, now)
        self._stop_ignoring(session, target.sid)
        return [Send(Notice(ts=now, code=NoticeCode.UNIGNORED, names=(target.name,)), session)]

    def _stop_ignoring(self, session: Session, sid: int) -> None:
        session.ignoring.discard(sid)
        ignorers = self._ignored_by.get(sid)
        if ignorers is not None:
            ignorers.discard(session)
            if not ignorers:
                del self._ignored_by[sid]

    def _member_named(self, name: str) -> Session | None:
        holder = self.shared.holder(name)
        return self.members.get(holder) if holder is not None else None

    def _not_online(self, session: Session, name: str, now: float) -> list[Output]:
        shown = sanitize_text(name)
        return [Send(Error(ts=now, code=ErrorCode.NO_SUCH_USER, name=shown), session)]

    def _nick(self, session: Session, wanted: str, now: float) -> list[Output]:
        error = self._claim(session, wanted, now)
        if error is not None:
            return [Send(error, session)]
        old = session.name or ""
        if wanted != old:
            self.shared.release(old, session.sid)
        session.name, session.key = wanted, name_key(wanted)
        return [Broadcast(self.shared.append(Nick(ts=now, id=0, old=old, new=wanted)))]

    def _help(self, session: Session, topic: str, now: float) -> list[Output]:
        word = topic.split(None, 1)[0].removeprefix("/") if topic else None
        if word is not None:
            spec = find_command(word)
            if spec is None:
                shown = sanitize_text(word)
                return [Send(Error(ts=now, code=ErrorCode.UNKNOWN_COMMAND, command=shown), session)]
            word = spec.name
        return [Send(HelpInfo(ts=now, topic=word), session)]

    def _format(self, session: Session, wanted: str, now: float) -> list[Output]:
        try:
            session.output = OutputFormat(wanted.casefold())
        except ValueError:
            return [Send(Error(ts=now, code=ErrorCode.USAGE, command="format"), session)]
        return [Send(self.hello(session, now), session)]

    def _quit(self, session: Session, text: str, now: float) -> list[Output]:
        outputs: list[Output] = [Send(Bye(ts=now, reason=ByeReason.QUIT), session), Close(session)]
        return outputs + self._leave(session, LeaveReason.QUIT, clean_message(text) or None, now)

    def _goodbye(self, session: Session, now: float, code: ErrorCode) -> list[Output]:
        reason = ByeReason(code.value)
        return [
            Send(Error(ts=now, code=code), session),
            Send(Bye(ts=now, reason=reason), session),
            Close(session),
        ]

    def _leave(
        self, session: Session, reason: LeaveReason, text: str | None, now: float
    ) -> list[Output]:
        if not self.is_member(session):
            return []
        was_quiet = self.quiet
        del self.members[session.sid]
        for sid in tuple(session.ignoring):  # its ignores end with it, and so do others' of it
            self._stop_ignoring(session, sid)
        for ignorer in self._ignored_by.pop(session.sid, ()):
            ignorer.ignoring.discard(session.sid)
        self.shared.release(session.name or "", session.sid)
        if was_quiet:
            return []
        name = session.name or ""
        leave = Leave(ts=now, id=0, name=name, reason=reason, text=text)
        return [Broadcast(self.shared.append(leave))]


Handler = Callable[[Chat, Session, Invoke, float], list[Output]]

# The handler of each command of the table (papo.protocol.commands.COMMANDS): what its arguments
# mean, and which rule of the chat it runs.
COMMAND_HANDLERS: dict[Verb, Handler] = {
    Verb.PRIVATE: lambda chat, session, c, now: chat._private(session, c.args[0], c.args[1], now),
    Verb.ONLINE: lambda chat, session, c, now: chat._online(session, now),
    Verb.QUIT: lambda chat, session, c, now: chat._quit(session, c.rest, now),
    Verb.NICK: lambda chat, session, c, now: chat._nick(session, c.args[0], now),
    Verb.ME: lambda chat, session, c, now: chat._act(session, c.rest, now),
    Verb.HELP: lambda chat, session, c, now: chat._help(session, c.rest, now),
    Verb.FORMAT: lambda chat, session, c, now: chat._format(session, c.args[0], now),
    Verb.REPLY: lambda chat, session, c, now: chat._reply(session, c.rest, now),
    Verb.IGNORE: lambda chat, session, c, now: chat._ignore(session, c.rest, now),
    Verb.UNIGNORE: lambda chat, session, c, now: chat._unignore(session, c.args[0], now),
}
