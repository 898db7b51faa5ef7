"""Mutes over real sockets: an operator mutes a papo user and an IRC user; everybody who
shares a room with them is told, at every door; their words are refused until ``/unmute``,
but for a private to an operator."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_operators import PASSWORD, one_at_each_door, operators_server


def test_a_muted_user_is_told_refused_and_heard_again_once_unmuted(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    ana, bob, carol = one_at_each_door(server)
    ana.send(f"/oper {PASSWORD}")
    ana.text_until(lambda said: "You are an operator now" in said)
    ana.send("/mute bob 30m calm down")
    ana.text_until(lambda said: said.endswith("*** bob was muted by ana for 30 minutes: calm down"))
    muted = bob.expect("mute", name="bob", by="ana", seconds=1800, text="calm down")
    carol.expect(r"NOTICE \* :bob was muted by ana for 30 minutes: calm down$")
    server.wait_for_log("'bob' muted by 'ana' for 1800 s: calm down")
    bob.send("hello?")
    refused = bob.expect("error", code="muted")
    assert refused["until"] > muted["ts"]
    bob.send("/msg carol psst")
    assert bob.expect("error", code="muted")["command"] == "private"
    bob.send("/msg ana why?")  # to an operator: goes through
    ana.text_until(lambda said: said.endswith("[private] bob -> ana: why?"))
    carol.send("PRIVMSG #lobby :was bob quiet?")
    bob.expect("message", text="was bob quiet?")  # reading is not touched
    assert not [line for line in carol.seen if "hello?" in line or "psst" in line]

    ana.send("/mute carol")  # an IRC user: told in papo's words, as a NOTICE
    carol.expect(r"NOTICE \* :carol was muted by ana for 10 minutes$")
    carol.send("PRIVMSG #lobby :but why")
    carol.expect(r"NOTICE carol :you are muted for another 10 minutes")
    bob.send("/whois carol")
    assert bob.expect("whois", name="carol")["muted"] > muted["ts"]
    ana.send("/unmute carol")
    carol.expect(r"NOTICE \* :carol may talk again: ana lifted the mute$")
    carol.send("PRIVMSG #lobby :thanks")
    bob.expect("message", text="thanks")
    ana.send("/unmute bob")
    assert bob.expect("mute", name="bob")["seconds"] == 0
    server.wait_for_log("'bob' unmuted by 'ana'")
    bob.send("sorry")
    ana.text_until(lambda said: said.endswith("<bob> sorry"))
    ana.send("/unmute bob")
    ana.text_until(lambda said: said.endswith("bob is not muted."))
