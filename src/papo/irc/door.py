"""One IRC connection's side of the conversation, sans I/O: IRC commands in, papo command lines
and immediate IRC replies out.

The door parses IRC into the chat's own commands, written as the papo lines that say them
(``PRIVMSG #dev :hi`` is ``/msg #dev hi``), so the chat's rules, limits and checks are the
same for every front door. What needs no chat (``PING``, ``CAP``, ``MODE`` queries) is
answered here. Answers the chat gives to a query that IRC asks in several ways (``NAMES``,
``WHO``, ``ISON`` and ``USERHOST`` are all ``/online``) are told apart by what the door
remembers it asked for, in order.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from papo import __version__
from papo.irc.message import IrcMessage, line, parse, split_lines
from papo.irc.nicks import name_of
from papo.protocol.commands import DELETE_TOPIC, OutputFormat
from papo.protocol.marks import read_mark
from papo.protocol.names import as_room, room_key

# What papo offers (IRCv3): the rest is refused (NAK), as the specification asks.
CAPABILITIES = (
    "batch",
    "draft/chathistory",
    "echo-message",
    "message-tags",
    "multi-prefix",
    "server-time",
)
# mIRC formatting: colour (^C with up to two numbers), hex colour (^D), bold, italics,
# underline, strike, monospace, reverse, reset. papo text has no formatting: taken out whole
# (the chat would drop the control characters but leave a colour's digits in the text).
FORMATTING = re.compile(
    r"\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x1d\x1f\x1e\x11\x16\x0f]"
)


# What an IRC client sends first. None of these is a papo name (a name has no spaces), so a
# line client's first line that reads so is an IRC client on the papo port, not a person.
IRC_OPENING = re.compile(r"(CAP LS|NICK \S|USER \S+ \S+ \S+ |PASS \S)")


# papo's own commands that IRC has no word for, passed on as the papo lines they are (sent raw:
# irssi's "/quote rooms", or HexChat's "/rooms", which it sends as typed because it does not
# know it), so that /help, which lists papo's commands, holds at the IRC door too. Not /format
# nor /resume: they belong to the connection's protocol, and would take it out of IRC.
PASSED_ON = frozenset(("private", "w", "r", "reply", "unignore", "rooms", "help", "bans"))
# CHATHISTORY's ways of asking, as /history's windows (``papo.core.history_window``); LATEST
# with ``*`` is /history's last N.
HISTORY_SIDES = {"BEFORE": 1, "AFTER": 1, "LATEST": 1, "AROUND": 1, "BETWEEN": 2}
HISTORY_MOST = 200  # messages a CHATHISTORY gives at most (ISUPPORT CHATHISTORY): /history's
# STATS letters an operator asks for the bans in force with: K-lines (``K``, lasting; ``k``,
# temporary) are IRC's bans of a user's address, as papo's are.
STATS_OF_BANS = frozenset("kK")


def motd_lines(server: str, nick: str, motd: str | None) -> list[str]:
    """The message of the day as IRC tells it (at registration, and asked with MOTD)."""
    if not motd:
        return [line("422", nick, "MOTD File is missing", source=server)]
    return [
        line("375", nick, f"- {server} Message of the day -", source=server),
        *(
            each
            for row in motd.splitlines()
            for each in split_lines("372", nick, text=f"- {row}", source=server)
        ),
        line("376", nick, "End of /MOTD command", source=server),
    ]


def unformatted(text: str) -> str:
    return FORMATTING.sub("", text)


def opens_irc(line: str) -> bool:
    """Whether ``line``, sent before any name, is an IRC client's registration."""
    return IRC_OPENING.match(line) is not None


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A papo line from a NOTICE: an error it causes is not sent back (RFC 2812: a NOTICE is
    never answered, so two programs cannot reply to each other's errors for ever)."""

    line: str


ToChat = str | Unanswered  # a papo line, or one whose errors are not sent back
Answer = tuple[list[ToChat], list[str]]  # for the chat; and the IRC lines to send back at once


@dataclass(frozen=True, slots=True)
class Query:
    """What a coming ``online`` answer is for: ``names``, ``who``, ``ison`` or ``userhost``
    (with the nicks asked about), ``lusers`` (the count), or papo's own ``online``."""

    kind: str
    room: str | None = None
    nicks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryAsked:
    """What a coming ``/history`` answer is for: a ``CHATHISTORY`` (its subcommand and
    target), or, with no subcommand, papo's own ``/history`` typed in an IRC client."""

    subcommand: str = ""
    target: str = ""


@dataclass(frozen=True, slots=True)
class OpenBatch:
    """A CHATHISTORY answer being sent: the batch's reference, and the messages still to
    come in it (the chat says how many first)."""

    ref: str
    left: int


@dataclass(slots=True)
class Door:
    """The IRC state of one connection; ``receive`` turns one line into what to do.

    Small on purpose (one per IRC connection, most of them idle): the capabilities are a
    shared frozenset until changed, the queries a list (a few at a time, if any)."""

    server: str
    motd: str | None = None  # the server's, for MOTD
    nick: str | None = None  # asked for, before registration
    user_given: bool = False
    negotiating: bool = False
    caps: frozenset[str] = frozenset()
    registered: bool = False  # the chat accepted a name
    queries: list[Query] = field(default_factory=list)
    histories: tuple[HistoryAsked, ...] = ()  # asked of /history, the oldest first
    batch: OpenBatch | None = None  # the CHATHISTORY answer being sent
    batches: int = 0  # batches opened so far: each one's reference

    def next_query(self) -> Query | None:
        """What the ``online`` answer arriving now was asked for (the oldest asked)."""
        return self.queries.pop(0) if self.queries else None

    def next_history(self) -> HistoryAsked | None:
        """What the ``/history`` answer arriving now was asked for (the oldest asked)."""
        if not self.histories:
            return None
        asked, self.histories = self.histories[0], self.histories[1:]
        return asked

    @property
    def echo(self) -> bool:
        return "echo-message" in self.caps

    @property
    def output(self) -> OutputFormat:
        """The tags its lines carry: a client that took message-tags reads any tag, and gets
        each line's time and message id (``msgid``, what CHATHISTORY pages by) whether or
        not it took server-time too; one that took server-time alone, the time."""
        if "message-tags" in self.caps:
            return OutputFormat.IRC_IDS
        return OutputFormat.IRC_TAGGED if "server-time" in self.caps else OutputFormat.IRC

    def reply(self, numeric: str, *params: str, me: str | None = None) -> str:
        return line(numeric, me or self.nick or "*", *params, source=self.server)

    def receive(self, text: str, rooms: tuple[str, ...] = (), now: float = 0.0) -> Answer:
        """``text``, one IRC line; ``rooms``, the rooms the user is in (for ``JOIN 0``);
        ``now``, the time (for ``TIME``). Returns the papo lines for the chat, and the IRC lines
        to send back at once."""
        message = parse(text)
        if message is None:
            return [], []
        handler = _BEFORE.get(message.command) if not self.registered else None
        handler = handler or _ALWAYS.get(message.command)
        if handler is None and self.registered:
            handler = _AFTER.get(message.command)
        if handler is None and self.registered and message.command.lower() in PASSED_ON:
            return [" ".join(("/" + message.command.lower(), *message.params))], []
        if handler is None:
            if not self.registered and message.command in _AFTER:
                return [], [self.reply("451", "You have not registered")]
            return [], [self.reply("421", message.command, "Unknown command")]
        return handler(self, message, rooms, now)

    # -- registration ------------------------------------------------------------------------

    def _cap(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        sub = message.param(0).upper()
        me = self.nick or "*"
        if sub == "LS":
            self.negotiating = not self.registered
            return [], [line("CAP", me, "LS", " ".join(CAPABILITIES), source=self.server)]
        if sub == "LIST":
            return [], [line("CAP", me, "LIST", " ".join(sorted(self.caps)), source=self.server)]
        if sub == "REQ":
            self.negotiating = not self.registered
            asked = message.param(1).split()
            wanted = {cap.removeprefix("-") for cap in asked}
            if not wanted <= set(CAPABILITIES):
                return [], [line("CAP", me, "NAK", message.param(1), source=self.server)]
            removed = {cap[1:] for cap in asked if cap.startswith("-")}
            added = {cap for cap in asked if not cap.startswith("-")}
            self.caps = frozenset((self.caps - removed) | added)
            return [], [line("CAP", me, "ACK", message.param(1), source=self.server)]
        if sub == "END":
            self.negotiating = False
            return self._register(), []
        return [], [self.reply("410", sub, "Invalid CAP command")]

    def _nick(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        nick = message.param(0)
        if not nick:
            return [], [self.reply("431", "No nickname given")]
        name = name_of(nick)
        if name is None:
            return [], [self.reply("432", nick, "Erroneous nickname")]
        if self.registered:
            return [f"/nick {name}"], []
        self.nick = nick
        return self._register(), []

    def _user(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        if len(message.params) < 4:
            return [], [self.reply("461", "USER", "Not enough parameters")]
        self.user_given = True
        return self._register(), []

    def _register(self) -> list[ToChat]:
        """Once NICK, USER and any CAP negotiation are done: ask the chat for the name."""
        if self.registered or self.negotiating or not self.user_given or self.nick is None:
            return []
        name = name_of(self.nick)
        return [name] if name is not None else []

    def _pass(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``PASS password``, before NICK and USER: the chat's password (``/pass``), which
        IRC clients send when told one (irssi's ``/connect HOST PORT PASSWORD``)."""
        if not message.param(0):
            return [], [self.reply("461", "PASS", "Not enough parameters")]
        return [f"/pass {message.param(0)}"], []

    def _already(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], [self.reply("462", "You may not reregister")]

    # -- talking -----------------------------------------------------------------------------

    def _privmsg(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        notice = message.command == "NOTICE"
        targets, text = message.param(0), message.param(1)
        if not targets or len(message.params) < 2:
            return [], [] if notice else [self.reply("411", "No recipient given (PRIVMSG)")]
        if not text:
            return [], [] if notice else [self.reply("412", "No text to send")]
        action = text.startswith("\x01ACTION ") or text == "\x01ACTION\x01"
        if text.startswith("\x01") and not action:
            return [], []  # other CTCP (VERSION, PING...): not carried
        if action:
            text = text.removeprefix("\x01ACTION").removesuffix("\x01").strip()
        text = unformatted(text)
        verb = "/action" if action else "/notice" if notice else "/msg"
        lines = [
            f"{verb} {target if target.startswith('#') else name_of(target) or target} {text}"
            for target in targets.split(",")
        ]
        said: list[ToChat] = [Unanswered(each) for each in lines] if notice else [*lines]
        return said, []

    def _join(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        channels = message.param(0)
        if not channels:
            return [], [self.reply("461", "JOIN", "Not enough parameters")]
        if channels == "0":
            return [f"/part {room}" for room in rooms], []
        # A channel the user is in already: nothing, as IRC servers do (clients rejoin their
        # channels on their own, and a second JOIN and NAMES would only repeat the first).
        joined = {room_key(room) for room in rooms}
        return [
            f"/join {channel}"
            for channel in channels.split(",")
            if channel and room_key(as_room(channel)) not in joined
        ], []

    def _part(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        channels = message.param(0)
        if not channels:
            return [], [self.reply("461", "PART", "Not enough parameters")]
        reason = message.param(1)
        return [f"/part {channel} {reason}".rstrip() for channel in channels.split(",")], []

    def _topic(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        channel = message.param(0)
        if not channel:
            return [], [self.reply("461", "TOPIC", "Not enough parameters")]
        if len(message.params) < 2:
            return [f"/topic {channel}"], []
        if not message.param(1):  # "TOPIC #room :": IRC's way to clear it
            return [f"/topic {channel} {DELETE_TOPIC}"], []
        return [f"/topic {channel} {unformatted(message.param(1))}"], []

    def _quit(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [f"/quit {message.param(0)}".rstrip()], []

    def _away(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [f"/away {message.param(0)}".rstrip()], []

    # -- queries -----------------------------------------------------------------------------

    def _names(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        channels = [channel for channel in message.param(0).split(",") if channel]
        if not channels:
            return [], [self.reply("366", "*", "End of /NAMES list")]
        self.queries += (Query("names", channel) for channel in channels)
        return [f"/online {channel}" for channel in channels], []

    def _who(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        mask = message.param(0)
        if mask.startswith("#"):
            self.queries.append(Query("who", mask))
            return [f"/online {mask}"], []
        self.queries.append(Query("who", None, (mask,)))
        return ["/online"], []

    def _ison(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        nicks = tuple(nick for param in message.params for nick in param.split())
        self.queries.append(Query("ison", None, nicks))
        return ["/online"], []

    def _userhost(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        self.queries.append(Query("userhost", None, tuple(message.params[:5])))
        return ["/online"], []

    def _whois(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        nick = message.params[-1] if message.params else ""
        if not nick:
            return [], [self.reply("431", "No nickname given")]
        return [f"/whois {name_of(nick) or nick}"], []

    def _invite(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``INVITE nick #channel``; alone, IRC would list one's invitations (papo keeps
        none: rooms are open, an invitation is only a word)."""
        if len(message.params) < 2:
            return [], [self.reply("337", "End of INVITE list")]
        nick, channel = message.param(0), message.param(1)
        return [f"/invite {name_of(nick) or nick} {channel}"], []

    def _history(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """papo's own ``/history`` typed in an IRC client (``/quote history``): answered in
        papo's words, and told apart from a CHATHISTORY's answer by what was asked first."""
        self.histories += (HistoryAsked(),)
        return [" ".join(("/history", *message.params))], []

    def _chathistory(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``CHATHISTORY BEFORE|AFTER|LATEST|AROUND TARGET REF LIMIT`` (``BETWEEN`` takes two
        REFs): /history's window of a channel one is in, or of one's privates with a nick, a
        REF being ``msgid=ID`` or ``timestamp=TIME`` (``*`` for LATEST: the last LIMIT). The
        answer comes as a batch (``render``)."""
        sub = message.param(0).upper()
        if sub not in HISTORY_SIDES:
            return [], [self._fail("UNKNOWN_COMMAND", sub or "*", text="Unknown subcommand")]
        if len(message.params) < 3 + HISTORY_SIDES[sub]:
            return [], [self._fail("NEED_MORE_PARAMS", sub, text="Missing parameters")]
        target, *refs, limit = message.params[1 : 3 + HISTORY_SIDES[sub]]
        asked = target if target.startswith("#") else name_of(target)
        if asked is None:
            return [], [self._fail("INVALID_TARGET", sub, target, text="No such nick")]
        marks = [_mark_of(ref, sub) for ref in refs]
        if not limit.isascii() or not limit.isdigit() or int(limit) == 0 or None in marks:
            return [], [self._fail("INVALID_PARAMS", sub, text="Invalid parameters")]
        count = min(int(limit), HISTORY_MOST)
        self.histories += (HistoryAsked(sub, target),)
        window = "" if marks == ["*"] else " ".join([sub.lower(), *(m or "" for m in marks)])
        return [f"/history {asked} {count} {window}".rstrip()], []

    def _fail(self, code: str, *context: str, text: str) -> str:
        """IRCv3's standard reply of a CHATHISTORY refused."""
        return line("FAIL", "CHATHISTORY", code, *context, text, source=self.server)

    def _tagmsg(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """Tags alone (``@+typing=active TAGMSG #room``), which clients that took
        message-tags send as their user types: papo's lines carry no client tags, so there is
        nothing to pass on, and an error each time a key is pressed would be noise."""
        if not message.params:
            return [], [self.reply("461", "TAGMSG", "Not enough parameters")]
        return [], []

    def _list(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return ["/rooms"], []

    def _mode(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """A channel's ``+t`` is papo's locked topic (``/locktopic``, for operators); its
        other modes are not papo's to change. Asked, a channel has ``+n`` (only its members
        talk in it); whether its topic is locked, ``/topic`` (IRC's ``TOPIC``) says."""
        target = message.param(0)
        if target.startswith("#"):
            change = message.param(1) if len(message.params) > 1 else ""
            if change in ("+t", "-t"):
                return [f"/{'' if change == '+t' else 'un'}locktopic {target}"], []
            if change and change not in ("b", "+b"):
                return [], [self.reply("482", target, "You're not channel operator")]
            if change:
                return [], [self.reply("368", target, "End of channel ban list")]
            return [], [self.reply("324", target, "+n")]
        if len(message.params) > 1:
            if message.param(1).lstrip("+-") in ("i", "w", "iw", "wi", ""):
                return [], []  # invisible, wallops: papo users are always both, quietly
            return [], [self.reply("501", "Unknown MODE flag")]
        return [], [self.reply("221", "+i")]

    def _online(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """papo's ``/online [#room]`` (typed in an IRC client): answered in papo's words."""
        room = message.param(0)
        self.queries.append(Query("online", room or None))
        return [f"/online {room}".rstrip()], []

    def _lusers(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        self.queries.append(Query("lusers"))
        return ["/online"], []

    # -- the server --------------------------------------------------------------------------

    def _motd(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], motd_lines(self.server, self.nick or "*", self.motd)

    def _version(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], [self.reply("351", f"papo-{__version__}.", self.server, "papo, a chat over TCP")]

    def _info(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], [
            self.reply("371", f"papo {__version__}: a chat over TCP, for terminals and IRC"),
            self.reply("371", "papo's own commands work here too: HELP lists them"),
            self.reply("374", "End of INFO list"),
        ]

    def _time(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        shown = time.strftime("%A %d %B %Y, %H:%M:%S UTC", time.gmtime(now))
        return [], [self.reply("391", self.server, shown)]

    def _admin(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], [self.reply("423", self.server, "No administrative info available")]

    def _links(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], [
            self.reply("364", "*", self.server, "0 papo"),
            self.reply("365", "*", "End of /LINKS list"),
        ]

    def _stats(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``STATS k``: papo's ``/bans`` (its answer ends the report); papo keeps no other."""
        letter = message.param(0)[:1] or "*"
        if letter in STATS_OF_BANS:
            return ["/bans"], []
        return [], [self.reply("219", letter, "End of /STATS report")]

    def _kick(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """Rooms have no operators in papo: nobody may put somebody out of one room. (A
        server operator puts somebody out of the chat with ``KILL``.)"""
        channel = message.param(0)
        if len(message.params) < 2:
            return [], [self.reply("461", "KICK", "Not enough parameters")]
        return [], [self.reply("482", channel, "You're not channel operator")]

    def _oper(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``OPER name password``: papo's operators have a password and no name of their
        own, so the name is not looked at."""
        if len(message.params) < 2:
            return [], [self.reply("461", "OPER", "Not enough parameters")]
        return [f"/oper {message.param(1)}"], []

    def _kill(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``KILL nick :reason``, an IRC operator's: papo's ``/kick``, out of the chat."""
        nick = message.param(0)
        if not nick:
            return [], [self.reply("461", "KILL", "Not enough parameters")]
        reason = unformatted(message.param(1))
        return [f"/kick {name_of(nick) or nick} {reason}".rstrip()], []

    def _kline(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``KLINE [minutes] mask :reason``, an IRC operator's ban: papo's ``/ban``. A mask
        names a papo user by its nick (``nick``, ``nick!*@*`` or ``nick@papo``): papo shows
        nobody's address, and the ban is of the address that user came from."""
        params = list(message.params)
        minutes = params.pop(0) if len(params) > 1 and params[0].isdigit() else None
        if not params:
            return [], [self.reply("461", "KLINE", "Not enough parameters")]
        nick = _nick_in_mask(params[0])
        length = f" {minutes}m" if minutes is not None and int(minutes) > 0 else ""
        reason = unformatted(params[1]) if len(params) > 1 else ""
        return [f"/ban {name_of(nick) or nick}{length} {reason}".rstrip()], []

    def _unkline(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``UNKLINE mask``: papo's ``/unban`` of the nick in it."""
        if not message.param(0):
            return [], [self.reply("461", "UNKLINE", "Not enough parameters")]
        nick = _nick_in_mask(message.param(0))
        return [f"/unban {name_of(nick) or nick}"], []

    def _mute(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """``MUTE nick [time] [reason]`` and ``UNMUTE nick``: papo's ``/mute`` and
        ``/unmute``, which IRC has no word for (irssi sends ``/mute`` typed as it is, WeeChat
        with ``/quote``)."""
        command = message.command.lower()
        if not message.params:
            return [], [self.reply("461", message.command, "Not enough parameters")]
        nick, *rest = message.params
        said = unformatted(" ".join(rest)) if command == "mute" else ""
        return [f"/{command} {name_of(nick) or nick} {said}".rstrip()], []

    def _whowas(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        """papo tells nobody about those who left (what it remembers of them, a while, is
        where they came from, for an operator's ban: never shown)."""
        nick = message.param(0)
        if not nick:
            return [], [self.reply("431", "No nickname given")]
        return [], [
            self.reply("406", nick, "There was no such nickname"),
            self.reply("369", nick, "End of WHOWAS"),
        ]

    # -- the connection ----------------------------------------------------------------------

    def _ping(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        token = message.param(0)
        if not token:
            return [], [self.reply("409", "No origin specified")]
        return [], [line("PONG", self.server, token, source=self.server)]

    def _ignore(self, message: IrcMessage, rooms: tuple[str, ...], now: float) -> Answer:
        return [], []


_BEFORE = {"NICK": Door._nick, "USER": Door._user, "PASS": Door._pass}
_ALWAYS = {
    "CAP": Door._cap,
    "PING": Door._ping,
    "PONG": Door._ignore,
    "QUIT": Door._quit,
}
_AFTER = {
    "NICK": Door._nick,
    "USER": Door._already,
    "PASS": Door._already,
    "PRIVMSG": Door._privmsg,
    "NOTICE": Door._privmsg,
    "TAGMSG": Door._tagmsg,
    "JOIN": Door._join,
    "PART": Door._part,
    "TOPIC": Door._topic,
    "AWAY": Door._away,
    "NAMES": Door._names,
    "WHO": Door._who,
    "WHOIS": Door._whois,
    "ISON": Door._ison,
    "USERHOST": Door._userhost,
    "LIST": Door._list,
    "MODE": Door._mode,
    "ONLINE": Door._online,
    "USERS": Door._online,
    "LUSERS": Door._lusers,
    "MOTD": Door._motd,
    "VERSION": Door._version,
    "TIME": Door._time,
    "INFO": Door._info,
    "ADMIN": Door._admin,
    "LINKS": Door._links,
    "STATS": Door._stats,
    "KICK": Door._kick,
    "OPER": Door._oper,
    "KILL": Door._kill,
    "KLINE": Door._kline,
    "UNKLINE": Door._unkline,
    "MUTE": Door._mute,
    "UNMUTE": Door._mute,
    "INVITE": Door._invite,
    "WHOWAS": Door._whowas,
    "HISTORY": Door._history,
    "CHATHISTORY": Door._chathistory,
}


def _mark_of(ref: str, subcommand: str) -> str | None:
    """A CHATHISTORY reference as /history reads a point: ``msgid=42`` (or ``42.1``, a
    later line of one message) is ``42``, ``timestamp=T`` is ``T``, ``*`` (LATEST's) stays;
    None: none of these."""
    kind, _, value = ref.partition("=")
    if ref == "*" and subcommand == "LATEST":
        return ref
    if kind == "msgid":
        number = value.partition(".")[0]
        return number if number.isascii() and number.isdigit() else None
    if kind == "timestamp" and read_mark(value) is not None:
        return value
    return None


def _nick_in_mask(mask: str) -> str:
    """The nick of ``nick!user@host`` or ``user@host`` (papo's users are ``nick!nick@papo``)."""
    return mask.split("!", 1)[0].split("@", 1)[0]
