"""Every chat behaviour of PROTOCOL.md, over real sockets against a real server process."""

from __future__ import annotations

import re

from tests.conftest import StartServer
from tests.support import ServerProcess

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_greeting_then_hello_with_limits(server: ServerProcess) -> None:
    client = server.client()
    greeting = client.readline()
    assert greeting is not None and b"name" in greeting
    client.send("/format json")
    hello = client.wait_hello()
    assert hello["server"] == "papo" and hello["protocol"] == 2 and hello["name"] is None
    assert hello["limits"] == {"max_line_bytes": 2048, "max_name_chars": 20}
    assert TIMESTAMP.match(hello["ts"]) and isinstance(hello["version"], str)


def test_welcome_join_and_history(server: ServerProcess) -> None:
    alice = server.user("alice")
    alice.send("first")
    alice.send("/me waves")
    alice.expect("action")
    bob = server.client(json_mode=True)
    bob.send("bob")
    welcome = bob.expect("welcome")
    assert welcome["name"] == "bob" and welcome["count"] == 2
    assert welcome["users"] == ["alice", "bob"]
    replay = [bob.next_event(), bob.next_event()]
    assert [(e["type"], e["text"], e["history"]) for e in replay] == [
        ("message", "first", True),
        ("action", "waves", True),
    ]
    join = alice.expect("join", name="bob")
    assert isinstance(join["id"], int) and join["id"] > replay[1]["id"]


def test_only_format_help_quit_before_registration(server: ServerProcess) -> None:
    client = server.client(json_mode=True)
    for command in ("/online", "/private a b", "/nick x", "/me x"):
        client.send(command)
        assert client.expect("error")["code"] == "not_registered"
    client.send("/help")
    assert client.expect("info")["code"] == "help"
    client.send("/quit")
    assert client.expect("bye")["reason"] == "quit"
    assert client.closed_by_server()


def test_names_refused_with_reason_and_retry(server: ServerProcess) -> None:
    server.user("Alice")
    client = server.client(json_mode=True)
    cases = [
        ("alice", "name_taken"),
        ("ＡＬＩＣＥ", "name_taken"),
        ("\x1b[31mred", "name_invalid"),
        ("\u0430lice", "name_invalid"),
    ]
    for wanted, code in cases:
        error = client.register(wanted)
        assert error["type"] == "error" and error["code"] == code, (wanted, error)
        assert error["text"]
    assert client.register("alice2")["type"] == "welcome"


def test_five_refused_names_then_bye(server: ServerProcess) -> None:
    client = server.client(json_mode=True)
    for _ in range(4):
        assert client.register("root")["code"] == "name_invalid"
    client.send("admin")
    client.expect("error", code="name_invalid")
    client.expect("error", code="too_many_tries")
    assert client.expect("bye")["reason"] == "too_many_tries"
    assert client.closed_by_server()


def test_registration_timeout(start_server: StartServer) -> None:
    server = start_server("--registration-timeout", "0.5")
    client = server.client(json_mode=True)
    client.expect("error", code="registration_timeout")
    assert client.expect("bye")["reason"] == "registration_timeout"
    assert client.closed_by_server()


def test_public_messages_echo_with_one_increasing_id(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    alice.expect("join", name="bob")
    alice.send("one")
    bob.send("two")
    alice.send("//slash")
    seen = {}
    for client in (alice, bob):
        events = [client.expect("message") for _ in range(3)]
        ids = [e["id"] for e in events]
        assert ids == sorted(ids) and len(set(ids)) == 3
        assert all(TIMESTAMP.match(e["ts"]) for e in events)
        seen[id(client)] = [(e["from"], e["text"], e["id"]) for e in events]
    assert seen[id(alice)] == seen[id(bob)]
    assert {text for _, text, _ in seen[id(alice)]} == {"one", "two", "/slash"}


def test_private_reaches_only_the_recipient_and_the_sender(server: ServerProcess) -> None:
    alice, bob, carol = server.user("alice"), server.user("bob"), server.user("carol")
    for alias in ("/private", "/msg", "/w"):
        alice.send(f"{alias} BOB secret {alias}")
        got = bob.expect("private")
        assert (got["from"], got["to"], got["text"]) == ("alice", "bob", f"secret {alias}")
        assert alice.expect("private")["id"] == got["id"]
    carol.send("/online")
    carol.expect("online")
    assert all(e["type"] != "private" for e in carol.quiet())


def test_private_to_someone_offline_is_a_clear_warning(server: ServerProcess) -> None:
    alice = server.user("alice")
    alice.send("/private ghost hello")
    error = alice.expect("error")
    assert error["code"] == "no_such_user" and error["name"] == "ghost"
    assert "ghost" in error["text"]


def test_online_lists_everyone_sorted_with_aliases(server: ServerProcess) -> None:
    carol = server.user("carol")
    server.user("Bob")
    server.user("alice")
    for alias in ("/online", "/who", "/users", "/names", "/ONLINE"):
        carol.send(alias)
        online = carol.expect("online")
        assert online["users"] == ["alice", "Bob", "carol"] and online["count"] == 3


def test_quit_leaves_with_text_and_server_goes_on(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    bob.send("/exit see you")
    assert bob.expect("bye")["reason"] == "quit"
    assert bob.closed_by_server()
    leave = alice.expect("leave", name="bob")
    assert leave["reason"] == "quit" and leave["text"] == "see you"
    carol = server.user("bob")
    carol.send("back")
    assert alice.expect("message")["text"] == "back"


def test_abrupt_disconnect_is_a_leave(server: ServerProcess) -> None:
    """For a line client: a JSON one is held for a resume (tests/server/test_resume.py)."""
    alice, bob = server.user("alice"), server.line_user("bob")
    bob.sock.close()
    assert alice.expect("leave", name="bob")["reason"] == "disconnect"


def test_nick_seen_by_everyone_and_old_name_freed(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    bob.send("/nick robert")
    for client in (alice, bob):
        nick = client.expect("nick")
        assert (nick["old"], nick["new"]) == ("bob", "robert")
    bob.send("/nick alice")
    assert bob.expect("error")["code"] == "name_taken"
    server.user("bob")
    assert "'bob' is now 'robert'" in server.log()  # renames are logged, as arrivals are


def test_me_help_usage_unknown(server: ServerProcess) -> None:
    alice = server.user("alice")
    alice.send("/me waves")
    assert alice.expect("action")["text"] == "waves"
    alice.send("/help private")
    info = alice.expect("info")
    assert info["code"] == "help" and "/private" in info["text"]
    alice.send("/private")
    assert alice.expect("error")["code"] == "usage"
    alice.send("/Dance now")
    assert alice.expect("error")["code"] == "unknown_command"


def test_format_text_switches_back_and_text_has_no_public_echo(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    bob.send("/format text")
    assert b"text" in (bob.readline() or b"")
    bob.send("hi from text")
    assert alice.expect("message")["text"] == "hi from text"
    alice.send("hi from json")
    lines = bob.text_until(lambda line: "hi from json" in line)
    assert lines[-1] == "<alice> hi from json"
    assert not any("hi from text" in line for line in lines)


def test_control_characters_never_reach_others(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    alice.send("\x1b[2J\x1b]0;owned\x07clean\ttext\x7f\x9b31m!".encode())
    assert bob.expect("message")["text"] == "clean text!"
    alice.send("\x1b[2J\x07   ")
    alice.send("after")
    assert bob.expect("message")["text"] == "after"


def test_oversized_line_refused_and_connection_goes_on(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    alice.send(b"x" * 5000)
    error = alice.expect("error")
    assert error["code"] == "line_too_long"
    alice.send(b"y" * 2048)
    assert bob.expect("message")["text"] == "y" * 2048
    assert all(e.get("text") != "x" * 5000 for e in bob.quiet())


def test_broken_utf8_refused_and_connection_goes_on(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    alice.send(b"caf\xe9 au lait")
    assert alice.expect("error")["code"] == "bad_encoding"
    alice.send("café")
    assert bob.expect("message")["text"] == "café"


def test_crlf_and_unterminated_last_line(server: ServerProcess) -> None:
    alice, bob = server.line_user("alice"), server.user("bob")
    alice.send(b"telnet style\r\n")
    assert bob.expect("message")["text"] == "telnet style"
    alice.sock.sendall(b"no newline at the end")
    alice.sock.shutdown(1)
    assert bob.expect("message")["text"] == "no newline at the end"
    assert bob.expect("leave", name="alice")["reason"] == "disconnect"


def test_telnet_commands_are_taken_out_and_ctrl_c_leaves(server: ServerProcess) -> None:
    tel, bob = server.line_user("tel"), server.user("bob")
    will_naws, window_size = b"\xff\xfb\x1f", b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"
    tel.send(will_naws + b"hello " + window_size + b"from telnet\r\n")
    assert bob.expect("message")["text"] == "hello from telnet"
    interrupt_then_timing_mark = b"\xff\xf4\xff\xfd\x06"
    tel.sock.sendall(b"sent\r\nhalf a li" + interrupt_then_timing_mark)  # telnet's Ctrl-C
    assert bob.expect("message")["text"] == "sent"
    left = bob.expect("leave", name="tel")
    assert left["reason"] == "quit"  # and the half line was never said
    assert tel.text_until(lambda line: line == "Goodbye!") and tel.closed_by_server()
    assert [e["type"] for e in bob.quiet()] == []


def test_bytes_telnet_never_sends_are_still_broken_utf8(server: ServerProcess) -> None:
    line_user, program = server.line_user("tel"), server.user("bot")
    line_user.send(b"\xff\xfe\xfd")  # IAC DONT, but 253 is no telnet option
    assert line_user.text_until(lambda line: "not valid UTF-8" in line)
    program.send(b"\xff\xf4")  # JSON mode: a program, never telnet; not an interrupt
    assert program.expect("error")["code"] == "bad_encoding"
    program.send("still here")
    assert program.expect("message")["text"] == "still here"


def test_vanishing_mid_line_delivers_nothing_partial(server: ServerProcess) -> None:
    alice, bob = server.line_user("alice"), server.user("bob")
    alice.sock.sendall(b"half a thou")
    alice.reset()
    assert bob.expect("leave", name="alice")["reason"] == "disconnect"


def test_log_has_names_and_reasons_but_never_what_was_said(server: ServerProcess) -> None:
    alice, bob = server.user("alice"), server.user("bob")
    alice.send("my secret plans")
    alice.send("/private bob more secrets")
    alice.send("/me hides the secrets")
    bob.expect("action")
    bob.send("/quit")
    alice.expect("leave", name="bob")
    eve = server.line_user("eve")
    eve.reset()
    alice.expect("leave", name="eve")
    log = server.log()
    assert "'alice'" in log and "'bob' left (quit) from 127.0.0.1:" in log
    assert "as 'alice' from 127.0.0.1:" in log and "'eve' left (disconnect) from 127.0.0.1:" in log
    assert "secret" not in log


def test_event_loop_in_use_is_logged(server: ServerProcess) -> None:
    server.user("alice")
    loop = server.args[-1]
    assert f"event loop {loop}" in server.log()


def test_ignore_and_reply_in_both_formats(server: ServerProcess) -> None:
    ana, bob, dave = server.user("ana"), server.user("bob"), server.user("dave")
    carol = server.client()
    carol.send("carol")
    carol.text_until(lambda line: "carol" in line)
    ana.send("/ignore bob")
    notice = ana.expect("info", code="ignored")
    assert notice["names"] == ["bob"] and "/unignore bob" in notice["text"]
    carol.send("/ignore BOB")
    carol.text_until(lambda line: line.startswith("You ignore bob now"))
    bob.send("hello, anyone?")
    bob.send("/msg ana psst")
    assert bob.expect("private")["to"] == "ana"  # bob is not told
    assert dave.expect("message")["text"] == "hello, anyone?"
    dave.send("dave here")
    assert ana.expect("message")["text"] == "dave here"  # nothing of bob's came before it
    assert "dave here" in carol.text_until(lambda line: "dave here" in line)[0]
    dave.send("/msg carol hi carol")
    carol.text_until(lambda line: "hi carol" in line)
    carol.send("/r hi dave")
    assert dave.expect("private", text="hi dave")["from"] == "carol"
    ana.send("/unignore bob")
    ana.expect("info", code="unignored")
    bob.send("again")
    assert ana.expect("message")["text"] == "again"


def test_ignore_speaks_portuguese(start_server: StartServer) -> None:
    server = start_server("--lang", "pt_BR")
    server.user("bob")
    carol = server.client()
    carol.send("carol")
    carol.text_until(lambda line: "carol" in line)
    carol.send("/ignore bob")
    assert "Você agora ignora bob" in carol.text_until(lambda line: "ignora" in line)[-1]
    carol.send("/r oi")
    assert "ninguém a quem responder" in carol.text_until(lambda line: "responder" in line)[-1]
