"""Bans over real sockets: the banned user connects from another loopback address (127.0.0.2)
than everybody else, so the ban keeps them out and nobody else."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_irc import IrcClient
from tests.server.test_operators import PASSWORD, operators_server
from tests.support import LineClient, ServerProcess

ELSEWHERE = "127.0.0.2"  # the address the banned user comes from


def refusal(server: ServerProcess, source: str = ELSEWHERE) -> list[str]:
    """What a new connection from ``source`` reads before the server closes it."""
    client = server.client(source=source)
    lines: list[str] = []
    try:
        while (line := client.readline()) is not None:
            lines.append(line.decode())
    except EOFError:
        return lines
    raise AssertionError(f"not closed; read {lines}")


def banned_bob(server: ServerProcess, line: str) -> tuple[LineClient, LineClient]:
    """ana (an operator) bans bob, who came from ``ELSEWHERE``, with ``line``."""
    ana = server.line_user("ana")
    bob = server.user("bob", source=ELSEWHERE)
    ana.send(f"/oper {PASSWORD}")
    ana.text_until(lambda said: "You are an operator now" in said)
    ana.send(line)
    return ana, bob


def test_a_ban_puts_the_user_out_and_keeps_their_address_out_until_lifted(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    carol = server.user("carol")
    ana, bob = banned_bob(server, "/ban bob 30m flooding")
    ana.text_until(lambda said: said.endswith("*** bob was banned by ana for 30 minutes: flooding"))
    leave = carol.expect("leave", name="bob", reason="kicked", by="ana", text="flooding")
    assert leave["ban"] == 1800
    assert bob.expect("leave", name="bob", by="ana")["ban"] == 1800
    bye = bob.next_event()
    assert (bye["type"], bye["reason"]) == ("bye", "kicked")
    assert bob.closed_by_server()
    server.wait_for_log(f"{ELSEWHERE} banned until")
    ana.send("/online")  # her own address is not the one banned: she is told nothing of it
    assert not [
        line for line in ana.text_until(lambda said: "online:" in said) if "You come" in line
    ]
    assert refusal(server) == [
        "Error: your address is banned from this chat for another 30 minutes.",
        "An operator banned your address from this chat.",
    ]
    server.wait_for_log(f"refused {ELSEWHERE}:")
    # Everybody else comes and goes as before.
    assert server.user("dave").welcome is not None
    carol.send("still here")
    carol.expect("message", text="still here")
    ana.send("/bans")  # no address: the name it was made for
    ana.text_until(lambda said: said.endswith("1 ban in force: bob (30 minutes left)"))
    ana.send("/unban BOB")
    ana.text_until(lambda said: said.endswith("The ban made for bob is lifted."))
    assert server.user("bob", source=ELSEWHERE).welcome is not None
    ana.send("/bans")
    ana.text_until(lambda said: said.endswith("No address is banned."))
    ana.send("/unban bob")
    ana.text_until(lambda said: said.endswith("no ban made for bob is in force."))


def test_a_ban_puts_out_everyone_else_from_the_address_but_operators(
    start_server: StartServer, tmp_path: Path
) -> None:
    """A flooder's other connections (another name, one that has not given a name yet) go
    with the one banned: not one /kick at a time. An operator there stays."""
    server = operators_server(start_server, tmp_path)
    carol = server.user("carol")
    clone = server.user("bob2", source=ELSEWHERE)
    nameless = server.client(source=ELSEWHERE)
    assert (nameless.readline() or b"").startswith(b"Welcome to papo!")
    eve = server.user("eve", source=ELSEWHERE)
    eve.send(f"/oper {PASSWORD}")
    eve.expect("info", code="operator")
    ana, _ = banned_bob(server, "/ban bob 30m flooding")
    assert carol.expect("leave", name="bob", reason="kicked")["text"] == "flooding"
    leave = carol.expect("leave", name="bob2", reason="kicked", by="ana")
    assert 1790 <= leave["ban"] <= 1800 and "text" not in leave
    assert clone.expect("leave", name="bob2", by="ana")["ban"] == leave["ban"]
    assert clone.next_event()["reason"] == "kicked"
    assert clone.closed_by_server()
    assert nameless.text_until(lambda said: said.startswith("An operator banned")) == [
        "Error: your address is banned from this chat for another 30 minutes.",
        "An operator banned your address from this chat.",
    ]
    assert nameless.closed_by_server()
    ana.text_until(lambda said: said.endswith("*** bob2 was banned by ana for 30 minutes"))
    server.wait_for_log("put out: its address is banned now")
    eve.send("still here")  # the operator stays, and so does everybody elsewhere
    eve.expect("message", text="still here")
    carol.expect("message", text="still here")
    ana.send("/bans")  # one ban, made for bob: the others it put out made none of their own
    ana.text_until(lambda said: said.endswith("1 ban in force: bob (30 minutes left)"))


def test_a_user_who_just_left_can_still_be_banned_and_the_others_there_go(
    start_server: StartServer, tmp_path: Path
) -> None:
    """A hit-and-run flooder has quit before the operator types: the server still knows the
    address they left from, and a connection there still without a name goes with the ban."""
    server = operators_server(start_server, tmp_path)
    bob = server.user("bob", source=ELSEWHERE)
    clone = server.user("bob2", source=ELSEWHERE)
    bob.send("/quit")
    assert bob.closed_by_server()
    nameless = server.client(source=ELSEWHERE)
    assert (nameless.readline() or b"").startswith(b"Welcome to papo!")
    ana = server.line_user("ana")
    ana.send(f"/oper {PASSWORD}")
    ana.send("/ban bob 30m flooding")
    ana.text_until(
        lambda said: said.endswith(
            "bob had left already: the address they came from is banned for 30 minutes "
            "(/unban bob lifts it)."
        )
    )
    assert nameless.text_until(lambda said: said.startswith("An operator banned"))[0] == (
        "Error: your address is banned from this chat for another 30 minutes."
    )
    assert nameless.closed_by_server()
    assert 1790 <= clone.expect("leave", name="bob2", reason="kicked", by="ana")["ban"] <= 1800
    assert clone.closed_by_server()
    server.wait_for_log(f"{ELSEWHERE} banned until")
    server.wait_for_log("by 'ana' (made for 'bob', who had left): flooding")
    assert refusal(server)[0].startswith("Error: your address is banned")
    ana.send("/unban bob")
    ana.text_until(lambda said: said.endswith("The ban made for bob is lifted."))
    server.user("bob", source=ELSEWHERE)


def test_a_held_user_is_banned_from_the_address_it_was_dropped_from(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    ana = server.line_user("ana")
    bob = server.user("bob", source=ELSEWHERE)
    bob.reset()  # gone without a word: held for a resume
    server.wait_for_log("'bob' held for")
    ana.send(f"/oper {PASSWORD}")
    ana.send("/ban bob")
    ana.text_until(lambda said: said.endswith("*** bob was banned by ana for 60 minutes"))
    assert refusal(server)[0].startswith("Error: your address is banned")


def test_with_a_store_a_user_held_across_a_restart_can_still_be_banned(
    start_server: StartServer, tmp_path: Path
) -> None:
    """The address a member came from is written down with it: the next process, which
    never saw its connection, still bans that address."""
    secret = tmp_path / "oper-password"
    secret.write_text(PASSWORD + "\n")
    options = ("--store", str(tmp_path / "chat.db"), "--oper-password-file", str(secret))
    server = start_server(*options)
    bob = server.user("bob", source=ELSEWHERE)  # a program: held across the restart
    server.signal(signal.SIGTERM)
    assert bob.expect("bye")["reason"] == "restart"
    assert server.wait() == 0
    again = start_server(*options)
    again.wait_for_log("users held from the previous process: 1")
    ana = again.line_user("ana")
    ana.send(f"/oper {PASSWORD}")
    ana.send("/ban bob 2h")
    ana.text_until(lambda said: "bob was banned by ana for 2 hours" in said)
    again.wait_for_log(f"{ELSEWHERE} banned until")
    assert refusal(again)[0] == "Error: your address is banned from this chat for another 2 hours."


def test_with_a_store_a_ban_outlives_the_server_stopped_or_killed(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = str(tmp_path / "chat.db")
    secret = tmp_path / "oper-password"
    secret.write_text(PASSWORD + "\n")
    options = ("--store", store, "--oper-password-file", str(secret))
    server = start_server(*options)
    ana, _ = banned_bob(server, "/ban bob 2d")
    ana.text_until(lambda said: "banned by ana for 2 days" in said)
    server.wait_for_log(f"{ELSEWHERE} banned until")
    server.signal(signal.SIGKILL)
    server.wait()
    again = start_server(*options)
    assert refusal(again)[0] == ("Error: your address is banned from this chat for another 2 days.")
    ana = again.line_user("ana")
    ana.send(f"/oper {PASSWORD}")
    ana.send("/unban bob")
    ana.text_until(lambda said: said.endswith("The ban made for bob is lifted."))
    again.signal(signal.SIGTERM)
    assert again.wait() == 0
    third = start_server(*options)
    assert third.user("bob", source=ELSEWHERE).welcome is not None


def test_with_a_store_one_who_left_before_a_restart_can_still_be_banned(
    start_server: StartServer, tmp_path: Path
) -> None:
    secret = tmp_path / "oper-password"
    secret.write_text(PASSWORD + "\n")
    options = ("--store", str(tmp_path / "chat.db"), "--oper-password-file", str(secret))
    server = start_server(*options)
    bob = server.user("bob", source=ELSEWHERE)
    bob.send("/quit")
    assert bob.closed_by_server()
    server.signal(signal.SIGTERM)
    assert server.wait() == 0
    again = start_server(*options)
    ana = again.line_user("ana")
    ana.send(f"/oper {PASSWORD}")
    ana.send("/ban bob")
    ana.text_until(lambda said: said.startswith("bob had left already"))
    assert refusal(again)[0].startswith("Error: your address is banned")


def test_an_irc_operator_bans_with_kline_and_lifts_it_with_unkline(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    dave, eve = IrcClient(server.irc_port), IrcClient(server.irc_port, source=ELSEWHERE)
    dave.register("dave")
    eve.register("eve")
    clone = IrcClient(server.irc_port, source=ELSEWHERE)  # eve's other nick: it goes with her
    clone.register("eve2")
    dave.send(f"OPER dave :{PASSWORD}")
    dave.expect(r"^:irc\.test 381 dave ")
    dave.send("KLINE 10 eve!*@* :go away")
    dave.expect(r"^:eve!eve@papo QUIT :eve was banned by dave for 10 minutes: go away$")
    eve.expect(r"^ERROR :Closing link: An operator put you out of the chat\.$")
    dave.expect(r"^:eve2!eve2@papo QUIT :eve2 was banned by dave for (10|9) minutes$")
    clone.expect(r"^ERROR :Closing link: An operator put you out of the chat\.$")
    assert refusal(server)[0].endswith("banned from this chat for another 10 minutes.")
    # At the IRC door the refusal is IRC's ERROR, which IRC clients show.
    refused = IrcClient(server.irc_port, source=ELSEWHERE)
    refused.expect(r"^ERROR :Closing link: your address is banned from this chat for another ")
    assert refused.conn.closed_by_server()
    # STATS k lists it as a K-line, masked by the nick it was made for (never the address);
    # to anyone but an operator, STATS k is refused as IRC servers refuse it.
    dave.send("STATS k")
    dave.expect(r"^:irc\.test 216 dave K eve!\*@\* \* \* :banned until \d{4}-\d\d-\d\dT[\d:.]+Z$")
    dave.expect(r"^:irc\.test 219 dave K :End of /STATS report$")
    frank = IrcClient(server.irc_port)
    frank.register("frank")
    frank.send("STATS K")
    frank.expect(r"^:irc\.test 481 frank :")
    dave.send("UNKLINE eve")
    dave.expect(r"The ban made for eve is lifted\.$")
    again = IrcClient(server.irc_port, source=ELSEWHERE)
    again.register("eve")
    again.send("QUIT :bye")  # gone before the operator types: a K-line reaches her address
    dave.expect(r"^:eve!eve@papo QUIT :")
    dave.send("KLINE eve :come back later")
    dave.expect(r"^:irc\.test NOTICE dave :eve had left already: the address they came from "
                r"is banned for 60 minutes \(/unban eve lifts it\)\.$")  # fmt: skip
    assert refusal(server)[0].endswith("banned from this chat for another 60 minutes.")
