"""``/query NAME``, the client's own command: which lines it takes, and what they send."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papo.client.query import asks_about_query, private_lines, query_words
from papo.protocol.commands import Invoke, Say, Verb, parse_line


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
