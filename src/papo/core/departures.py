"""Where the last members to leave came from, for a while: a ban that comes too late.

A flooder who says their piece and leaves is gone before an operator has typed ``/ban NAME``,
and the address a ban keeps out was known only to the server that held them, which forgets it
with them. The hub remembers, for each name, the address its last holder left from, for
``DEPARTURE_SECONDS`` and for the last ``DEPARTURES_KEPT`` names at most: long enough for an
operator to react, not a record of who came from where. Addresses are address groups (an
IPv6 address by its /64), as bans keep them; they are never shown to anybody.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from papo.protocol.names import name_key

DEPARTURE_SECONDS = 3600
DEPARTURES_KEPT = 1000


@dataclass(frozen=True, slots=True)
class Departure:
    name: str  # as its holder spelt it
    address: str  # the address group it was connected from
    when: float  # wall clock


class RecentDepartures:
    """The address each name last left from, the oldest forgotten first (as one more comes:
    no timer)."""

    __slots__ = ("_by_key", "_kept", "_seconds")

    def __init__(self, kept: int = DEPARTURES_KEPT, seconds: float = DEPARTURE_SECONDS) -> None:
        self._by_key: OrderedDict[str, Departure] = OrderedDict()
        self._kept = kept
        self._seconds = seconds

    def note(self, name: str, address: str, when: float) -> None:
        """``name``'s holder left, connected from ``address``; a later departure of the same
        name (as names compare) replaces it."""
        key = name_key(name)
        self._by_key.pop(key, None)
        self._by_key[key] = Departure(name, address, when)
        by_key = self._by_key
        while len(by_key) > self._kept or not self._recent(next(iter(by_key.values())), when):
            by_key.popitem(last=False)  # the newest, just noted, is always recent

    def last(self, name: str, now: float) -> Departure | None:
        """How ``name`` last left, if it was less than ``DEPARTURE_SECONDS`` ago."""
        departure = self._by_key.get(name_key(name))
        return departure if departure is not None and self._recent(departure, now) else None

    def kept(self) -> list[Departure]:
        """Every departure remembered, the oldest first (what a store writes at a stop)."""
        return list(self._by_key.values())

    def _recent(self, departure: Departure, now: float) -> bool:
        return now - departure.when < self._seconds
