"""What the client shows and completes, without a terminal."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from papo.client.cells import text_width
from papo.client.screen import complete_word
from papo.client.view import DIM, View, mentions, name_colour, rings, wants_attention
from papo.protocol.events import (
    Action,
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    Event,
    Hello,
    HelpInfo,
    Invite,
    Join,
    Joined,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Nick,
    Notice,
    NoticeCode,
    Online,
    Private,
    Replayed,
    RoomInfo,
    Rooms,
    Topic,
    TopicShown,
    Welcome,
    Whois,
)
from papo.protocol.render import Renderer

NOW = 1_763_989_331.0
ANSI = re.compile(r"\x1b\[[0-9;]*m")

EVERY_EVENT: list[Event] = [
    Welcome(ts=NOW, name="ana", count=2, users=("ana", "bia")),
    Message(ts=NOW, id=1, sender="bia", text="oi"),
    Message(ts=NOW, id=2, sender="bia", text="old", history=True),
    Action(ts=NOW, id=3, sender="bia", text="waves"),
    Private(ts=NOW, id=4, sender="bia", recipient="ana", text="psst"),
    Join(ts=NOW, id=5, name="caio"),
    Leave(ts=NOW, id=6, name="caio", reason=LeaveReason.QUIT, text="bye"),
    Nick(ts=NOW, id=7, old="bia", new="bea"),
    Online(ts=NOW, users=("ana", "bea")),
    HelpInfo(ts=NOW),
    Error(ts=NOW, code=ErrorCode.NO_SUCH_USER, name="zed"),
    Bye(ts=NOW, reason=ByeReason.QUIT),
    Notice(ts=NOW, code=NoticeCode.UNIGNORED, names=("bea",)),
    Joined(ts=NOW, room="#dev", topic="bugs", count=2, users=("ana", "bea")),
    Rooms(ts=NOW, rooms=(RoomInfo(room="#dev", count=2, topic="bugs"),)),
    Topic(ts=NOW, id=8, room="#dev", by="bea", text="bugs"),
    TopicShown(ts=NOW, room="#dev", by="bea", text="bugs"),
    Notice(ts=NOW, code=NoticeCode.CURRENT, room="#dev"),
    Leave(ts=NOW, id=9, name="bea", reason=LeaveReason.PART, room="#dev"),
    Whois(ts=NOW, name="bea", rooms=("#dev",), away="lunch", since=NOW - 90, idle=75),
    Online(ts=NOW, users=("ana", "bea"), away={"bea": "lunch"}),
    Notice(ts=NOW, code=NoticeCode.AWAY, names=("bea",), away="lunch"),
    Welcome(ts=NOW, name="ana", count=1, users=("ana",), resumed=True, rooms=("#lobby", "#dev")),
    Replayed(Private(ts=NOW, id=10, sender="bia", recipient="ana", text="while you were out")),
    Bye(ts=NOW, reason=ByeReason.RESTART),
    Mute(ts=NOW, id=10, name="bia", by="ana", seconds=600, text="calm down"),
    Mute(ts=NOW, id=10, name="bia", by="ana", seconds=0),
    Invite(ts=NOW, id=11, sender="bia", recipient="ana", room="#dev"),
    Private(ts=NOW, id=12, sender="bia", recipient="ana", text="waves", action=True),
    Message(ts=NOW, id=13, sender="bot", text="build ok", notice=True),
]


def test_colours_are_stable_per_name_and_case_blind() -> None:
    assert name_colour("Ana") == name_colour("ana")
    assert len({name_colour(f"user{n}") for n in range(50)}) > 3


@pytest.mark.parametrize("event", EVERY_EVENT, ids=lambda e: type(e).__name__)
def test_every_event_shows_its_names_and_text_without_colour(event: Event) -> None:
    lines = View(Renderer("en"), colour=False).lines(event, "ana")
    assert lines and "\x1b" not in "".join(lines)
    shown = "\n".join(lines)
    for value in vars_of(event):
        assert value in shown


def vars_of(event: Event) -> list[str]:
    fields = ("sender", "recipient", "text", "name", "old", "new", "room", "topic", "by", "away")
    return [v for f in fields if isinstance(v := getattr(event, f, None), str)]


def test_kinds_look_distinct() -> None:
    view = View(Renderer("en"), colour=False)
    assert "<bia> oi" in view.lines(EVERY_EVENT[1])[0]
    assert "* bia waves" in view.lines(EVERY_EVENT[3])[0]
    assert "[bia -> ana] psst" in view.lines(EVERY_EVENT[4])[0]
    assert "[bia -> ana] * bia waves" in view.lines(EVERY_EVENT[-2])[0]
    assert "-bot- build ok" in view.lines(EVERY_EVENT[-1])[0]
    assert "caio" in view.lines(EVERY_EVENT[5])[0] and "<" not in view.lines(EVERY_EVENT[5])[0]
    assert view.lines(Hello(ts=NOW, server="p", version="1", protocol=1, name=None,
                            max_line_bytes=1, max_name_chars=1)) == []  # fmt: skip


def test_colour_marks_own_lines_errors_and_privates() -> None:
    view = View(Renderer("en"), colour=True)
    own = view.lines(Message(ts=NOW, id=1, sender="ana", text="mine"), "ana")[0]
    other = view.lines(Message(ts=NOW, id=1, sender="bia", text="theirs"), "ana")[0]
    assert "\x1b[1m" in own and "\x1b[1m" not in other
    assert "\x1b[31m" in view.lines(EVERY_EVENT[10])[0]
    assert "\x1b[35m" in view.lines(EVERY_EVENT[4])[0]
    assert ANSI.sub("", own).endswith("<ana> mine")


def test_a_resume_is_said_and_missed_lines_look_like_the_live_ones() -> None:
    view = View(Renderer("en"), colour=False)
    back = Welcome(ts=NOW, name="ana", count=1, users=None, resumed=True, rooms=("#lobby",))
    assert "Back, ana: nothing was lost. Your rooms: #lobby" in view.lines(back)[0]
    missed = Message(ts=NOW, id=11, sender="bia", text="hi ana", room="#dev")
    assert view.lines(Replayed(missed), "ana", here="#lobby") == view.lines(
        missed, "ana", None, "#lobby"
    )
    assert wants_attention(Replayed(missed), "ana")  # a mention missed still rings
    notice = Notice(ts=NOW, code=NoticeCode.MISSED, count=3)
    assert view.lines(notice) == ["3 messages could not be recovered."]


def test_mentions_and_attention() -> None:
    assert mentions("hey @Ana, look", "ana") and mentions("ANA: hi", "ana")
    assert not mentions("banana", "ana") and not mentions("hi", None)
    assert wants_attention(Private(ts=NOW, id=1, sender="bia", recipient="ana", text="x"), "ana")
    invite = Invite(ts=NOW, id=1, sender="bia", recipient="ana", room="#dev")
    assert wants_attention(invite, "ana")
    assert not wants_attention(invite, "bia")  # its sender's own confirmation
    assert "\x1b[35m" in View(Renderer("en"), colour=True).lines(invite, "ana")[0]  # as a private
    assert wants_attention(Message(ts=NOW, id=1, sender="bia", text="ana?"), "ana")
    assert not wants_attention(Message(ts=NOW, id=1, sender="ana", text="ana"), "ana")
    assert not wants_attention(Join(ts=NOW, id=1, name="ana"), "ana")


def test_completion_of_commands_then_names() -> None:
    assert complete_word("/pri", "/pri", []) == ["/private "]
    assert complete_word("/W", "/W", []) == ["/w ", "/who ", "/whois "]
    assert complete_word("/re", "/re", []) == ["/reply "]  # not /resume: the client's own
    assert complete_word("/f", "/f", []) == []  # nor /format
    assert complete_word("/join #d", "#d", ["dan", "#dev", "#Docs"]) == ["#Docs ", "#dev "]
    assert complete_word("/msg bo", "bo", ["Bob", "bobby", "ana"]) == ["Bob ", "bobby "]
    assert complete_word("hi a", "a", ["Ana", "bob"]) == ["Ana "]


def test_a_name_that_starts_a_message_is_completed_with_a_colon() -> None:
    assert complete_word("", "", ["ana"]) == ["ana: "]
    assert complete_word("  bo", "bo", ["Bob", "#box"]) == ["Bob: "]
    assert complete_word("#d", "#d", ["#dev"]) == ["#dev "]  # a room is not addressed


@pytest.mark.parametrize("colour", [True, False])
def test_a_wrapped_message_indents_its_continuation_rows(colour: bool) -> None:
    view = View(Renderer("en"), colour=colour)
    padded = "ok " + "x" * 20 + " <bob> I agree, send me the key " + "y" * 30
    rows = [ANSI.sub("", row) for row in view.lines(Message(ts=NOW, id=1, sender="mallory",
                                                            text=padded), width=40)]  # fmt: skip
    assert len(rows) > 2
    assert all(len(row) <= 40 for row in rows)
    indent = len(rows[0]) - len(rows[0].split("> ", 1)[1])
    assert all(row.startswith(" " * indent) and row[indent] != " " for row in rows[1:])
    assert "".join("".join(rows).split()).endswith("".join(padded.split()))  # nothing lost


def test_the_chats_own_lines_break_between_words_too() -> None:
    view = View(Renderer("en"), colour=False)
    error = Error(ts=NOW, code=ErrorCode.NO_SUCH_USER, name="anabela")
    rows = view.lines(error, width=30)
    assert len(rows) > 1 and all(len(row) <= 30 for row in rows)
    assert " ".join(rows) == view.lines(error)[0]  # broken at spaces only
    leave = Leave(ts=NOW, id=3, name="bartholomew", reason=LeaveReason.QUIT, text="see you all")
    first, second = view.lines(leave, width=30)
    assert first.endswith(" *** bartholomew left the") and len(first) == 30
    assert second == "      chat (quit: see you all)"  # under the text, past the time


def test_help_wraps_each_description_under_its_column() -> None:
    view = View(Renderer("en"), colour=False)
    rows = view.lines(HelpInfo(ts=NOW), width=50)
    column = rows.index(next(row for row in rows if row.startswith("  /join "))) + 1
    assert rows[column - 1] == "  /join #ROOM                enter ROOM (made if"
    assert rows[column] == " " * 29 + "new), and talk there"
    assert all(len(row) <= 50 for row in rows)


def test_a_wide_sender_and_wide_text_are_wrapped_by_columns() -> None:
    view = View(Renderer("en"), colour=False)
    text = "\u65e5\u672c\u8a9e" * 10  # 30 characters, 60 columns
    rows = view.lines(Message(ts=NOW, id=1, sender="\u9ebb\u8863", text=text), width=40)
    assert all(text_width(row) <= 40 for row in rows)
    indent = text_width(rows[0].split("> ", 1)[0]) + 2
    assert all(row.startswith(" " * indent) for row in rows[1:])
    assert "".join(row.strip() for row in rows).endswith(text)


def test_a_short_message_or_no_width_is_one_row() -> None:
    view = View(Renderer("en"), colour=False)
    long = Message(ts=NOW, id=1, sender="bia", text="z" * 300)
    assert len(view.lines(long)) == 1
    assert len(view.lines(Message(ts=NOW, id=2, sender="bia", text="oi"), width=40)) == 1


def test_a_mention_of_me_is_highlighted_in_colour_only() -> None:
    mention = Message(ts=NOW, id=1, sender="bia", text="hey @Ana, and ana: look (banana)")
    [line] = View(Renderer("en"), colour=True).lines(mention, me="ana")
    assert line.count("\x1b[7m") == 2 and "\x1b[7m@Ana\x1b[0m" in line
    assert "\x1b[7mana\x1b[0m:" in line and "ban\x1b[7m" not in line
    [plain] = View(Renderer("en"), colour=False).lines(mention, me="ana")
    assert "\x1b" not in plain
    own = Message(ts=NOW, id=2, sender="ana", text="I am ana")
    [mine] = View(Renderer("en"), colour=True).lines(own, me="ana")
    assert "\x1b[7m" not in mine


def test_lines_of_another_room_name_it_in_its_colour() -> None:
    event = Message(ts=NOW, id=1, sender="bia", text="oi", room="#dev")
    plain = View(Renderer("en"), colour=False)
    assert plain.lines(event, "ana", here="#dev")[0].endswith(" <bia> oi")
    assert plain.lines(event, "ana", here="#DEV")[0].endswith(" <bia> oi")  # rooms compare as names
    assert plain.lines(event, "ana", here="#lobby")[0].endswith(" [#dev] <bia> oi")
    assert plain.lines(event, "ana", here=None)[0].endswith(" [#dev] <bia> oi")
    coloured = View(Renderer("en"), colour=True).lines(event, "ana", here="#lobby")[0]
    assert name_colour("#dev") + "[#dev]" in coloured
    wrapped = plain.lines(replace(event, text="word " * 20), "ana", width=40, here="#lobby")
    assert len(wrapped) > 1 and all(len(line) <= 40 for line in wrapped)
    head = len("12:00 [#dev] <bia> ")  # continuation rows start past the room and the name
    assert wrapped[1].startswith(" " * head) and wrapped[1][head] != " "


def test_what_history_shows_again_is_dimmed_and_rings_no_bell() -> None:
    """The recent messages a newcomer is shown, and /history's (of a room, of one's privates):
    the past, told apart from what is said now, and no reason to ring."""
    view = View(Renderer("en"), colour=True)
    private = Private(ts=NOW, id=1, sender="bia", recipient="ana", text="psst", history=True)
    mention = Message(ts=NOW, id=2, sender="bia", text="ana?", room="#lobby", history=True)
    for event in (private, mention):
        assert not rings(event, "ana") and rings(replace(event, history=False), "ana"), event
        live = view.lines(replace(event, history=False), "ana")  # a mention highlighted too
        assert view.lines(event, "ana") == [view.paint(DIM, line) for line in live], event
