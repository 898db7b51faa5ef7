"""Limits per address: connections, new connections, and lines, shared by all of its clients.

The flood limit per connection does not stop one address that opens a hundred connections (570
messages a second to everyone), or that reconnects after each burst (2 350, with as many joins and
leaves). So each address also has a cap on its connections, a bucket for new connections (past
it a newcomer is told ``too_many_connections``) and a bucket for lines that all its connections
draw from (past it they are read more slowly, like a single flooder: nothing is dropped). Users
dropped from an address and held for a resume are capped the same way as its connections. IPv6
addresses count by /64, the block one subscriber usually gets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from papo.core.flood import TokenBucket
from papo.protocol.addresses import ip_of
from papo.protocol.events import ErrorCode

# A /64 is what one IPv6 subscriber (or one host, with privacy addresses) usually holds.
IPV6_GROUP_PREFIX = 64
# New connections an address may open at once when --max-per-ip is 0 (no cap).
DEFAULT_CONNECT_BURST = 100


def address_group(host: str) -> str:
    """The key an address is counted under: itself for IPv4, its /64 for IPv6."""
    address = ip_of(host)
    if address is None:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address, IPV6_GROUP_PREFIX), strict=False)
        return str(network)
    return str(address)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRules:
    max_connections: int  # 0: no cap
    connect_rate: float  # new connections per second; 0: no limit
    line_rate: float  # lines per second, all connections together; 0: no limit
    line_burst: int


class AddressState:
    __slots__ = ("connections", "connects", "holds", "lines")

    def __init__(self, rules: AddressRules, now: float) -> None:
        self.connections = 0
        self.holds = 0  # its users held for a resume
        connect_burst = rules.max_connections or DEFAULT_CONNECT_BURST
        self.connects = TokenBucket(rules.connect_rate, connect_burst, now)
        self.lines = TokenBucket(rules.line_rate, rules.line_burst, now)


class AddressLimits:
    """Pure bookkeeping (times are handed in): who may connect, and the shared line buckets."""

    def __init__(self, rules: AddressRules) -> None:
        self.rules = rules
        self._states: dict[str, AddressState] = {}

    def admit(self, group: str, now: float) -> ErrorCode | None:
        """Count a new connection from ``group``, or say why it is refused."""
        state = self._states.get(group)
        if state is None:
            state = self._states[group] = AddressState(self.rules, now)
        cap = self.rules.max_connections
        if (cap and state.connections >= cap) or not state.connects.take(now):
            return ErrorCode.TOO_MANY_CONNECTIONS
        state.connections += 1
        return None

    def line_bucket(self, group: str) -> TokenBucket:
        """The bucket every admitted connection of ``group`` draws its lines from."""
        return self._states[group].lines

    def release(self, group: str) -> None:
        """A connection of ``group`` has gone. The address is remembered until its buckets
        are full again (``forget_idle``): reconnecting must not buy a fresh burst."""
        self._states[group].connections -= 1

    def may_hold(self, group: str) -> bool:
        """Whether one more user dropped from ``group`` may be held for a resume (as many as
        it may have connections): a hold keeps a name and memory for minutes."""
        cap = self.rules.max_connections
        state = self._states.get(group)
        return not cap or state is None or state.holds < cap

    def hold(self, group: str) -> None:
        self._states[group].holds += 1

    def unhold(self, group: str) -> None:
        self._states[group].holds -= 1

    def forget_idle(self, now: float) -> None:
        """Drop addresses with no connection nor hold whose buckets have refilled: they are
        as new."""
        idle = [
            group
            for group, state in self._states.items()
            if not state.connections
            and not state.holds
            and state.connects.is_full(now)
            and state.lines.is_full(now)
        ]
        for group in idle:
            del self._states[group]

    def __len__(self) -> int:
        return len(self._states)
