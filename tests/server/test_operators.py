"""Operators over real sockets: a server started with an operator password, papo and IRC
users, ``/oper`` and ``/kick`` (IRC's ``OPER`` and ``KILL``)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_irc import IRC, IrcClient
from tests.support import LineClient, ServerProcess

PASSWORD = "papo operators 2026"


def operators_server(start_server: StartServer, tmp_path: Path) -> ServerProcess:
    secret = tmp_path / "oper-password"
    secret.write_text(PASSWORD + "\nwhat follows the first line is not read\n")
    return start_server("--oper-password-file", str(secret), *IRC)


def one_at_each_door(server: ServerProcess) -> tuple[LineClient, LineClient, IrcClient]:
    """ana at a line client, bob a program (JSON), carol through the IRC door."""
    ana = server.line_user("ana")
    bob = server.user("bob")
    carol = IrcClient(server.irc_port)
    carol.register("carol")
    return ana, bob, carol


def test_an_operator_kicks_a_user_out_and_everybody_is_told_at_every_door(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    ana, bob, carol = one_at_each_door(server)
    ana.send("/kick bob")
    ana.text_until(lambda line: "/kick is for operators (/oper PASSWORD)" in line)
    ana.send("/oper papo operators")
    ana.text_until(lambda line: "wrong operator password" in line)
    ana.send(f"/oper {PASSWORD}")
    ana.text_until(lambda line: "You are an operator now" in line)
    ana.send("/kick BOB flooding the lobby")
    said = "*** bob was kicked out by ana: flooding the lobby"
    ana.text_until(lambda line: line.endswith(said))
    # The one kicked: who did it and why, a goodbye, and the end of its connection; its
    # token is no more (a resume would bring it straight back).
    bob.expect("leave", name="bob", reason="kicked", by="ana", text="flooding the lobby")
    assert bob.next_event()["type"] == "bye" and bob.closed_by_server()
    token = bob.welcome["resume"] if bob.welcome else None
    again = server.client(json_mode=True)
    again.send(f"/resume {token} 0")
    again.expect("error", code="resume_failed")
    carol.expect(r"^:bob!bob@papo QUIT :bob was kicked out by ana: flooding the lobby$")
    server.wait_for_log("'bob' kicked out by 'ana': flooding the lobby")
    assert "wrong operator password from 'ana'" in server.log()
    # The name is free again.
    assert server.user("bob").welcome is not None


def test_irc_oper_and_kill_are_the_operators_commands(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    dave, eve = IrcClient(server.irc_port), IrcClient(server.irc_port)
    dave.register("dave")
    eve.register("eve")
    dave.send("KILL eve :go away")
    dave.expect(r"^:irc\.test 481 dave :/kick is for operators")
    dave.send("OPER dave :not it")
    dave.expect(r"^:irc\.test 464 dave :wrong operator password\.$")
    dave.send(f"OPER dave :{PASSWORD}")
    dave.expect(r"^:irc\.test 381 dave :You are an operator now")
    dave.send("KILL eve :go away")
    dave.expect(r"^:eve!eve@papo QUIT :eve was kicked out by dave: go away$")
    eve.expect(r"^ERROR :Closing link: An operator put you out of the chat\.$")
    assert eve.conn.closed_by_server()


def test_without_an_operator_password_nobody_becomes_one(start_server: StartServer) -> None:
    server = start_server(*IRC)
    ana = server.line_user("ana")
    ana.send("/oper anything at all here")
    ana.text_until(lambda line: "this server has no operators" in line)
    frank = IrcClient(server.irc_port)
    frank.register("frank")
    frank.send("OPER frank :anything at all here")
    frank.expect(r"^:irc\.test 491 frank :this server has no operators")


def test_help_lists_operators_commands_once_you_are_one(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    ana = server.line_user("ana")
    ana.send("/help")
    listed = ana.text_until(lambda line: line.startswith("Operators (/oper) also have"))
    assert any("/oper PASSWORD" in line for line in listed)
    assert not any("/kick NAME" in line for line in listed)
    ana.send(f"/oper {PASSWORD}")
    ana.text_until(lambda line: "You are an operator now" in line)
    ana.send("/help")
    listed = ana.text_until(lambda line: line.startswith("Rooms: "))
    assert any("/kick NAME [REASON]" in line for line in listed)
    bob = server.user("bob")
    bob.send("/help")
    assert "kick" in bob.expect("info", code="help")["not_listed"]


def test_on_a_server_without_operators_help_leaves_oper_out(server: ServerProcess) -> None:
    ana = server.user("ana")
    ana.send("/help")
    info = ana.expect("info", code="help")
    assert "oper" in info["not_listed"] and "/oper" not in info["text"]
    assert "/private" in info["text"]
