"""The flush pacer: wait only in a large room, and only when the server is behind."""

from __future__ import annotations

from papo.server.pacing import COALESCE_ABOVE, COALESCE_MAX, FlushPacer

BIG = COALESCE_ABOVE
TOOK = 0.003
HALF_BUSY = 0.5  # share of the time on the CPU: far from saturated


def paced(
    every: float,
    flushes: int = 20,
    broadcasts: int = 1,
    written: int = BIG,
    busy: float = HALF_BUSY,
) -> FlushPacer:
    """Flushes ``every`` seconds apart, each carrying ``broadcasts`` and taking TOOK, by a
    process on the CPU for ``busy`` of the time."""
    pacer = FlushPacer()
    for n in range(flushes):
        started = n * every
        pacer.flushed(
            started=started,
            cpu=started * busy,
            took=TOOK,
            broadcasts=broadcasts,
            written=written,
        )
    return pacer


def flush(
    pacer: FlushPacer, started: float, took: float = TOOK, broadcasts: int = 1, written: int = BIG
) -> None:
    """One more flush, by a process with time to spare."""
    pacer.flushed(
        started=started, cpu=started * HALF_BUSY, took=took, broadcasts=broadcasts, written=written
    )


def test_broadcasts_slower_than_a_flush_are_written_at_once() -> None:
    assert paced(every=0.005).wait == 0.0  # 200 a second, 3 ms per flush


def test_broadcasts_faster_than_a_flush_make_the_next_one_wait_as_long_as_it_took() -> None:
    assert paced(every=0.003, broadcasts=4).wait == TOOK


def test_small_rooms_never_wait() -> None:
    assert paced(every=0.001, broadcasts=4, written=BIG - 1).wait == 0.0


def test_the_wait_is_capped() -> None:
    pacer = paced(every=0.001, broadcasts=10)
    flush(pacer, 1.0, took=0.5, broadcasts=10, written=BIG)
    assert pacer.wait == COALESCE_MAX


def test_a_flush_of_private_replies_only_does_not_wait() -> None:
    pacer = paced(every=0.001, broadcasts=10)
    flush(pacer, 1.0, took=TOOK, broadcasts=0, written=BIG)
    assert pacer.wait == 0.0


def test_one_burst_in_a_steady_trickle_does_not_start_the_waits() -> None:
    pacer = paced(every=0.005)  # steady 200/s
    flush(pacer, 0.1004, took=TOOK, broadcasts=2, written=BIG)  # two close together
    assert pacer.wait == 0.0
    # but a lasting rush does
    for n in range(10):
        flush(pacer, 0.2 + n * 0.001, took=TOOK, broadcasts=3, written=BIG)
    assert pacer.wait == TOOK


def test_one_slow_flush_in_a_steady_trickle_does_not_hold_back_the_next_message() -> None:
    pacer = paced(every=0.005)  # steady 200/s, 3 ms per flush
    flush(pacer, 0.1, took=0.008, broadcasts=1, written=BIG)  # the machine was busy
    assert pacer.wait == 0.0
    flush(pacer, 0.108, took=TOOK, broadcasts=1, written=BIG)
    assert pacer.wait == 0.0


def test_two_slow_flushes_in_a_row_do() -> None:
    pacer = paced(every=0.005)
    flush(pacer, 0.1, took=0.008, broadcasts=1, written=BIG)
    flush(pacer, 0.108, took=0.008, broadcasts=2, written=BIG)
    assert pacer.wait == 0.008


def test_private_replies_between_two_slow_flushes_do_not_break_the_run() -> None:
    # Registering: each newcomer's welcome is a flush of its own between the announcements.
    pacer = paced(every=0.001, broadcasts=3)
    flush(pacer, 0.1, took=0.0002, broadcasts=0, written=1)
    flush(pacer, 0.1003, took=TOOK, broadcasts=3, written=BIG)
    assert pacer.wait == TOOK


def test_a_closed_loop_with_no_spare_time_waits_the_longest() -> None:
    # Newcomers wait for their welcome before the next arrives: one announcement per flush,
    # never "behind", but the process is on the CPU all the time. Their welcomes do not wait
    # (only broadcasts are paced), so the announcements can wait long and carry many.
    pacer = paced(every=0.004, flushes=60, busy=1.0)
    assert pacer.wait == COALESCE_MAX


def test_a_steady_load_with_spare_time_does_not_wait() -> None:
    assert paced(every=0.004, flushes=60, busy=0.8).wait == 0.0
