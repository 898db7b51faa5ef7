"""A line typed key by key, edited as a terminal would have."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.line_editing import edited


def test_a_line_with_nothing_to_edit_is_the_same_object() -> None:
    line = "olá, ana"
    assert edited(line) is line


def test_backspace_and_del_take_back_the_character_before() -> None:
    assert edited("helo\x7flo") == "hello"
    assert edited("helo\x08lo") == "hello"
    assert edited("ab\x7f\x7f\x7f\x7fc") == "c"  # nothing before: nothing to take


def test_a_letter_and_its_accents_go_together() -> None:
    assert edited("cafe\u0301\x7f") == "caf"  # e + combining acute: one character on screen
    assert edited("café\x7f") == "caf"  # é as one code point
    assert edited("👍\x7fok") == "ok"


def test_ctrl_w_takes_back_the_word_before_and_the_spaces_after_it() -> None:
    assert edited("hello there  \x17all") == "hello all"
    assert edited("one\x17\x17two") == "two"


def test_ctrl_u_takes_back_the_line_so_far() -> None:
    assert edited("not this\x15but this") == "but this"
    assert edited("all of it\x15") == ""


@given(st.text(alphabet=st.characters(blacklist_characters="\x08\x7f\x15\x17"), max_size=30))
def test_text_then_as_many_erasures_leaves_nothing(text: str) -> None:
    assert edited(text + "\x7f" * len(text)) == ""
    assert edited("kept " + text + "\x15kept") == "kept"
