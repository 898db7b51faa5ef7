"""Which certificate a TLS link to the chat takes: one a CA vouches for, the one this user
trusted before (``known_servers``), or, at a terminal, one the user trusts now.

A chat on a LAN usually has a certificate of its own, which no CA vouches for: the server prints
its fingerprint when it starts, and the user compares it once, as ssh asks of a new host. From
then on that certificate alone is taken from that address (pinned), so a changed one is refused
by name, unless a CA vouches for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from papo.client.known_servers import KnownServers
from papo.client.link import (
    Address,
    CertificateChanged,
    Link,
    UntrustedCertificate,
    trust_on_first_use,
)

# Asks the user whether they trust the certificate with the fingerprint given. Where nobody
# can be asked (a pipe, a reconnection), ``TrustedLinks.open`` is given none.
Asker = Callable[[str], bool]


class TrustedLinks:
    """Opens links to the chat in ``language``, remembering in ``known_servers`` what the user
    trusted."""

    def __init__(self, known_servers: KnownServers, language: str) -> None:
        self.known_servers = known_servers
        self.language = language

    def open(self, address: Address, ask: Asker | None) -> tuple[Link, Address]:
        """A started link, and the address to use from now on (``address`` pinned to the
        certificate trusted, where one was)."""
        if trust_on_first_use(address):
            known = self.known_servers.fingerprint(known_server(address))
            if known is not None:
                return self._to_known(address, known)
        try:
            return Link(address, self.language), address
        except UntrustedCertificate as untrusted:
            return self._trusted(address, untrusted, ask)

    def _to_known(self, address: Address, known: str) -> tuple[Link, Address]:
        """A server whose certificate this user trusted before is held to that one first: a
        handshake that checks it against the machine's CAs would fail (and say so in the
        server's log) at every start. Another certificate is taken only if a CA vouches for
        it; else the pin's refusal, naming the file, is what is said."""
        pinned = self._pinned(address, known)
        try:
            return Link(pinned, self.language), pinned
        except CertificateChanged as changed:
            try:
                return Link(address, self.language), address
            except UntrustedCertificate:
                raise changed from None

    def _trusted(
        self, address: Address, untrusted: UntrustedCertificate, ask: Asker | None
    ) -> tuple[Link, Address]:
        """A certificate no CA vouches for, on a server none was trusted for: taken if the
        user trusts it now; then that one alone, from now on. Raises ``untrusted`` when
        nobody trusts it (nobody to ask: a pipe, a reconnection). Its fingerprint is read
        only then: a second connection, which nobody needs otherwise."""
        if ask is None:
            raise untrusted
        presented = untrusted.presented()
        if presented is None or not ask(presented):
            raise untrusted
        self.known_servers.remember(known_server(address), presented)
        pinned = self._pinned(address, presented)
        return Link(pinned, self.language), pinned

    def _pinned(self, address: Address, fingerprint: str) -> Address:
        """``address`` taking the certificate with ``fingerprint`` alone, the pin said to
        come from ``known_servers`` when it is refused."""
        return replace(address, fingerprint=fingerprint, pinned_by=str(self.known_servers.path))


def known_server(address: Address) -> str:
    """How ``known_servers`` names a server: as ``--host`` takes it, a host name in any case."""
    return str(address).lower()
