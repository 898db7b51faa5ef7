"""``/query NAME``, the client's own command: which lines it takes, and what they send."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.client.query import Query, Turn, asks_about_query, private_lines, query_words
from papo.protocol.commands import Invoke, Say, Verb, parse_line
from papo.protocol.events import Leave, LeaveReason, Nick


def test_query_is_told_by_its_first_word_in_any_case() -> None:
    assert query_words("/query ana") == ["ana"]
    assert query_words("  /QUERY   ana  ") == ["ana"]
    assert query_words("/query") == []
    assert query_words("/query ana bob") == ["ana", "bob"]  # the client says how it is used
    assert query_words("/queryana") is None
    assert query_words("query ana") is None  # a message
    assert query_words("//query ana") is None  # a message that starts with a slash
    assert query_words("") is None


def test_a_message_goes_to_the_person_as_a_private() -> None:
    assert private_lines("ana", "hi there", 2048) == ["/private ana hi there"]
    assert private_lines("ana", "  spaced  ", 2048) == ["/private ana spaced"]
    # A text that starts with a slash is a message in a query as in a room, and the
    # private needs no escape: its text is what follows the name.
    assert private_lines("ana", "//etc/hosts is the file", 2048) == [
        "/private ana /etc/hosts is the file"
    ]


def test_commands_and_empty_lines_are_not_the_querys() -> None:
    assert private_lines("ana", "/join #dev", 2048) is None
    assert private_lines("ana", "/me waves", 2048) is None
    assert private_lines("ana", "/nonsense", 2048) is None  # the server says it is unknown
    assert private_lines("ana", "   ", 2048) is None


def test_a_long_message_is_cut_so_that_each_private_fits() -> None:
    words = " ".join(f"word{n}" for n in range(40))  # 229 bytes
    lines = private_lines("ana", words, 64)
    assert lines is not None and len(lines) > 4
    assert all(len(line.encode()) <= 64 and line.startswith("/private ana ") for line in lines)
    assert " ".join(line.removeprefix("/private ana ") for line in lines) == words


def squeezed(text: str) -> str:
    return "".join(text.split())


@given(
    st.text(st.sampled_from("ab é\u3000/\t漢"), min_size=1, max_size=300)
    | st.text(min_size=1, max_size=300),
    st.integers(min_value=20, max_value=200),
)
def test_whatever_is_typed_arrives_whole_each_private_within_the_limit(
    text: str, limit: int
) -> None:
    said = parse_line(text, registered=True)
    lines = private_lines("ana", text, limit)
    if not isinstance(said, Say):
        assert lines is None  # nothing, or a command: it goes as typed
        return
    assert lines is not None
    texts = []
    for line in lines:
        assert len(line.encode()) <= limit
        parsed = parse_line(line, registered=True)
        assert isinstance(parsed, Invoke) and parsed.spec.verb is Verb.PRIVATE
        assert parsed.args[0] == "ana"
        texts.append(parsed.args[1])
    assert squeezed("".join(texts)) == squeezed(said.text)  # cut at spaces, nothing else lost


def test_help_about_query_is_the_clients_to_answer() -> None:
    assert asks_about_query("/help query")
    assert asks_about_query("/HELP /Query")
    assert not asks_about_query("/help")
    assert not asks_about_query("/help join")
    assert not asks_about_query("help query")


def test_a_conversation_starts_with_one_name_and_ends_with_query_alone() -> None:
    query = Query()
    assert query.asked([]) is Turn.USAGE and query.name is None  # nothing to end
    assert query.asked(["#dev"]) is Turn.USAGE  # a room: /join is how lines go there
    assert query.asked(["ana", "bob"]) is Turn.USAGE and query.name is None
    assert query.lines("hi", 2048) is None  # no conversation: lines go as typed
    assert query.asked(["ana"]) is Turn.STARTED and query.name == "ana"
    assert query.lines("hi", 2048) == ["/private ana hi"]
    assert query.lines("/join #dev", 2048) is None  # a command goes as typed
    assert query.asked(["bob"]) is Turn.STARTED and query.name == "bob"  # to another
    assert query.asked([]) is Turn.ENDED and query.name is None


def test_a_room_chosen_ends_it_and_says_with_whom_it_was() -> None:
    query = Query()
    assert query.end() is None
    query.asked(["ana"])
    assert query.end() == "ana" and query.name is None


def test_it_follows_the_person_renamed_and_ends_when_they_leave_the_chat() -> None:
    query = Query()
    query.asked(["ANA"])
    assert query.follow(Nick(ts=0, id=1, old="bob", new="rob")) is None  # somebody else
    assert query.follow(Nick(ts=0, id=2, old="ana", new="Ana2")) is Turn.RENAMED
    assert query.name == "Ana2" and query.lines("hi", 2048) == ["/private Ana2 hi"]
    parted = Leave(ts=0, id=3, name="ana2", reason=LeaveReason.PART, room="#dev")
    assert query.follow(parted) is None  # left a room, not the chat
    assert query.follow(Leave(ts=0, id=4, name="rob", reason=LeaveReason.QUIT)) is None
    assert query.follow(Leave(ts=0, id=5, name="ana2", reason=LeaveReason.QUIT)) is Turn.ENDED
    assert query.name is None
    assert query.follow(Leave(ts=0, id=6, name="ana2", reason=LeaveReason.QUIT)) is None
