"""Bans: addresses that may not connect to the chat until a given time.

A kick only puts a person out; they can come straight back under another name. ``/ban`` is a
kick that also keeps the address the person came from (an IPv6 /64, as the per-address limits
count it) out for a while. Only the server that held them knows that address, so it makes the
ban when it carries out the kick; the hub then keeps it where every server of the chat checks
new connections (a dictionary here, a Redis hash with ``--redis``, a table with ``--store``).
The ban keeps the name it was made for, so an operator can lift it by that name without ever
seeing an address.

Times are wall clock: a ban outlives a restart and is read by other machines.
"""

from __future__ import annotations

from dataclasses import dataclass

from papo.protocol.names import name_key

DEFAULT_BAN_SECONDS = 3600
MAX_BAN_SECONDS = 30 * 86400
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Ban:
    address: str  # the address group kept out (per_address.address_group)
    until: float  # wall clock
    name: str  # the name it was made for: how an operator names it
    # The operator who made it, in whose name the others at the address are put out as it
    # is made (``operators.put_out_at``); not kept where nobody needs it after (--store).
    by: str | None = None


def ban_seconds(word: str) -> int | None:
    """``30m``, ``2h``, ``7d``, ``90s``: a ban's length in seconds (capped at 30 days), or None
    if ``word`` is not one (it is then the start of the reason)."""
    number, unit = word[:-1], word[-1:].lower()
    if unit not in _UNITS or not number.isascii() or not number.isdigit():
        return None
    seconds = int(number) * _UNITS[unit]
    return min(seconds, MAX_BAN_SECONDS) if seconds > 0 else None


class BanList:
    """The bans in force, by address. Expired ones are dropped as they are come across."""

    __slots__ = ("_by_address",)

    def __init__(self) -> None:
        self._by_address: dict[str, Ban] = {}

    def add(self, ban: Ban) -> None:
        """A later ban of the same address replaces the earlier one, whichever ends first:
        the operator's last word counts."""
        self._by_address[ban.address] = ban

    def banned(self, address: str, now: float) -> Ban | None:
        ban = self._by_address.get(address)
        if ban is not None and ban.until <= now:
            del self._by_address[address]
            return None
        return ban

    def lift(self, name: str) -> list[Ban]:
        """Remove the bans made for ``name`` (compared as names are), and return them."""
        key = name_key(name)
        lifted = [ban for ban in self._by_address.values() if name_key(ban.name) == key]
        for ban in lifted:
            del self._by_address[ban.address]
        return lifted

    def lift_address(self, address: str) -> None:
        self._by_address.pop(address, None)

    def in_force(self, now: float) -> list[Ban]:
        """Every ban still in force, those ending first first."""
        for address in [a for a, ban in self._by_address.items() if ban.until <= now]:
            del self._by_address[address]
        return sorted(self._by_address.values(), key=lambda ban: ban.until)
