"""What the server's and the client's command lines share (neither shell imports the other)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

Number = TypeVar("Number", int, float)


def within(
    convert: Callable[[str], Number], low: int, high: int | None = None
) -> Callable[[str], Number]:
    """An argparse type: ``convert``, then refuse a value outside ``low`` to ``high``."""

    def parse(text: str) -> Number:
        value = convert(text)
        if value < low or (high is not None and value > high):
            bounds = f"{low} or more" if high is None else f"{low} to {high}"
            raise argparse.ArgumentTypeError(f"must be {bounds}: {text}")
        return value

    parse.__name__ = convert.__name__  # argparse names it in "invalid int value"
    return parse


class BriefParser(argparse.ArgumentParser):
    """Errors in one line, then where the options are listed: the whole usage first (17 lines
    for the server) pushed the one line that says what is wrong off a small terminal."""

    def __init__(self, *args: Any, see_help: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.see_help = see_help

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n{self.see_help}\n")


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
        raise argparse.ArgumentTypeError(f"not a port after the colon: {host}")
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
