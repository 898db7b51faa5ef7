"""SIGUSR1: the files a running server was started with, read again, nobody disconnected.

A TLS certificate is renewed every few weeks (Let's Encrypt's last 90 days), and a restart to
take the new one drops every ``nc``, ``telnet`` and IRC user (only JSON clients resume). An
operator password that leaked is to be changed now, not at the next restart; the message of
the day changes with the news. So ``kill -USR1`` (with ``--workers``, to the parent, which
passes it on) reads ``--tls-cert`` and ``--tls-key``, ``--motd``, ``--oper-password-file`` and
``--password-file`` again: new connections get the new certificate and message, the next
``/oper`` and ``/pass`` take the new password (those let in stay), and the connections open
go on as they are (a TLS session keeps the certificate it was made with).

Each file is checked whole before anything changes. One that cannot be used (missing, not
UTF-8, a key of another certificate, a password too short) is said in the log, and what was
read before stays in use: a renewal gone wrong must not take TLS down with it.
"""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from papo.server.config import (
    CHAT_PASSWORD_FILE,
    OPER_PASSWORD_FILE,
    OptionFileError,
    PasswordFile,
    ServerConfig,
    motd_in,
    option_file_bytes,
    option_file_text,
    tls_problem,
)


@dataclass(slots=True)
class ReadAgain:
    """What reading the files again gave: the config with their contents now, which options
    were read, and why each one that was not could not be."""

    config: ServerConfig
    read: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_again(config: ServerConfig, tls: ssl.SSLContext | None) -> ReadAgain:
    """Read the files of ``config`` again; a new certificate is loaded into ``tls``, the
    context every TLS handshake of the server uses. Each file on its own: one that cannot
    be read keeps nothing else from being read."""
    again = ReadAgain(config)
    steps: list[Callable[[], None]] = []
    if tls is not None and config.tls_cert is not None and config.tls_key is not None:
        steps.append(partial(_certificate_again, again, tls, config.tls_cert, config.tls_key))
    if config.motd_file is not None:
        steps.append(partial(_motd_again, again, config.motd_file))
    passwords = (
        (OPER_PASSWORD_FILE, config.oper_password_file, _oper),
        (CHAT_PASSWORD_FILE, config.password_file, _chat),
    )
    for kind, path, taken in passwords:
        if path is not None:
            steps.append(partial(_password_again, again, kind, path, taken))
    for step in steps:
        try:
            step()
        except OptionFileError as error:
            again.problems.append(str(error))
    return again


def _motd_again(again: ReadAgain, path: Path) -> None:
    motd = motd_in(option_file_text("--motd", path))
    again.config = replace(again.config, motd=motd)
    again.read.append("--motd")


def _password_again(
    again: ReadAgain,
    kind: PasswordFile,
    path: Path,
    taken: Callable[[ServerConfig, str], ServerConfig],
) -> None:
    """A password too short is refused, as at start; ``taken``: the config with it."""
    password = kind.password_in(option_file_text(kind.option, path))
    if password is None:
        again.problems.append(kind.too_short(path))
        return
    again.config = taken(again.config, password)
    again.read.append(kind.option)


def _oper(config: ServerConfig, password: str) -> ServerConfig:
    return replace(config, oper_password=password)


def _chat(config: ServerConfig, password: str) -> ServerConfig:
    return replace(config, password=password)


def _certificate_again(again: ReadAgain, tls: ssl.SSLContext, cert: Path, key: Path) -> None:
    """Both files are read once, and what was read is checked and loaded: a renewal that
    writes the new certificate while this reads cannot pair an old key with a new
    certificate, and a context that failed half-way to load is never the one in use.
    Raises ``OptionFileError``."""
    read = option_file_bytes("--tls-cert", cert), option_file_bytes("--tls-key", key)
    with tempfile.TemporaryDirectory(prefix="papo-tls-") as private:  # mode 0700
        copies = {cert: Path(private) / "cert.pem", key: Path(private) / "key.pem"}
        for path, data in zip((cert, key), read, strict=True):
            copies[path].write_bytes(data)
        problem = tls_problem(copies[cert], copies[key])
        if problem is not None:
            for path, copy in copies.items():  # said of the files the options name
                problem = problem.replace(str(copy), str(path))
            again.problems.append(problem)
            return
        tls.load_cert_chain(copies[cert], copies[key])
    again.read += ["--tls-cert", "--tls-key"]
