"""The flush pacer: wait only in a large room, and only when another broadcast is due."""

from __future__ import annotations

from papo.server.pacing import COALESCE_ABOVE, COALESCE_MAX, FlushPacer

BIG = COALESCE_ABOVE
TOOK = 0.003


def paced(every: float, flushes: int = 20, broadcasts: int = 1, written: int = BIG) -> FlushPacer:
    """Flushes ``every`` seconds apart, each carrying ``broadcasts`` and taking TOOK."""
    pacer = FlushPacer()
    for n in range(flushes):
        pacer.flushed(started=n * every, took=TOOK, broadcasts=broadcasts, written=written)
    return pacer


def test_broadcasts_slower_than_a_flush_are_written_at_once() -> None:
    assert paced(every=0.005).wait == 0.0  # 200 a second, 3 ms per flush


def test_broadcasts_faster_than_a_flush_make_the_next_one_wait_as_long_as_it_took() -> None:
    assert paced(every=0.003, broadcasts=4).wait == TOOK


def test_small_rooms_never_wait() -> None:
    assert paced(every=0.001, broadcasts=4, written=BIG - 1).wait == 0.0


def test_the_wait_is_capped() -> None:
    pacer = paced(every=0.001, broadcasts=10)
    pacer.flushed(started=1.0, took=0.5, broadcasts=10, written=BIG)
    assert pacer.wait == COALESCE_MAX


def test_a_flush_of_private_replies_only_does_not_wait() -> None:
    pacer = paced(every=0.001, broadcasts=10)
    pacer.flushed(started=1.0, took=TOOK, broadcasts=0, written=BIG)
    assert pacer.wait == 0.0


def test_one_burst_in_a_steady_trickle_does_not_start_the_waits() -> None:
    pacer = paced(every=0.005)  # steady 200/s
    pacer.flushed(started=0.1004, took=TOOK, broadcasts=2, written=BIG)  # two close together
    assert pacer.wait == 0.0
    # but a lasting rush does
    for n in range(10):
        pacer.flushed(started=0.2 + n * 0.001, took=TOOK, broadcasts=3, written=BIG)
    assert pacer.wait == TOOK


def test_one_slow_flush_in_a_steady_trickle_does_not_hold_back_the_next_message() -> None:
    pacer = paced(every=0.005)  # steady 200/s, 3 ms per flush
    pacer.flushed(started=0.1, took=0.008, broadcasts=1, written=BIG)  # the machine was busy
    assert pacer.wait == 0.0
    pacer.flushed(started=0.108, took=TOOK, broadcasts=1, written=BIG)
    assert pacer.wait == 0.0


def test_two_slow_flushes_in_a_row_do() -> None:
    pacer = paced(every=0.005)
    pacer.flushed(started=0.1, took=0.008, broadcasts=1, written=BIG)
    pacer.flushed(started=0.108, took=0.008, broadcasts=2, written=BIG)
    assert pacer.wait == 0.008


def test_private_replies_between_two_slow_flushes_do_not_break_the_run() -> None:
    # Registering: each newcomer's welcome is a flush of its own between the announcements.
    pacer = paced(every=0.001, broadcasts=3)
    pacer.flushed(started=0.1, took=0.0002, broadcasts=0, written=1)
    pacer.flushed(started=0.1003, took=TOOK, broadcasts=3, written=BIG)
    assert pacer.wait == TOOK
