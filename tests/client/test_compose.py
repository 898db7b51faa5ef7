"""Cutting a message that is too long into messages that fit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.client.compose import fit, is_message


def unescaped(line: str) -> str:
    return line[1:] if line.startswith("//") else line


def test_a_line_that_fits_is_left_alone() -> None:
    assert fit("hello", 5) == ["hello"]
    assert fit("//x", 3) == ["//x"]


def test_cut_at_the_last_space_that_fits_which_is_not_sent() -> None:
    assert fit("hello world this is long", 10) == ["hello", "world", "this is", "long"]
    assert fit("abc defghij klm", 8) == ["abc", "defghij", "klm"]


def test_a_word_longer_than_a_piece_is_cut_between_characters() -> None:
    assert fit("a" * 25, 10) == ["a" * 9, "a" * 9, "a" * 7]
    assert fit("é" * 7, 10) == ["éééé", "ééé"]  # 2 bytes each: never half a character


def test_a_limit_smaller_than_a_character_still_ends() -> None:
    assert fit("\U0001f600\U0001f600", 2) == ["\U0001f600", "\U0001f600"]  # refused, not a hang


def test_pieces_that_start_with_a_slash_stay_messages() -> None:
    assert fit("//slash text here yes", 10) == ["//slash", "text here", "yes"]
    assert fit("see /etc/passwd and /usr", 10) == ["see", "//etc/pass", "wd and", "//usr"]
    assert fit("ab   /cd", 4) == ["ab ", "//cd"]  # the server strips " /cd" into a command
    assert not is_message("  /me waves")  # leading spaces: a command, as the server reads it


def test_which_lines_are_messages() -> None:
    assert is_message("hi") and is_message("//me too") and is_message("")
    assert not is_message("/me waves") and not is_message("/bogus")


@given(
    st.text(alphabet=st.sampled_from("ab é/\U0001f600"), min_size=1, max_size=120),
    st.integers(min_value=6, max_value=40),
)
def test_every_piece_fits_is_a_message_and_nothing_but_spaces_is_lost(
    text: str, limit: int
) -> None:
    line = text if is_message(text) else "/" + text.lstrip()  # a message as typed
    pieces = fit(line, limit)
    assert all(len(piece.encode()) <= limit and is_message(piece) for piece in pieces)
    kept = "".join(unescaped(piece) for piece in pieces).replace(" ", "")
    assert kept == unescaped(line).replace(" ", "")
