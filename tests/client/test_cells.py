"""Columns and rows of terminal text: what the screen clears and where the view breaks lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.client.cells import cursor_row, rows_taken, text_width, wrap
from papo.protocol.columns import char_width

EMOJI, KANJI, ACCENT = "\U0001f600", "\u65e5", "\u0301"  # wide, wide, combining


def test_wide_characters_take_two_columns_and_marks_none() -> None:
    assert [char_width(char) for char in ("a", "é", EMOJI, KANJI, ACCENT, "\u200d")] == [
        1, 1, 2, 2, 0, 0
    ]  # fmt: skip
    assert text_width(f"e{ACCENT} {EMOJI}{KANJI}") == 6


def test_a_row_filled_to_its_last_column_does_not_start_another() -> None:
    assert [rows_taken("x" * size, 40) for size in (0, 39, 40, 41, 80, 81)] == [1, 1, 1, 2, 2, 3]
    assert rows_taken("x" * 39 + KANJI, 40) == 2  # it does not fit in the last column
    assert rows_taken(EMOJI * 20, 40) == 1 and rows_taken(EMOJI * 21, 40) == 2


def test_the_cursor_is_on_the_next_row_after_a_full_one_as_readline_puts_it() -> None:
    assert cursor_row("x" * 40, 40, 40) == 1  # GNU readline moves it there, at the end too
    assert cursor_row("x" * 40, 39, 40) == 0
    assert cursor_row("x" * 41, 40, 40) == 1  # before the 41st, drawn on the next row
    assert cursor_row("x" * 41, 41, 40) == 1
    assert cursor_row("x" * 39 + KANJI, 39, 40) == 1  # the wide one is on the next row
    assert cursor_row("x" * 30 + EMOJI * 5, 35, 40) == 1  # 40 columns exactly: the next row
    assert cursor_row("x" * 30 + EMOJI * 5, 34, 40) == 0
    assert cursor_row("x" * 31 + EMOJI * 5, 36, 40) == 1  # the fifth went to the next row


def test_wrap_breaks_at_spaces_and_long_words_between_characters() -> None:
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("a " + "x" * 12, 5) == ["a", "xxxxx", "xxxxx", "xx"]
    assert wrap("  indented text here", 10) == ["  indented", "text here"]
    assert wrap(KANJI * 5, 4) == [KANJI * 2, KANJI * 2, KANJI]
    assert wrap("", 10) == [""]


@given(st.text(alphabet=st.sampled_from(["a", "b", " ", EMOJI, KANJI, "é"]), max_size=80),
       st.integers(min_value=2, max_value=30))  # fmt: skip
def test_every_row_fits_and_no_word_is_lost(text: str, width: int) -> None:
    rows = wrap(text, width)
    assert all(text_width(row) <= width for row in rows)
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")


def test_a_newline_in_the_typed_text_starts_a_row_as_readline_draws_it() -> None:
    """Lines pasted at once wait in readline as one text until Enter (bracketed paste). The
    figures are those of GNU readline drawing them in a terminal 40 columns wide."""
    prompt = "p> "
    assert rows_taken(prompt + "x" * 10 + "\nyy\nzz", 40) == 3
    assert rows_taken(prompt + "x" * 37 + "\nyy\nzz", 40) == 4  # a full row, then an empty one
    assert rows_taken(prompt + "x" * 40 + "\nyy\nzz", 40) == 4  # two rows, the second not full
    assert rows_taken(prompt + "\n\n", 40) == 2  # the empty row at the end is the next line's
    assert rows_taken(prompt + "abc\n", 40) == 1
    typed = prompt + "x" * 37 + "\n" + "y" * 5
    assert cursor_row(typed, len(typed), 40) == 2
    assert cursor_row(typed, len(prompt) + 37, 40) == 1  # after a full row: on the next
    assert cursor_row(typed, len(prompt) + 36, 40) == 0
    assert cursor_row(typed, len(prompt) + 38, 40) == 2  # the newline passed: the row of y


@given(st.lists(st.text(alphabet="ab \t\x01" + KANJI, max_size=90), min_size=1, max_size=4))
def test_the_cursor_at_the_end_is_on_the_last_row_unless_it_is_full(lines: list[str]) -> None:
    text = "\n".join(lines)
    rows, row = rows_taken(text, 40), cursor_row(text, len(text), 40)
    assert row == rows - 1 or row == rows  # on the next row after a full one, or a newline


def test_tabs_and_control_characters_take_the_columns_readline_draws() -> None:
    prompt = "p> "
    assert rows_taken(prompt + "x" * 30 + "\tz", 40) == 2  # the tab fills the row to its end
    assert cursor_row(prompt + "\t" * 5 + "y", 9, 40) == 1
    assert cursor_row(prompt + "x" * 10 + "\tz", 15, 40) == 0
    assert rows_taken(prompt + "x" * 36 + "\x01z", 40) == 2  # ^ on the first row, A on the next
    assert rows_taken(prompt + "x" * 35 + "\x01", 40) == 1
