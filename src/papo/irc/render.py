"""The chat's events as IRC lines: what an IRC client reads.

A room's event is rendered once for every IRC reader of the room (``room_event``), the same
bytes for all, as the other codecs are; what goes to one reader alone (numerics, a private)
needs its nick and what the door remembers (``to``). Text the chat relays is already clean of
control characters, so it can never end a line or start a command of its own; every line fits
IRC's 512 bytes: what may take several lines is split over them, never cut (``message.py``).
"""

from __future__ import annotations

from papo import __version__
from papo.irc.door import HISTORY_MOST, Door, HistoryAsked, OpenBatch, Query, motd_lines
from papo.irc.message import line, split_lines, split_text
from papo.irc.nicks import name_of, nick_of
from papo.protocol.commands import CONNECTION_VERBS, OutputFormat
from papo.protocol.events import (
    Action,
    Bye,
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
    Welcome,
    Whois,
)
from papo.protocol.names import MAX_NAME_CHARS
from papo.protocol.render import Renderer
from papo.protocol.timestamps import format_timestamp

MAX_ROOM_CHARS = 33  # "#" and 32
TOPIC_CHARS = 300
# Error codes as the numerics IRC clients know; the others become a NOTICE with the text.
NUMERICS = {
    ErrorCode.NAME_INVALID: "432",
    ErrorCode.NAME_TAKEN: "433",
    ErrorCode.NOT_REGISTERED: "451",
    ErrorCode.NO_SUCH_USER: "401",
    ErrorCode.UNKNOWN_COMMAND: "421",
    ErrorCode.USAGE: "461",
    ErrorCode.LINE_TOO_LONG: "417",
    ErrorCode.NO_SUCH_ROOM: "403",
    ErrorCode.ROOM_INVALID: "479",
    ErrorCode.NOT_IN_ROOM: "442",
    ErrorCode.TOO_MANY_ROOMS: "405",
    ErrorCode.NOT_OPERATOR: "481",
    ErrorCode.WRONG_PASSWORD: "464",
    ErrorCode.PASSWORD_NEEDED: "464",  # ERR_PASSWDMISMATCH: what IRC says to a missing PASS
    ErrorCode.NO_OPERATORS: "491",
    ErrorCode.TOPIC_LOCKED: "482",  # ERR_CHANOPRIVSNEEDED: IRC's +t, for papo's operators
}
# Why a CHATHISTORY fails, as IRCv3's FAIL codes say it; any other: MESSAGE_ERROR.
HISTORY_FAILURES = {
    ErrorCode.USAGE: "INVALID_PARAMS",
    ErrorCode.NOT_IN_ROOM: "INVALID_TARGET",
    ErrorCode.NO_SUCH_ROOM: "INVALID_TARGET",
    ErrorCode.ROOM_INVALID: "INVALID_TARGET",
}
# Numerics that are about the client alone: no command, name or channel before their text.
ABOUT_THE_CLIENT = frozenset(
    {
        ErrorCode.NOT_OPERATOR,
        ErrorCode.WRONG_PASSWORD,
        ErrorCode.NO_OPERATORS,
        ErrorCode.PASSWORD_NEEDED,
    }
)


def source_of(name: str) -> str:
    """How a papo user appears: its nick, and no address (papo shows nobody's)."""
    nick = nick_of(name)
    return f"{nick}!{nick}@papo"


class IrcRenderer:
    def __init__(
        self, server: str, text: Renderer, network: str = "papo", motd: str | None = None
    ) -> None:
        self.server = server
        self.text = text  # for the words of errors and notices, in the server's language
        self.network = network
        self.motd = motd

    def _encode(
        self,
        lines: list[str],
        event: Event,
        output: OutputFormat,
        batch: str | None = None,
        *,
        numbered: bool = True,
    ) -> bytes:
        """``lines`` with the tags ``output`` carries: none, the time (server-time), or the
        time and the event's id as ``msgid`` (message-tags); and the ``batch`` they are in.
        A message split over several lines is one event, but each line is a message to IRC,
        which a client may tell apart by msgid (and drop as seen twice): the first is
        ``msgid=ID``, the next ``ID.1``... (``numbered``: the lines are the event's, not the
        server's own at its time, as a batch's end)."""
        if output is OutputFormat.IRC and batch is None:
            return "".join(each + "\r\n" for each in lines).encode()
        tags = [f"batch={batch}"] if batch is not None else []
        if output is not OutputFormat.IRC:
            tags.append("time=" + format_timestamp(event.ts))
        head = "@" + ";".join(tags)
        number = getattr(event, "id", 0) if numbered and output is OutputFormat.IRC_IDS else 0
        if not number:
            return "".join(f"{head} {each}\r\n" for each in lines).encode()
        return "".join(
            f"{head};msgid={number}{f'.{index}' if index else ''} {each}\r\n"
            for index, each in enumerate(lines)
        ).encode()

    # -- what a room sees --------------------------------------------------------------------

    def room_event(self, event: Event, output: OutputFormat) -> bytes:
        """An event every IRC reader of its room gets alike (no recipient in it), with the
        tags of ``output``."""
        return self._encode(self._shared_lines(event), event, output)

    def _shared_lines(self, event: Event) -> list[str]:
        match event:
            case Message(room=room, sender=sender, text=text, notice=notice) if room:
                return self._say(source_of(sender), room, text, notice=notice)
            case Action(room=room, sender=sender, text=text) if room:
                return self._act(source_of(sender), room, text)
            case Join(name=name, room=room):
                return [line("JOIN", room, source=source_of(name), trailing=False)]
            case Leave(name=name, room=str(room), text=text):
                return [line("PART", room, text or "", source=source_of(name))]
            case Leave(name=name):
                reason = self.text.leave_reason(event)
                return [line("QUIT", reason, source=source_of(name))]
            case Nick(old=old, new=new):
                return [line("NICK", nick_of(new), source=source_of(old), trailing=False)]
            case Topic(room=room, by=by, locked=bool(locked)):  # IRC's +t, as papo has it
                mode = "+t" if locked else "-t"
                return [line("MODE", room, mode, source=source_of(by), trailing=False)]
            case Topic(room=room, by=by, text=text):
                return [line("TOPIC", room, text, source=source_of(by))]
            case Mute():  # IRC has no word for it: the server says it, as papo's text does
                text = self.text.mute_text(event).removeprefix("*** ")
                return split_lines("NOTICE", "*", text=text, source=self.server)
        return []

    def _private(self, event: Private) -> list[str]:
        source, target = source_of(event.sender), nick_of(event.recipient)
        if event.action:
            return self._act(source, target, event.text)
        return self._say(source, target, event.text, notice=event.notice)

    def _say(self, source: str, target: str, text: str, *, notice: bool = False) -> list[str]:
        return split_lines("NOTICE" if notice else "PRIVMSG", target, text=text, source=source)

    def _act(self, source: str, target: str, text: str) -> list[str]:
        """CTCP ACTION, each line within IRC's limit with its \\x01 markers."""
        head = line("PRIVMSG", target, "x", source=source)
        return [
            line("PRIVMSG", target, f"\x01ACTION {piece}\x01", source=source)
            for piece in split_text(head + "  ACTION ", text)
        ]

    # -- what one reader gets ----------------------------------------------------------------

    def to(self, event: Event, door: Door, me: str | None) -> bytes:
        """An event for one IRC reader (``me``: its papo name, None before registration)."""
        if isinstance(event, Replayed):
            event = event.event
        nick = nick_of(me) if me else (door.nick or "*")
        match event:
            case Notice(code=NoticeCode.HISTORY) | Error(command="history"):
                asked = door.next_history()
                if asked is not None and asked.subcommand:  # a CHATHISTORY's answer
                    return self._history_answer(event, door, asked)
            case Message(history=True) | Action(history=True) | Private(history=True) if (
                door.batch is not None
            ):
                return self._in_batch(event, door, door.batch)
        lines = self._own_lines(event, door, nick, me)
        return self._encode(lines, event, door.output) if lines else b""

    def _own_lines(self, event: Event, door: Door, nick: str, me: str | None) -> list[str]:
        match event:
            case Welcome():
                room = event.room
                topic = self._topic(nick, room, event.topic, event.topic_by, event.topic_at)
                return self._welcome(event, nick) + self._joined(nick, room, topic, event.users)
            case Joined(room=room, topic=text, topic_by=by, topic_at=at, users=users):
                return self._joined(nick, room, self._topic(nick, room, text, by, at), users)
            case Private(sender=sender, recipient=recipient):
                if sender == me and not door.echo and sender != recipient and not event.history:
                    return []  # IRC clients show what they sent themselves
                return self._private(event)
            case Invite(sender=sender, recipient=recipient, room=room):
                if recipient == me:
                    return [line("INVITE", nick, room, source=source_of(sender), trailing=False)]
                return [self._numeric("341", nick, nick_of(recipient), room)]  # RPL_INVITING
            case TopicShown(room=room, text=text, by=by, at=at):
                if not text:
                    return [self._numeric("331", nick, room, "No topic is set")]
                return self._topic(nick, room, text, by, at)
            case Online():
                return self._online(event, door.next_query(), nick)
            case Rooms(rooms=rooms):
                return [
                    self._numeric("321", nick, "Channel", "Users  Name"),
                    *(
                        self._numeric("322", nick, info.room, str(info.count), info.topic or "")
                        for info in rooms
                    ),
                    self._numeric("323", nick, "End of /LIST"),
                ]
            case Whois():
                return self._whois(event, nick)
            case Notice():
                return self._notice(event, nick)
            case HelpInfo():
                return self._told(nick, self.text.help_text(event, leave_out=CONNECTION_VERBS))
            case Error(command="online"):
                return self._unanswered(event, door.next_query(), nick)
            case Error():
                return self._error(event, nick)
            case Bye(reason=reason):
                return [line("ERROR", f"Closing link: {self.text.bye_text(reason)}")]
            case Greeting() | Hello():
                return []
        return self._shared_lines(event)  # a room's event sent to one (history, own part)

    # -- CHATHISTORY -------------------------------------------------------------------------

    def _history_answer(self, event: Notice | Error, door: Door, asked: HistoryAsked) -> bytes:
        """The start of a CHATHISTORY's batch (``BATCH +REF chathistory #room``; the chat says
        how many messages follow, and the batch ends after the last), or why it fails
        (IRCv3's ``FAIL``). A client that did not take ``batch`` gets the messages alone."""
        if isinstance(event, Error):
            code = HISTORY_FAILURES.get(event.code, "MESSAGE_ERROR")
            context = [asked.subcommand]
            if code != "INVALID_PARAMS":
                context.append(asked.target)
            text = self.text.error_text(event)
            failed = line("FAIL", "CHATHISTORY", code, *context, text, source=self.server)
            return self._encode([failed], event, door.output)
        if "batch" not in door.caps:
            return b""
        door.batches += 1
        ref = f"history{door.batches}"
        target = event.room or asked.target
        start = line("BATCH", f"+{ref}", "chathistory", target, source=self.server, trailing=False)
        lines = [start]
        if event.count:
            door.batch = OpenBatch(ref, event.count)
        else:
            lines.append(line("BATCH", f"-{ref}", source=self.server, trailing=False))
        return self._encode(lines, event, door.output)

    def _in_batch(self, event: Message | Action | Private, door: Door, batch: OpenBatch) -> bytes:
        """A message of a CHATHISTORY's answer, in its batch; after the last, the batch's
        end."""
        lines = self._private(event) if isinstance(event, Private) else self._shared_lines(event)
        data = self._encode(lines, event, door.output, batch.ref)
        if batch.left > 1:
            door.batch = OpenBatch(batch.ref, batch.left - 1)
            return data
        door.batch = None
        end = line("BATCH", f"-{batch.ref}", source=self.server, trailing=False)
        return data + self._encode([end], event, door.output, numbered=False)

    def _numeric(self, numeric: str, nick: str, *params: str, trailing: bool = True) -> str:
        return line(numeric, nick, *params, source=self.server, trailing=trailing)

    def _numerics(self, numeric: str, nick: str, *params: str, text: str) -> list[str]:
        """A numeric whose last parameter is a list (of nicks, of rooms): on as many lines as
        the list takes, as IRC servers send a long NAMES or WHOIS."""
        return split_lines(numeric, nick, *params, text=text, source=self.server)

    def _welcome(self, event: Welcome, nick: str) -> list[str]:
        server = self.server
        isupport = (
            "CHANTYPES=# PREFIX=(ov)@+ CHANMODES=b,,,nt CASEMAPPING=rfc8265 UTF8ONLY "
            f"NICKLEN={MAX_NAME_CHARS + 1} CHANNELLEN={MAX_ROOM_CHARS} TOPICLEN={TOPIC_CHARS} "
            f"NETWORK={self.network} CHATHISTORY={HISTORY_MOST} MSGREFTYPES=msgid,timestamp"
        ).split()
        return [
            self._numeric("001", nick, f"Welcome to the {self.network} chat, {nick}"),
            self._numeric("002", nick, f"Your host is {server}, running papo {__version__}"),
            self._numeric("003", nick, "This server speaks papo, and IRC too"),
            line("004", nick, server, f"papo-{__version__}", "i", "bnt", source=server),
            self._numeric("005", nick, *isupport, "are supported by this server"),
            *self._lusers(nick, event.count),
            *motd_lines(server, nick, self.motd),
        ]

    def _told(self, nick: str, text: str) -> list[str]:
        """papo's own words (help, a list), a NOTICE a row: IRC has no numeric for them."""
        return [
            each
            for row in text.split("\n")
            for each in split_lines("NOTICE", nick, text=row, source=self.server)
        ]

    def _lusers(self, nick: str, count: int) -> list[str]:
        return [
            self._numeric("251", nick, f"There are {count} users and 0 invisible on 1 servers"),
            self._numeric("255", nick, f"I have {count} clients and 1 servers"),
        ]

    def _joined(
        self, nick: str, room: str | None, topic: list[str], users: tuple[str, ...] | None
    ) -> list[str]:
        """``topic``: its numerics (``_topic``)."""
        if room is None:
            return []
        lines = [line("JOIN", room, source=f"{nick}!{nick}@papo", trailing=False), *topic]
        lines += self._names(nick, room, users or (name_of(nick) or nick,))
        return lines

    def _topic(
        self, nick: str, room: str | None, text: str | None, by: str | None, at: float | None
    ) -> list[str]:
        """A room's topic (332), then who set it and when (333: clients show "set by ana on
        Saturday..."); nothing for a room without one."""
        if not room or not text:
            return []
        lines = [self._numeric("332", nick, room, text)]
        if by and at is not None:
            lines.append(self._numeric("333", nick, room, nick_of(by), str(int(at))))
        return lines

    def _names(self, nick: str, room: str, users: tuple[str, ...]) -> list[str]:
        nicks = " ".join(nick_of(user) for user in users)
        return [
            *self._numerics("353", nick, "=", room, text=nicks),
            self._numeric("366", nick, room, "End of /NAMES list"),
        ]

    def _online(self, event: Online, query: Query | None, nick: str) -> list[str]:
        kind = query.kind if query is not None else "names"
        users = event.users
        if kind == "online":  # papo's own /online: in papo's words
            return self._told(nick, self.text.text_line(event))
        if kind == "lusers":
            return self._lusers(nick, len(users))
        if kind == "names":
            return self._names(nick, event.room or "*", users)
        if kind == "who":
            return self._who(event, query, nick)
        online = {nick_of(user).casefold(): nick_of(user) for user in users}
        asked = query.nicks if query is not None else ()
        present = [online[n.casefold()] for n in asked if n.casefold() in online]
        if kind == "ison":
            return self._numerics("303", nick, text=" ".join(present))
        replies = [f"{n}={'-' if name_of(n) in event.away else '+'}{n}@papo" for n in present]
        return self._numerics("302", nick, text=" ".join(replies))

    def _who(self, event: Online, query: Query | None, nick: str) -> list[str]:
        """``WHO #room``, or ``WHO nick`` (nicks compare ignoring case, as in ``ISON``); the
        end names the mask asked about, as clients match it to their question."""
        room = query.room if query is not None else None
        asked = query.nicks if query is not None and not room else ()
        wanted = {each.casefold() for each in asked}
        # A row a user, formatted here rather than by ``line``: a room of 5 000 is 5 000 rows,
        # and a client may ask again and again (4.7 µs a row through ``line``, 23 ms a WHO).
        # What varies is a nick, which never needs ``line``'s care (no space, no control, no
        # leading colon), and the rest is made by ``line`` once.
        head = self._numeric("352", nick, room or "*", trailing=False)
        tail = f" papo {self.server} "
        away = event.away
        rows = [
            f"{head} {each}{tail}{each} {'G' if user in away else 'H'} :0 {each}"
            for user in event.users
            for each in (nick_of(user),)
            if room or each.casefold() in wanted
        ]
        mask = room or (asked[0] if asked and asked[0] else "*")
        return [*rows, self._numeric("315", nick, mask, "End of /WHO list")]

    def _whois(self, event: Whois, nick: str) -> list[str]:
        them = nick_of(event.name)
        lines = [self._numeric("311", nick, them, them, "papo", "*", event.name)]
        if event.rooms:
            lines += self._numerics("319", nick, them, text=" ".join(event.rooms))
        lines.append(self._numeric("312", nick, them, self.server, "papo"))
        if event.away is not None:
            lines.append(self._numeric("301", nick, them, event.away))
        if event.operator:  # RPL_WHOISOPERATOR
            lines.append(self._numeric("313", nick, them, "is an operator of this chat"))
        if event.muted is not None:  # RPL_WHOISSPECIAL
            lines.append(
                self._numeric("320", nick, them, self.text.muted_text(event.muted - event.ts))
            )
        idle, since = str(int(event.idle)), str(int(event.since))
        lines.append(self._numeric("317", nick, them, idle, since, "seconds idle, signon time"))
        lines.append(self._numeric("318", nick, them, "End of /WHOIS list"))
        return lines

    def _notice(self, event: Notice, nick: str) -> list[str]:
        match event.code:
            case NoticeCode.NOW_AWAY:
                return [self._numeric("306", nick, "You have been marked as being away")]
            case NoticeCode.BACK | NoticeCode.NOT_AWAY:  # IRC answers both alike
                return [self._numeric("305", nick, "You are no longer marked as being away")]
            case NoticeCode.AWAY:
                them = nick_of(event.names[0]) if event.names else "*"
                return [self._numeric("301", nick, them, event.away or "")]
            case NoticeCode.CURRENT:
                return []  # IRC has no current channel
            case NoticeCode.SAME_NAME:
                return []  # IRC servers take NICK to one's own nick in silence
            case NoticeCode.PASSWORD_ACCEPTED:
                return []  # and PASS, when it is right
            case NoticeCode.OPERATOR:  # RPL_YOUREOPER, in papo's words
                return [self._numeric("381", nick, self.text.notice_text(event))]
            case NoticeCode.BANS:
                return self._stats_of_bans(event, nick)
        return self._told(nick, self.text.notice_text(event))

    def _stats_of_bans(self, event: Notice, nick: str) -> list[str]:
        """The bans in force as ``STATS K`` lists K-lines (RPL_STATSKLINE), each by the nick
        it was made for: papo shows nobody's address, so that is its mask."""
        rows = [
            self._numeric(
                "216", nick, "K", f"{nick_of(name)}!*@*", "*", "*",
                f"banned until {format_timestamp(until)}",
            )
            for name, until in zip(event.names, event.until, strict=True)
        ]  # fmt: skip
        return [*rows, self._numeric("219", nick, "K", "End of /STATS report")]

    def _unanswered(self, event: Error, query: Query | None, nick: str) -> list[str]:
        """A question that came back as an error: its query is used up, or the next answer
        would be taken for this one. ``NAMES`` and ``WHO`` of a channel that does not exist
        end their (empty) list, as IRC servers do; a refusal (Redis away) is said."""
        if query is None or event.code is ErrorCode.UNAVAILABLE:
            return self._error(event, nick)
        if query.kind == "names":
            return [self._numeric("366", nick, query.room or "*", "End of /NAMES list")]
        if query.kind == "who":
            return [self._numeric("315", nick, query.room or "*", "End of /WHO list")]
        return self._error(event, nick)

    def _error(self, event: Error, nick: str) -> list[str]:
        numeric = NUMERICS.get(event.code)
        if event.command in ("private", "action") and event.code is ErrorCode.NOT_IN_ROOM:
            numeric = "404"  # ERR_CANNOTSENDTOCHAN: a PRIVMSG, an action too
        if event.code is ErrorCode.ALREADY_IN_ROOM:  # ERR_USERONCHANNEL: nick, then channel
            them = nick_of(event.name or "*")
            return [
                self._numeric(
                    "443", nick, them, event.extra.get("room", "*"), "is already on channel"
                )
            ]
        text = self.text.error_text(event)
        if numeric is None:
            return self._told(nick, text)
        subject = event.extra.get("room") or event.name or event.command
        if event.code in (ErrorCode.NAME_INVALID, ErrorCode.NAME_TAKEN, ErrorCode.NO_SUCH_USER):
            subject = nick_of(event.name) if event.name else subject
        if event.code is ErrorCode.USAGE or event.code is ErrorCode.UNKNOWN_COMMAND:
            subject = (event.command or "").upper()
        if event.code in ABOUT_THE_CLIENT:
            subject = None
        params = (subject, text) if subject else (text,)
        return [self._numeric(numeric, nick, *params)]
