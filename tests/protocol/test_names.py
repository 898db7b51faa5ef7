"""Name rules and text sanitising."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.names import (
    NameProblem,
    check_name,
    clean_message,
    name_key,
    name_skeleton,
    sanitize_text,
)


@pytest.mark.parametrize(
    "name",
    [
        "alice",
        "Bob_2",
        "joão",
        "a.b-c",
        "Дмитрий",
        "山田",
        "やまだ太郎",
        "김철수",
        "x" * 20,
        "Nguyễn",
        "a\u0301\u0302",
        "ที่",
        "क्षि",
    ],
)
def test_valid_names(name: str) -> None:
    assert check_name(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", NameProblem.EMPTY),
        ("x" * 21, NameProblem.TOO_LONG),
        ("_alice", NameProblem.BAD_START),
        (".alice", NameProblem.BAD_START),
        ("al ice", NameProblem.BAD_CHARACTER),
        ("\x1b[31mred", NameProblem.BAD_START),
        ("red\x1b[0m", NameProblem.BAD_CHARACTER),
        ("ali\u200bce", NameProblem.INVISIBLE),
        ("ali\u202ece", NameProblem.INVISIBLE),
        # A name plus an invisible mark would be a perfect twin of the name.
        ("ana\u034f", NameProblem.INVISIBLE),
        ("bob\ufe0f", NameProblem.INVISIBLE),
        ("carol\U000e0100", NameProblem.INVISIBLE),
        ("server\u034f", NameProblem.INVISIBLE),
        ("admin\ufe0f", NameProblem.INVISIBLE),
        ("\u3164", NameProblem.INVISIBLE),  # Hangul filler: a blank name
        ("\uffa0\uffa0", NameProblem.INVISIBLE),
        ("a" + "\u0336" * 19, NameProblem.MARKS),
        ("a\u0336", NameProblem.MARKS),  # struck through
        ("x\u0301\u0300\u0302", NameProblem.MARKS),
        ("r00t", NameProblem.RESERVED),  # looks like root
        ("РАРО", NameProblem.RESERVED),  # Cyrillic look-alike of "PAPO"
        ("\u0430lice", NameProblem.MIXED_SCRIPTS),
        ("ΑLICE", NameProblem.MIXED_SCRIPTS),
        ("Server", NameProblem.RESERVED),
        ("ＲＯＯＴ", NameProblem.RESERVED),
        ("/quit", NameProblem.BAD_START),
    ],
)
def test_invalid_names(name: str, problem: NameProblem) -> None:
    assert check_name(name) is problem


def test_names_compare_after_nfkc_and_casefold() -> None:
    assert name_key("Alice") == name_key("alice") == name_key("ａｌｉｃｅ")
    assert name_key("Straße") == name_key("STRASSE")


@pytest.mark.parametrize(
    ("real", "look_alike"),
    [("joe", "јое"), ("ana", "ΑΝΑ"), ("greg", "ɡreg"), ("alan", "ɑlɑn"), ("Al", "AI"), ("m", "rn")],
)
def test_look_alikes_share_a_skeleton(real: str, look_alike: str) -> None:
    assert check_name(look_alike) is None  # each is a valid name on its own
    assert name_key(real) != name_key(look_alike)
    assert name_skeleton(real) == name_skeleton(look_alike)


def test_different_names_keep_different_skeletons() -> None:
    names = ["ana", "ann", "bob", "bobo", "bob2", "joe", "jon", "c1", "c11", "c10", "Дима", "山田"]
    assert len({name_skeleton(name) for name in names}) == len(names)


def test_sanitise_strips_escape_sequences_and_controls() -> None:
    assert sanitize_text("\x1b[31mred\x1b[0m") == "red"
    assert sanitize_text("title\x1b]0;pwned\x07 done") == "title done"
    assert sanitize_text("a\tb") == "a b"
    assert sanitize_text("bell\x07 del\x7f c1\x85 csi\x9b2J") == "bell del c1 csi"
    assert sanitize_text("evil\u202eevil") == "evilevil"
    assert sanitize_text("olá, mundo! 🎉") == "olá, mundo! 🎉"


def test_clean_message_trims_and_can_be_empty() -> None:
    assert clean_message("  hi  ") == "hi"
    assert clean_message(" \x1b[2J \t ") == ""


def _is_control(character: str) -> bool:
    code = ord(character)
    return code < 0x20 or 0x7F <= code <= 0x9F


@given(st.text())
def test_no_output_ever_holds_a_control_character(text: str) -> None:
    cleaned = sanitize_text(text)
    assert not any(_is_control(c) for c in cleaned)
    assert sanitize_text(cleaned) == cleaned


@given(st.text(alphabet=st.sampled_from("ab\x1b[]0;m\x07\x9b\\P\t\x85é"), max_size=80))
def test_sanitise_removes_controls_from_escape_heavy_text(text: str) -> None:
    assert not any(_is_control(c) for c in sanitize_text(text))


@given(st.text(max_size=30))
def test_a_valid_name_never_holds_a_control_or_space(name: str) -> None:
    if check_name(name) is None:
        assert name.isprintable()
        assert not any(c.isspace() for c in name)
        assert 1 <= len(name) <= 20


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("hi\u2028<bob> yo\u2029", "hi <bob> yo"),  # no line breaks in a line
        ("a\u200bb\u2060c\ufeffd", "abcd"),  # zero-width space, word joiner, BOM
        ("x\u200ey\u200fz\u061c", "xyz"),  # direction marks
        ("a\U000e0041b", "ab"),  # tag characters outside a flag
        ("x\ufffey\uffff", "xy"),  # noncharacters
        ("\u200dstart\u200c", "start"),  # joiners with nothing to join
        ("\u3164", ""),  # a blank message is no message
        ("\ufeff", ""),
        ("\u0301", ""),
        ("ok" + " " * 68 + "<bob> I agree", "ok   <bob> I agree"),
        ("a\u3000\u3000\u3000\u3000\u3000b", "a   b"),
    ],
)
def test_clean_message_removes_what_hides_or_deceives(text: str, cleaned: str) -> None:
    assert clean_message(text) == cleaned


@pytest.mark.parametrize(
    "text",
    [
        "👨\u200d👩\u200d👧 family",  # emoji ZWJ sequence
        "می\u200cخواهم",  # Persian needs its non-joiner
        "1\ufe0f\u20e3 keycap",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # flag of England
        "olá, mundo! 🎉",
        "a  b   c",
    ],
)
def test_clean_message_keeps_what_emoji_and_scripts_need(text: str) -> None:
    assert clean_message(text) == text
