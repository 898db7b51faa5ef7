"""Where the last members to leave came from: remembered a while, for a ban that comes late."""

from __future__ import annotations

from papo.core.departures import DEPARTURE_SECONDS, Departure, RecentDepartures
from tests.core.world import NOW


def test_a_name_is_found_as_names_compare_until_its_time_is_over() -> None:
    departures = RecentDepartures()
    departures.note("Bob", "192.0.2.7", NOW)
    assert departures.last("BOB", NOW + 10) == Departure("Bob", "192.0.2.7", NOW)
    assert departures.last("bob", NOW + DEPARTURE_SECONDS - 1) is not None
    assert departures.last("bob", NOW + DEPARTURE_SECONDS) is None
    assert departures.last("carol", NOW) is None


def test_the_last_departure_of_a_name_counts() -> None:
    departures = RecentDepartures()
    departures.note("bob", "192.0.2.7", NOW)
    departures.note("Bob", "2001:db8::/64", NOW + 5)
    assert departures.last("bob", NOW + 5) == Departure("Bob", "2001:db8::/64", NOW + 5)


def test_only_the_last_names_are_kept_the_oldest_forgotten_first() -> None:
    departures = RecentDepartures(kept=2)
    for n, name in enumerate(("ana", "bob", "ana", "carol")):
        departures.note(name, f"192.0.2.{n}", NOW + n)
    assert departures.last("bob", NOW + 4) is None  # ana left again after bob: bob is oldest
    assert departures.last("ana", NOW + 4) == Departure("ana", "192.0.2.2", NOW + 2)
    assert departures.last("carol", NOW + 4) is not None


def test_one_departure_forgets_those_whose_time_is_over() -> None:
    departures = RecentDepartures(seconds=60)
    departures.note("ana", "192.0.2.1", NOW)
    departures.note("bob", "192.0.2.2", NOW + 30)
    departures.note("carol", "192.0.2.3", NOW + 61)
    assert departures.last("ana", NOW) is None  # asked as of then: forgotten all the same
    assert departures.last("bob", NOW + 61) is not None
