"""Telnet commands out of a line client's bytes, fed whole, byte by byte and split anywhere."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.telnet import CLEAR, MAX_SUBNEGOTIATION, TelnetState, strip_telnet

IP = b"\xff\xf4"
DO_TIMING_MARK = b"\xff\xfd\x06"
WILL_NAWS = b"\xff\xfb\x1f"
NAWS_80_24 = b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"


def strip_in_pieces(data: bytes, size: int) -> tuple[bytes, bool]:
    """Fed ``size`` bytes at a time, as reads would bring them; stops at an interrupt."""
    state, kept = CLEAR, b""
    for start in range(0, len(data), size):
        piece, state, interrupted = strip_telnet(data[start : start + size], state)
        kept += piece
        if interrupted:
            return kept, True
    return kept, False


def test_data_without_telnet_is_the_same_object() -> None:
    data = "olá, ana\r\n".encode()
    kept, state, interrupted = strip_telnet(data, CLEAR)
    assert kept is data and state is CLEAR and not interrupted


def test_negotiations_and_subnegotiations_are_removed_whole_or_byte_by_byte() -> None:
    data = WILL_NAWS + b"hi " + NAWS_80_24 + b"there\r\n" + DO_TIMING_MARK
    for size in range(1, len(data) + 1):
        assert strip_in_pieces(data, size) == (b"hi there\r\n", False)


def test_an_iac_inside_a_subnegotiation_does_not_end_it() -> None:
    escaped = b"\xff\xfa\x18\x00ab\xff\xffcd\xff\xf0"  # IAC IAC inside SB is a data byte there
    for size in (1, 2, len(escaped)):
        assert strip_in_pieces(escaped + b"ok\n", size) == (b"ok\n", False)


def test_iac_iac_stays_a_byte_255_for_the_utf8_check_to_refuse() -> None:
    assert strip_in_pieces(b"a\xff\xffb\n", 1) == (b"a\xffb\n", False)


def test_what_telnet_never_sends_stays_for_the_utf8_check_to_refuse() -> None:
    for broken in (
        b"\xff\n",
        b"\xff\xfe\xfd\n",
        b"caf\xff\xfbxyz\n",
        b"\xff\xfa\xfb\n",
        b"\xffa\n",
    ):
        for size in range(1, len(broken) + 1):
            assert strip_in_pieces(broken, size) == (broken, False), (broken, size)


def test_a_subnegotiation_never_closed_swallows_nothing() -> None:
    stray = b"\xff\xfa\x1f" + b"x" * MAX_SUBNEGOTIATION + b"\nnext line\n"
    assert strip_in_pieces(stray, 7) == (stray, False)
    waiting = strip_telnet(b"ok\xff\xfa\x1f\x00", CLEAR)
    assert waiting == (b"ok", TelnetState(b"\xff\xfa\x1f\x00"), False)  # may yet close


def test_other_two_byte_commands_are_dropped() -> None:
    no_operation, are_you_there, erase_line = b"\xff\xf1", b"\xff\xf6", b"\xff\xf8"
    data = b"x" + no_operation + b"y" + are_you_there + erase_line + b"\n"
    assert strip_in_pieces(data, 1) == (b"xy\n", False)


def test_an_interrupt_ends_the_data_there() -> None:
    data = b"sent\r\nhalf" + IP + DO_TIMING_MARK + b"more\n"
    for size in range(1, len(data) + 1):
        assert strip_in_pieces(data, size) == (b"sent\r\nhalf", True)
    assert strip_telnet(IP, CLEAR) == (b"", CLEAR, True)


@given(st.binary(max_size=64), st.integers(min_value=1, max_value=8))
def test_any_split_strips_the_same(data: bytes, size: int) -> None:
    assert strip_in_pieces(data, size) == strip_in_pieces(data, len(data) or 1)


def test_return_in_character_mode_cr_nul_ends_a_line_however_split() -> None:
    data = WILL_NAWS + b"helo\x7flo\r\x00" + b"next\r\x00"
    for size in range(1, len(data) + 1):
        assert strip_in_pieces(data, size) == (b"helo\x7flo\r\nnext\r\n", False)


def test_a_nul_elsewhere_and_a_cr_alone_stay() -> None:
    data = b"a\x00b\rc\r\r\x00"
    for size in range(1, len(data) + 1):
        assert strip_in_pieces(data, size) == (b"a\x00b\rc\r\r\n", False)


def test_a_read_ending_in_cr_leaves_a_state_and_the_next_plain_read_clears_it() -> None:
    kept, state, _ = strip_telnet(b"hi\r", CLEAR)
    assert kept == b"hi\r" and state.after_cr
    kept, state, _ = strip_telnet(b"\n", state)
    assert kept == b"\n" and state is CLEAR


def test_a_request_to_echo_or_to_stop_is_told_by_the_read_that_brings_it() -> None:
    do_sga_do_echo = b"\xff\xfd\x03\xff\xfd\x01"
    for size in range(1, len(do_sga_do_echo) + 1):
        state, asked = CLEAR, []
        for start in range(0, len(do_sga_do_echo), size):
            kept, state, _ = strip_telnet(do_sga_do_echo[start : start + size], state)
            assert kept == b""
            asked.append(state.echo)
        assert asked.count(True) == 1 and asked[-1]
        assert strip_telnet(b"hi", state) == (b"hi", CLEAR, False)  # told once
    assert strip_telnet(b"\xff\xfb\x01", CLEAR)[1].echo is None  # WILL ECHO: not asked
    back_to_line_mode = b"\xff\xfe\x03\xff\xfb\x22\xff\xfe\x01"  # DONT SGA, .., DONT ECHO
    assert strip_telnet(back_to_line_mode, CLEAR)[1].echo is False


@given(st.text(max_size=40))
def test_utf8_text_is_never_changed(text: str) -> None:
    data = text.encode().replace(b"\r\x00", b"\r\n")  # but for CR NUL, a Return
    assert strip_in_pieces(data, 3) == (data, False)


def widths_told(data: bytes, size: int) -> list[int]:
    """The widths the reads of ``data``, ``size`` bytes each, tell."""
    state, told = CLEAR, []
    for start in range(0, len(data), size):
        _, state, _ = strip_telnet(data[start : start + size], state)
        if state.width is not None:
            told.append(state.width)
    return told


def test_the_window_width_is_told_by_the_read_that_completes_its_subnegotiation() -> None:
    data = b"hi " + NAWS_80_24 + b"there"
    for size in range(1, len(data) + 1):
        assert widths_told(data, size) == [80], size
    resized = b"\xff\xfa\x1f\x01\x2c\x00\x32\xff\xf0"  # 300 x 50, a resize
    assert widths_told(NAWS_80_24 + b"ab" + resized, 64) == [300]  # the last in one read
    assert widths_told(NAWS_80_24 + b"ab" + resized, 11) == [80, 300]
    doubled = b"\xff\xfa\x1f\x00\xff\xff\x00\x18\xff\xf0"  # 255 wide: IAC IAC in the data
    assert strip_telnet(doubled + b"x", CLEAR)[:2] == (b"x", TelnetState(width=255))
    short = b"\xff\xfa\x1f\x00\x50\xff\xf0"  # not width and height: says nothing
    assert strip_telnet(short + b"x", CLEAR)[1] is CLEAR
    _, state, _ = strip_telnet(b"next read", TelnetState(width=80))
    assert state is CLEAR  # told once: the connection keeps it
