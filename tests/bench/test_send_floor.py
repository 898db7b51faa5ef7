"""The send() floor: every line sent is read back before a cost is given."""

from __future__ import annotations

from bench.send_floor import cpu_per_send


def test_the_cost_of_a_send_is_measured_over_lines_that_all_arrived() -> None:
    each = cpu_per_send(clients=20, rounds=25)  # raises if a byte is missing
    assert 0 < each < 0.01  # seconds: anything above is no loopback send()
