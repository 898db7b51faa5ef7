"""From a line of input to a Command.

The commands are a table of data, as in ergo: each entry knows its aliases, how many arguments it
needs, whether it works before registration and the privilege it asks for, so those checks
happen once, here, instead of in every handler. The core holds the handler of each entry
(``papo.core.chat.COMMAND_HANDLERS``): adding a command is one entry here, its handler there, and
its description in the catalogs. Front doors (papo lines today, IRC later) parse into these
same commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from papo.protocol.events import ErrorCode


class OutputFormat(Enum):
    TEXT = "text"
    JSON = "json"
    IRC = "irc"  # an IRC client's (the IRC door's; never asked for with /format)
    IRC_TAGGED = "irc+time"  # ... one that took server-time: each line carries its @time
    IRC_IDS = "irc+time+msgid"  # ... one that took message-tags: its time and its msgid too


CHOSEN_FORMATS = frozenset({OutputFormat.TEXT, OutputFormat.JSON})  # what /format offers
IRC_FORMATS = frozenset({OutputFormat.IRC, OutputFormat.IRC_TAGGED, OutputFormat.IRC_IDS})


class Verb(Enum):
    PRIVATE = "private"
    ONLINE = "online"
    QUIT = "quit"
    NICK = "nick"
    ME = "me"
    ACTION = "action"
    NOTICE = "notice"
    HELP = "help"
    FORMAT = "format"
    REPLY = "r"
    IGNORE = "ignore"
    UNIGNORE = "unignore"
    JOIN = "join"
    PART = "part"
    ROOMS = "rooms"
    TOPIC = "topic"
    HISTORY = "history"
    AWAY = "away"
    WHOIS = "whois"
    RESUME = "resume"
    INVITE = "invite"
    OPER = "oper"
    PASS = "pass"
    KICK = "kick"
    BAN = "ban"
    UNBAN = "unban"
    BANS = "bans"
    LOCKTOPIC = "locktopic"
    UNLOCKTOPIC = "unlocktopic"
    MUTE = "mute"
    UNMUTE = "unmute"


# What the connection speaks rather than what its person says: a front end that speaks for a
# person (the papo client, the IRC door) does these itself, so the help it shows leaves them out.
CONNECTION_VERBS = frozenset({Verb.FORMAT, Verb.RESUME})


class Privilege(Enum):
    """Who may use a command: everybody, or operators (who gave ``/oper`` the server's
    password); checked once, by the chat, for every command of the table."""

    USER = "user"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandSpec:
    verb: Verb
    aliases: tuple[str, ...]
    min_args: int
    before_registration: bool
    usage: str
    privilege: Privilege = Privilege.USER

    @property
    def name(self) -> str:
        return self.verb.value


# What /topic takes for "no topic": ``/topic -delete``, ``/topic #room -delete``, as irssi
# writes it (an IRC client's ``TOPIC #room :`` becomes this).
DELETE_TOPIC = "-delete"


def _for_operators(verb: Verb, min_args: int, usage: str) -> CommandSpec:
    """A command only operators may use, after registering."""
    return CommandSpec(
        verb=verb,
        aliases=(),
        min_args=min_args,
        before_registration=False,
        usage=usage,
        privilege=Privilege.OPERATOR,
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        verb=Verb.PRIVATE,
        aliases=("msg", "w"),
        min_args=2,
        before_registration=False,
        usage="/private NAME|#ROOM TEXT",
    ),
    CommandSpec(
        verb=Verb.ONLINE,
        aliases=("who", "users", "names"),
        min_args=0,
        before_registration=False,
        usage="/online [#ROOM]",
    ),
    CommandSpec(
        verb=Verb.QUIT,
        aliases=("exit",),
        min_args=0,
        before_registration=True,
        usage="/quit [TEXT]",
    ),
    CommandSpec(
        verb=Verb.NICK, aliases=(), min_args=1, before_registration=False, usage="/nick NAME"
    ),
    CommandSpec(verb=Verb.ME, aliases=(), min_args=1, before_registration=False, usage="/me TEXT"),
    CommandSpec(
        verb=Verb.ACTION,
        aliases=("describe",),
        min_args=2,
        before_registration=False,
        usage="/action NAME|#ROOM TEXT",
    ),
    CommandSpec(
        verb=Verb.NOTICE,
        aliases=(),
        min_args=2,
        before_registration=False,
        usage="/notice NAME|#ROOM TEXT",
    ),
    CommandSpec(
        verb=Verb.HELP,
        aliases=(),
        min_args=0,
        before_registration=True,
        usage="/help [COMMAND]",
    ),
    CommandSpec(
        verb=Verb.PASS,
        aliases=(),
        min_args=1,
        before_registration=True,
        usage="/pass PASSWORD",
    ),
    CommandSpec(
        verb=Verb.FORMAT,
        aliases=(),
        min_args=1,
        before_registration=True,
        usage="/format json|text",
    ),
    CommandSpec(
        verb=Verb.REPLY, aliases=("reply",), min_args=1, before_registration=False, usage="/r TEXT"
    ),
    CommandSpec(
        verb=Verb.IGNORE, aliases=(), min_args=0, before_registration=False, usage="/ignore [NAME]"
    ),
    CommandSpec(
        verb=Verb.UNIGNORE,
        aliases=(),
        min_args=1,
        before_registration=False,
        usage="/unignore NAME",
    ),
    CommandSpec(
        verb=Verb.JOIN, aliases=(), min_args=1, before_registration=False, usage="/join #ROOM"
    ),
    CommandSpec(
        verb=Verb.PART,
        aliases=("leave",),
        min_args=0,
        before_registration=False,
        usage="/part [#ROOM] [TEXT]",
    ),
    CommandSpec(
        verb=Verb.ROOMS, aliases=("list",), min_args=0, before_registration=False, usage="/rooms"
    ),
    CommandSpec(
        verb=Verb.TOPIC,
        aliases=(),
        min_args=0,
        before_registration=False,
        usage="/topic [#ROOM] [TEXT]",
    ),
    CommandSpec(
        verb=Verb.HISTORY,
        aliases=(),
        min_args=0,
        before_registration=False,
        usage="/history [#ROOM|NAME] [N]",
    ),
    CommandSpec(
        verb=Verb.AWAY, aliases=(), min_args=0, before_registration=False, usage="/away [TEXT]"
    ),
    CommandSpec(
        verb=Verb.WHOIS, aliases=(), min_args=1, before_registration=False, usage="/whois NAME"
    ),
    CommandSpec(
        verb=Verb.INVITE,
        aliases=(),
        min_args=1,
        before_registration=False,
        usage="/invite NAME [#ROOM]",
    ),
    CommandSpec(
        verb=Verb.OPER, aliases=(), min_args=1, before_registration=False, usage="/oper PASSWORD"
    ),
    _for_operators(Verb.KICK, 1, "/kick NAME [REASON]"),
    _for_operators(Verb.BAN, 1, "/ban NAME [2h] [REASON]"),
    _for_operators(Verb.UNBAN, 1, "/unban NAME"),
    _for_operators(Verb.BANS, 0, "/bans"),
    _for_operators(Verb.LOCKTOPIC, 0, "/locktopic [#ROOM]"),
    _for_operators(Verb.UNLOCKTOPIC, 0, "/unlocktopic [#ROOM]"),
    _for_operators(Verb.MUTE, 1, "/mute NAME [1h] [REASON]"),
    _for_operators(Verb.UNMUTE, 1, "/unmute NAME"),
    CommandSpec(
        verb=Verb.RESUME,
        aliases=(),
        min_args=2,
        before_registration=True,
        usage="/resume TOKEN LAST_ID",
    ),
)
COMMANDS_BY_NAME: dict[str, CommandSpec] = {
    alias: spec for spec in COMMANDS for alias in (spec.name, *spec.aliases)
}
# The names of the commands only operators may use, in the table's order.
OPERATOR_COMMANDS = tuple(spec.name for spec in COMMANDS if spec.privilege is Privilege.OPERATOR)


def find_command(word: str) -> CommandSpec | None:
    """Look a command up by name or alias, with or without its slash, in any case."""
    return COMMANDS_BY_NAME.get(word.removeprefix("/").casefold())


@dataclass(frozen=True, slots=True, kw_only=True)
class Say:
    """A public message."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Register:
    """Before registration, a line that is not a command: the name wanted."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoke:
    """A known command with the checks of its table entry passed.

    ``args`` holds at most ``min_args`` words with the rest of the line in the last one, so
    ``/private bob hi there`` gives ``("bob", "hi there")``.
    """

    spec: CommandSpec
    args: tuple[str, ...]
    rest: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandError:
    code: ErrorCode
    command: str


Parsed = Say | Register | Invoke | CommandError


def parse_line(line: str, *, registered: bool) -> Parsed | None:
    """Parse one sanitised line; None when there is nothing to do (an empty line)."""
    stripped = line.strip()
    if not stripped:
        return None
    if not stripped.startswith("/") or stripped.startswith("//"):
        text = stripped[1:] if stripped.startswith("//") else stripped
        return Say(text=text) if registered else Register(name=text)
    word, _, rest = stripped[1:].partition(" ")
    rest = rest.strip()
    spec = find_command(word)
    if spec is None:
        return CommandError(code=ErrorCode.UNKNOWN_COMMAND, command=word)
    if not registered and not spec.before_registration:
        return CommandError(code=ErrorCode.NOT_REGISTERED, command=spec.name)
    args = tuple(rest.split(None, spec.min_args - 1)) if spec.min_args else ()
    if len(args) < spec.min_args:
        return CommandError(code=ErrorCode.USAGE, command=spec.name)
    return Invoke(spec=spec, args=args, rest=rest)
