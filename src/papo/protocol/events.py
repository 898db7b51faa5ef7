"""What the server says, as frozen values.

Events carry data only; turning them into bytes (JSON or localised text) is render.py's job, so a
message is rendered once per format however many people receive it. Times are seconds since the
epoch handed in by the shell: the core never reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from papo.protocol.names import NameProblem


class LeaveReason(Enum):
    QUIT = "quit"
    DISCONNECT = "disconnect"
    TIMEOUT = "timeout"
    TOO_SLOW = "too_slow"
    KICKED = "kicked"
    SHUTDOWN = "shutdown"
    PART = "part"  # left one room, not the chat


class ByeReason(Enum):
    QUIT = "quit"
    SHUTDOWN = "shutdown"
    RESTART = "restart"  # the server stops and comes back: resume within the grace
    REPLACED = "replaced"  # the same user resumed on another connection
    TOO_MANY_TRIES = "too_many_tries"
    REGISTRATION_TIMEOUT = "registration_timeout"
    SERVER_FULL = "server_full"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    KICKED = "kicked"  # an operator put the user out (``/kick``, ``/ban``)
    BANNED = "banned"  # a connection from an address an operator banned (``/ban``)


class ErrorCode(Enum):
    NAME_INVALID = "name_invalid"
    NAME_TAKEN = "name_taken"
    NOT_REGISTERED = "not_registered"
    NO_SUCH_USER = "no_such_user"
    UNKNOWN_COMMAND = "unknown_command"
    USAGE = "usage"
    LINE_TOO_LONG = "line_too_long"
    BAD_ENCODING = "bad_encoding"
    REGISTRATION_TIMEOUT = "registration_timeout"
    TOO_MANY_TRIES = "too_many_tries"
    SERVER_FULL = "server_full"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    ROOM_INVALID = "room_invalid"
    NO_SUCH_ROOM = "no_such_room"
    NOT_IN_ROOM = "not_in_room"
    TOO_MANY_ROOMS = "too_many_rooms"
    NO_ROOM = "no_room"
    RESUME_FAILED = "resume_failed"
    UNAVAILABLE = "unavailable"  # several servers: the state they share cannot be reached now
    ALREADY_IN_ROOM = "already_in_room"  # /invite of somebody who is in the room (``name``)
    NOT_OPERATOR = "not_operator"  # an operator's command (``command``), from somebody else
    TOPIC_LOCKED = "topic_locked"  # /topic TEXT of a room (``room``) only operators may change
    MUTED = "muted"  # words from somebody an operator muted (``until``: when that ends)
    NOT_MUTED = "not_muted"  # /unmute NAME, when NAME is not muted
    WRONG_PASSWORD = "wrong_password"  # /oper with a password that is not the server's
    NO_OPERATORS = "no_operators"  # /oper on a server started without an operator password
    BANNED = "banned"  # a connection from a banned address (``until``: when the ban ends)
    NOT_BANNED = "not_banned"  # /unban NAME, when no ban made for NAME is in force
    PASSWORD_NEEDED = "password_needed"  # a name before the chat's password (/pass)


@dataclass(frozen=True, slots=True, kw_only=True)
class Greeting:
    """The text-mode prompt on connect; never sent as JSON (a program waits for ``hello``)."""

    ts: float
    motd: str | None = None
    password: bool = False  # the chat asks for a password (/pass) before a name


@dataclass(frozen=True, slots=True, kw_only=True)
class Hello:
    ts: float
    server: str
    version: str
    protocol: int
    name: str | None
    max_line_bytes: int
    max_name_chars: int
    motd: str | None = None
    password: bool = False  # the chat asks for a password (/pass) before a name


@dataclass(frozen=True, slots=True, kw_only=True)
class Welcome:
    """``count`` and ``users`` describe the room the user lands in (``room``: the default
    one, or after a resume the current one). ``resume`` is the secret that brings this user
    back after a dropped connection (JSON readers only); ``resumed``: it just did, and
    ``rooms`` are the rooms it is still in. ``topic_by`` and ``topic_at``: who set the topic
    and when (IRC's 333 after the topic; not in the JSON, whose ``/topic`` has them)."""

    ts: float
    name: str
    count: int
    users: tuple[str, ...] | None
    room: str | None = None
    topic: str | None = None
    topic_by: str | None = None
    topic_at: float | None = None
    resume: str | None = None
    resumed: bool = False
    rooms: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Utterance:
    """What somebody said to the room; kept in history and replayed with ``history`` set."""

    ts: float
    id: int
    sender: str
    text: str
    room: str = ""  # empty only in events of a protocol-1 server or store
    history: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Utterance):
    """A public message; ``notice``: ``/notice``'s, which no program answers (IRC's NOTICE:
    a bot's replies, an away script's, cannot set two of them answering each other)."""

    notice: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Action(Utterance):
    """``/me``: the same fields, shown as "* alice waves"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Private:
    """Words for one person; ``action``: ``/action``'s, shown as "* alice waves" (IRC's
    ``/me`` in a private window); ``notice``: ``/notice``'s, as a message's."""

    ts: float
    id: int
    sender: str
    recipient: str
    text: str
    action: bool = False
    notice: bool = False
    history: bool = False  # shown again by /history NAME, not said now

    @property
    def words(self) -> str:
        """The text as its readers see it, an action's with its author first."""
        return f"* {self.sender} {self.text}" if self.action else self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class Invite:
    """``/invite``: ``sender`` asks ``recipient`` into ``room``. Rooms are open to all, so it
    grants nothing: it is a word from one person to another, delivered as a private is (to
    both, numbered, replayed on resume), that names a room to join."""

    ts: float
    id: int
    sender: str
    recipient: str
    room: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Join:
    """``arrived``: the join that comes with registration (the chat's, not only the room's)."""

    ts: float
    id: int
    name: str
    room: str = ""
    arrived: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Leave:
    """With ``room``: left that room (``part``). Without: left the chat, told once to each
    user who shared a room with them."""

    ts: float
    id: int
    name: str
    reason: LeaveReason
    text: str | None = None
    room: str | None = None
    by: str | None = None  # who kicked (reason ``kicked``)
    ban: int | None = None  # /ban: the address they came from is kept out this many seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class Mute:
    """``/mute``: ``name`` may read but not talk for ``seconds`` (0: ``/unmute``, they may
    talk again), said by the operator ``by``, with ``text`` (why). To the rooms ``name`` is
    in, to them and to the operator; kept in the log, from which every server knows who is
    muted (``papo.core.mutes``)."""

    ts: float
    id: int
    name: str
    by: str
    seconds: int
    text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    """A room's topic, set: to the room's members, and kept in the log. With ``locked``
    (True or False) it is an operator locking or unlocking it instead (``/locktopic``): the
    topic itself stays as it was, ``text`` repeats it."""

    ts: float
    id: int
    room: str
    by: str
    text: str
    locked: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicShown:
    """A room's topic, to who asked (``text`` empty when it has none): the ``topic`` event
    without ``id``, and with when it was set (``at``: IRC clients show it)."""

    ts: float
    room: str
    by: str | None
    text: str
    locked: bool = False  # only operators may change it
    at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Joined:
    """To the one who joined a room: what it is like, before its history (``topic_by`` and
    ``topic_at`` as ``Welcome`` has them)."""

    ts: float
    room: str
    topic: str | None
    count: int
    users: tuple[str, ...] | None  # None in a quiet room
    topic_by: str | None = None
    topic_at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomInfo:
    room: str
    count: int
    topic: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rooms:
    """The rooms that exist, biggest first."""

    ts: float
    rooms: tuple[RoomInfo, ...]
    more: int = 0  # rooms left out of a list that would be too long (the smallest ones)


@dataclass(frozen=True, slots=True, kw_only=True)
class Nick:
    ts: float
    id: int
    old: str
    new: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Online:
    ts: float
    users: tuple[str, ...]
    room: str | None = None  # the room listed; None: the whole chat
    away: dict[str, str] = field(default_factory=dict)  # of the users listed, who is away


@dataclass(frozen=True, slots=True, kw_only=True)
class Whois:
    """Who somebody is, for who asked: ``since`` when they arrived, ``idle`` seconds since
    they last sent a line."""

    ts: float
    name: str
    rooms: tuple[str, ...]
    away: str | None
    since: float
    idle: float
    operator: bool = False
    muted: float | None = None  # until when an operator muted them (/mute), if they are


@dataclass(frozen=True, slots=True, kw_only=True)
class HelpInfo:
    """The ``info`` event with code ``help``: the whole list, or one command's usage.
    ``not_listed``: commands the whole list leaves out for this reader, who cannot use them
    (operators' own, for one who is not; ``oper`` where nobody can be one): most users never
    will, and nine lines of them buried what they can do. Asked for by name, each is still
    explained."""

    ts: float
    topic: str | None = None
    not_listed: tuple[str, ...] = ()


class NoticeCode(Enum):
    IGNORED = "ignored"
    UNIGNORED = "unignored"
    IGNORING = "ignoring"
    CURRENT = "current"  # after /part: the room one now talks in (``room``; None: no room)
    NOW_AWAY = "now_away"  # /away TEXT: you are marked away (``away``)
    BACK = "back"  # /away alone: you are back
    NOT_AWAY = "not_away"  # /away alone, when you were not away
    AWAY = "away"  # a private went to somebody away (``names``: who, ``away``: their text)
    MISSED = "missed"  # after a resume: ``count`` events were too old to be replayed
    SAME_NAME = "same_name"  # /nick to the very name one has: nothing changed (``names``)
    OPERATOR = "operator"  # /oper: you are an operator now
    UNBANNED = "unbanned"  # /unban NAME: the bans made for them are lifted (``count``)
    BANS = "bans"  # /bans: the bans in force (``names`` made for, ``until`` when each ends)
    OWN_ADDRESS_BANNED = "own_address_banned"  # /ban NAME from NAME's address (``names``)
    BANNED_GONE = "banned_gone"  # /ban NAME, who had left: their address (``names``, ``until``)
    HISTORY = "history"  # /history: ``count`` messages of ``room`` follow, the oldest first
    PASSWORD_ACCEPTED = "password_accepted"  # /pass: the chat's password; a name may follow


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """An ``info`` event other than help: what a command did, for who asked (``names``: whom
    it is about)."""

    ts: float
    code: NoticeCode
    names: tuple[str, ...] = ()
    room: str | None = None
    away: str | None = None
    count: int | None = None
    until: tuple[float, ...] = ()  # codes ``bans``, ``banned_gone``: when each ban ends


@dataclass(frozen=True, slots=True, kw_only=True)
class Error:
    ts: float
    code: ErrorCode
    name: str | None = None
    command: str | None = None
    problem: NameProblem | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bye:
    ts: float
    reason: ByeReason


RoomEvent = Message | Action | Private | Invite | Join | Leave | Nick | Topic | Mute


@dataclass(frozen=True, slots=True)
class Replayed:
    """A logged event sent again to a user coming back after a dropped connection: the same
    event, flagged ``replay`` (it happened while the user was away)."""

    event: RoomEvent

    @property
    def ts(self) -> float:
        return self.event.ts


Event = (
    Greeting
    | Hello
    | Welcome
    | RoomEvent
    | Replayed
    | Joined
    | TopicShown
    | Rooms
    | Online
    | Whois
    | HelpInfo
    | Notice
    | Error
    | Bye
)


def room_of(event: Event) -> str | None:
    """The room an event happened in, if it is one room's event (not a private, a rename or a
    leave of the whole chat)."""
    if isinstance(event, Message | Action | Join | Leave | Topic) and event.room:
        return event.room
    return None
