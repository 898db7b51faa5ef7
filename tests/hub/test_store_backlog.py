"""What the store's writer keeps while its file refuses writes: pure, no file needed."""

from __future__ import annotations

import pytest

from papo.hub import store_backlog
from papo.hub.store_backlog import RETRY_SECONDS, STILL_FAILING_EVERY, Backlog, Failing


def test_who_is_online_keeps_only_the_latest_change_of_each_member() -> None:
    backlog = Backlog()
    backlog.add_members({1: "ana in #lobby", 2: "bob"}, gone=())
    backlog.add_members({1: "ana in #dev"}, gone=(2,))
    backlog.add_members({2: "bob again"}, gone=(3,))
    assert backlog.members == {1: "ana in #dev", 2: "bob again", 3: None}
    assert not backlog.empty()


def test_events_wait_in_order_and_past_the_bound_the_oldest_are_given_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_backlog, "MAX_WAITING", 3)
    backlog = Backlog()
    assert backlog.empty()
    for event_id in range(1, 6):
        backlog.add_row((event_id, "{}", "{}", None))
    assert [row[0] for row in backlog.rows] == [3, 4, 5]
    assert backlog.given_up == 2
    assert [row[0] for row in backlog.first(2)] == [3, 4]
    backlog.written(2)
    assert [row[0] for row in backlog.rows] == [5]


def test_tries_come_further_apart_then_steady() -> None:
    failing = Failing(since=0.0)
    pauses = [failing.next_try_in() for _ in range(len(RETRY_SECONDS) + 2)]
    assert pauses == [*RETRY_SECONDS, RETRY_SECONDS[-1], RETRY_SECONDS[-1]]  # the first: 1 s
    assert pauses == sorted(pauses)


def test_the_log_is_reminded_once_a_minute_not_at_every_try() -> None:
    failing = Failing(since=100.0, said_at=100.0)
    assert not failing.remind(101.0)
    assert not failing.remind(100.0 + STILL_FAILING_EVERY - 1)
    assert failing.remind(100.0 + STILL_FAILING_EVERY)
    assert not failing.remind(100.0 + STILL_FAILING_EVERY + 1)
