"""The cost of /history is measured over answers that have the count each room has."""

from __future__ import annotations

from bench.history_cost import CASES, history_seconds


def test_each_room_is_asked_and_answered_with_what_the_log_has() -> None:
    spent = history_seconds(log_size=500, calls=3)  # raises on a wrong count
    assert list(spent) == [room for room, _, _ in CASES]
    assert all(0 < seconds < 1 for seconds in spent.values())
