"""The PROXY protocol header (HAProxy's, versions 1 and 2): who a load balancer's client is.

Behind a TCP load balancer (HAProxy, nginx's stream module, cloud balancers) every connection
comes from the balancer's address, so the limits per address, bans and the log would all see
one user. A balancer told to (HAProxy's ``send-proxy`` / ``send-proxy-v2``) starts each
connection with this header, naming the client's address. It is read here, byte for byte, with
no I/O: ``parse_proxy_header`` is given what has arrived so far and says whether the header is
complete, how long it is, and what it says. The server reads only as far as the header, so
what follows (lines, or a TLS handshake) is left untouched for whatever reads it next.

Only connections from addresses the operator names (``--proxy-from``) may carry it: anyone else
could claim any address with it.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from papo.protocol.addresses import IPAddress, unmapped

V1_PREFIX = b"PROXY "
V1_MAX_BYTES = 107  # the specification's longest line, CRLF included
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V2_FIXED_BYTES = 16  # signature, version and command, family, length
_V2_VERSION = 0x2
_V2_LOCAL, _V2_PROXY = 0x0, 0x1
_V2_STREAM = 0x1
# Address block of each family that names one: its length and how it unpacks.
_V2_ADDRESSES = {0x1: (12, "!4s4sHH"), 0x2: (36, "!16s16sHH")}
_V1_FAMILIES: dict[bytes, type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]] = {
    b"TCP4": ipaddress.IPv4Address,
    b"TCP6": ipaddress.IPv6Address,
}


class BadProxyHeader(ValueError):
    """What came first is no PROXY header, or a broken one: the connection is closed."""


@dataclass(frozen=True, slots=True)
class ProxyHeader:
    """A whole header: ``length`` bytes long, naming ``source``, the client's address and port.

    ``source`` is None when the header names nobody (version 1's ``UNKNOWN``, version 2's
    ``LOCAL``, a balancer's own health check, or a family other than TCP over IPv4 and IPv6):
    the connection then counts as the balancer's own.
    """

    length: int
    source: tuple[str, int] | None


def parse_proxy_header(data: bytes) -> ProxyHeader | None:
    """The header at the start of ``data``, or None while it may still be one and is not all
    there. Raises BadProxyHeader as soon as it cannot be one."""
    if data[: len(V2_SIGNATURE)] == V2_SIGNATURE[: len(data)]:
        return _version_2(data) if len(data) >= len(V2_SIGNATURE) else None
    if data[: len(V1_PREFIX)] == V1_PREFIX[: len(data)]:
        return _version_1(data) if len(data) >= len(V1_PREFIX) else None
    raise BadProxyHeader("no PROXY header (the connection starts otherwise)")


def _version_1(data: bytes) -> ProxyHeader | None:
    end = data.find(b"\r\n", 0, V1_MAX_BYTES)
    if end < 0:
        if len(data) >= V1_MAX_BYTES:
            raise BadProxyHeader(f"PROXY line longer than {V1_MAX_BYTES} bytes")
        if b"\n" in data:
            raise BadProxyHeader("PROXY line not ended by CRLF")
        return None
    length = end + 2
    words = data[len(V1_PREFIX) : end].split(b" ")
    if words[0] == b"UNKNOWN":  # the specification lets anything follow it
        return ProxyHeader(length, None)
    if len(words) != 5 or words[0] not in _V1_FAMILIES:
        raise BadProxyHeader("PROXY line is not TCP4, TCP6 or UNKNOWN with two addresses and ports")
    family = _V1_FAMILIES[words[0]]
    source = _address(family, words[1])
    _address(family, words[2])
    port = _port(words[3])
    _port(words[4])
    return ProxyHeader(length, (str(unmapped(source)), port))


def _address(
    family: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address], word: bytes
) -> IPAddress:
    try:
        return family(word.decode("ascii"))
    except ValueError:
        version = 4 if family is ipaddress.IPv4Address else 6
        shown = word.decode("ascii", "backslashreplace")
        raise BadProxyHeader(f"PROXY line: {shown!r} is not an IPv{version} address") from None


def _port(word: bytes) -> int:
    if not word.isdigit() or len(word) > 5 or int(word) > 0xFFFF:
        raise BadProxyHeader(
            f"PROXY line: {word.decode('ascii', 'backslashreplace')!r} is not a port"
        )
    return int(word)


def _version_2(data: bytes) -> ProxyHeader | None:
    if len(data) == len(V2_SIGNATURE):
        return None
    version, command = data[len(V2_SIGNATURE)] >> 4, data[len(V2_SIGNATURE)] & 0xF
    if version != _V2_VERSION:
        raise BadProxyHeader(f"PROXY header of version {version}, not 2")
    if command not in (_V2_LOCAL, _V2_PROXY):
        raise BadProxyHeader(f"PROXY header with unknown command {command}")
    if len(data) < V2_FIXED_BYTES:
        return None
    family_protocol, size = struct.unpack_from("!BH", data, len(V2_SIGNATURE) + 1)
    length = V2_FIXED_BYTES + size
    if len(data) < length:
        return None
    family, protocol = family_protocol >> 4, family_protocol & 0xF
    if command == _V2_LOCAL or family not in _V2_ADDRESSES or protocol != _V2_STREAM:
        return ProxyHeader(length, None)  # nobody named; what follows the block is skipped
    needed, layout = _V2_ADDRESSES[family]
    if size < needed:
        raise BadProxyHeader(f"PROXY header's addresses take {size} bytes, not {needed}")
    source, _destination, port, _destination_port = struct.unpack_from(layout, data, V2_FIXED_BYTES)
    # An IPv4 client named in IPv6's form (::ffff:192.0.2.7) is that IPv4 client.
    return ProxyHeader(length, (str(unmapped(ipaddress.ip_address(source))), port))
