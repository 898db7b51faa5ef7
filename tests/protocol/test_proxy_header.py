"""The PROXY header, byte by byte: complete or not yet, how long, whom it names, and every way it
can be broken. The examples are the specification's forms, as HAProxy writes them."""

from __future__ import annotations

import ipaddress
import struct

import pytest

from papo.protocol.proxy_header import (
    V1_MAX_BYTES,
    V2_SIGNATURE,
    BadProxyHeader,
    ProxyHeader,
    parse_proxy_header,
)

AFTER = b"ana\n"  # what the client sends once the balancer's header is through


def version_2(
    source: str = "203.0.113.7",
    port: int = 51000,
    *,
    command: int = 0x1,
    family: int | None = None,
    tlvs: bytes = b"",
    version: int = 0x2,
) -> bytes:
    """A version 2 header as a balancer sends it (``command`` 0: LOCAL, 1: PROXY)."""
    address = ipaddress.ip_address(source)
    if family is None:
        family = 0x11 if address.version == 4 else 0x21  # TCP over IPv4 / IPv6
    destination = ipaddress.ip_address("127.0.0.1" if address.version == 4 else "::1")
    block = address.packed + destination.packed + struct.pack("!HH", port, 12345) + tlvs
    head = V2_SIGNATURE + bytes([version << 4 | command, family]) + struct.pack("!H", len(block))
    return head + block


def parsed_byte_by_byte(header: bytes) -> ProxyHeader:
    """Every prefix of the header is 'not yet'; the whole, followed by the client's bytes, is
    the header, and its length leaves those bytes out."""
    for end in range(len(header)):
        assert parse_proxy_header(header[:end]) is None, header[:end]
    parsed = parse_proxy_header(header + AFTER)
    assert parsed is not None and parsed.length == len(header)
    assert parse_proxy_header(header) == parsed
    return parsed


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 51000 12345\r\n", ("203.0.113.7", 51000)),
        (b"PROXY TCP6 2001:db8::7 ::1 51000 12345\r\n", ("2001:db8::7", 51000)),
        (b"PROXY TCP6 ::ffff:203.0.113.7 ::1 1 12345\r\n", ("203.0.113.7", 1)),
        (b"PROXY UNKNOWN\r\n", None),
        (b"PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n", None),
    ],
)
def test_version_1_names_the_client(header: bytes, source: tuple[str, int] | None) -> None:
    assert parsed_byte_by_byte(header).source == source


def test_version_1_of_the_greatest_length_is_read() -> None:
    longest = b"PROXY TCP6 " + b"ffff:" * 7 + b"ffff " + b"ffff:" * 7 + b"ffff 65535 65535\r\n"
    assert len(longest) <= V1_MAX_BYTES
    assert parsed_byte_by_byte(longest).source == ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535)


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (version_2(), ("203.0.113.7", 51000)),
        (version_2("2001:db8::7", 443), ("2001:db8::7", 443)),
        (version_2("::ffff:198.51.100.9", 2), ("198.51.100.9", 2)),
        # TLVs (ALPN, a unique id...) follow the addresses: counted in the length, skipped.
        (version_2(tlvs=b"\x01\x00\x02h2" + b"\x05\x00\x04abcd"), ("203.0.113.7", 51000)),
        (version_2(command=0x0), None),  # LOCAL: the balancer's own health check
        (version_2(family=0x00), None),  # UNSPEC
        (version_2(family=0x12), None),  # datagrams: names no TCP client
        (version_2(family=0x31) + b"", None),  # a Unix socket's path
    ],
)
def test_version_2_names_the_client(header: bytes, source: tuple[str, int] | None) -> None:
    assert parsed_byte_by_byte(header).source == source


def test_version_2_of_a_unix_socket_skips_its_whole_block() -> None:
    paths = bytes(216)
    header = V2_SIGNATURE + b"\x21\x31" + struct.pack("!H", len(paths)) + paths
    assert parsed_byte_by_byte(header) == ProxyHeader(16 + 216, None)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"ana\n", "no PROXY header"),
        (b"PROXZ", "no PROXY header"),
        (b"\r\n\r\n\x00\r\nQUIX", "no PROXY header"),
        (b"GET / HTTP/1.1\r\n", "no PROXY header"),
        (
            b"\x16\x03\x01\x02\x00",
            "no PROXY header",
        ),  # a TLS ClientHello where the header should be
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 51000 12345\n", "CRLF"),
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 51000\r\n", "two addresses"),
        (b"PROXY UDP4 203.0.113.7 127.0.0.1 51000 12345\r\n", "TCP4"),
        (b"PROXY TCP4 2001:db8::7 127.0.0.1 51000 12345\r\n", "'2001:db8::7' is not an IPv4"),
        (b"PROXY TCP6 203.0.113.7 ::1 51000 12345\r\n", "'203.0.113.7' is not an IPv6"),
        (b"PROXY TCP4 203.0.113.7 127.0.0.1.1 51000 12345\r\n", "'127.0.0.1.1' is not"),
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 65536 12345\r\n", "not a port"),
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 -1 12345\r\n", "not a port"),
        (b"PROXY TCP4 203.0.113.7 127.0.0.1 51000 x\r\n", "not a port"),
        (b"PROXY TCP4 203.0.113.7  127.0.0.1 51000 12345\r\n", "two addresses"),
        (b"PROXY TCP4 \xff.0.0.1 127.0.0.1 1 2\r\n", "xff.0.0.1' is not an IPv4"),
        (b"PROXY " + b"9" * V1_MAX_BYTES, "longer than"),
        (version_2(version=0x1), "version 1"),
        (version_2(command=0x2), "unknown command 2"),
        (V2_SIGNATURE + b"\x21\x11\x00\x04" + bytes(4), "take 4 bytes, not 12"),
    ],
)
def test_what_is_not_a_header_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(BadProxyHeader, match=why):
        parse_proxy_header(data)


def test_a_broken_header_is_refused_as_soon_as_it_shows() -> None:
    """No waiting for more bytes that cannot mend it: a line client's first letter will do."""
    with pytest.raises(BadProxyHeader):
        parse_proxy_header(b"a")
    with pytest.raises(BadProxyHeader):
        parse_proxy_header(b"\r\n\r\n\x00\r\nQUIT\n\x11")


def test_a_long_version_2_header_waits_for_its_whole_length() -> None:
    header = version_2(tlvs=b"\x05" + struct.pack("!H", 3000) + bytes(3000))
    assert parse_proxy_header(header[:-1]) is None
    parsed = parse_proxy_header(header + AFTER)
    assert parsed == ProxyHeader(len(header), ("203.0.113.7", 51000))
