"""What the server's and the client's command lines share (neither shell imports the other)."""

from __future__ import annotations

import argparse
import gettext
import io
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from papo.protocol.i18n import SUPPORTED_LANGUAGES, normalize_language

Number = TypeVar("Number", int, float)

# The catalog of the command line being read: argparse's words and the options' own errors
# are said in it (English, the identity, outside one).
_speaking: ContextVar[gettext.NullTranslations | None] = ContextVar("speaking", default=None)


def said(message: str) -> str:
    """``message`` in the language of the command line being read."""
    catalog = _speaking.get()
    return catalog.gettext(message) if catalog is not None else message


@contextmanager
def speaking(catalog: gettext.NullTranslations) -> Iterator[None]:
    """argparse's own words (``usage:``, ``options``, its errors) and the messages ``said``
    marks in ``catalog``'s language, while a command line is read or what it asks for is first
    opened (a store). argparse looks its words up through gettext's global domain, which papo
    leaves alone (it is the process's); papo's catalog carries them, and stands in for
    argparse's lookup just for this while."""
    token = _speaking.set(catalog)
    saved = {name: getattr(argparse, name) for name in ("_", "ngettext")}
    setattr(argparse, "_", catalog.gettext)  # noqa: B010 (a module's global, not an attribute)
    setattr(argparse, "ngettext", catalog.ngettext)  # noqa: B010
    try:
        yield
    finally:
        for name, lookup in saved.items():
            setattr(argparse, name, lookup)
        _speaking.reset(token)


def argparse_says(message: str) -> str:
    """Marks a message that argparse, not papo, says, for the catalogs (tools/catalogs.py)."""
    return message


# argparse's messages that a papo command line can meet (worded alike by Python 3.10 to 3.13),
# so that the catalogs carry them: a Portuguese user reads "uso:" and "argumento --port: ...".
ARGPARSE_MESSAGES = (
    argparse_says("usage: "),
    argparse_says("options"),
    argparse_says("show this help message and exit"),
    argparse_says("argument %(argument_name)s: %(message)s"),
    argparse_says("unrecognized arguments: %s"),
    argparse_says("expected one argument"),
    argparse_says("ignored explicit argument %r"),
    argparse_says("ambiguous option: %(option)s could match %(matches)s"),
    argparse_says("invalid %(type)s value: %(value)r"),
    argparse_says("invalid choice: %(value)r (choose from %(choices)s)"),
    argparse_says("%(prog)s: error: %(message)s\n"),
)


def within(
    convert: Callable[[str], Number], low: int, high: int | None = None
) -> Callable[[str], Number]:
    """An argparse type: ``convert``, then refuse a value outside ``low`` to ``high``."""

    def parse(text: str) -> Number:
        value = convert(text)
        if value < low or (high is not None and value > high):
            if high is None:
                bounds = said("must be {low} or more: {text}")
            else:
                bounds = said("must be {low} to {high}: {text}")
            raise argparse.ArgumentTypeError(bounds.format(low=low, high=high, text=text))
        return value

    parse.__name__ = convert.__name__  # argparse names it in "invalid int value"
    return parse


def language_option(text: str) -> str:
    """``--lang`` as an argparse type: a language we ship, or a clear refusal (a typo must not
    quietly give English)."""
    language = normalize_language(text)
    if language is None:
        known = ", ".join(SUPPORTED_LANGUAGES)
        unknown = said("unknown language {language!r} (papo speaks {known})")
        raise argparse.ArgumentTypeError(unknown.format(language=text, known=known))
    return language


class BriefParser(argparse.ArgumentParser):
    """Errors in one line, then where the options are listed: the whole usage first (17 lines
    for the server) pushed the one line that says what is wrong off a small terminal."""

    def __init__(
        self, *args: Any, see_help: str, catalog: gettext.NullTranslations, **kwargs: Any
    ) -> None:
        with speaking(catalog):
            super().__init__(*args, **{**kwargs, "exit_on_error": False})
        self.see_help = see_help
        self.catalog = catalog

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """A wrong option's error is worded here (``exit_on_error`` off): Python 3.10's
        argparse leaves its "argument --port:" out of the catalog, and a Portuguese user read
        English there."""
        try:
            with speaking(self.catalog):
                return super().parse_args(args, namespace)
        except argparse.ArgumentError as error:
            if error.argument_name is None:
                self.error(error.message)
            self.option_error(error.argument_name, error.message)

    def option_error(self, option: str, message: str) -> NoReturn:
        """``message`` about ``option``, worded as argparse words its own."""
        template = self.catalog.gettext("argument %(argument_name)s: %(message)s")
        self.error(template % {"argument_name": option, "message": message})

    def error(self, message: str) -> NoReturn:
        line = self.catalog.gettext("%(prog)s: error: %(message)s\n")
        self.exit(2, line % {"prog": self.prog, "message": message} + self.see_help + "\n")


def format_address(host: str, port: int) -> str:
    """``host:port`` as both shells print it, an IPv6 address in brackets (as ``--host``
    takes it back)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


port_number = within(int, 1, 65535)


def host_and_port(host: str, port: int | None, default_port: int) -> tuple[str, int]:
    """``--host`` as people write it: a name or an address, an IPv6 one in brackets, either
    with ``:PORT`` (as the server's "listening on" line shows it). ``--port`` given wins."""
    name, written = host, ""
    if host.startswith("[") and "]" in host:
        name, _, rest = host[1:].partition("]")
        written = rest.removeprefix(":")
    elif host.count(":") == 1:  # more colons: an IPv6 address without a port
        name, _, written = host.partition(":")
    if port is not None:
        return name, port
    if written and not written.isdigit():
        raise argparse.ArgumentTypeError(
            said("not a port after the colon: {host}").format(host=host)
        )
    return name, port_number(written) if written else default_port


def why_unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read now, in the system's words; None: it can. Asked of a file
    an option names, so the mistake is said at start with that option."""
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        return error.strerror or str(error)
    return None


def first_line(text: str) -> str:
    """A password file's first line, without the blanks an editor leaves around it ("" if
    there is none): what the server's --password-file and --oper-password-file and the
    client's --password-file each take."""
    lines = text.splitlines()
    return lines[0].strip() if lines else ""


def show_what_the_encoding_can() -> None:
    """Where the terminal or pipe is not UTF-8 (a Latin-1 locale, a Windows pipe, ASCII), a
    character it cannot take is shown as ``?`` and typed bytes it cannot read as U+FFFD.
    With Python's strict default, the first emoji said in the chat killed the client's thread
    that shows it (the client went on deaf), and ``--lang pt_BR --help`` stopped at its first
    accent. Called first by both programs. (Standard error keeps Python's backslashreplace:
    the log says ``\\u0391``, which tells more than ``?``.)"""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def read_again_signal() -> signal.Signals | None:
    """SIGUSR1, which makes the server read its files again (``papo.server.reload``); None
    where there is none (Windows)."""
    return getattr(signal, "SIGUSR1", None)


def stop_signals() -> list[signal.Signals]:
    """The signals that stop either program gracefully, besides SIGINT (Ctrl-C): SIGTERM, and
    SIGHUP, which the kernel sends when the terminal a program runs in is closed (a window,
    an ssh session). Killed by it, the server lost its last writes and told nobody, and the
    client left its name held for a resume that nobody could make. A SIGHUP ignored at start
    (``nohup``) stays ignored: whoever ran it asked for that."""
    wanted = [signal.SIGTERM]
    hangup = getattr(signal, "SIGHUP", None)  # none on Windows
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
        wanted.append(hangup)
    return wanted
