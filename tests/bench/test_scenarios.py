"""Pure helpers of the benchmark scenarios: how probes are picked, how latencies are summed."""

from __future__ import annotations

from itertools import pairwise

from bench.scenarios import percentiles, spread


def test_spread_picks_distinct_evenly_spaced_indices_over_the_whole_range() -> None:
    picked = spread(120, 500)
    assert len(picked) == len(set(picked)) == 120
    assert picked == sorted(picked)
    assert picked[0] < 5 and picked[-1] > 494  # both ends of the join order are sampled
    gaps = {b - a for a, b in pairwise(picked)}
    assert gaps <= {4, 5}


def test_spread_of_everything_is_everything() -> None:
    assert spread(7, 7) == list(range(7))


def test_percentiles_are_in_milliseconds_and_named_with_the_prefix() -> None:
    samples = [n * 1_000_000 for n in range(1, 101)]  # 1..100 ms
    assert percentiles(samples, prefix="x_") == {
        "x_p50_ms": 51.0,
        "x_p99_ms": 100.0,
        "x_max_ms": 100.0,
    }
    assert percentiles([]) == {"p50_ms": None, "p99_ms": None, "max_ms": None}
