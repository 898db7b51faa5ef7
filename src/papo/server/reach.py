"""Where the others reach this server: said once, right after the "listening on" lines.

A chat on a LAN starts with "what do I type on the other machine?", and the answer, this
machine's address, is what somebody new to networks has to dig out of ``ip addr``. Listening on
every interface, the server asks the routing table which of its addresses its traffic leaves
from: connecting a UDP socket only picks a route and sends nothing, so the documentation
addresses below are never reached. Listening on one address, that address is the answer;
on loopback only, there is none (nobody else can join).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from papo.fingerprint import pem_fingerprint
from papo.protocol.i18n import translation
from papo.server.config import DEFAULT_PORT, ServerConfig

WILDCARDS = {"0.0.0.0": socket.AF_INET, "::": socket.AF_INET6}
# RFC 5737 and RFC 3849: addresses for documentation, routed like any other, owned by nobody.
ROUTE_PROBES = {socket.AF_INET: "192.0.2.1", socket.AF_INET6: "2001:db8::1"}


def outward_address(family: socket.AddressFamily) -> str | None:
    """This machine's address on its default route for ``family``; None without one."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((ROUTE_PROBES[family], 9))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return address if shareable(address) else None


def shareable(host: str) -> bool:
    """Whether another machine could reach ``host``: not loopback, not "every interface",
    not link-local (which needs a zone the other side cannot guess). A name is taken as is,
    but ``localhost``."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host.lower() not in ("localhost", "localhost.localdomain")
    return not (address.is_loopback or address.is_unspecified or address.is_link_local)


def reachable_at(hosts: Sequence[str]) -> str | None:
    """The address to give the others, from the hosts this server listens on (IPv4 first:
    more people type it right)."""
    found: list[str] = []
    for host in hosts:
        family = WILDCARDS.get(host)
        address = outward_address(family) if family is not None else host
        if address is not None and shareable(address):
            found.append(address)
    found.sort(key=lambda address: ":" in address)
    return found[0] if found else None


def client_command() -> str:
    """How the client is started where the server was: from a clone, as a module, or as
    the installed command."""
    started_as = os.path.basename(sys.argv[0])
    python = "python" if sys.platform == "win32" else "python3"
    if started_as == "servidor.py":
        return f"{python} client.py"
    if started_as == "__main__.py":
        return f"{python} -m papo.client"
    return "papo"


def join_hint(
    hosts: Sequence[str],
    port: int,
    *,
    tls: bool,
    language: str,
    client: str,
    irc: int | None = None,
    irc_tls: int | None = None,
    fingerprint: str | None = None,
) -> list[str]:
    """The lines that tell the others how to join: with papo's client (or nc), and with an
    IRC client where the IRC door is open (none when only this machine can join). With TLS,
    the client is told the certificate's ``fingerprint``: a chat's own certificate (no CA a
    client trusts) is then taken, and nobody else's."""
    address = reachable_at(hosts)
    if address is None:
        return []
    _ = translation(language).gettext
    command = f"{client} --host {address}"
    if port != DEFAULT_PORT:
        command += f" --port {port}"
    if tls:  # nc speaks no TLS
        command += f" --tls-fingerprint {fingerprint}" if fingerprint else " --tls"
        lines = [_("On this network, others join with: {client}").format(client=command)]
    else:
        lines = [
            _("On this network, others join with: {client} (or: {nc})").format(
                client=command, nc=f"nc {address} {port}"
            )
        ]
    if irc is not None and irc_tls is not None:
        door = _("IRC clients connect to {address}, port {port} (with TLS: {tls_port})")
        lines.append(door.format(address=address, port=irc, tls_port=irc_tls))
    elif irc is not None:
        door = _("IRC clients connect to {address}, port {port}")
        lines.append(door.format(address=address, port=irc))
    elif irc_tls is not None:
        door = _("IRC clients connect to {address}, port {port}, with TLS")
        lines.append(door.format(address=address, port=irc_tls))
    return lines


def say_how_to_join(
    config: ServerConfig,
    hosts: Sequence[str],
    port: int,
    irc: int | None = None,
    irc_tls: int | None = None,
) -> None:
    """Print the hint, in the server's language, after every "listening on" line (scripts
    read those first); with TLS, the certificate's fingerprint first, even where nobody
    else can join."""
    fingerprint = certificate_fingerprint(config.tls_cert) if config.tls_cert else None
    lines = join_hint(
        hosts, port, tls=config.tls_cert is not None, language=config.language,
        client=client_command(), irc=irc, irc_tls=irc_tls, fingerprint=fingerprint,
    )  # fmt: skip
    if fingerprint is not None:
        said = translation(config.language).gettext("TLS certificate (SHA-256): {fingerprint}")
        lines.insert(0, said.format(fingerprint=fingerprint))
    for line in lines:
        print(line, flush=True)


def certificate_fingerprint(path: Path) -> str | None:
    """The fingerprint of the certificate in ``path`` (checked at start: it is readable)."""
    try:
        return pem_fingerprint(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
