"""Events as lines of localised text, for people: ``nc`` and ``telnet`` users, the terminal
client (which renders what it decoded), and the text IRC clients read in notices and errors.

The wording is the server's to choose and to translate (``papo.locale``); it always carries the
names and the message text themselves. JSON for programs (``render``) is built on this: its
``info`` and ``error`` events carry the same text.
"""

from __future__ import annotations

import math
import re

from papo.protocol.commands import COMMANDS, OPERATOR_COMMANDS, Verb, find_command
from papo.protocol.decode import Malformed, parse_timestamp
from papo.protocol.events import (
    Action,
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Event,
    Greeting,
    Hello,
    HelpInfo,
    Invite,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    Replayed,
    Rooms,
    Topic,
    TopicShown,
    Utterance,
    Welcome,
    Whois,
    room_of,
)
from papo.protocol.i18n import translation
from papo.protocol.names import MAX_NAME_CHARS, MAX_ROOM_CHARS, NameProblem
from papo.protocol.timestamps import format_timestamp


def _seconds_from(now: float, stamp: str) -> float:
    """How long from ``now`` until the time ``stamp`` says (none, if it says none: a
    hostile server's line must not crash a client)."""
    try:
        return parse_timestamp(stamp) - now
    except Malformed:
        return 0.0


# Errors that end the connection: a bye with the same reason always follows them.
_SAID_BY_BYE = frozenset(
    {
        ErrorCode.REGISTRATION_TIMEOUT,
        ErrorCode.TOO_MANY_TRIES,
        ErrorCode.SERVER_FULL,
        ErrorCode.TOO_MANY_CONNECTIONS,
    }
)


# Name rules whose wording fits a room name as well (length and start differ for rooms).
_RULES_ROOMS_SHARE = frozenset(
    {NameProblem.MIXED_SCRIPTS, NameProblem.INVISIBLE, NameProblem.MARKS}
)


class TextRenderer:
    """Renders events as text in one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        catalog = translation(language)
        self._ = catalog.gettext
        self._n = catalog.ngettext

    def text(self, event: Event, *, elsewhere: bool = False) -> bytes:
        if isinstance(event, Error) and event.code in _SAID_BY_BYE:
            return b""  # the bye that follows says it: a line client reads it once
        line = self.text_line(event)
        room = room_of(event) if elsewhere else None
        if room is not None:
            line = f"[{room}] {line}"
        return (line + "\n").encode()

    def text_line(self, event: Event) -> str:
        _ = self._
        match event:
            case Greeting():
                return self.greeting_text(event)
            case Hello():
                return _("papo {version}, protocol {protocol}: text output.").format(
                    version=event.version, protocol=event.protocol
                )
            case Welcome():
                return self.welcome_text(event)
            case Message(notice=True):
                return f"{self.replay_mark(event)}-{event.sender}- {event.text}"
            case Message():
                return f"{self.replay_mark(event)}<{event.sender}> {event.text}"
            case Action():
                return f"{self.replay_mark(event)}* {event.sender} {event.text}"
            case Private():
                return self.replay_mark(event) + _(
                    "[private] {sender} -> {recipient}: {text}"
                ).format(sender=event.sender, recipient=event.recipient, text=event.words)
            case Invite():
                return _("*** {sender} invites {recipient} to {room} (/join {room})").format(
                    sender=event.sender, recipient=event.recipient, room=event.room
                )
            case Join() if event.room and not event.arrived:
                return _("*** {name} joined {room}").format(name=event.name, room=event.room)
            case Join():
                return _("*** {name} joined the chat").format(name=event.name)
            case Leave():
                return self.leave_text(event)
            case Nick():
                return _("*** {old} is now known as {new}").format(old=event.old, new=event.new)
            case Topic() | TopicShown():
                return self.topic_text(event)
            case Mute():
                return self.mute_text(event)
            case Joined():
                return self.joined_text(event)
            case Rooms():
                return self.rooms_text(event)
            case Online() if event.room is not None:
                text = self._n(
                    "{count} user in {room}: {users}",
                    "{count} users in {room}: {users}",
                    len(event.users),
                )
                return text.format(
                    count=len(event.users),
                    room=event.room,
                    users=self.names_text(event.users, event.away),
                )
            case Online():
                return self.users_online_text(event.users, event.away)
            case Whois():
                return self.whois_text(event)
            case HelpInfo():
                return self.help_text(event)
            case Notice():
                return self.notice_text(event)
            case Error():
                return _("Error: {text}").format(text=self.error_text(event))
            case Bye():
                return self.bye_text(event.reason)
            case Replayed(event=logged):
                return self.text_line(logged)

    @staticmethod
    def replay_mark(event: Utterance | Private) -> str:
        """``[13:02] `` (UTC) before a line replayed from history; nothing before a live one."""
        return "[" + format_timestamp(event.ts)[11:16] + "] " if event.history else ""

    def greeting_text(self, event: Greeting) -> str:
        greeting = self._("Welcome to papo! Type your name and press Enter:")
        if event.password:
            greeting = self._(
                "Welcome to papo! This chat asks for a password: type /pass PASSWORD, then "
                "your name."
            )
        if event.motd:
            return f"{event.motd}\n{greeting}"
        return greeting

    def welcome_text(self, event: Welcome) -> str:
        if event.resumed:
            rooms = ", ".join(event.rooms or ())
            return self._("Back, {name}: nothing was lost. Your rooms: {rooms}").format(
                name=event.name, rooms=rooms
            )
        hello = self._("Hello, {name}! Type /help to see the commands.").format(name=event.name)
        if event.users is None:
            count = self._n("{count} user online.", "{count} users online.", event.count)
            return f"{hello} {count.format(count=event.count)}"
        return f"{hello} {self.users_online_text(event.users)}"

    def users_online_text(self, users: tuple[str, ...], away: dict[str, str] | None = None) -> str:
        text = self._n("{count} user online: {users}", "{count} users online: {users}", len(users))
        return text.format(count=len(users), users=self.names_text(users, away))

    def names_text(self, users: tuple[str, ...], away: dict[str, str] | None = None) -> str:
        """The names, those away with their text (joined as they are when nobody is)."""
        if not away:
            return ", ".join(users)
        return ", ".join(self.with_away(name, away) for name in users)

    def with_away(self, name: str, away: dict[str, str] | None) -> str:
        """``bob (away: lunch)`` for who is away, the bare name for the others."""
        if not away or name not in away:
            return name
        return self._("{name} (away: {text})").format(name=name, text=away[name])

    def whois_text(self, event: Whois) -> str:
        _ = self._
        idle = int(event.idle)
        spent = f"{idle} s" if idle < 60 else f"{idle // 60} min"
        since = format_timestamp(event.since)[:16].replace("T", " ")
        lines = [
            _("{name}: online since {since} UTC, idle {idle}").format(
                name=event.name, since=since, idle=spent
            ),
            _("  rooms: {rooms}").format(rooms=", ".join(event.rooms) or "-"),
        ]
        if event.away is not None:
            lines.append(_("  away: {text}").format(text=event.away))
        if event.operator:
            lines.append(_("  an operator of this chat"))
        if event.muted is not None:
            lines.append("  " + self.muted_text(event.muted - event.ts))
        return "\n".join(lines)

    def muted_text(self, left: float) -> str:
        return self._("muted for another {time}").format(time=self.duration_text(left))

    def topic_text(self, event: Topic | TopicShown) -> str:
        _ = self._
        if isinstance(event, Topic) and event.locked is not None:
            locking = (
                _("*** {name} locked the topic of {room}: only operators may change it")
                if event.locked
                else _("*** {name} unlocked the topic of {room}")
            )
            return locking.format(name=event.by, room=event.room)
        if isinstance(event, Topic) and not event.text:
            return _("*** {name} cleared the topic of {room}").format(
                name=event.by or "", room=event.room
            )
        if isinstance(event, Topic):
            return _("*** {name} set the topic of {room}: {text}").format(
                name=event.by or "", room=event.room, text=event.text
            )
        if not event.text:
            shown = _("{room} has no topic.").format(room=event.room)
        else:
            shown = _("Topic of {room}: {text} (set by {name})").format(
                room=event.room, text=event.text, name=event.by or "?"
            )
        if event.locked:
            shown += "\n" + _("Only operators may change it.")
        return shown

    def joined_text(self, event: Joined) -> str:
        _ = self._
        if event.users is None:
            people = self._n("{count} user here.", "{count} users here.", event.count).format(
                count=event.count
            )
        else:
            people = self._n(
                "{count} user here: {users}", "{count} users here: {users}", len(event.users)
            ).format(count=len(event.users), users=self.names_text(event.users))
        text = _("You are now talking in {room}. {people}").format(room=event.room, people=people)
        if event.topic:
            text += "\n" + _("Topic of {room}: {text}").format(room=event.room, text=event.topic)
        return text

    def rooms_text(self, event: Rooms) -> str:
        count = len(event.rooms) + event.more
        lines = [self._n("{count} room:", "{count} rooms:", count).format(count=count)]
        width = max((len(info.room) for info in event.rooms), default=0)
        for info in event.rooms:
            line = f"  {info.room.ljust(width)}  {info.count:>5}"
            lines.append(f"{line}  {info.topic}" if info.topic else line)
        if event.more:
            text = self._n(
                "... and {count} smaller room", "... and {count} smaller rooms", event.more
            )
            lines.append("  " + text.format(count=event.more))
        return "\n".join(lines)

    def leave_text(self, event: Leave) -> str:
        _ = self._
        if event.room is not None:
            if event.text:
                return _("*** {name} left {room} ({text})").format(
                    name=event.name, room=event.room, text=event.text
                )
            return _("*** {name} left {room}").format(name=event.name, room=event.room)
        if event.reason is LeaveReason.KICKED and event.by:
            return "*** " + self.leave_reason(event)
        return _("*** {name} left the chat ({reason})").format(
            name=event.name, reason=self.leave_reason(event)
        )

    def leave_reason(self, event: Leave) -> str:
        """Why somebody left the chat, with their own words if they gave any."""
        _ = self._
        reasons = {
            LeaveReason.QUIT: _("quit"),
            LeaveReason.DISCONNECT: _("connection lost"),
            LeaveReason.TIMEOUT: _("timed out"),
            LeaveReason.TOO_SLOW: _("too slow to read"),
            LeaveReason.KICKED: _("kicked"),
            LeaveReason.SHUTDOWN: _("server shutting down"),
            LeaveReason.PART: _("left the room"),
        }
        if event.reason is LeaveReason.KICKED and event.by and event.ban:
            banned = _("{name} was banned by {by} for {time}").format(
                name=event.name, by=event.by, time=self.duration_text(event.ban)
            )
            return f"{banned}: {event.text}" if event.text else banned
        if event.reason is LeaveReason.KICKED and event.by:
            if event.text:
                return _("{name} was kicked out by {by}: {text}").format(
                    name=event.name, by=event.by, text=event.text
                )
            return _("{name} was kicked out by {by}").format(name=event.name, by=event.by)
        reason = reasons[event.reason]
        return f"{reason}: {event.text}" if event.text else reason

    def mute_text(self, event: Mute) -> str:
        _ = self._
        if not event.seconds:
            return _("*** {name} may talk again: {by} lifted the mute").format(
                name=event.name, by=event.by
            )
        muted = _("*** {name} was muted by {by} for {time}").format(
            name=event.name, by=event.by, time=self.duration_text(event.seconds)
        )
        return f"{muted}: {event.text}" if event.text else muted

    def duration_text(self, seconds: float) -> str:
        """How long a ban or a mute lasts (or has left), rounded up: minutes below two hours,
        hours below two days, then days. A second over is not rounded up: "30 minutes" left,
        told a moment after a 30-minute ban, may be a few milliseconds more by another
        clock's reading (the ban's server, a wall clock stepped back)."""
        minutes = max(1, math.ceil((seconds - 1) / 60))
        if minutes < 120:
            return self._n("{count} minute", "{count} minutes", minutes).format(count=minutes)
        hours = math.ceil(minutes / 60)
        if hours < 48:
            return self._n("{count} hour", "{count} hours", hours).format(count=hours)
        days = math.ceil(hours / 24)
        return self._n("{count} day", "{count} days", days).format(count=days)

    def bye_text(self, reason: ByeReason) -> str:
        _ = self._
        texts = {
            ByeReason.QUIT: _("Goodbye!"),
            ByeReason.SHUTDOWN: _("The server is shutting down. Goodbye!"),
            ByeReason.RESTART: _("The server is restarting. Come back in a moment."),
            ByeReason.REPLACED: _("You came back on another connection; this one is closed."),
            ByeReason.TOO_MANY_TRIES: _("Too many refused names. Goodbye!"),
            ByeReason.REGISTRATION_TIMEOUT: _("No name was given in time. Goodbye!"),
            ByeReason.SERVER_FULL: _("The server is full. Try again later."),
            ByeReason.TOO_MANY_CONNECTIONS: _(
                "Too many connections from your address. Try again later."
            ),
            ByeReason.KICKED: _("An operator put you out of the chat."),
            ByeReason.BANNED: _("An operator banned your address from this chat."),
        }
        return texts[reason]

    def name_rule_text(self, problem: NameProblem) -> str:
        _ = self._
        texts = {
            NameProblem.EMPTY: _("a name cannot be empty"),
            NameProblem.TOO_LONG: _("a name has at most {max} characters").format(
                max=MAX_NAME_CHARS
            ),
            NameProblem.BAD_START: _("a name starts with a letter or a digit"),
            NameProblem.BAD_CHARACTER: _(
                "a name holds only letters, digits, '_', '-' and '.' (no spaces)"
            ),
            NameProblem.MIXED_SCRIPTS: _(
                "a name cannot mix alphabets (Latin with Cyrillic or Greek, say)"
            ),
            NameProblem.RESERVED: _("that name is reserved"),
            NameProblem.INVISIBLE: _("a name cannot hold invisible characters"),
            NameProblem.MARKS: _(
                "a letter in a name carries at most two accents, and none that strike it through"
            ),
        }
        return texts[problem]

    def usage_of(self, command: str | None) -> str:
        spec = find_command(command) if command else None
        return self.localized_usage(spec.usage) if spec else ""

    def localized_usage(self, usage: str) -> str:
        """``/private NAME TEXT`` with its placeholders in the reader's language."""
        _ = self._
        placeholders = {
            "NAME": _("NAME"),
            "TEXT": _("TEXT"),
            "COMMAND": _("COMMAND"),
            "ROOM": _("ROOM"),
            "PASSWORD": _("PASSWORD"),
            "REASON": _("REASON"),
        }
        return re.sub(r"[A-Z]{2,}", lambda word: placeholders.get(word[0], word[0]), usage)

    def error_text(self, event: Error) -> str:
        _ = self._
        name = event.name or ""
        room = event.extra.get("room", "")
        match event.code:
            case ErrorCode.NAME_INVALID:
                rule = self.name_rule_text(event.problem) if event.problem else ""
                return _("the name '{name}' is not allowed: {rule}.").format(name=name, rule=rule)
            case ErrorCode.NAME_TAKEN if "like" in event.extra:
                return _(
                    "the name '{name}' looks too much like '{like}', who is online; "
                    "please choose another."
                ).format(name=name, like=event.extra["like"])
            case ErrorCode.NAME_TAKEN:
                return _("the name '{name}' is taken; please choose another.").format(name=name)
            case ErrorCode.NOT_REGISTERED:
                return _("choose a name first (type it and press Enter).")
            case ErrorCode.NO_SUCH_USER if event.command == "r" and not name:
                return _("nobody to reply to yet: /r answers the last private message.")
            case ErrorCode.NO_SUCH_USER:
                return _("'{name}' is not online; /online shows who is.").format(name=name)
            case ErrorCode.UNKNOWN_COMMAND:
                return _("unknown command /{command}; /help lists the commands.").format(
                    command=event.command or ""
                )
            case ErrorCode.USAGE if "max_chars" in event.extra:
                return _("/{command} takes at most {max} characters; nothing was changed.").format(
                    command=event.command or "", max=event.extra["max_chars"]
                )
            case ErrorCode.USAGE if "yourself" in event.extra:
                return _("/{command} is for others, not yourself.").format(
                    command=event.command or ""
                )
            case ErrorCode.USAGE:
                return _("usage: {usage}").format(usage=self.usage_of(event.command))
            case ErrorCode.LINE_TOO_LONG:
                return _("line too long (at most {max} bytes); it was not sent.").format(
                    max=event.extra.get("max_line_bytes", "")
                )
            case ErrorCode.BAD_ENCODING:
                return _("that line is not valid UTF-8; it was not sent.")
            case ErrorCode.REGISTRATION_TIMEOUT:
                return _("no name was given in time.")
            case ErrorCode.TOO_MANY_TRIES:
                return _("too many refused names.")
            case ErrorCode.SERVER_FULL:
                return _("the server is full.")
            case ErrorCode.TOO_MANY_CONNECTIONS:
                return _("too many connections from your address.")
            case ErrorCode.ROOM_INVALID if event.problem in _RULES_ROOMS_SHARE:
                return _("the room name '{room}' is not allowed: {rule}.").format(
                    room=room, rule=self.name_rule_text(event.problem)
                )
            case ErrorCode.ROOM_INVALID:
                return _(
                    "the room name '{room}' is not allowed: a room is '#' and 1 to {max} "
                    "letters or digits of one alphabet ('_', '-' and '.' after the first)."
                ).format(room=room, max=MAX_ROOM_CHARS)
            case ErrorCode.NO_SUCH_ROOM:
                return _("there is no room {room}; /rooms lists them.").format(room=room)
            case ErrorCode.NOT_IN_ROOM:
                return _("you are not in {room}; /join {room} first.").format(room=room)
            case ErrorCode.ALREADY_IN_ROOM:
                return _("{name} is already in {room}.").format(name=name, room=room)
            case ErrorCode.TOO_MANY_ROOMS:
                return _(
                    "you are in {max} rooms, the most allowed; /part one before joining {room}."
                ).format(max=event.extra.get("max_rooms", ""), room=room)
            case ErrorCode.NO_ROOM:
                return _("you are in no room; /join a room to talk (/rooms lists them).")
            case ErrorCode.RESUME_FAILED:
                return _("nothing to resume: that token is unknown, used or expired.")
            case ErrorCode.UNAVAILABLE:
                return _(
                    "the chat cannot take lines just now (its servers lost their link); "
                    "your line was not sent, try again in a moment."
                )
            case ErrorCode.NOT_OPERATOR:
                return _("/{command} is for operators (/oper PASSWORD).").format(
                    command=event.command or ""
                )
            case ErrorCode.WRONG_PASSWORD if event.command == "pass":
                return _("wrong password.")
            case ErrorCode.WRONG_PASSWORD:
                return _("wrong operator password.")
            case ErrorCode.PASSWORD_NEEDED:
                return _("this chat asks for a password first: /pass PASSWORD, then your name.")
            case ErrorCode.NO_OPERATORS:
                return _("this server has no operators (it was started without an operator "
                         "password).")  # fmt: skip
            case ErrorCode.BANNED:
                left = _seconds_from(event.ts, event.extra.get("until", ""))
                return _("your address is banned from this chat for another {time}.").format(
                    time=self.duration_text(left)
                )
            case ErrorCode.NOT_BANNED:
                return _("no ban made for {name} is in force.").format(name=name)
            case ErrorCode.MUTED:
                left = _seconds_from(event.ts, event.extra.get("until", ""))
                return _("you are muted for another {time}: only operators read you now, "
                         "in private.").format(time=self.duration_text(left))  # fmt: skip
            case ErrorCode.NOT_MUTED:
                return _("{name} is not muted.").format(name=name)
            case ErrorCode.TOPIC_LOCKED:
                return _("the topic of {room} is locked: only operators may change it.").format(
                    room=room
                )

    def notice_text(self, event: Notice) -> str:
        _ = self._
        names = ", ".join(event.names)
        match event.code:
            case NoticeCode.IGNORED:
                return _(
                    "You ignore {name} now: you will not see what they say "
                    "(/unignore {name} to stop)."
                ).format(name=names)
            case NoticeCode.UNIGNORED:
                return _("You no longer ignore {name}.").format(name=names)
            case NoticeCode.IGNORING:
                if not event.names:
                    return _("You ignore nobody.")
                return _("You ignore: {names}.").format(names=names)
            case NoticeCode.CURRENT if event.room is None:
                return _("You are in no room now; /join a room to talk.")
            case NoticeCode.CURRENT:
                return _("You are now talking in {room}.").format(room=event.room)
            case NoticeCode.NOW_AWAY:
                return _("You are away now: {text} (/away alone when you are back).").format(
                    text=event.away or ""
                )
            case NoticeCode.BACK:
                return _("You are back.")
            case NoticeCode.NOT_AWAY:
                return _("You were not away; /away TEXT says you are, and why.")
            case NoticeCode.AWAY:
                return _("{name} is away: {text}").format(name=names, text=event.away or "")
            case NoticeCode.SAME_NAME:
                return _("You are already called {name}.").format(name=names)
            case NoticeCode.OPERATOR:
                return _("You are an operator now: /kick NAME [REASON] puts somebody out of "
                         "the chat, /ban keeps their address out as well, /mute only silences "
                         "them; /help shows the others.")  # fmt: skip
            case NoticeCode.UNBANNED:
                return _("The ban made for {name} is lifted.").format(name=names)
            case NoticeCode.OWN_ADDRESS_BANNED:
                return _("You come from the address you banned for {name}: you cannot come "
                         "back until /unban {name} lifts it.").format(name=names)  # fmt: skip
            case NoticeCode.BANNED_GONE:
                time = self.duration_text(max(event.until, default=event.ts) - event.ts)
                said = _("{name} had left already: the address they came from is banned "
                         "for {time} (/unban {name} lifts it).")  # fmt: skip
                return said.format(name=names, time=time)
            case NoticeCode.BANS if not event.names:
                return _("No address is banned.")
            case NoticeCode.BANS:
                each = (
                    _("{name} ({time} left)").format(
                        name=name, time=self.duration_text(end - event.ts)
                    )
                    for name, end in zip(event.names, event.until, strict=False)
                )
                count = len(event.names)
                return self._n(
                    "{count} ban in force: {bans}", "{count} bans in force: {bans}", count
                ).format(count=count, bans=", ".join(each))
            case NoticeCode.PASSWORD_ACCEPTED:
                return _("Password accepted. Type your name and press Enter:")
            case NoticeCode.HISTORY if event.room is None and not event.count:
                return _("No private messages with {name} to show.").format(name=names)
            case NoticeCode.HISTORY if event.room is None:
                count = event.count or 0
                return self._n(
                    "The last private message with {name}:",
                    "The last {count} private messages with {name}:",
                    count,
                ).format(count=count, name=names)
            case NoticeCode.HISTORY if not event.count:
                return _("No messages of {room} to show.").format(room=event.room)
            case NoticeCode.HISTORY:
                count = event.count or 0
                return self._n(
                    "The last message of {room}:", "The last {count} messages of {room}:", count
                ).format(count=count, room=event.room)
            case NoticeCode.MISSED:
                count = event.count or 0
                return self._n(
                    "{count} message could not be recovered.",
                    "{count} messages could not be recovered.",
                    count,
                ).format(count=count)

    def command_description(self, name: str) -> str:
        _ = self._
        descriptions = {
            "private": _("send a private message to NAME only, or talk in ROOM"),
            "online": _("list who is online, or who is in ROOM"),
            "quit": _("leave the chat"),
            "nick": _("change your name"),
            "me": _("describe an action: /me waves"),
            "action": _("an action for NAME only, or in ROOM: /action ana waves"),
            "notice": _("a message to NAME or in ROOM that programs never answer (for bots)"),
            "help": _("show this help, or one command's"),
            "format": _("switch output between text and json"),
            "r": _("reply to the last private message you got"),
            "ignore": _("stop seeing what NAME says (without NAME: whom you ignore)"),
            "unignore": _("see what NAME says again"),
            "join": _("enter ROOM (made if new), and talk there"),
            "part": _("leave ROOM (or the current room)"),
            "rooms": _("list the rooms, the biggest first"),
            "topic": _("show the topic of ROOM, or set it to TEXT (-delete clears it)"),
            "history": _(
                "show the last N messages of ROOM (50 unless told), or your private messages "
                "with NAME, as far back as the server keeps them"
            ),
            "away": _("say you are away, and why (without TEXT: back)"),
            "whois": _("who NAME is: since when, idle, rooms, away"),
            "invite": _("ask NAME into ROOM (or the room you talk in)"),
            "resume": _("come back after a dropped connection, instead of a name (JSON)"),
            "oper": _("become an operator, with the server's operator password"),
            "pass": _("give the chat's password, before your name (where one is asked)"),
            "kick": _("put NAME out of the chat, saying why (operators)"),
            "ban": _(
                "kick NAME (or who just left) and keep their address out (1h unless told; "
                "operators)"
            ),
            "unban": _("let the address banned for NAME in again (operators)"),
            "bans": _("list the bans in force, and for whom each was made (operators)"),
            "mute": _("let NAME read but not talk (10m unless told; operators)"),
            "unmute": _("let NAME talk again (operators)"),
            "locktopic": _("let only operators change ROOM's topic (operators)"),
            "unlocktopic": _("let everybody in ROOM change its topic again (operators)"),
        }
        return descriptions[name]

    def help_text(self, event: HelpInfo, *, leave_out: frozenset[Verb] = frozenset()) -> str:
        """``leave_out``: commands the reader's front end does itself, not listed (asked for
        by name, one is still explained), as the event's ``not_listed`` are not."""
        _ = self._
        spec = find_command(event.topic) if event.topic else None
        specs = (spec,) if spec else [
            entry for entry in COMMANDS
            if entry.verb not in leave_out and entry.name not in event.not_listed
        ]  # fmt: skip
        rows: list[tuple[str, str]] = []
        for entry in specs:
            aliases = ", ".join("/" + alias for alias in entry.aliases)
            also = " " + _("(also {aliases})").format(aliases=aliases) if aliases else ""
            rows.append(
                (self.localized_usage(entry.usage), self.command_description(entry.name) + also)
            )
        if spec is None:
            slash = self.localized_usage("//TEXT")
            rows.append(
                (
                    slash,
                    _("a message that starts with a slash: {example}").format(example=slash[1:]),
                )
            )
        width = max(len(usage) for usage, _description in rows)
        lines = [] if spec else [_("Type a line to talk in your current room. Commands:")]
        lines += (f"  {usage.ljust(width)}  {description}" for usage, description in rows)
        if spec is None:
            lines.append(
                _(
                    "Rooms: everybody starts in the same room; /join #ROOM enters another and "
                    "makes it the one you talk in, /rooms lists them. Lines of your other rooms "
                    "start with their name, as in [#ROOM]."
                ).replace("ROOM", _("ROOM"))
            )
            lines += self._operators_also(event.not_listed)
        return "\n".join(lines)

    def _operators_also(self, not_listed: tuple[str, ...]) -> list[str]:
        """Where the reader could become an operator, one line names what that would give."""
        if "oper" in not_listed:
            return []
        theirs = ["/" + name for name in OPERATOR_COMMANDS if name in not_listed]
        if not theirs:
            return []
        line = self._("Operators (/oper) also have {commands}; {help} explains one.")
        return [line.format(commands=", ".join(theirs), help=self.localized_usage("/help COMMAND"))]
