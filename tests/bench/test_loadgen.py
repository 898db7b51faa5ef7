"""The load generator's counting receivers: every delivery counted once, however it is cut."""

from __future__ import annotations

from bench.loadgen import Tally


def count_in_two_reads(stream: bytes, cut: int) -> int:
    tally = Tally()
    before = b""
    for part in (stream[:cut], stream[cut:]):
        if part:
            buffer = bytearray(part + b"\0" * 8)  # a buffer longer than what was read
            tally.count_in(buffer, len(part), before)
            before = part[-1:]
    return tally.deliveries


def test_each_mark_counts_once_wherever_two_reads_cut_the_stream() -> None:
    stream = b"".join(b'{"type":"message","text":"B 1700 %d %d"}\n' % (i % 3, i) for i in range(5))
    assert all(count_in_two_reads(stream, cut) == 5 for cut in range(len(stream) + 1))


def test_what_lies_past_the_bytes_read_is_not_counted() -> None:
    tally = Tally()
    buffer = bytearray(b"B 1 0 0\nB 2 0 1\n")
    tally.count_in(buffer, 8, b"")
    assert tally.deliveries == 1
