"""LineBuffer: fed whole, byte by byte, and split at random places, it must say the same."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.framing import FrameEvent, FramingError, Line, LineBuffer, Refused

TOO_LONG = Refused(error=FramingError.LINE_TOO_LONG)
BAD_UTF8 = Refused(error=FramingError.BAD_ENCODING)


def feed_in_pieces(data: bytes, cuts: list[int], max_line_bytes: int = 16) -> list[FrameEvent]:
    buffer = LineBuffer(max_line_bytes)
    events: list[FrameEvent] = []
    previous = 0
    for cut in [*sorted({min(c, len(data)) for c in cuts}), len(data)]:
        events += buffer.feed(data[previous:cut])
        previous = cut
    return events


def test_lines_split_on_lf_and_crlf() -> None:
    assert LineBuffer().feed(b"hello\nworld\r\npartial") == [
        Line(text="hello"),
        Line(text="world"),
    ]


def test_lone_cr_inside_a_line_is_kept_for_the_sanitiser() -> None:
    assert LineBuffer().feed(b"a\rb\n") == [Line(text="a\rb")]


def test_line_at_the_cap_is_accepted_one_byte_more_is_refused() -> None:
    buffer = LineBuffer(8)
    assert buffer.feed(b"12345678\r\n123456789\nok\n") == [
        Line(text="12345678"),
        TOO_LONG,
        Line(text="ok"),
    ]


def test_oversized_line_is_refused_early_and_memory_stays_bounded() -> None:
    buffer = LineBuffer(8)
    assert buffer.feed(b"x" * 10) == [TOO_LONG]
    for _ in range(1000):
        assert buffer.feed(b"y" * 100) == []
        assert buffer.pending_bytes == 0
    assert buffer.feed(b"tail\nnext\n") == [Line(text="next")]


def test_broken_utf8_is_refused_and_the_stream_goes_on() -> None:
    assert LineBuffer().feed(b"\xff\xfe\nol\xc3\xa1\n") == [BAD_UTF8, Line(text="olá")]


def test_multibyte_character_split_across_feeds() -> None:
    buffer = LineBuffer()
    assert buffer.feed(b"ol\xc3") == []
    assert buffer.feed(b"\xa1\n") == [Line(text="olá")]


@given(
    data=st.lists(
        st.sampled_from([b"a", b"\n", b"\r", b"\xc3\xa1", b"\xff", b"0123456789"]), max_size=60
    ).map(b"".join),
    cuts=st.lists(st.integers(min_value=0, max_value=700), max_size=20),
)
def test_any_split_gives_the_same_events(data: bytes, cuts: list[int]) -> None:
    whole = LineBuffer(16).feed(data)
    assert feed_in_pieces(data, cuts) == whole
    assert feed_in_pieces(data, list(range(len(data)))) == whole


@given(st.binary(max_size=300))
def test_accepted_lines_never_hold_lf_and_respect_the_cap(data: bytes) -> None:
    for event in LineBuffer(16).feed(data):
        if isinstance(event, Line):
            assert "\n" not in event.text
            assert len(event.text.encode()) <= 16


def test_long_lines_piled_up_past_the_compaction_come_out_whole() -> None:
    # More than 64 KiB waiting: the buffer drops its spent bytes now and then, and a line
    # taken at that moment once came out as the end of the buffer instead (two lines mixed).
    lines = [f"{number} " + "x" * 1500 for number in range(200)]
    buffer = LineBuffer(2048)
    buffer.receive("".join(line + "\n" for line in lines).encode())
    taken = []
    while (event := buffer.next_event()) is not None:
        taken.append(event)
    assert taken == [Line(text=line) for line in lines]


@given(
    lengths=st.lists(st.integers(min_value=1000, max_value=3000), min_size=70, max_size=150),
    cuts=st.lists(st.integers(min_value=0, max_value=300_000), max_size=10),
)
def test_big_streams_split_anywhere_give_each_line_as_sent(
    lengths: list[int], cuts: list[int]
) -> None:
    lines = [f"{number:03}".encode() + b"y" * length for number, length in enumerate(lengths)]
    expected = [Line(text=line.decode()) if len(line) <= 2048 else TOO_LONG for line in lines]
    assert feed_in_pieces(b"".join(line + b"\n" for line in lines), cuts, 2048) == expected


def test_finish_returns_the_unterminated_last_line() -> None:
    buffer = LineBuffer(8)
    assert buffer.feed(b"one\ntwo") == [Line(text="one")]
    assert buffer.finish() == [Line(text="two")]
    assert buffer.finish() == []


def test_finish_after_an_oversized_tail_returns_nothing_more() -> None:
    buffer = LineBuffer(4)
    assert buffer.feed(b"123456789") == [TOO_LONG]
    assert buffer.finish() == []


def test_lines_are_taken_one_at_a_time_and_wait_as_bytes() -> None:
    buffer = LineBuffer(8)
    buffer.receive(b"\n" * 100_000 + b"last\n")
    assert buffer.pending_bytes == 100_005
    assert buffer.next_event() == Line(text="")
    assert buffer.pending_bytes == 100_004
    for _ in range(99_999):
        assert buffer.next_event() == Line(text="")
    assert buffer.next_event() == Line(text="last")
    assert buffer.next_event() is None
    assert buffer.pending_bytes == 0


def test_end_of_input_gives_the_held_lines_then_the_unterminated_one() -> None:
    buffer = LineBuffer(8)
    buffer.receive(b"one\ntwo\r\nthree\r")
    assert buffer.next_event() == Line(text="one")
    buffer.end_of_input()
    assert [buffer.next_event(), buffer.next_event(), buffer.next_event()] == [
        Line(text="two"),
        Line(text="three"),
        None,
    ]


def test_end_of_input_in_an_oversized_line_gives_nothing_more() -> None:
    buffer = LineBuffer(4)
    assert buffer.feed(b"123456789") == [TOO_LONG]
    assert buffer.finish() == []


def test_dropping_the_unterminated_line_keeps_the_complete_ones() -> None:
    buffer = LineBuffer(max_line_bytes=16)
    buffer.receive(b"one\ntwo\nhal")
    buffer.drop_unterminated()
    assert buffer.feed(b"/quit\n") == [Line(text="one"), Line(text="two"), Line(text="/quit")]
    alone = LineBuffer(max_line_bytes=16)
    alone.receive(b"half a line")
    alone.drop_unterminated()
    assert alone.pending_bytes == 0 and alone.feed(b"next\n") == [Line(text="next")]


def test_dropping_a_line_already_too_long_ends_its_discarding() -> None:
    buffer = LineBuffer(max_line_bytes=8)
    assert buffer.feed(b"a line far too long") == [Refused(error=FramingError.LINE_TOO_LONG)]
    buffer.drop_unterminated()
    assert buffer.feed(b"/quit\n") == [Line(text="/quit")]  # not the tail of the long line
