"""What IRC readers get of papo's longest things: every line within IRC's 512 bytes; lists
and papo's own words on several lines with nothing left out; what IRC has one line for
shortened with an ellipsis."""

from __future__ import annotations

from dataclasses import replace

import pytest

from papo.irc.door import Door, Query, motd_lines
from papo.irc.message import ELLIPSIS, line, parse
from papo.irc.render import IrcRenderer
from papo.protocol.commands import OutputFormat
from papo.protocol.events import (
    Error,
    ErrorCode,
    Event,
    Joined,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Notice,
    NoticeCode,
    Online,
    Private,
    RoomInfo,
    Rooms,
    Topic,
    TopicShown,
    Whois,
)
from papo.protocol.render import Renderer
from tests.support import fits_irc

SERVER = "irc.test"
# The longest of each: a name of 20 characters, rooms of 32 after the "#", a topic of 300
# characters, here of an alphabet of three bytes a letter (900 bytes, where IRC has 512).
NAME = "a" * 19 + "z"
ROOM = "#" + "房" * 32
TOPIC = "話" * 300
REASON = "bye " * 500  # a /quit or /part with a line's worth of words (2 000 bytes)
ROOMS = tuple(f"#{'r' * 30}{n:02d}" for n in range(20))  # --max-rooms' default
USERS = tuple(f"user{n:04d}" for n in range(500))


def lines_of(data: bytes) -> list[str]:
    text = data.decode()
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    for each in lines:
        assert fits_irc(each), each
        assert parse(each) is not None
    return lines


def trailing(lines: list[str]) -> list[str]:
    found = []
    for each in lines:
        message = parse(each)
        assert message is not None
        found.append(message.params[-1])
    return found


@pytest.fixture
def irc() -> IrcRenderer:
    return IrcRenderer(SERVER, Renderer("en"))


def own(irc: IrcRenderer, event: Event, query: Query | None = None) -> list[str]:
    door = Door(SERVER, nick=NAME, registered=True)
    if query is not None:
        door.queries.append(query)
    return lines_of(irc.to(event, door, NAME))


def test_what_irc_has_one_line_for_is_shortened_and_says_so(irc: IrcRenderer) -> None:
    topic = Topic(ts=1.0, id=1, room=ROOM, by=NAME, text=TOPIC)
    shown = TopicShown(ts=1.0, room=ROOM, by=NAME, text=TOPIC)
    parted = Leave(ts=1.0, id=2, name=NAME, reason=LeaveReason.PART, room=ROOM, text=REASON)
    listed = Rooms(ts=1.0, rooms=(RoomInfo(room=ROOM, count=3, topic=TOPIC),))
    for lines, text in (
        (lines_of(irc.room_event(topic, OutputFormat.IRC_TAGGED)), TOPIC),
        (own(irc, shown), TOPIC),
        (lines_of(irc.room_event(parted, OutputFormat.IRC)), REASON),
        (own(irc, listed)[1:2], TOPIC),  # the 322 between LIST's first and last numeric
    ):
        [shortened] = trailing(lines)
        assert shortened.endswith(ELLIPSIS) and text.startswith(shortened.removesuffix(ELLIPSIS))
    quit_ = Leave(ts=1.0, id=3, name=NAME, reason=LeaveReason.QUIT, text=REASON)
    [reason] = trailing(lines_of(irc.room_event(quit_, OutputFormat.IRC)))
    assert reason.endswith(ELLIPSIS) and len(reason) > 400  # the reason's words, as many as fit


def test_a_locked_topic_is_the_channel_mode_t(irc: IrcRenderer) -> None:
    locked = Topic(ts=1.0, id=1, room=ROOM, by=NAME, text="plans", locked=True)
    source = f":{NAME}!{NAME}@papo"
    assert lines_of(irc.room_event(locked, OutputFormat.IRC)) == [f"{source} MODE {ROOM} +t"]
    unlocked = Topic(ts=1.0, id=2, room=ROOM, by=NAME, text="plans", locked=False)
    assert lines_of(irc.room_event(unlocked, OutputFormat.IRC)) == [f"{source} MODE {ROOM} -t"]
    refused = Error(ts=1.0, code=ErrorCode.TOPIC_LOCKED, extra={"room": ROOM})
    [line] = own(irc, refused)
    assert line.startswith(f":{SERVER} 482 {NAME} {ROOM} :the topic of {ROOM} is locked")


def test_a_mute_is_the_servers_notice(irc: IrcRenderer) -> None:
    muted = Mute(ts=1.0, id=1, name="bob", by=NAME, seconds=600, text="calm down")
    said = f":{SERVER} NOTICE * :bob was muted by {NAME} for 10 minutes: calm down"
    assert lines_of(irc.room_event(muted, OutputFormat.IRC)) == [said]
    assert own(irc, muted) == [said]
    whois = Whois(ts=1.0, name="bob", rooms=(), away=None, since=0.0, idle=0, muted=601.0)
    assert f":{SERVER} 320 {NAME} bob :muted for another 10 minutes" in own(irc, whois)


def test_the_bans_in_force_are_k_lines_masked_by_nick(irc: IrcRenderer) -> None:
    names = ("eve", "ana.b")  # papo's "ana.b" is IRC's ana|b
    listed = Notice(ts=1.0, code=NoticeCode.BANS, names=names, count=2, until=(600.0, 7200.0))
    assert own(irc, listed) == [
        f":{SERVER} 216 {NAME} K eve!*@* * * :banned until 1970-01-01T00:10:00.000Z",
        f":{SERVER} 216 {NAME} K ana|b!*@* * * :banned until 1970-01-01T02:00:00.000Z",
        f":{SERVER} 219 {NAME} K :End of /STATS report",
    ]
    nothing = Notice(ts=1.0, code=NoticeCode.BANS, names=(), count=0, until=())
    assert own(irc, nothing) == [f":{SERVER} 219 {NAME} K :End of /STATS report"]


def test_who_gives_a_row_a_user_as_irc_numerics_are_made(irc: IrcRenderer) -> None:
    """WHO's rows are formatted apart from ``line`` (a room of thousands asks for thousands):
    each is the very line ``line`` would make, for the longest names and rooms, a nick's dot
    and leading digit, and the away."""
    users = (NAME, "ana.b", "2cool", *USERS[:50])
    everyone = Online(ts=1.0, users=users, room=ROOM, away={"ana.b": "lunch"})
    rows = own(irc, everyone, Query("who", ROOM))
    assert rows[-1] == f":{SERVER} 315 {NAME} {ROOM} :End of /WHO list"
    expected = [
        line("352", NAME, ROOM, nick, "papo", SERVER, nick, flag, f"0 {nick}", source=SERVER)
        for nick, flag in [(NAME, "H"), ("ana|b", "G"), ("`2cool", "H")]
        + [(user, "H") for user in USERS[:50]]
    ]
    assert rows[:-1] == expected
    asked = own(irc, replace(everyone, room=None), Query("who", None, ("ANA|B",)))
    assert asked == [
        line("352", NAME, "*", "ana|b", "papo", SERVER, "ana|b", "G", "0 ana|b", source=SERVER),
        f":{SERVER} 315 {NAME} ANA|B :End of /WHO list",
    ]  # a nick in any case, as ISON compares them


def test_lists_and_papos_own_words_take_as_many_lines_as_they_need(irc: IrcRenderer) -> None:
    everyone = Online(ts=1.0, users=USERS)
    said = " ".join(trailing(own(irc, everyone, Query("online"))))
    assert all(user in said for user in USERS)  # papo's /online, every name
    names = " ".join(trailing(own(irc, everyone, Query("names", ROOM))[:-1]))
    assert names.split() == list(USERS)
    ison = " ".join(trailing(own(irc, everyone, Query("ison", None, USERS))))
    assert ison.split() == list(USERS)
    whois = Whois(ts=1.0, name=NAME, rooms=ROOMS, away=REASON, since=1.0, idle=2.0)
    lines = own(irc, whois)
    rooms = [each for each in lines if f" 319 {NAME} " in each]
    assert len(rooms) > 1 and " ".join(trailing(rooms)).split() == list(ROOMS)
    [away] = trailing([each for each in lines if " 301 " in each])
    assert away.endswith(ELLIPSIS)
    assert not [each for each in lines if " 313 " in each]
    operator = replace(whois, operator=True)
    [said] = [each for each in own(irc, operator) if " 313 " in each]
    assert said.endswith(f" {NAME} :is an operator of this chat")


def test_a_long_action_for_one_person_is_split_into_whole_actions(irc: IrcRenderer) -> None:
    words = "acena " * 300  # three lines' worth
    event = Private(ts=1.0, id=1, sender="ana", recipient=NAME, text=words.strip(), action=True)
    said = trailing(own(irc, event))
    assert len(said) > 1
    assert all(each.startswith("\x01ACTION ") and each.endswith("\x01") for each in said)
    assert " ".join(each[8:-1] for each in said).split() == words.split()


def test_a_notice_stays_a_notice_in_a_channel_and_in_private(irc: IrcRenderer) -> None:
    said = Message(ts=1.0, id=1, sender="bot", text="build ok", room="#dev", notice=True)
    assert lines_of(irc.room_event(said, OutputFormat.IRC)) == [
        ":bot!bot@papo NOTICE #dev :build ok"
    ]
    told = Private(ts=1.0, id=2, sender="bot", recipient=NAME, text="done", notice=True)
    assert own(irc, told) == [f":bot!bot@papo NOTICE {NAME} :done"]


def test_a_message_of_the_day_with_long_rows_is_kept_whole() -> None:
    row = "Welcome! " * 100
    lines = motd_lines(SERVER, NAME, f"short\n{row}")
    assert all(fits_irc(each) for each in lines)
    rows = trailing([each for each in lines if " 372 " in each])
    assert rows[0] == "- short" and len(rows) > 2
    assert "".join(rows[1:]).replace(" ", "") == f"- {row}".replace(" ", "")


def test_a_topic_says_who_set_it_and_when_as_333(irc: IrcRenderer) -> None:
    """irssi and WeeChat show it under the topic ("set by ana on ..."), on JOIN and TOPIC."""
    set_at = 1_764_928_800.0
    said = (NAME, ROOM, "ana", "1764928800")

    def whotime(lines: list[str]) -> list[tuple[str, ...]]:
        parsed = [parse(line) for line in lines]
        return [m.params for m in parsed if m is not None and m.command == "333"]

    shown = TopicShown(ts=1.0, room=ROOM, by="ana", text="plans", at=set_at)
    assert whotime(own(irc, shown)) == [said]
    users = (NAME,)
    joined = Joined(
        ts=1.0, room=ROOM, topic="plans", count=1, users=users, topic_by="ana", topic_at=set_at
    )
    assert whotime(own(irc, joined)) == [said]
    assert whotime(own(irc, Joined(ts=1.0, room=ROOM, topic="plans", count=1, users=users))) == []


def test_each_line_carries_the_tags_its_reader_took(irc: IrcRenderer) -> None:
    """None; the time (server-time); the time and the event's id as msgid (message-tags),
    a different one for each line a long message takes, so that no client drops one of them
    as a line seen twice, each naming its event."""
    said = Message(ts=1.5, id=42, sender="ana", text="word " * 200, room="#dev")
    plain = irc.room_event(said, OutputFormat.IRC).decode().split("\r\n")[:-1]
    timed = irc.room_event(said, OutputFormat.IRC_TAGGED).decode().split("\r\n")[:-1]
    tagged = irc.room_event(said, OutputFormat.IRC_IDS).decode().split("\r\n")[:-1]
    assert len(plain) == len(timed) == len(tagged) == 3 and plain[0].startswith(":ana!")
    assert timed == ["@time=1970-01-01T00:00:01.500Z " + each for each in plain]
    assert tagged == [
        f"@time=1970-01-01T00:00:01.500Z;msgid={msgid} {each}"
        for msgid, each in zip(("42", "42.1", "42.2"), plain, strict=True)
    ]
    door = Door(SERVER, caps=frozenset({"message-tags"}))  # message-tags alone reads any tag
    told = Private(ts=1.5, id=43, sender="bot", recipient=NAME, text="done")
    [line_told] = irc.to(told, door, NAME).decode().split("\r\n")[:-1]
    assert (
        line_told == f"@time=1970-01-01T00:00:01.500Z;msgid=43 :bot!bot@papo PRIVMSG {NAME} :done"
    )
    # What the chat numbers not (its numerics, an error) has no msgid to carry.
    error = Error(ts=1.5, code=ErrorCode.NO_SUCH_USER, name="zoe")
    [line_error] = irc.to(error, door, NAME).decode().split("\r\n")[:-1]
    assert line_error.startswith("@time=1970-01-01T00:00:01.500Z :irc.test 401 ")


def test_a_chathistory_answer_is_one_batch_ended_after_its_last_message(
    irc: IrcRenderer,
) -> None:
    door = Door(SERVER, nick="bob", registered=True, caps=frozenset({"batch", "message-tags"}))
    door.receive("CHATHISTORY LATEST #dev * 2")
    door.receive("CHATHISTORY BEFORE #dev msgid=1 2")
    told = Notice(ts=1.0, code=NoticeCode.HISTORY, room="#dev", count=2)
    said: list[Event] = [
        Message(ts=1.0, id=n, sender="ana", text=f"m{n}", room="#dev", history=True) for n in (5, 6)
    ]
    lines = lines_of(b"".join(irc.to(each, door, "bob") for each in [told, *said]))
    stamp = "@time=1970-01-01T00:00:01.000Z"
    assert lines == [
        f"{stamp} :irc.test BATCH +history1 chathistory #dev",
        "@batch=history1;time=1970-01-01T00:00:01.000Z;msgid=5 :ana!ana@papo PRIVMSG #dev :m5",
        "@batch=history1;time=1970-01-01T00:00:01.000Z;msgid=6 :ana!ana@papo PRIVMSG #dev :m6",
        f"{stamp} :irc.test BATCH -history1",
    ]
    assert door.batch is None
    nothing = Notice(ts=1.0, code=NoticeCode.HISTORY, room="#dev", count=0)
    assert lines_of(irc.to(nothing, door, "bob")) == [
        f"{stamp} :irc.test BATCH +history2 chathistory #dev",
        f"{stamp} :irc.test BATCH -history2",
    ]
    assert door.histories == ()


def test_a_chathistory_the_chat_refuses_is_a_fail_and_without_batch_no_batch(
    irc: IrcRenderer,
) -> None:
    door = Door(SERVER, nick="bob", registered=True)
    for asked in ("#dev", "#nowhere", "#dev"):
        door.receive(f"CHATHISTORY LATEST {asked} * 2")
    not_in = Error(ts=1.0, code=ErrorCode.NOT_IN_ROOM, command="history", extra={"room": "#dev"})
    no_room = Error(
        ts=1.0, code=ErrorCode.NO_SUCH_ROOM, command="history", extra={"room": "#nowhere"}
    )
    [failed] = lines_of(irc.to(not_in, door, "bob"))
    assert failed.startswith(":irc.test FAIL CHATHISTORY INVALID_TARGET LATEST #dev :")
    [failed] = lines_of(irc.to(no_room, door, "bob"))
    assert failed.startswith(":irc.test FAIL CHATHISTORY INVALID_TARGET LATEST #nowhere :")
    told = Notice(ts=1.0, code=NoticeCode.HISTORY, room="#dev", count=1)
    assert irc.to(told, door, "bob") == b""  # no batch taken: the messages alone
    said = Message(ts=1.0, id=5, sender="ana", text="m5", room="#dev", history=True)
    assert lines_of(irc.to(said, door, "bob")) == [":ana!ana@papo PRIVMSG #dev :m5"]
    door.receive("HISTORY #dev")  # papo's own, typed: in papo's words, as ever
    [words] = lines_of(irc.to(told, door, "bob"))
    assert words.startswith(":irc.test NOTICE bob :") and door.batch is None
