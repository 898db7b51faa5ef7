"""Command parsing: the table's checks, aliases, case, and the // escape."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.commands import (
    COMMANDS,
    CommandError,
    Invoke,
    Privilege,
    Register,
    Say,
    Verb,
    find_command,
    parse_line,
)
from papo.protocol.events import ErrorCode


def invoke(line: str, registered: bool = True) -> Invoke:
    parsed = parse_line(line, registered=registered)
    assert isinstance(parsed, Invoke), parsed
    return parsed


def test_plain_line_is_public_and_double_slash_escapes() -> None:
    assert parse_line("  hello there ", registered=True) == Say(text="hello there")
    assert parse_line("//etc/passwd", registered=True) == Say(text="/etc/passwd")


def test_empty_lines_are_ignored() -> None:
    assert parse_line("   ", registered=True) is None
    assert parse_line("", registered=False) is None


@pytest.mark.parametrize("alias", ["/private", "/msg", "/w", "/PRIVATE", "/Msg"])
def test_private_aliases_split_name_from_text(alias: str) -> None:
    parsed = invoke(f"{alias} bob  hi   there")
    assert parsed.spec.verb is Verb.PRIVATE
    assert parsed.args == ("bob", "hi   there")


@pytest.mark.parametrize("alias", ["/online", "/who", "/users", "/names", "/ONLINE"])
def test_online_aliases(alias: str) -> None:
    assert invoke(alias).spec.verb is Verb.ONLINE


def test_quit_text_is_optional() -> None:
    assert invoke("/quit").rest == ""
    assert invoke("/exit see you").rest == "see you"


@pytest.mark.parametrize("line", ["/private", "/private bob", "/nick", "/me", "/format", "/msg  "])
def test_missing_argument_is_usage(line: str) -> None:
    parsed = parse_line(line, registered=True)
    assert isinstance(parsed, CommandError) and parsed.code is ErrorCode.USAGE


def test_unknown_command() -> None:
    assert parse_line("/dance now", registered=True) == CommandError(
        code=ErrorCode.UNKNOWN_COMMAND, command="dance"
    )


def test_before_registration_only_format_help_quit_pass_resume() -> None:
    for spec in COMMANDS:
        parsed = parse_line(f"/{spec.name} a b", registered=False)
        if spec.verb in (Verb.FORMAT, Verb.HELP, Verb.QUIT, Verb.PASS, Verb.RESUME):
            assert isinstance(parsed, Invoke)
        else:
            assert parsed == CommandError(code=ErrorCode.NOT_REGISTERED, command=spec.name)


def test_find_command_by_alias_with_or_without_slash() -> None:
    spec = find_command("/W")
    assert spec is not None and spec.verb is Verb.PRIVATE
    assert find_command("msg") is spec
    assert find_command("nope") is None


@given(st.text(max_size=50))
def test_parse_never_raises_and_say_is_never_empty(line: str) -> None:
    parsed = parse_line(line, registered=True)
    if isinstance(parsed, Say):
        assert parsed.text


def test_before_registration_a_plain_line_is_the_name_wanted() -> None:
    assert parse_line("  ana ", registered=False) == Register(name="ana")
    assert parse_line("//ana", registered=False) == Register(name="/ana")  # refused as a name
    assert parse_line("ana", registered=True) == Say(text="ana")


def test_only_the_moderation_commands_are_for_operators() -> None:
    operators = [spec.name for spec in COMMANDS if spec.privilege is Privilege.OPERATOR]
    assert operators == [
        "kick",
        "ban",
        "unban",
        "bans",
        "locktopic",
        "unlocktopic",
        "mute",
        "unmute",
    ]
