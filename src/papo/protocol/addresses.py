"""An IP address as papo counts it: the same client, however its address is written.

An IPv4 client may be named in IPv6's form (``::ffff:192.0.2.7``: a dual-stack socket, or a
load balancer's PROXY header), and a link-local IPv6 address carries its zone (``%eth0``).
Limits, bans and the list of balancers must all see one address there, so they all read it
through here.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def unmapped(address: IPAddress) -> IPAddress:
    """An IPv4 address written as IPv6 is that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def ip_of(host: str) -> IPAddress | None:
    """The address ``host`` is (its zone left out), unmapped; None for a name."""
    try:
        return unmapped(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return None
