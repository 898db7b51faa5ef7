"""A line typed key by key, edited as a terminal would have."""

from __future__ import annotations

from unicodedata import normalize

import pyte
from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.columns import char_width
from papo.protocol.line_editing import CLEAR_ROW, ECHOED_AT_MOST, KeyEcho, edited


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


def echoed(*reads: bytes) -> bytes:
    echo = KeyEcho()
    return b"".join(echo.typed(read)[0] for read in reads)


def test_keys_are_echoed_and_an_erased_character_rubbed_out_by_its_columns() -> None:
    assert echoed(b"helo\x7flo\r\n") == b"helo\b \blo\r\n"
    assert echoed("日本\x7f".encode()) == "日本\b\b  \b\b".encode()
    assert echoed("cafe\u0301\x7f".encode()) == "cafe\u0301\b \b".encode()  # the mark: none
    assert echoed(b"\x7f\x7fa") == b"a"  # nothing to rub out: nothing shown


def test_a_word_and_the_line_are_rubbed_out_whole() -> None:
    assert echoed(b"ab cd \x17") == b"ab cd " + b"\b" * 3 + b" " * 3 + b"\b" * 3
    assert echoed(b"abc\x15x") == b"abc\b\b\b   \b\b\bx"


def test_a_character_split_across_reads_is_echoed_once_whole() -> None:
    data = "olá".encode()
    assert echoed(data[:3], data[3:]) == data


def test_control_characters_show_nothing_and_take_no_columns_back() -> None:
    assert echoed(b"a\tb\x7f\x7f\x7f") == b"ab\b \b\b \b"  # the tab: nothing to rub out


def test_a_new_line_starts_from_nothing() -> None:
    assert echoed(b"one\r\n\x7ftwo") == b"one\r\ntwo"


def test_keys_past_what_a_line_may_hold_are_not_kept_nor_echoed() -> None:
    echo = KeyEcho()
    assert echo.typed(b"x" * (ECHOED_AT_MOST + 10)) == (b"x" * ECHOED_AT_MOST, None)
    assert echo.typed(b"\x7f") == (b"\b \b", None)  # what was shown can still be rubbed out


def drawn(echo: str) -> str:
    """What a terminal shows of ``echo`` on one row: a backspace moves the cursor left, a wide
    character takes two cells, a combining mark joins the cell before."""
    cells: list[str] = []
    at = 0
    for char in echo:
        if char == "\b":
            at -= 1
            continue
        width = char_width(char)
        if width == 0:
            cells[at - 1] += char
            continue
        for part in (char, "")[:width]:
            if at < len(cells):
                cells[at] = part
            else:
                cells.append(part)
            at += 1
    return "".join(cells).rstrip(" ")


KEYS = ["a", "b", " ", "e\u0301", "日", "\t", "\x7f", "\x08", "\x17", "\x15"]


@given(st.lists(st.sampled_from(KEYS), max_size=30))
def test_the_echo_draws_what_the_chat_gets(keys: list[str]) -> None:
    typed = "".join(keys)
    shown = "".join(char for char in edited(typed) if char.isprintable())
    assert drawn(echoed(typed.encode()).decode()) == shown.rstrip(" ")


def test_the_chats_output_ends_lines_in_cr_lf_and_goes_above_the_line_being_typed() -> None:
    echo = KeyEcho()
    assert echo.around(b"<ana> hi\n") == b"<ana> hi\r\n"  # nothing typed: nothing to move
    echo.typed("olá\tx".encode())
    assert echo.around(b"<ana> hi\n") == CLEAR_ROW + "<ana> hi\r\nolá".encode() + b"x"
    echo.typed(b"\r\n")
    assert echo.around(b"<ana> bye\n") == b"<ana> bye\r\n"


def test_ctrl_c_ends_the_input_there_wherever_it_comes() -> None:
    assert KeyEcho().typed(b"said\r\nhalf\x03more") == (b"said\r\nhalf", 10)
    assert KeyEcho().typed(b"\x03") == (b"", 0)


def test_ctrl_d_on_an_empty_line_ends_the_input_there_and_elsewhere_is_a_key() -> None:
    assert KeyEcho().typed(b"\x04more") == (b"", 0)
    assert KeyEcho().typed(b"said\r\n\x04more") == (b"said\r\n", 6)
    assert KeyEcho().typed(b"ab\x7f\x7f\x04") == (b"ab\b \b\b \b", 4)  # erased: empty
    echo = KeyEcho()
    assert echo.typed(b"half\x04 more") == (b"half more", None)  # not empty: nothing ends
    assert echo.typed(b"\r\n") == (b"\r\n", None)
    assert echo.typed(b"\x04") == (b"", 0)  # a new line, empty


# No combining mark: pyte wraps a row on one that comes after its last column, where terminals
# put it on the last character (the one-row model above has them).
NARROW_KEYS = ["a", "b", " ", "\t", "\x7f", "\x08", "\x17", "\x15", "\x04"]


def cells_of(text: str) -> list[str]:
    """``text`` as a terminal's cells: a combining mark joins the cell before."""
    cells: list[str] = []
    for char in text:
        if cells and char_width(char) == 0:
            cells[-1] += char
        else:
            cells.append(char)
    return cells


def wrapped(line: str, width: int) -> list[str]:
    """The rows a line typed on a terminal ``width`` wide takes: at least one."""
    cells = cells_of("".join(char for char in edited(line) if char.isprintable()))
    rows = ["".join(cells[at : at + width]) for at in range(0, len(cells), width)]
    return rows or [""]


@given(
    keys=st.lists(st.sampled_from([*NARROW_KEYS, "<chat>", "\r\n"]), max_size=60),
    width=st.integers(3, 9),
)
def test_with_the_width_known_a_wrapped_line_stays_whole_below_the_chat(
    keys: list[str], width: int
) -> None:
    """On a real terminal's model (pyte) as narrow as 3 columns: the chat's lines, each in
    its rows, then the line being typed however it wrapped, corrections included, and
    nothing left of what was rubbed out or cleared; no backspace is ever sent from a full
    row's end (where terminals disagree on where it goes)."""
    screen = pyte.Screen(width, 200)
    stream = pyte.ByteStream(screen)
    echo = KeyEcho()
    echo.resized(width)
    above: list[str] = []  # the chat's lines and the lines sent, in the order they came
    typing = ""
    for key in keys:
        if key == "<chat>":
            above.append(f"m{len(above)}")
            shown = echo.around(f"{above[-1]}\n".encode())
        else:
            shown, _ = echo.typed(key.encode())
            if key == "\r\n":
                above += wrapped(typing, width)
                typing = ""
            else:
                typing += key
        for byte in shown:
            assert byte != 8 or screen.cursor.x < width, (keys, shown)
            stream.feed(bytes((byte,)))
    display = [row.rstrip() for row in screen.display]
    rows = wrapped(typing, width) if typing and edited(typing) else []
    expected = [*above, *rows]
    assert display[: len(expected)] == [normalize("NFC", row).rstrip() for row in expected]
    assert not any(display[len(expected) :]), display[: len(expected) + 2]


def test_a_wide_character_that_does_not_fit_a_row_goes_to_the_next_and_back() -> None:
    """As xterm and its kin wrap it: a wide character in a row's last column goes to the
    next row, and taking it back draws the line again rather than backspacing into the row
    above (which a terminal does not do)."""
    echo = KeyEcho()
    echo.resized(5)
    assert echo.typed("abcd日".encode())[0] == "abcd日".encode()
    assert echo.typed(b"\x7f")[0] == b"\r\x1b[1A\x1b[Jabcd"
    assert echo.typed(b"e")[0] == b"e"  # the row is full: the next key wraps by itself
    assert echo.typed(b"\x7f")[0] == b"\r\x1b[J" + b"abcd"  # from a full row's end: drawn
    assert echo.around(b"<ana> hi\n") == b"\r\x1b[J<ana> hi\r\nabcd"
    echo.typed(b"xyz")
    assert echo.around(b"<ana> hi\n") == b"\r\x1b[1A\x1b[J<ana> hi\r\nabcdxyz"


def test_a_width_told_while_typing_holds_from_the_next_line() -> None:
    """Working the half-typed line out again at every resize told would cost the server
    a line's worth of work for each 9 bytes a client sends: the new width waits for the line
    to end (or be erased)."""
    echo = KeyEcho()
    echo.resized(5)
    echo.typed(b"abcdefg")  # two rows of 5
    echo.resized(3)
    assert echo.around(b"x\n").startswith(b"\r\x1b[1A\x1b[J")  # still 5 wide: row 2 of 2
    echo.typed(b"\r\nabcdefg")  # now 3 wide: three rows
    assert echo.around(b"x\n").startswith(b"\r\x1b[2A\x1b[J")
    echo.resized(80)
    echo.typed(b"\x15abcdefg")  # erased to nothing: 80 wide from there
    assert echo.around(b"x\n").startswith(b"\r\x1b[J")


def test_a_ctrl_d_typed_mid_line_is_a_key_of_the_line_for_where_the_wrap_falls() -> None:
    """Kept in the line (and taken back by a Backspace) as any key, it must have its place
    among the characters the echo follows, or each one after it is put a column off."""
    screen = pyte.Screen(3, 10)
    stream = pyte.ByteStream(screen)
    echo = KeyEcho()
    echo.resized(3)
    for key in ("a", "b", "\x04", "\x7f", "c", "d", "\x7f", "\x7f"):
        stream.feed(echo.typed(key.encode())[0])
    assert [row.rstrip() for row in screen.display[:2]] == ["ab", ""]
