"""SIGUSR1: the files a running server was started with, read again, nobody disconnected.

A TLS certificate is renewed every few weeks (Let's Encrypt's last 90 days), and a restart to
take the new one drops every ``nc``, ``telnet`` and IRC user (only JSON clients resume). An
operator password that leaked is to be changed now, not at the next restart; the message of
the day changes with the news. So ``kill -USR1`` (with ``--workers``, to the parent, which
passes it on) reads ``--tls-cert`` and ``--tls-key``, ``--motd`` and ``--oper-password-file``
again: new connections get the new certificate and message, the next ``/oper`` takes the new
password, and the connections open go on as they are (a TLS session keeps the certificate it
was made with).

Each file is checked whole before anything changes. One that cannot be used (missing, not
UTF-8, a key of another certificate, a password too short) is said in the log, and what was
read before stays in use: a renewal gone wrong must not take TLS down with it.
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from papo.server.config import (
    ServerConfig,
    motd_in,
    oper_password_in,
    oper_password_too_short,
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
    context every TLS handshake of the server uses."""
    again = ReadAgain(config)
    if tls is not None and config.tls_cert is not None and config.tls_key is not None:
        _certificate_again(again, tls, config.tls_cert, config.tls_key)
    if config.motd_file is not None:
        text = _text(again, "--motd", config.motd_file)
        if text is not None:
            again.config = replace(again.config, motd=motd_in(text))
            again.read.append("--motd")
    if config.oper_password_file is not None:
        path = config.oper_password_file
        text = _text(again, "--oper-password-file", path)
        password = oper_password_in(text) if text is not None else None
        if text is not None and password is None:
            again.problems.append(oper_password_too_short(path))
        elif password is not None:
            again.config = replace(again.config, oper_password=password)
            again.read.append("--oper-password-file")
    return again


def _certificate_again(again: ReadAgain, tls: ssl.SSLContext, cert: Path, key: Path) -> None:
    """Both files are read once, and what was read is checked and loaded: a renewal that
    writes the new certificate while this reads cannot pair an old key with a new
    certificate, and a context that failed half-way to load is never the one in use."""
    with tempfile.TemporaryDirectory(prefix="papo-tls-") as private:  # mode 0700
        copies = {cert: Path(private) / "cert.pem", key: Path(private) / "key.pem"}
        for option, path in (("--tls-cert", cert), ("--tls-key", key)):
            try:
                copies[path].write_bytes(path.read_bytes())
            except OSError as error:
                again.problems.append(f"{option} {path}: {error.strerror or error}")
                return
        problem = tls_problem(copies[cert], copies[key])
        if problem is not None:
            for path, copy in copies.items():  # said of the files the options name
                problem = problem.replace(str(copy), str(path))
            again.problems.append(problem)
            return
        tls.load_cert_chain(copies[cert], copies[key])
    again.read += ["--tls-cert", "--tls-key"]


def _text(again: ReadAgain, option: str, path: Path) -> str | None:
    """The text of ``path``, or None with the reason in ``again.problems``."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        again.problems.append(f"{option} {path}: {getattr(error, 'strerror', None) or error}")
        return None
