"""Redis URLs as papo takes them and shows them: standard library only, so that a server
without the redis extra still checks ``--redis`` and never prints a password."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit, urlunsplit

from papo.cli import said

REDIS_SCHEMES = ("redis", "rediss", "unix")


def redis_url(text: str) -> str:
    """A Redis URL as the redis extra reads it, checked here (standard library only) so that a
    typo is one clear line at start, for the server and for each of its workers, rather than a
    traceback, or a database number silently taken as 0."""
    parts = urlsplit(text)
    shown = shown_url(text)
    if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or parts.path):
        wanted = said("not a Redis URL (redis://HOST:PORT/DB, rediss://..., unix:///PATH): {url}")
        raise argparse.ArgumentTypeError(wanted.format(url=shown))
    if parts.scheme == "unix":
        return text
    try:
        parts.port  # noqa: B018 (urllib checks the port when it is read)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error}: {shown}") from None
    database = parts.path.strip("/")
    if database and not database.isdecimal():
        wanted = said("the database is a number (/0, /1, ...): {url}")
        raise argparse.ArgumentTypeError(wanted.format(url=shown))
    return text


def shown_url(url: str) -> str:
    """``url`` as a log or an error may show it: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))
