"""Rendering: JSON field names are the contract; text carries names and message text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from papo.protocol.commands import OutputFormat
from papo.protocol.events import (
    Bye,
    ByeReason,
    Error,
    ErrorCode,
    HelpInfo,
    Leave,
    LeaveReason,
    Message,
    Mute,
    Notice,
    NoticeCode,
    Online,
    Private,
    Topic,
    TopicShown,
    Welcome,
    Whois,
)
from papo.protocol.names import NameProblem
from papo.protocol.render import Renderer
from papo.protocol.timestamps import format_timestamp

NOW = 1_763_989_331.123


def test_timestamp_is_rfc3339_utc_with_millis() -> None:
    assert format_timestamp(NOW) == "2025-11-24T13:02:11.123Z"


@given(st.floats(min_value=0, max_value=4_102_444_800))  # up to 2100
def test_timestamp_matches_datetime_to_the_millisecond(ts: float) -> None:
    whole = datetime.fromtimestamp(round(ts * 1000) / 1000, UTC)
    assert format_timestamp(ts) == whole.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{round(ts * 1000) % 1000:03d}Z"
    )
    assert format_timestamp(ts) == format_timestamp(ts)  # the cached second is the same


def test_message_json_fields() -> None:
    event = Message(ts=NOW, id=7, sender="alice", text="olá")
    data = Renderer("en").render(event, OutputFormat.JSON)
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert json.loads(data) == {
        "type": "message",
        "id": 7,
        "from": "alice",
        "text": "olá",
        "ts": "2025-11-24T13:02:11.123Z",
    }


def test_private_and_leave_and_welcome_json() -> None:
    renderer = Renderer("en")
    private = json.loads(renderer.json(Private(ts=NOW, id=1, sender="a", recipient="b", text="x")))
    assert (private["from"], private["to"], private["type"]) == ("a", "b", "private")
    assert "action" not in private  # a field only an action has
    action = Private(ts=NOW, id=1, sender="a", recipient="b", text="waves", action=True)
    assert json.loads(renderer.json(action))["action"] is True
    assert renderer.text(action) == b"[private] a -> b: * a waves\n"
    notice = Message(ts=NOW, id=2, sender="bot", text="build ok", room="#dev", notice=True)
    assert json.loads(renderer.json(notice))["notice"] is True
    assert renderer.text(notice) == b"-bot- build ok\n"  # as IRC clients show a notice
    cleared = Topic(ts=NOW, id=5, room="#dev", by="ana", text="")
    assert renderer.text(cleared) == b"*** ana cleared the topic of #dev\n"
    assert "locked" not in json.loads(renderer.json(cleared))  # a lock's change only
    locked = Topic(ts=NOW, id=6, room="#dev", by="ana", text="plans", locked=True)
    assert renderer.text(locked) == (
        b"*** ana locked the topic of #dev: only operators may change it\n"
    )
    assert json.loads(renderer.json(locked))["locked"] is True
    unlocked = replace(locked, locked=False)
    assert renderer.text(unlocked) == b"*** ana unlocked the topic of #dev\n"
    assert json.loads(renderer.json(unlocked))["locked"] is False
    shown = TopicShown(ts=NOW, room="#dev", by="bob", text="plans", locked=True)
    assert renderer.text(shown) == (
        b"Topic of #dev: plans (set by bob)\nOnly operators may change it.\n"
    )
    assert Renderer("pt_BR").text(shown).endswith("Só operadores podem mudá-lo.\n".encode())
    muted = Mute(ts=NOW, id=7, name="bob", by="ana", seconds=1800, text="flooding")
    assert renderer.text(muted) == b"*** bob was muted by ana for 30 minutes: flooding\n"
    assert json.loads(renderer.json(muted))["seconds"] == 1800
    assert Renderer("pt_BR").text(replace(muted, text=None)) == (
        b"*** bob foi silenciado por ana por 30 minutos\n"
    )
    lifted = Mute(ts=NOW, id=8, name="bob", by="ana", seconds=0)
    assert renderer.text(lifted) == b"*** bob may talk again: ana lifted the mute\n"
    until = format_timestamp(NOW + 300)
    told = Error(ts=NOW, code=ErrorCode.MUTED, command="private", extra={"until": until})
    assert renderer.text(told) == (
        b"Error: you are muted for another 5 minutes: only operators read you now, in private.\n"
    )
    refused = Error(ts=NOW, code=ErrorCode.TOPIC_LOCKED, extra={"room": "#dev"})
    assert json.loads(renderer.json(refused))["text"] == (
        "the topic of #dev is locked: only operators may change it."
    )
    plain = json.loads(renderer.json(Message(ts=NOW, id=3, sender="a", text="x", room="#dev")))
    assert "notice" not in plain
    quiet = Private(ts=NOW, id=4, sender="bot", recipient="b", text="done", notice=True)
    assert json.loads(renderer.json(quiet))["notice"] is True
    leave = json.loads(
        renderer.json(Leave(ts=NOW, id=2, name="a", reason=LeaveReason.QUIT, text="bye"))
    )
    assert (leave["reason"], leave["text"]) == ("quit", "bye")
    welcome = json.loads(renderer.json(Welcome(ts=NOW, name="a", count=5000, users=None)))
    assert "users" not in welcome and welcome["count"] == 5000


def test_error_json_has_code_localised_text_and_details() -> None:
    event = Error(
        ts=NOW, code=ErrorCode.NAME_INVALID, name="x y", problem=NameProblem.BAD_CHARACTER
    )
    english = json.loads(Renderer("en").json(event))
    portuguese = json.loads(Renderer("pt_BR").json(event))
    assert english["code"] == portuguese["code"] == "name_invalid"
    assert english["name"] == "x y" and english["rule"] == "bad_character"
    assert english["text"] != portuguese["text"]


def test_text_lines_carry_names_and_text() -> None:
    renderer = Renderer("en")
    assert renderer.text(Message(ts=NOW, id=1, sender="alice", text="hi")) == b"<alice> hi\n"
    line = renderer.text_line(Online(ts=NOW, users=("alice", "bob")))
    assert "alice, bob" in line and "2" in line
    assert "bob" in renderer.text_line(Private(ts=NOW, id=1, sender="a", recipient="bob", text="x"))


def test_portuguese_text() -> None:
    renderer = Renderer("pt_BR")
    assert "online" in renderer.text_line(Online(ts=NOW, users=("ana",)))
    bye = renderer.text_line(Bye(ts=NOW, reason=ByeReason.SHUTDOWN))
    assert "servidor" in bye.lower()
    assert "/private" in renderer.text_line(HelpInfo(ts=NOW))


def test_every_event_renders_in_both_formats_and_languages() -> None:
    events = [Bye(ts=NOW, reason=reason) for reason in ByeReason] + [
        Error(ts=NOW, code=code, command="private") for code in ErrorCode
    ]
    for language in ("en", "pt_BR"):
        renderer = Renderer(language)
        for event in events:
            assert json.loads(renderer.json(event))["type"] in ("bye", "error")
            assert renderer.text_line(event).strip()


def test_line_clients_read_a_refusal_once() -> None:
    renderer = Renderer("en")
    for code in ("server_full", "too_many_connections", "too_many_tries", "registration_timeout"):
        assert renderer.text(Error(ts=NOW, code=ErrorCode(code))) == b""  # the bye says it
        assert renderer.text(Bye(ts=NOW, reason=ByeReason(code))).strip()
    assert renderer.text(Error(ts=NOW, code=ErrorCode.NAME_TAKEN, name="ana")).strip()


def test_help_is_aligned_names_the_slash_escape_and_speaks_portuguese() -> None:
    *english, rooms = Renderer("en").text_line(HelpInfo(ts=NOW)).splitlines()[1:]
    assert rooms.startswith("Rooms: ") and "/join #ROOM" in rooms and "[#ROOM]" in rooms
    starts = {re.match(r"\s*\S.*?\s{2,}", line).end() for line in english}  # type: ignore[union-attr]
    assert len(starts) == 1, english  # every description starts in one column
    assert any(line.strip().startswith("//TEXT") for line in english)
    portuguese = Renderer("pt_BR").text_line(HelpInfo(ts=NOW))
    assert "/private NOME|#SALA TEXTO" in portuguese and "NAME" not in portuguese
    assert "/help [COMANDO]" in portuguese
    assert portuguese.splitlines()[-1].startswith("Salas: ") and "/join #SALA" in portuguese
    usage = Renderer("pt_BR").text_line(Error(ts=NOW, code=ErrorCode.USAGE, command="private"))
    assert "/private NOME|#SALA TEXTO" in usage


OPERATORS_ONLY = ("kick", "ban", "unban", "bans", "mute", "unmute", "locktopic", "unlocktopic")


def test_help_leaves_out_what_the_reader_cannot_use_and_says_how_to_get_it() -> None:
    renderer = Renderer("en")
    user = renderer.text_line(HelpInfo(ts=NOW, not_listed=OPERATORS_ONLY))
    assert "/kick" not in user.split("Operators")[0] and "/oper PASSWORD" in user
    last = user.splitlines()[-1]
    assert last == (
        "Operators (/oper) also have /kick, /ban, /unban, /bans, /locktopic, /unlocktopic, "
        "/mute, /unmute; /help COMMAND explains one."
    )
    nobody = renderer.text_line(HelpInfo(ts=NOW, not_listed=(*OPERATORS_ONLY, "oper")))
    assert "/oper" not in nobody and "/kick" not in nobody  # no operators on this server
    operator = renderer.text_line(HelpInfo(ts=NOW))
    assert "/kick NAME [REASON]" in operator and "Operators (/oper)" not in operator
    assert len(operator.splitlines()) == len(user.splitlines()) + len(OPERATORS_ONLY) - 1
    portuguese = Renderer("pt_BR").text_line(HelpInfo(ts=NOW, not_listed=OPERATORS_ONLY))
    assert portuguese.splitlines()[-1].startswith("Operadores (/oper) têm também /kick, ")
    assert portuguese.endswith("/help COMANDO explica cada um.")
    fields = json.loads(renderer.json(HelpInfo(ts=NOW, not_listed=("oper",))))
    assert fields["not_listed"] == ["oper"] and "/oper" not in fields["text"]
    assert "not_listed" not in json.loads(renderer.json(HelpInfo(ts=NOW)))


def test_a_quit_does_not_read_left_the_chat_twice_in_portuguese() -> None:
    leave = Leave(ts=NOW, id=1, name="eve", reason=LeaveReason.QUIT)
    assert Renderer("pt_BR").text_line(leave) == "*** eve saiu do chat (por vontade própria)"


def test_away_and_whois_read_well_in_english() -> None:
    renderer = Renderer("en")
    whois = Whois(ts=NOW, name="bea", rooms=("#lobby", "#dev"), away="lunch", since=NOW - 600,
                  idle=130)  # fmt: skip
    lines = renderer.text_line(whois).splitlines()
    assert lines[0].startswith("bea: online since ") and lines[0].endswith("UTC, idle 2 min")
    assert lines[1:] == ["  rooms: #lobby, #dev", "  away: lunch"]
    fields = renderer.json_fields(whois)
    assert (fields["idle"], fields["rooms"], fields["away"]) == (130, ["#lobby", "#dev"], "lunch")
    online = Online(ts=NOW, users=("ana", "bea"), away={"bea": "lunch"})
    assert renderer.text_line(online) == "2 users online: ana, bea (away: lunch)"
    told = Notice(ts=NOW, code=NoticeCode.AWAY, names=("bea",), away="lunch")
    assert renderer.text_line(told) == "bea is away: lunch"
    assert renderer.json_fields(told)["away"] == "lunch"
    assert "operator" not in fields
    operator = replace(whois, operator=True)
    assert renderer.text_line(operator).splitlines()[-1] == "  an operator of this chat"
    assert renderer.json_fields(operator)["operator"] is True


def test_a_refused_room_name_says_which_rule_when_the_names_wording_fits() -> None:
    en, pt = Renderer("en"), Renderer("pt_BR")
    mixed = Error(ts=NOW, code=ErrorCode.ROOM_INVALID, problem=NameProblem.MIXED_SCRIPTS,
                  extra={"room": "#Ωmega"})  # fmt: skip
    assert en.text_line(mixed) == (
        "Error: the room name '#Ωmega' is not allowed: "
        "a name cannot mix alphabets (Latin with Cyrillic or Greek, say)."
    )
    assert pt.text_line(mixed).startswith("Erro: o nome de sala '#Ωmega' não é permitido: ")
    long = Error(ts=NOW, code=ErrorCode.ROOM_INVALID, problem=NameProblem.TOO_LONG,
                 extra={"room": "#" + "x" * 33})  # fmt: skip
    assert "1 to 32 letters or digits" in en.text_line(long)  # the room's own limits


def test_a_ban_says_for_how_long_rounded_up_in_a_unit_that_reads_well() -> None:
    english, portuguese = Renderer("en"), Renderer("pt_BR")
    # A second over is another clock's reading, not a minute more.
    cases = [(1, "1 minute"), (60, "1 minute"), (61, "1 minute"), (62, "2 minutes"),
             (600.0004, "10 minutes"), (7140, "119 minutes"), (7200, "2 hours"),
             (3600 * 47, "47 hours"), (3600 * 47 + 61, "2 days"), (86400 * 2, "2 days"),
             (86400 * 30, "30 days")]  # fmt: skip
    assert [english.duration_text(seconds) for seconds, _ in cases] == [said for _, said in cases]
    assert portuguese.duration_text(86400) == "24 horas"
    leave = Leave(ts=NOW, id=9, name="bob", reason=LeaveReason.KICKED, by="ana", ban=1800)
    assert english.text_line(leave) == "*** bob was banned by ana for 30 minutes"
    with_reason = Leave(
        ts=NOW, id=9, name="bob", reason=LeaveReason.KICKED, by="ana", text="spam", ban=3600
    )
    assert portuguese.text_line(with_reason) == "*** bob foi banido por ana por 60 minutos: spam"
    until = {"until": format_timestamp(NOW + 3 * 86400 - 5)}
    refused = Error(ts=NOW, code=ErrorCode.BANNED, extra=until)
    assert english.text_line(refused) == (
        "Error: your address is banned from this chat for another 3 days."
    )
    assert json.loads(english.json(refused))["until"] == until["until"]
    # A server that says banned without saying until when (hostile, or broken) is read too.
    nothing = Error(ts=NOW, code=ErrorCode.BANNED, extra={"until": "never"})
    assert english.text_line(nothing).endswith("for another 1 minute.")
    listed = Notice(ts=NOW, code=NoticeCode.BANS, names=("dave", "carol"), count=2,
                    until=(NOW + 60, NOW + 7200))  # fmt: skip
    assert english.text_line(listed) == (
        "2 bans in force: dave (1 minute left), carol (2 hours left)"
    )
    assert portuguese.text_line(listed) == (
        "2 banimentos em vigor: dave (faltam 1 minuto), carol (faltam 2 horas)"
    )
    assert english.json_fields(listed)["until"] == [
        format_timestamp(NOW + 60),
        format_timestamp(NOW + 7200),
    ]
    assert english.text_line(Notice(ts=NOW, code=NoticeCode.BANS)) == "No address is banned."
    gone = Notice(ts=NOW, code=NoticeCode.BANNED_GONE, names=("bob",), until=(NOW + 1800,))
    assert english.text_line(gone) == (
        "bob had left already: the address they came from is banned for 30 minutes "
        "(/unban bob lifts it)."
    )
    assert portuguese.text_line(gone) == (
        "bob já tinha saído: o endereço de onde veio fica banido por 30 minutos "
        "(/unban bob o libera)."
    )
    assert english.json_fields(gone)["until"] == [format_timestamp(NOW + 1800)]
