"""The client's connection: connect (TCP or TLS), switch to JSON, register, send and receive.

Blocking sockets on purpose: the terminal side is a blocking ``input()`` with readline, so a
reader thread plus this small class is simpler and lighter than an event loop, and the standard
library alone suffices (the manual promises nothing else is needed).
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from papo.cli import format_address
from papo.fingerprint import fingerprint
from papo.keepalive import keep_alive
from papo.protocol.decode import Malformed, decode_line
from papo.protocol.events import Error, Event, Hello, HelpInfo, Notice, NoticeCode, Welcome
from papo.protocol.framing import Line, LineBuffer
from papo.protocol.i18n import translation
from papo.protocol.names import sanitize_text

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 12345
CONNECT_TIMEOUT = 10.0
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES = 30, 10, 3  # seconds, seconds, probes
# The longest line taken from a server: room for /online with tens of thousands of names, and a
# bound on what a hostile server can make the client hold (one without newlines used to stall it).
MAX_SERVER_LINE_BYTES = 4 << 20


class LinkError(Exception):
    """A failure the user should read as one clear line (and the program exit non-zero)."""


class CannotConnect(LinkError):
    """Nothing to talk to at that address (refused, unknown host, unreachable, no answer)."""


class CertificateChanged(LinkError):
    """A pinned server (``--tls-fingerprint``, or trusted before) showed another certificate."""


class UntrustedCertificate(LinkError):
    """``--tls`` met a certificate no CA of this machine vouches for (a chat's own): the
    client may ask whether to trust it (``papo.client.known_servers``)."""

    def __init__(self, message: str, address: Address) -> None:
        super().__init__(message)
        self.address = address

    def presented(self) -> str | None:
        """The certificate's fingerprint, if a second look can read it. Looked at only when
        asked: where nobody is asked whether to trust it (piped, reconnecting, a pin that
        refuses it anyway), the server sees no connection come and go for nothing."""
        return presented_fingerprint(self.address)


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    host: str
    port: int
    tls: bool = False
    tls_ca: Path | None = None
    insecure: bool = False
    fingerprint: str | None = None  # the only certificate taken (--tls-fingerprint)
    pinned_by: str = "--tls-fingerprint"  # where that fingerprint comes from, to say it

    def __str__(self) -> str:
        return format_address(self.host, self.port)


def describe_os_error(error: OSError, language: str) -> str:
    _ = translation(language).gettext
    if isinstance(error, ConnectionRefusedError):
        return _("connection refused (is the server running, on that port?)")
    if isinstance(error, socket.gaierror):
        return _("unknown host")
    if isinstance(error, TimeoutError):
        return _("timed out")
    return error.strerror or str(error)


# The first line of servers people point the client at by mistake: a web server, SSH, an IRC
# server (papo's own IRC port among them), mail, Redis. papo's refusals are plain sentences.
FOREIGN_GREETING = re.compile(
    r"HTTP/\d|SSH-\d|<(!DOCTYPE|html)"  # web, SSH
    r"|:\S+ (\d{3}|NOTICE) |NOTICE |ERROR :|PING :"  # IRC
    r"|220[ -]|\+OK|-ERR ",  # mail, Redis
    re.IGNORECASE,
)

# OpenSSL's words for bytes that are not TLS where a handshake was expected.
NOT_TLS_REASONS = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"}


def tls_context(address: Address) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(address.tls_ca) if address.tls_ca else None)
    if address.insecure or address.fingerprint:  # pinned: checked once connected
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def trust_on_first_use(address: Address) -> bool:
    """Plain ``--tls``: no CA, pin or ``--insecure`` was given, so trust may be asked for (or
    taken from what this user trusted before)."""
    return (
        address.tls
        and address.tls_ca is None
        and not address.insecure
        and address.fingerprint is None
    )


def presented_fingerprint(address: Address) -> str | None:
    """The fingerprint of the certificate ``address`` shows, read over a connection that
    checks nothing and sends nothing (closed right after the handshake); None if it fails."""
    context = tls_context(replace(address, insecure=True))
    try:
        raw = socket.create_connection((address.host, address.port), CONNECT_TIMEOUT)
        with context.wrap_socket(raw, server_hostname=address.host) as look:
            der = look.getpeercert(binary_form=True)
    except (ssl.SSLError, OSError):
        return None
    return fingerprint(der) if der else None


class Link:
    """One connection to a papo server, speaking the JSON format."""

    def __init__(self, address: Address, language: str) -> None:
        self.address = address
        self.language = language
        self._ = translation(language).gettext
        self.hello: Hello | None = None
        self._framer = LineBuffer(MAX_SERVER_LINE_BYTES)
        try:
            raw = socket.create_connection((address.host, address.port), CONNECT_TIMEOUT)
        except OSError as error:
            reason = describe_os_error(error, language)
            raise CannotConnect(
                self._("cannot connect to {address}: {reason}").format(
                    address=address, reason=reason
                )
            ) from error
        self.sock: socket.socket = raw
        if address.tls:
            try:
                self.sock = tls_context(address).wrap_socket(raw, server_hostname=address.host)
            except (ssl.SSLError, OSError) as error:
                raw.close()
                tls_reason = getattr(error, "verify_message", None) or getattr(
                    error, "reason", None
                )
                said = self._("TLS with {address} failed: {reason}").format(
                    address=address, reason=tls_reason or error
                )
                said += self._tls_hint(error)
                if isinstance(error, ssl.SSLCertVerificationError) and trust_on_first_use(address):
                    raise UntrustedCertificate(said, address) from error
                raise LinkError(said) from error
            self._check_pinned(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # A server gone without a word (Wi-Fi lost, a laptop lid) is found within a minute, and
        # the client reconnects as for any lost connection.
        keep_alive(self.sock, KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES,
                   unacknowledged=True)  # fmt: skip

    def _check_pinned(self, address: Address) -> None:
        """With ``--tls-fingerprint``: the server's certificate is that one, or the
        connection ends here, before a byte is sent (a name, a password)."""
        if address.fingerprint is None or not isinstance(self.sock, ssl.SSLSocket):
            return
        presented = fingerprint(self.sock.getpeercert(binary_form=True) or b"")
        if presented == address.fingerprint:
            return
        self.sock.close()
        raise CertificateChanged(self._(
            "TLS with {address} failed: its certificate is not the one trusted for it (in "
            "{pinned_by}); its SHA-256 fingerprint is now {presented}. Somebody may be between "
            "you and the server, or its certificate changed: ask its operator."
        ).format(address=address, pinned_by=address.pinned_by, presented=presented))  # fmt: skip

    def _tls_hint(self, error: Exception) -> str:
        """What to do about a failed handshake, when the cause is plain: a certificate this
        machine does not trust (a chat's own, self-signed), or a server that is not TLS (its
        greeting read as a TLS record)."""
        if isinstance(error, ssl.SSLCertVerificationError):
            return " " + self._(
                "(--tls-ca FILE trusts its certificate; --tls-fingerprint, with the fingerprint "
                "the server says at start, takes that one certificate; --insecure skips the "
                "check.)"
            )
        if getattr(error, "reason", None) in NOT_TLS_REASONS:
            return " " + self._("(Not a TLS server? Try without --tls.)")
        return ""

    # -- lines -----------------------------------------------------------------------------

    def send(self, line: str) -> None:
        try:
            self.sock.sendall(line.encode("utf-8", "replace") + b"\n")
        except OSError as error:
            raise LinkError(self._("the server closed the connection.")) from error

    def _read_line(self) -> str | None:
        """The next line from the server; too long or not UTF-8, it is skipped."""
        while True:
            event = self._framer.next_event()
            if isinstance(event, Line):
                return event.text
            if event is not None:
                continue
            try:
                chunk = self.sock.recv(65536)
            except (OSError, ssl.SSLError):
                chunk = b""
            if not chunk:
                return None
            self._framer.receive(chunk)

    def has_input(self, timeout: float) -> bool:
        """Whether the server has sent something not yet read (or closed), within ``timeout``."""
        if self._framer.pending_bytes:
            return True
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], timeout)
        except (OSError, ValueError):
            return True  # closed under us: that is news too
        return bool(readable)

    def events(self) -> Iterator[Event]:
        """Events until the server closes; lines that are not valid events are skipped."""
        while (line := self._read_line()) is not None:
            try:
                event = decode_line(line)
            except Malformed:
                continue
            if event is not None:
                yield event

    # -- handshake -------------------------------------------------------------------------

    def start(self) -> Hello:
        """Ask for JSON and skip the text greeting up to ``hello``.

        The socket still has the connect timeout here: a peer that accepts but never answers
        is not a papo server, and the user is told so instead of waiting forever.
        """
        self.send("/format json")
        said: list[str] = []  # text before hello: a greeting, or why the server refuses us
        while (line := self._read_line()) is not None:
            if not line.startswith("{"):
                text = sanitize_text(line).strip()
                if not said and FOREIGN_GREETING.match(text):
                    raise LinkError(self._foreign(text))
                said.append(text)
                continue
            try:
                event = decode_line(line)
            except Malformed:
                continue
            if isinstance(event, Hello):
                self.hello = event
                self.sock.settimeout(None)
                return event
        if said:  # papo says why it refuses in its first line (a greeting is followed by hello)
            raise LinkError(
                self._("{address} refused the connection: {reason}").format(
                    address=self.address, reason=said[0]
                )
            )
        hint = "" if self.address.tls else " " + self._("(A TLS server? Try --tls.)")
        raise LinkError(
            self._("{address} does not speak papo.").format(address=self.address) + hint
        )

    def _foreign(self, first_line: str) -> str:
        """Another kind of server: say so, with the line it began with (cut short), and that
        an IRC server wants an IRC client."""
        said = self._("{address} does not speak papo; it answered: {line}").format(
            address=self.address, line=first_line[:60]
        )
        if first_line.startswith(":") or first_line.upper().startswith(("NOTICE ", "PING ")):
            said += " " + self._("(An IRC server: use an IRC client, or papo's own port.)")
        return said

    def register(self, name: str) -> Welcome | Error | HelpInfo:
        """Ask for ``name``; the server's answer (welcome, or the error to show)."""
        return self._ask(name)

    def resume(self, token: str, last_id: int) -> Welcome | Error | HelpInfo:
        """Ask to come back as the user ``token`` is for, with what came after ``last_id``:
        the welcome (``resumed``), or the error (the connection may then pick a name)."""
        return self._ask(f"/resume {token} {last_id}")

    def give_password(self, password: str) -> Notice | Error:
        """Give the chat's password (``/pass``): accepted (the notice), or the error."""
        self.send(f"/pass {password}")
        for event in self.events():
            if isinstance(event, Notice) and event.code is NoticeCode.PASSWORD_ACCEPTED:
                return event
            if isinstance(event, Error):
                return event
        raise self._closed()

    def _ask(self, line: str) -> Welcome | Error | HelpInfo:
        """Send ``line`` and wait for the welcome or the error it is answered with (or the
        help: ``/help`` works before a name)."""
        self.send(line)
        for event in self.events():
            if isinstance(event, Welcome | Error | HelpInfo):
                return event
        raise self._closed()

    def _closed(self) -> LinkError:
        return LinkError(self._("the server closed the connection."))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
