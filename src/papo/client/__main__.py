"""``papo`` / ``python client.py``: options, then the chat."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from papo import __version__
from papo.cli import (
    BriefParser,
    first_line,
    host_and_port,
    language_option,
    port_number,
    said,
    show_what_the_encoding_can,
    speaking,
    stop_signals,
    why_unreadable,
)
from papo.client.app import ChatClient, ClientOptions, colour_wanted
from papo.client.link import DEFAULT_HOST, DEFAULT_PORT, Address
from papo.client.screen import LineScreen, PlainScreen, TerminalScreen, can_draw
from papo.fingerprint import parse_fingerprint
from papo.protocol.i18n import (
    choose_language,
    language_of_command_line,
    translation,
)


def readable_file(text: str) -> Path:
    """A file that can be read now: a missing one is said at once, in the option's words,
    rather than later as TLS failing with an errno."""
    path = Path(text)
    why = why_unreadable(path)
    if why is not None:
        raise argparse.ArgumentTypeError(f"{text}: {why}")
    return path


def fingerprint_option(text: str) -> str:
    found = parse_fingerprint(text)
    if found is None:
        raise argparse.ArgumentTypeError(
            said("not a SHA-256 fingerprint (64 hexadecimal digits, in pairs): {text}").format(
                text=text
            )
        )
    return found


def build_parser(language: str = "en") -> BriefParser:
    """The options, their help in ``language``."""
    _ = translation(language).gettext
    parser = BriefParser(
        prog="papo",
        catalog=translation(language),
        see_help=_("{prog} --help lists the options.").format(prog="papo"),
        description=_(
            "papo chat client. With standard input not a terminal, it reads lines from it (the "
            "first is the name unless --name is given) and prints what arrives."
        ),
    )
    add = parser.add_argument
    add(
        "--host",
        default=DEFAULT_HOST,
        help=_("server address, HOST:PORT too (default {host})").format(host=DEFAULT_HOST),
    )
    add(
        "--port",
        type=port_number,
        help=_("server port ({port})").format(port=DEFAULT_PORT),
    )
    add("--name", help=_("your name (asked when absent)"))
    add(
        "--password-file",
        type=readable_file,
        metavar="FILE",
        help=_(
            "file whose first line is the chat's password, for a server that asks for one "
            "(PAPO_PASSWORD too; asked at a terminal when absent)"
        ),
    )
    add("--tls", action="store_true", help=_("connect with TLS"))
    add(
        "--tls-ca",
        type=readable_file,
        metavar="FILE",
        help=_("CA certificate file to verify the server with"),
    )
    add("--insecure", action="store_true", help=_("TLS without verifying the certificate"))
    add(
        "--tls-fingerprint",
        type=fingerprint_option,
        metavar="SHA256",
        help=_(
            "TLS, taking only the certificate with this SHA-256 fingerprint (the server says "
            "it at start): for a chat with a certificate of its own"
        ),
    )
    add(
        "--lang",
        type=language_option,
        help=_("language: en or pt_BR (default: from the locale)"),
    )
    add("--no-color", action="store_true", help=_("no colours (NO_COLOR is honoured too)"))
    add("--no-bell", action="store_true", help=_("no bell on private messages and mentions"))
    add(
        "--reconnect",
        action="store_true",
        help=_("reconnect even after the server said it shuts down (piped input too)"),
    )
    add(
        "--no-reconnect",
        action="store_true",
        help=_("exit when the connection is lost, instead of reconnecting and resuming"),
    )
    add(
        "--version",
        action="version",
        version=f"papo {__version__}",
        help=_("show the version and exit"),
    )
    return parser


def _password(parser: BriefParser, path: Path | None, environ: Mapping[str, str]) -> str | None:
    """The chat's password: the first line of ``--password-file``, else ``PAPO_PASSWORD``
    (never an option of its own: the command line is for anybody on the machine to read)."""
    if path is None:
        return environ.get("PAPO_PASSWORD") or None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        parser.option_error("--password-file", f"{path}: {error}")
    return first_line(text) or None


def main(argv: Sequence[str] | None = None) -> int:
    show_what_the_encoding_can()
    words = sys.argv[1:] if argv is None else list(argv)
    language = language_of_command_line(words, os.environ)
    parser = build_parser(language)
    args = parser.parse_args(words)
    try:
        with speaking(parser.catalog):
            host, port = host_and_port(args.host, args.port, DEFAULT_PORT)
    except argparse.ArgumentTypeError as error:
        parser.option_error("--host", str(error))
    interactive = sys.stdin.isatty()
    drawing = can_draw(os.environ, sys.stdout.isatty())
    if not sys.stdout.isatty() and hasattr(signal, "SIGPIPE"):  # none on Windows
        # Into a pipe whose reader has gone (``| head -1``): end quietly, as filters do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    options = ClientOptions(
        address=Address(
            host=host,
            port=port,
            tls=args.tls or args.tls_ca is not None or args.insecure or bool(args.tls_fingerprint),
            tls_ca=args.tls_ca,
            insecure=args.insecure,
            fingerprint=args.tls_fingerprint,
        ),
        language=choose_language(args.lang, os.environ),
        name=args.name,
        reconnect=not args.no_reconnect,
        reconnect_always=args.reconnect,
        colour=colour_wanted(args.no_color, drawing),
        password=_password(parser, args.password_file, os.environ),
    )
    client = ChatClient(options, PlainScreen(sys.stdin, sys.stdout), interactive=interactive)
    if interactive and drawing:
        client.screen = TerminalScreen(client.completions, bell=not args.no_bell)
    elif interactive:
        client.screen = LineScreen(sys.stdin, sys.stdout)
    client.main.take_stop_signals(stop_signals())
    return client.run()


if __name__ == "__main__":
    sys.exit(main())
