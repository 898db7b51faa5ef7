"""The token bucket, with a clock we move by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.core.flood import TokenBucket


def test_burst_then_rate() -> None:
    bucket = TokenBucket(rate=5, burst=10, now=0.0)
    assert all(bucket.take(0.0) for _ in range(10))
    assert not bucket.take(0.0)
    assert abs(bucket.wait_time(0.0) - 0.2) < 1e-9
    assert bucket.take(0.2)
    assert not bucket.take(0.2)


def test_tokens_never_exceed_burst() -> None:
    bucket = TokenBucket(rate=5, burst=3, now=0.0)
    assert [bucket.take(1000.0) for _ in range(4)] == [True, True, True, False]


def test_rate_zero_is_unlimited() -> None:
    bucket = TokenBucket(rate=0, burst=1, now=0.0)
    assert all(bucket.take(0.0) for _ in range(10_000))
    assert bucket.wait_time(0.0) == 0.0


@given(st.lists(st.floats(min_value=0, max_value=10), max_size=200))
def test_never_more_lines_than_burst_plus_rate_times_elapsed(gaps: list[float]) -> None:
    bucket = TokenBucket(rate=5, burst=10, now=0.0)
    now, taken = 0.0, 0
    for gap in gaps:
        now += gap
        taken += bucket.take(now)
    assert taken <= 10 + 5 * now + 1e-6
