"""Command-line options, each also readable from ``PAPO_<NAME>`` in the environment.

The names are fixed by PROTOCOL.md: tests, benchmarks and users rely on them. An option given on
the command line wins over the environment, which wins over the default.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from papo import __version__
from papo.cli import (
    BriefParser,
    first_line,
    language_option,
    said,
    speaking,
    why_unreadable,
    within,
)
from papo.core.chat import (
    DEFAULT_HISTORY,
    DEFAULT_MAX_ROOMS,
    DEFAULT_QUIET_ABOVE,
    DEFAULT_RESUME_GRACE,
    DEFAULT_ROOM,
)
from papo.core.shared import DEFAULT_LOG_SIZE
from papo.hub.redis_url import redis_url
from papo.protocol.framing import DEFAULT_MAX_LINE_BYTES
from papo.protocol.i18n import (
    choose_language,
    language_of_command_line,
    translation,
)
from papo.protocol.names import as_room, check_room_name
from papo.server.proxied import Network, parse_networks

DEFAULT_PORT = 12345
MIN_OPER_PASSWORD = 12  # characters
MIN_CHAT_PASSWORD = 8  # characters: shared by everyone let in, and typed by them


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerConfig:
    host: str | None = None
    port: int = DEFAULT_PORT
    max_clients: int = 10_000
    max_per_ip: int = 100
    rate: float = 5.0
    burst: int = 10
    ip_rate: float = 20.0
    ip_burst: int = 50
    ip_connect_rate: float = 5.0
    sendq: int = 1 << 20
    history: int = DEFAULT_HISTORY
    history_days: float = 0.0  # days a message is kept: shown to newcomers, in --store (0: ever)
    quiet_above: int = DEFAULT_QUIET_ABOVE
    default_room: str = DEFAULT_ROOM
    max_rooms: int = DEFAULT_MAX_ROOMS
    language: str = "en"
    motd: str | None = None
    oper_password: str | None = field(default=None, repr=False)  # what /oper takes (from a file)
    password: str | None = field(default=None, repr=False)  # what /pass takes before a name
    # The files those come from, read again on SIGUSR1 (``papo.server.reload``).
    motd_file: Path | None = None
    oper_password_file: Path | None = None
    password_file: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    log_level: str = "info"
    registration_timeout: float = 60.0
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    shutdown_grace: float = 3.0
    loop: str = "auto"
    store: Path | None = None
    log_size: int = DEFAULT_LOG_SIZE
    resume_grace: float = DEFAULT_RESUME_GRACE
    irc_port: int | None = None  # the IRC front door: off unless a port is given
    irc_tls_port: int | None = None
    irc_ping: float = (
        120.0  # seconds of silence before an IRC client is pinged (and as long again to answer)
    )
    irc_server_name: str = field(default_factory=socket.gethostname)
    redis: str | None = None  # several servers, one chat: the Redis they share
    lease: float = 10.0  # seconds a server's users outlive it, with --redis
    workers: int = 1  # server processes on one port, with --redis
    reuse_port: bool = False  # share the port with other processes (what --workers starts)
    # Load balancers whose connections start with a PROXY header naming the client.
    proxy_from: tuple[Network, ...] = ()
    metrics: tuple[str, int] | None = None  # where Prometheus scrapes /metrics (HTTP)

    def doors(self) -> dict[str, int | None]:
        """Each port to listen on, by its option (None: that door is closed)."""
        return {
            "--port": self.port,
            "--irc-port": self.irc_port,
            "--irc-tls-port": self.irc_tls_port,
        }


_non_negative_int = within(int, 0)
_non_negative_float = within(float, 0)
_positive_int = within(int, 1)


def chat_wide(config: ServerConfig) -> dict[str, str]:
    """The options every server of one chat (``--redis``) must share, as option -> value: where
    everybody starts, how much of the log is kept, what a joiner is shown and when a room
    goes quiet. (Limits, language, TLS and the like are each server's own.)"""
    return {
        "--default-room": config.default_room,  # as spelt: each server shows it so
        "--log-size": str(config.log_size),
        "--history": str(config.history),
        "--history-days": f"{config.history_days:g}",
        "--quiet-above": str(config.quiet_above),
    }


def room_option(text: str) -> str:
    """A room name as ``/join`` takes it: the ``#`` may be left out (a shell comment sign)."""
    room = as_room(text)
    if check_room_name(room) is not None:
        raise argparse.ArgumentTypeError(said("not a valid room name: {room!r}").format(room=text))
    return room


def irc_server_name_option(text: str) -> str:
    """The name every IRC line starts with (``:name 001 ...``): one word, or each line would
    read as another command to the clients."""
    if not text or not text.isprintable() or " " in text or text.startswith(":"):
        wrong = said("one word, as a host name, for IRC clients: {name!r}")
        raise argparse.ArgumentTypeError(wrong.format(name=text))
    return text


_port = within(int, 0, 65535)


def proxy_networks(text: str) -> tuple[Network, ...]:
    """``--proxy-from``'s value: a word that is neither an address nor a network is named."""
    try:
        networks = parse_networks(text)
    except ValueError as error:
        wrong = said("not an address or network: {word!r}")
        raise argparse.ArgumentTypeError(wrong.format(word=str(error))) from None
    if not networks:
        raise argparse.ArgumentTypeError(said("no address given"))
    return networks


def metrics_address(text: str) -> tuple[str, int]:
    """``--metrics``: ``HOST:PORT`` (an IPv6 host in brackets), or a port alone, on
    loopback: metrics say who is online, so they are not for everyone by default."""
    host, _, port = text.rpartition(":")
    if not host:
        host, port = "127.0.0.1", text
    elif host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or (":" in host and not text.startswith("[")) or not port.isdigit():
        raise argparse.ArgumentTypeError(said("HOST:PORT or a port: {text}").format(text=text))
    return host, _port(port)


# What each option takes, as --help writes it: argparse would repeat the option's own name in
# capitals (``--max-clients MAX_CLIENTS``), which says nothing the name did not.
VALUE_NAMES = {
    "--max-clients": "N",
    "--max-per-ip": "N",
    "--rate": "N",
    "--burst": "N",
    "--ip-rate": "N",
    "--ip-burst": "N",
    "--ip-connect-rate": "N",
    "--sendq": "BYTES",
    "--history": "N",
    "--history-days": "DAYS",
    "--quiet-above": "N",
    "--default-room": "#ROOM",
    "--max-rooms": "N",
    "--motd": "FILE",
    "--log-size": "N",
    "--resume-grace": "SECONDS",
    "--store": "FILE",
    "--lease": "SECONDS",
    "--workers": "N",
    "--irc-port": "PORT",
    "--irc-tls-port": "PORT",
    "--irc-ping": "SECONDS",
    "--irc-server-name": "NAME",
    "--tls-cert": "FILE",
    "--tls-key": "FILE",
    "--registration-timeout": "SECONDS",
}


def build_parser(language: str = "en") -> BriefParser:
    """The options, their help in ``language``."""
    _ = translation(language).gettext
    no_limit = _("0 = no limit")
    parser = BriefParser(
        prog="papo-server",
        catalog=translation(language),
        see_help=_("{prog} --help lists the options.").format(prog="papo-server"),
        description=_(
            "papo chat server. Every option can also be set as PAPO_<OPTION> in the "
            "environment (PAPO_PORT=2000, PAPO_MAX_PER_IP=10...). For every limit, 0 means "
            "no limit."
        ),
        epilog=_(
            "Signals: SIGINT, SIGTERM and SIGHUP stop the server gracefully; SIGUSR1 reads "
            "--tls-cert, --tls-key, --motd, --oper-password-file and --password-file again, "
            "nobody disconnected."
        ),
    )

    def add(option: str, **settings: Any) -> None:
        if option in VALUE_NAMES:
            settings.setdefault("metavar", VALUE_NAMES[option])
        parser.add_argument(option, **settings)

    add("--host", help=_("address to listen on (default: all interfaces, IPv4 and IPv6)"))
    add(
        "--port",
        type=_port,
        help=_("TCP port (default {port}; 0 picks a free one)").format(port=DEFAULT_PORT),
    )
    add(
        "--max-clients",
        type=_non_negative_int,
        help=_("connections in all") + f" (10000; {no_limit})",
    )
    add(
        "--max-per-ip",
        type=_non_negative_int,
        help=_("connections per address") + f" (100; {no_limit})",
    )
    add(
        "--rate",
        type=_non_negative_float,
        help=_("lines per second per client") + f" (5; {no_limit})",
    )
    add("--burst", type=_positive_int, help=_("lines a client may send at once (10; at least 1)"))
    add(
        "--ip-rate",
        type=_non_negative_float,
        help=_("lines per second from one address, all its clients together")
        + f" (20; {no_limit})",
    )
    add("--ip-burst", type=_positive_int, help=_("lines one address may send at once (50)"))
    add(
        "--ip-connect-rate",
        type=_non_negative_float,
        help=_("new connections per second from one address, after --max-per-ip at once")
        + f" (5; {no_limit})",
    )
    add(
        "--sendq",
        type=_non_negative_int,
        help=_("bytes queued for a slow reader before it is dropped") + f" (1 MiB; {no_limit})",
    )
    add(
        "--history",
        type=_non_negative_int,
        help=_("messages replayed to newcomers (20; 0 = none)"),
    )
    add(
        "--history-days",
        type=_non_negative_float,
        help=_("days a message is kept: older ones are no longer shown to newcomers and are "
               "deleted from --store (0 = for ever)"),
    )  # fmt: skip
    add(
        "--quiet-above",
        type=_non_negative_int,
        help=_("users above which joins and leaves are not announced") + f" (1000; {no_limit})",
    )
    add(
        "--default-room",
        type=room_option,
        help=_("the room everybody starts in") + f" ({DEFAULT_ROOM})",
    )
    add(
        "--max-rooms",
        type=_non_negative_int,
        help=_("rooms one user may be in at once") + f" ({DEFAULT_MAX_ROOMS}; {no_limit})",
    )
    add(
        "--lang",
        type=language_option,
        help=_("language of server messages: en or pt_BR (default: from the locale)"),
    )
    add("--motd", type=Path, help=_("file whose text greets every newcomer"))
    add(
        "--oper-password-file",
        type=Path,
        metavar="FILE",
        help=_(
            "file whose first line is the password /oper takes to make an operator "
            "(at least {count} characters; without it, nobody is one)"
        ).format(count=MIN_OPER_PASSWORD),
    )
    add(
        "--password-file",
        type=Path,
        metavar="FILE",
        help=_(
            "file whose first line is the chat's password, which everyone gives (/pass, IRC's "
            "PASS) before a name (at least {count} characters; without it, the chat is open)"
        ).format(count=MIN_CHAT_PASSWORD),
    )
    add(
        "--log-size",
        type=_positive_int,
        help=_("events the log keeps in memory, and reads back from --store (10000)"),
    )
    add(
        "--resume-grace",
        type=_non_negative_float,
        help=_("seconds a dropped JSON client stays online to resume (120; 0: never)"),
    )
    add(
        "--store",
        type=Path,
        help=_("SQLite file that keeps the log (history, ids) across restarts (default: none)"),
    )
    add(
        "--redis",
        metavar="URL",
        type=redis_url,
        help=_(
            "share the chat with every server using this Redis (redis://HOST:6379/0); "
            "needs papo[redis]"
        ),
    )
    add(
        "--lease",
        type=within(float, 1),
        help=_("with --redis: seconds a dead server's users stay online (10)"),
    )
    add(
        "--workers",
        type=_positive_int,
        help=_("with --redis: server processes on one port, one per core (1)"),
    )
    add(
        "--reuse-port",
        action="store_true",
        default=None,
        help=_("share the port with other papo servers of one chat (SO_REUSEPORT)"),
    )
    add(
        "--proxy-from",
        type=proxy_networks,
        metavar="ADDRESSES",
        help=_(
            "load balancers (HAProxy, nginx) whose connections start with a PROXY header "
            "(send-proxy, v1 or v2) naming the client, whose address then counts for the "
            "limits, bans and the log; comma-separated, networks as 10.0.0.0/8 (default: none)"
        ),
    )
    add(
        "--irc-port",
        type=within(int, 0, 65535),
        help=_("also let IRC clients in, on this port (default: none)"),
    )
    add(
        "--irc-tls-port",
        type=within(int, 0, 65535),
        help=_("also let IRC clients in over TLS, on this port, with --tls-cert (default: none)"),
    )
    add(
        "--irc-ping",
        type=within(float, 1),
        help=_("seconds of silence before an IRC client is pinged, and to answer (120)"),
    )
    add(
        "--irc-server-name",
        type=irc_server_name_option,
        help=_("the server's name as IRC clients see it (default: the host name)"),
    )
    add(
        "--tls-cert",
        type=Path,
        help=_("certificate chain (PEM); with --tls-key, turns TLS on"),
    )
    add("--tls-key", type=Path, help=_("private key (PEM) of the certificate"))
    add(
        "--metrics",
        type=metrics_address,
        metavar="[HOST:]PORT",
        help=_(
            "serve Prometheus metrics over HTTP at /metrics on this port (a port alone: on "
            "127.0.0.1; with --workers, worker N on PORT+N-1) (default: none)"
        ),
    )
    add(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        help=_("default: {level}").format(level="info"),
    )
    add(
        "--registration-timeout",
        type=_non_negative_float,
        help=_("seconds to pick a name") + f" (60; {no_limit})",
    )
    add(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        help=_("event loop: uvloop when installed (auto), or the one named"),
    )
    add(
        "--version",
        action="version",
        version=f"papo-server {__version__}",
        help=_("show the version and exit"),
    )
    return parser


# Options whose value is text to convert, not an action such as --help or --version.
_NOT_SETTINGS = frozenset({"help", "version"})
# ServerConfig fields filled from the option of the same name, as given (motd, language and
# oper_password are derived: a file's text, and the language chosen with the locale).
_DIRECT_FIELDS = frozenset(f.name for f in fields(ServerConfig)) - {
    "motd",
    "motd_file",
    "language",
    "oper_password",
    "password",
}


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def tls_problem(cert: Path, key: Path) -> str | None:
    """Why this certificate and key cannot serve TLS, said at start in the options' words (a
    missing file, the two swapped, a key of another certificate); None: they can. Loading
    them later, at the first listen, read as 'cannot listen: [SSL] PEM lib'."""
    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        why = why_unreadable(path)
        if why is not None:
            return f"{option} {path}: {why}"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except ssl.SSLError as error:
        reason = f" ({error.reason})" if error.reason else ""
        return said(
            "--tls-cert {cert} and --tls-key {key} cannot serve TLS{reason}: the certificate"
            " (PEM) goes with --tls-cert, its private key (PEM) with --tls-key"
        ).format(cert=cert, key=key, reason=reason)
    return None


class OptionFileError(Exception):
    """A file an option names cannot be read (missing, unreadable, not UTF-8): the message
    says so in the option's words, at start as on SIGUSR1 (``papo.server.reload``)."""

    def __init__(self, option: str, path: Path, error: OSError | UnicodeDecodeError) -> None:
        super().__init__(f"{option} {path}: {getattr(error, 'strerror', None) or error}")


def option_file_text(option: str, path: Path) -> str:
    """The text of the file ``option`` names; ``OptionFileError`` if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise OptionFileError(option, path, error) from error


def option_file_bytes(option: str, path: Path) -> bytes:
    """The bytes of the file ``option`` names; ``OptionFileError`` if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise OptionFileError(option, path, error) from error


def _file_text(parser: BriefParser, option: str, path: Path) -> str:
    """The text of the file an option names, or a clear error at start."""
    try:
        return option_file_text(option, path)
    except OptionFileError as error:
        parser.error(str(error))


def motd_in(text: str) -> str | None:
    """The message of the day a ``--motd`` file's text makes (None: the file is blank)."""
    return text.strip() or None


@dataclass(frozen=True, slots=True)
class PasswordFile:
    """An option naming a file whose first line is a password. Read from a file, not given
    on the command line, where anybody on the machine could read it (``ps``); at least
    ``least`` characters, so that guessing it, five tries per connection, is hopeless."""

    option: str
    least: int  # characters

    def password_in(self, text: str) -> str | None:
        """The first line of the file's ``text``; None if it is too short."""
        password = first_line(text)
        return password if len(password) >= self.least else None

    def too_short(self, path: Path) -> str:
        too_short = said("{option} {path}: its first line must have at least {count} "
                         "characters")  # fmt: skip
        return too_short.format(option=self.option, path=path, count=self.least)


OPER_PASSWORD_FILE = PasswordFile("--oper-password-file", MIN_OPER_PASSWORD)
CHAT_PASSWORD_FILE = PasswordFile("--password-file", MIN_CHAT_PASSWORD)


def _password(parser: BriefParser, kind: PasswordFile, path: Path | None) -> str | None:
    if path is None:
        return None
    password = kind.password_in(_file_text(parser, kind.option, path))
    if password is None:
        with speaking(parser.catalog):
            parser.error(kind.too_short(path))
    return password


def parse_config(argv: Sequence[str] | None, environ: Mapping[str, str]) -> ServerConfig:
    """Options from ``argv`` over ``PAPO_*`` variables over defaults."""
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(language_of_command_line(words, environ))
    _ = parser.catalog.gettext
    env_defaults: dict[str, object] = {}
    with speaking(parser.catalog):  # a variable's mistake is said as the option's would be
        for action in parser._actions:
            dest = action.dest
            raw = environ.get("PAPO_" + dest.upper())
            if raw is None or dest in _NOT_SETTINGS:
                continue
            convert = action.type if callable(action.type) else str
            if action.const is True:  # a flag: PAPO_REUSE_PORT=1 (or true, yes) sets it
                convert = _flag
            try:
                env_defaults[dest] = convert(raw)
            except (ValueError, argparse.ArgumentTypeError) as error:
                parser.error(f"PAPO_{dest.upper()}={raw!r}: {error}")
    parser.set_defaults(**env_defaults)
    args = parser.parse_args(words)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error(_("--tls-cert and --tls-key go together"))
    if args.workers is not None and args.workers > 1 and args.redis is None:
        parser.error(_("--workers needs --redis: the workers share the chat through Redis"))
    sharing = args.reuse_port or (args.workers is not None and args.workers > 1)
    if sharing and not hasattr(socket, "SO_REUSEPORT"):  # Windows has no such thing
        parser.error(_("--workers and --reuse-port need SO_REUSEPORT, which this system lacks"))
    if args.redis is not None and args.store is not None:
        parser.error(_("--store and --redis: with --redis the log is kept in Redis"))
    if args.metrics and args.workers and args.metrics[1] + args.workers - 1 > 65535:
        parser.error(_("--metrics: the last worker's port would be past 65535"))
    if args.irc_tls_port is not None and args.tls_cert is None:
        parser.error(_("--irc-tls-port needs --tls-cert and --tls-key"))
    motd = None
    if args.motd is not None:
        motd = motd_in(_file_text(parser, "--motd", args.motd))
    chosen: dict[str, Any] = {
        name: value
        for name, value in vars(args).items()
        if name in _DIRECT_FIELDS and value is not None
    }
    config = replace(
        ServerConfig(),
        **chosen,
        language=choose_language(args.lang, environ),
        motd=motd,
        motd_file=args.motd,
        oper_password=_password(parser, OPER_PASSWORD_FILE, args.oper_password_file),
        password=_password(parser, CHAT_PASSWORD_FILE, args.password_file),
    )
    fixed = [(option, port) for option, port in config.doors().items() if port]  # 0: picked apart
    if config.metrics is not None and config.metrics[1]:  # beside the doors, not one of them
        fixed.append(("--metrics", config.metrics[1]))
    for index, (option, port) in enumerate(fixed):
        for other, same in fixed[:index]:
            if same == port:
                same_port = _("{option} {port} is the port of {other} too: give each its own")
                parser.error(same_port.format(option=option, port=port, other=other))
    if config.tls_cert is not None and config.tls_key is not None:
        with speaking(parser.catalog):
            problem = tls_problem(config.tls_cert, config.tls_key)
        if problem is not None:
            parser.error(problem)
    return config
