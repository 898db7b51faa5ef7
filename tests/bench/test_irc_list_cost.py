"""The cost of IRC's WHO and NAMES is measured over answers that list every user."""

from __future__ import annotations

from bench.irc_list_cost import ASKED, list_seconds


def test_each_list_is_asked_and_answered_with_every_user() -> None:
    spent = list_seconds(users=300, calls=3)  # raises on an answer that misses a user
    assert list(spent) == list(ASKED)
    assert all(0 < seconds < 1 for seconds in spent.values())
