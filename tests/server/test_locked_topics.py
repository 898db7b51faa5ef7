"""Locked topics over real sockets: an operator locks a room's topic, papo and IRC users in it
are told (IRC as the channel's mode ``+t``) and can no longer change it; a restart with a
store keeps the lock."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_irc import IRC, IrcClient
from tests.server.test_operators import PASSWORD


def test_a_locked_topic_is_told_everywhere_refused_to_users_and_outlives_a_restart(
    start_server: StartServer, tmp_path: Path
) -> None:
    secret = tmp_path / "oper-password"
    secret.write_text(PASSWORD + "\n")
    options = ("--store", str(tmp_path / "chat.db"), "--oper-password-file", str(secret), *IRC)
    server = start_server(*options)
    bob = server.user("bob")
    bob.send("/join #dev")
    bob.expect("joined", room="#dev")
    bob.send("/topic the build is green")
    bob.expect("topic", text="the build is green")
    carol = IrcClient(server.irc_port)
    carol.register("carol")
    carol.send("JOIN #dev")
    carol.expect(r" 366 carol #dev ")
    ana = server.line_user("ana")  # not in #dev
    ana.send(f"/oper {PASSWORD}")
    ana.text_until(lambda said: "You are an operator now" in said)
    carol.send("MODE #dev +t")  # not an operator: refused
    carol.expect(r" 481 carol :/locktopic is for operators")
    ana.send("/locktopic #dev")
    ana.text_until(
        lambda said: said.endswith("*** ana locked the topic of #dev: only operators may change it")
    )
    locked = bob.expect("topic", room="#dev", by="ana", locked=True)
    server.wait_for_log("the topic of #dev locked by 'ana'")
    assert locked["text"] == "the build is green"
    carol.expect(r"^:ana!ana@papo MODE #dev \+t$")
    bob.send("/topic mine now")
    refused = bob.expect("error", code="topic_locked")
    assert refused["room"] == "#dev"
    carol.send("TOPIC #dev :mine now")
    carol.expect(r" 482 carol #dev :the topic of #dev is locked: only operators may change it")
    bob.send("/topic")
    assert bob.expect("topic", room="#dev")["locked"] is True
    server.signal(signal.SIGTERM)
    assert server.wait() == 0

    again = start_server(*options)
    dave = again.user("dave")
    dave.send("/join #dev")
    assert dave.expect("joined", room="#dev")["topic"] == "the build is green"
    dave.send("/topic #dev mine")
    dave.expect("error", code="topic_locked")
    ana = again.line_user("ana")
    ana.send(f"/oper {PASSWORD}")
    ana.send("/unlocktopic #dev")
    ana.text_until(lambda said: said.endswith("*** ana unlocked the topic of #dev"))
    assert dave.expect("topic", by="ana")["locked"] is False
    dave.send("/topic #dev mine")
    dave.expect("topic", by="dave", text="mine")
