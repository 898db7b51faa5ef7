"""Rooms over real sockets against a real server process, in both formats and languages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.conftest import StartServer
from tests.support import ROOT, LineClient, ServerProcess


def join(client: LineClient, room: str) -> dict[str, object]:
    client.send(f"/join {room}")
    return client.expect("joined")


def test_join_talk_and_part_in_json(server: ServerProcess) -> None:
    ana, bob, eve = (server.user(name) for name in ("ana", "bob", "eve"))
    joined = join(ana, "#Dev")
    assert joined["room"] == "#Dev" and joined["count"] == 1 and joined["users"] == ["ana"]
    assert joined["topic"] is None
    joined = join(bob, "#dev")
    assert joined["room"] == "#Dev" and joined["users"] == ["ana", "bob"]
    assert ana.expect("join", name="bob")["room"] == "#Dev"
    bob.send("hi devs")
    message = ana.expect("message", text="hi devs")
    assert message["room"] == "#Dev" and message["from"] == "bob"
    bob.expect("message", text="hi devs")  # the echo, to a JSON author
    eve.send("in the lobby")
    lobby = ana.expect("message", text="in the lobby")
    assert lobby["room"] == "#lobby" and lobby["id"] > message["id"]
    assert [e for e in eve.quiet() if e.get("room") == "#Dev"] == []
    bob.send("/part #dev see you")
    leave = ana.expect("leave", name="bob")
    assert (leave["room"], leave["reason"], leave["text"]) == ("#Dev", "part", "see you")
    current = bob.expect("info", code="current")
    assert current["room"] == "#lobby"


def test_rooms_topic_and_online_of_a_room(server: ServerProcess) -> None:
    ana, bob = server.user("ana"), server.user("bob")
    join(ana, "#dev")
    ana.send("/topic #dev builds and bugs")
    topic = ana.expect("topic")
    assert (topic["room"], topic["by"], topic["text"]) == ("#dev", "ana", "builds and bugs")
    assert isinstance(topic["id"], int)
    bob.send("/topic #dev")
    shown = bob.expect("topic")
    assert shown["text"] == "builds and bugs" and "id" not in shown
    bob.send("/rooms")
    rooms = bob.expect("rooms")
    assert rooms["rooms"] == [
        {"room": "#lobby", "count": 2, "topic": None},
        {"room": "#dev", "count": 1, "topic": "builds and bugs"},
    ]
    bob.send("/online #dev")
    online = bob.expect("online")
    assert (online["room"], online["users"], online["count"]) == ("#dev", ["ana"], 1)
    bob.send("/online")
    assert bob.expect("online")["users"] == ["ana", "bob"]


def test_room_errors_have_their_codes(start_server: StartServer) -> None:
    server = start_server("--max-rooms", "2")
    ana = server.user("ana")
    cases = [
        ("/join #two words", "room_invalid"),
        ("/online #nowhere", "no_such_room"),
        ("/msg #nowhere hi", "not_in_room"),
        ("/part #nowhere", "not_in_room"),
    ]
    for line, code in cases:
        ana.send(line)
        error = ana.expect("error")
        assert error["code"] == code, (line, error)
        assert error["room"] and error["text"]
    join(ana, "#one")
    ana.send("/join #two")
    error = ana.expect("error")
    assert error["code"] == "too_many_rooms" and error["max_rooms"] == "2"
    ana.send("/part #one")
    ana.send("/part #lobby")
    ana.expect("info", code="current", room=None)
    ana.send("anyone?")
    assert ana.expect("error")["code"] == "no_room"


def test_one_leave_per_user_who_shared_rooms(server: ServerProcess) -> None:
    ana, bob = server.user("ana"), server.user("bob")
    eve = server.user("eve")
    for room in ("#a", "#b"):
        join(ana, room)
        join(bob, room)
    eve.send("/part")
    eve.expect("info", code="current")
    bob.quiet()
    ana.send("/quit so long")
    leave = bob.expect("leave", name="ana")
    assert "room" not in leave and leave["reason"] == "quit" and leave["text"] == "so long"
    assert [e for e in bob.quiet() if e["type"] == "leave"] == []
    assert [e for e in eve.quiet() if e["type"] == "leave"] == []


def test_text_mode_names_other_rooms_in_front(server: ServerProcess) -> None:
    ana = server.user("ana")
    bob = server.client()
    bob.send("bob")
    bob.text_until(lambda line: line.startswith("Hello, bob"))
    bob.send("/join #dev")
    lines = bob.text_until(lambda line: "#dev" in line)
    assert lines[-1].startswith("You are now talking in #dev.")
    ana.send("/join #dev")
    assert bob.text_until(lambda line: "joined" in line)[-1] == "*** ana joined #dev"
    ana.send("in dev")
    assert bob.text_until(lambda line: "in dev" in line)[-1] == "<ana> in dev"
    ana.send("/msg #lobby in the lobby")
    assert bob.text_until(lambda line: "lobby" in line)[-1] == "[#lobby] <ana> in the lobby"
    bob.send("/rooms")
    listing = bob.text_until(lambda line: line.lstrip().startswith("#lobby"))
    assert [line.split() for line in listing[-3:]] == [
        ["2", "rooms:"],
        ["#dev", "2"],
        ["#lobby", "2"],
    ]
    bob.send("/part #lobby")
    assert bob.text_until(lambda line: "talking" in line)[-1] == "You are now talking in #dev."
    bob.send("/part")
    line = bob.text_until(lambda line: "no room" in line)[-1]
    assert line.startswith("You are in no room now")


def test_text_mode_in_portuguese(start_server: StartServer) -> None:
    server = start_server("--lang", "pt_BR")
    ana = server.user("ana")
    bob = server.client()
    bob.send("bob")
    bob.text_until(lambda line: "bob" in line)
    ana.send("/join #dev")
    ana.expect("joined")
    ana.send("/msg #lobby oi")
    assert bob.text_until(lambda line: "oi" in line)[-1] == "<ana> oi"
    bob.send("/join #dev")
    assert bob.text_until(lambda line: "#dev" in line)[-1].startswith("Agora você fala em #dev.")
    ana.send("/topic bugs")
    assert bob.text_until(lambda line: "assunto" in line)[-1] == (
        "*** ana mudou o assunto de #dev: bugs"
    )
    bob.send("/msg #nada oi")
    assert "não está em #nada" in bob.text_until(lambda line: "#nada" in line)[-1]
    bob.send("/help")
    help_lines = bob.text_until(lambda line: line.lstrip().startswith("//"))
    assert any(line.lstrip().startswith("/join #SALA") for line in help_lines)


def test_default_room_option(start_server: StartServer) -> None:
    server = start_server("--default-room", "praça")
    client = server.client(json_mode=True)
    welcome = client.register("ana")
    assert welcome["room"] == "#praça"
    bad = subprocess.run(
        [sys.executable, str(ROOT / "servidor.py"), "--default-room", "#two words"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert bad.returncode == 2 and "not a valid room name" in bad.stderr


def test_away_and_whois_in_json_and_in_both_languages(start_server: StartServer) -> None:
    server = start_server("--lang", "pt_BR")
    ana = server.user("ana")
    bob = server.client()
    bob.send("bob")
    bob.text_until(lambda line: "bob" in line)
    bob.send("/away no almoço")
    assert bob.text_until(lambda line: "ausente" in line)[-1].startswith(
        "Agora você está ausente: no almoço"
    )
    ana.send("/online")
    online = ana.expect("online")
    assert online["away"] == {"bob": "no almoço"} and online["users"] == ["ana", "bob"]
    ana.send("/msg bob oi")
    ana.expect("private")
    away = ana.expect("info", code="away")
    assert away["names"] == ["bob"] and away["away"] == "no almoço"
    assert bob.text_until(lambda line: "oi" in line)[-1].endswith("oi")  # still delivered
    ana.send("/whois bob")
    whois = ana.expect("whois")
    assert (whois["name"], whois["rooms"], whois["away"]) == ("bob", ["#lobby"], "no almoço")
    assert isinstance(whois["idle"], int) and whois["since"].endswith("Z")
    bob.send("/whois ana")
    lines = bob.text_until(lambda line: "salas" in line)
    assert lines[-2].startswith("ana: online desde ") and lines[-1] == "  salas: #lobby"
    bob.send("/online")
    assert "bob (ausente: no almoço)" in bob.text_until(lambda line: "online:" in line)[-1]
    bob.send("/away")
    assert bob.text_until(lambda line: "voltou" in line)[-1] == "Você voltou."


def starting_with(prefix: str) -> Callable[[str], bool]:
    return lambda line: line.startswith(prefix)


ROOM_COMMANDS_IN_TEXT = {
    "en": [
        ("/join #dev", "You are now talking in #dev. 1 user here: bob"),
        ("/topic #dev bugs", "*** bob set the topic of #dev: bugs"),
        ("/topic", "Topic of #dev: bugs (set by bob)"),
        ("/online #dev", "1 user in #dev: bob"),
        ("/rooms", "2 rooms:"),
        ("/join #nada", "You are now talking in #nada. 1 user here: bob"),
        ("/part", "*** bob left #nada"),
        ("/part #dev bye", "*** bob left #dev (bye)"),
        ("/part", "You are in no room now; /join a room to talk."),
        ("hello?", "Error: you are in no room; /join a room to talk (/rooms lists them)."),
        ("/join #a b", "Error: the room name '#a b' is not allowed"),
    ],
    "pt_BR": [
        ("/join #dev", "Agora você fala em #dev. 1 pessoa aqui: bob"),
        ("/topic #dev bugs", "*** bob mudou o assunto de #dev: bugs"),
        ("/topic", "Assunto de #dev: bugs (definido por bob)"),
        ("/online #dev", "1 usuário em #dev: bob"),
        ("/rooms", "2 salas:"),
        ("/join #nada", "Agora você fala em #nada. 1 pessoa aqui: bob"),
        ("/part", "*** bob saiu de #nada"),
        ("/part #dev tchau", "*** bob saiu de #dev (tchau)"),
        ("/part", "Você não está em nenhuma sala agora; use /join para entrar numa sala."),
        ("oi?", "Erro: você não está em nenhuma sala; use /join para entrar numa sala"),
        ("/join #a b", "Erro: o nome de sala '#a b' não é permitido"),
    ],
}


@pytest.mark.parametrize("language", sorted(ROOM_COMMANDS_IN_TEXT))
def test_each_room_command_in_text_in_each_language(
    start_server: StartServer, language: str
) -> None:
    server = start_server("--lang", language)
    ana = server.user("ana")
    bob = server.client()
    bob.send("bob")
    bob.text_until(lambda line: "bob" in line)
    for command, expected in ROOM_COMMANDS_IN_TEXT[language]:
        bob.send(command)
        seen = bob.text_until(starting_with(expected))
        assert seen[-1].startswith(expected), (command, seen)
    bob.send("/join #lobby")
    bob.send("/msg #lobby to the lobby")  # a text author gets no echo; the others get it
    assert ana.expect("message", text="to the lobby")["room"] == "#lobby"
