"""``--password-file``: a real server that lets in only who gives the chat's password, at every
door: a line client, a program reading JSON, an IRC client; read again on SIGUSR1."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_irc import IrcClient
from tests.support import ServerProcess

PASSWORD = "open sesame"
IRC_PASSWORD = "opensesame"  # IRC's PASS takes one word


def chat_password_file(tmp_path: Path, password: str) -> Path:
    """The file a server's --password-file names, ``password`` its first line."""
    secret = tmp_path / "chat-password"
    secret.write_text(password + "\n")
    return secret


def password_server(start_server: StartServer, tmp_path: Path, password: str) -> ServerProcess:
    secret = chat_password_file(tmp_path, password)
    return start_server("--password-file", str(secret), "--irc-port", "0")


def test_a_line_client_is_told_to_give_the_password_before_its_name(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_server(start_server, tmp_path, PASSWORD)
    watcher = server.client(json_mode=True)
    assert (watcher.hello or {})["password"] is True
    nc = server.client()
    nc.text_until(lambda line: "This chat asks for a password: type /pass PASSWORD" in line)
    nc.send("bob")
    nc.text_until(lambda line: "asks for a password first: /pass PASSWORD, then your name" in line)
    nc.send("/pass open sesam")
    nc.text_until(lambda line: line.endswith("wrong password."))
    server.wait_for_log("wrong chat password from 127.0.0.1")
    nc.send(f"/pass {PASSWORD}")
    nc.text_until(lambda line: line == "Password accepted. Type your name and press Enter:")
    nc.send("bob")
    nc.text_until(lambda line: line.startswith("Hello, bob!"))
    assert watcher.register("ana")["code"] == "password_needed"
    assert PASSWORD not in server.log()


def test_the_fifth_wrong_password_ends_the_connection(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_server(start_server, tmp_path, PASSWORD)
    guesser = server.client(json_mode=True)
    for _ in range(4):
        guesser.send("/pass guess")
        guesser.expect("error", code="wrong_password")
    guesser.send("/pass guess")
    guesser.expect("error", code="too_many_tries")
    assert guesser.expect("bye")["reason"] == "too_many_tries"
    assert guesser.closed_by_server()


def test_irc_clients_give_it_with_pass(start_server: StartServer, tmp_path: Path) -> None:
    server = password_server(start_server, tmp_path, IRC_PASSWORD)
    dave = IrcClient(server.irc_port)
    dave.send(f"PASS {IRC_PASSWORD}")
    dave.register("dave")
    dave.send("JOIN #dev")
    dave.expect(r" 366 dave #dev ")
    eve = IrcClient(server.irc_port)
    eve.send("PASS wrong-guess")
    eve.expect(r"^:\S+ 464 \* :wrong password\.$")  # ERR_PASSWDMISMATCH
    eve.send("NICK eve", "USER eve 0 * :Eve")
    eve.expect(r"^:\S+ 464 eve :this chat asks for a password first")
    frank = IrcClient(server.irc_port)  # no PASS at all
    frank.send("NICK frank", "USER frank 0 * :Frank")
    frank.expect(r" 464 ")
    assert not [line for line in frank.quiet_lines() if " 001 " in line]


def test_sigusr1_takes_a_new_password_and_those_let_in_stay(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = password_server(start_server, tmp_path, PASSWORD)
    ana = server.client(json_mode=True)
    ana.send(f"/pass {PASSWORD}")
    ana.expect("info", code="password_accepted")
    assert ana.register("ana")["type"] == "welcome"
    chat_password_file(tmp_path, "a new secret")
    server.signal(signal.SIGUSR1)
    server.wait_for_log("read again: --password-file")
    bob = server.client(json_mode=True)
    bob.send(f"/pass {PASSWORD}")
    bob.expect("error", code="wrong_password")
    bob.send("/pass a new secret")
    bob.expect("info", code="password_accepted")
    assert bob.register("bob")["type"] == "welcome"
    ana.expect("join", name="bob")  # let in before the change, and still in
