"""IRC lines, byte by byte: parsing what clients send, building what they read."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.irc.message import (
    ELLIPSIS,
    MAX_LINE_BYTES,
    IrcMessage,
    line,
    parse,
    split_lines,
    split_text,
)
from papo.irc.nicks import name_of, nick_of


def test_commands_params_trailing_source_and_tags_are_parsed() -> None:
    assert parse("PRIVMSG #dev :hello there") == IrcMessage("PRIVMSG", ("#dev", "hello there"))
    assert parse("privmsg bob ::-)") == IrcMessage("PRIVMSG", ("bob", ":-)"))
    assert parse("NICK  ana") == IrcMessage("NICK", ("ana",))
    tagged = parse("@+typing=active;msgid=1 :ana!a@h PRIVMSG #dev :x")
    assert tagged == IrcMessage(
        "PRIVMSG", ("#dev", "x"), "ana!a@h", (("+typing", "active"), ("msgid", "1"))
    )
    user = parse("USER bob 0 * :Bob Smith")
    assert user is not None and user.params == ("bob", "0", "*", "Bob Smith")
    assert parse("   ") is None and parse(":only.a.source") is None


def test_lines_put_text_last_and_never_carry_a_line_break() -> None:
    assert line("PRIVMSG", "#dev", "hi", source="a!a@papo") == ":a!a@papo PRIVMSG #dev :hi"
    assert line("JOIN", "#dev", trailing=False) == "JOIN #dev"
    assert line("PART", "#dev", "", trailing=False) == "PART #dev :"
    injected = line("PRIVMSG", "#dev", "hi\r\nQUIT :owned")
    assert "\r" not in injected and "\n" not in injected


def test_no_control_character_reaches_a_line_but_ctcps() -> None:
    echoed = line("421", "ana", "\x1b[2J\x07\x7f\x9bX", "Unknown command", source="irc.test")
    assert echoed == ":irc.test 421 ana [2JX :Unknown command"  # a client's own word, cleaned
    action = line("PRIVMSG", "#dev", "\x01ACTION waves\tat\x00you\x01", source="a!a@papo")
    assert action == ":a!a@papo PRIVMSG #dev :\x01ACTION waves at you\x01"


@given(st.text(min_size=1, max_size=3000).filter(lambda t: t.strip() == t and "  " not in t))
def test_long_text_is_split_to_fit_never_cut(text: str) -> None:
    head = line("PRIVMSG", "#a-rather-long-room-name", "x", source="somebody!somebody@papo")
    pieces = split_text(head, text)
    for piece in pieces:
        assert len((head[:-1] + piece).encode()) + 2 <= MAX_LINE_BYTES
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


# Text as the chat relays it: no control characters (line() takes out any that come).
TEXT = st.characters(codec="utf-8", exclude_categories=["Cc"])
PARAM = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Zs")), max_size=40)


@given(
    middle=st.lists(PARAM.filter(lambda p: p[:1] not in ("", ":")), max_size=3),  # nicks, rooms
    last=st.text(TEXT, max_size=100) | st.text(TEXT, min_size=500, max_size=1500),
    source=st.sampled_from([None, "irc.test", "somebody!somebody@papo"]),
)
def test_every_line_fits_and_only_a_parameter_too_long_is_cut(
    middle: list[str], last: str, source: str | None
) -> None:
    built = line("TOPIC", *middle, last, source=source)
    assert len(built.encode()) + 2 <= MAX_LINE_BYTES
    message = parse(built)
    assert message is not None and len(message.params) == len(middle) + 1
    cut = False
    for sent, wanted in zip(message.params, [*middle, last], strict=True):
        if sent != wanted:  # cut: at a character, and it says so
            assert sent.endswith(ELLIPSIS) and wanted.startswith(sent.removesuffix(ELLIPSIS))
            cut = True
    if cut:  # nothing was cut that fitted
        assert len(built.encode()) + 2 > MAX_LINE_BYTES - 4


def test_a_long_word_a_client_sent_is_cut_when_an_error_names_it() -> None:
    nick = "話" * 300  # NICK with a 900-byte word: refused, and the refusal names it
    built = line("432", "ana", nick, "Erroneous nickname", source="irc.test")
    message = parse(built)
    assert message is not None and len(built.encode()) + 2 <= MAX_LINE_BYTES
    assert message.params[1].endswith(ELLIPSIS) and message.params[2] == "Erroneous nickname"


def test_a_topic_in_an_alphabet_of_three_bytes_a_letter_is_shortened_not_broken() -> None:
    topic = "話" * 300  # papo's limit is 300 characters: 900 bytes here
    built = line("332", "bob", "#dev", topic, source="irc.test")
    head = ":irc.test 332 bob #dev :"
    assert built.startswith(head) and built.endswith(ELLIPSIS)
    kept = built.removeprefix(head).removesuffix(ELLIPSIS)
    assert kept == "話" * len(kept)  # whole characters, as many as fit
    assert len(built.encode()) + 2 <= MAX_LINE_BYTES < len(built.encode()) + 2 + len("話".encode())


@given(st.text(TEXT, max_size=100) | st.text(TEXT, min_size=500, max_size=3000))
def test_split_lines_keep_every_word_of_a_list(text: str) -> None:
    pieces = []
    for each in split_lines("353", "bob", "=", "#dev", text=text, source="irc.test"):
        assert len(each.encode()) + 2 <= MAX_LINE_BYTES
        message = parse(each)
        assert message is not None and message.params[:3] == ("bob", "=", "#dev")
        pieces.append(message.params[3])
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_names_and_nicks_map_one_to_one() -> None:
    for name in ("ana", "Ana.B", "2cool", "álvaro", "o-k_9"):
        assert name_of(nick_of(name)) == name
    assert nick_of("ana.b") == "ana|b" and nick_of("2cool") == "`2cool"
    for nick in ("[bot]", "`ana", "|a", "ana.b", "#x", ""):
        assert name_of(nick) is None  # no papo name shows as these: nobody may take them
    assert name_of("јое") == "јое" and name_of("jоe") is None  # one alphabet per name
