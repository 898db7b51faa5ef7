"""What a line must ask the shared state of several servers before the chat decides it (pure)."""

from __future__ import annotations

from papo.protocol.commands import Verb
from papo.server.shared_first import Ask, answered_here, ask_of


def test_a_name_is_claimed_first_when_registering_or_renaming_to_a_valid_one() -> None:
    assert ask_of(None, "ana") == Ask(Verb.NICK, "ana")
    assert ask_of("ana", "/nick bob") == Ask(Verb.NICK, "bob")
    assert ask_of(None, "no spaces allowed") is None  # the chat refuses it itself
    assert ask_of("ana", "/nick") is None  # a usage error, the chat's too


def test_a_resume_asks_for_its_token_and_other_lines_ask_nothing() -> None:
    assert ask_of(None, "/resume abc123 42") == Ask(Verb.RESUME, "abc123")
    assert ask_of("ana", "hello /nick bob") is None
    assert ask_of("ana", "/msg bob hi") is None


def test_leaving_help_and_a_format_need_nothing_shared() -> None:
    assert answered_here("ana", "/quit bye") and answered_here("ana", "/help")
    assert answered_here(None, "/quit")
    assert answered_here(None, "/format json") and answered_here("ana", "/format text")
    assert not answered_here("ana", "hello") and not answered_here("ana", "/online")
