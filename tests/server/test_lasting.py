"""Topics, locks and mutes over real sockets outlive the log a restart reads back: a server
with ``--store`` and a small ``--log-size``, restarted after more lines than that."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_operators import PASSWORD
from tests.support import LineClient, ServerProcess

FAST = ("--rate", "0", "--ip-rate", "0")  # the lines that push the log along come quickly


def said_for_good(server: ServerProcess, password: str) -> tuple[LineClient, LineClient]:
    """In #dev, bob's topic locked by ana; eve muted for an hour; then 50 lines of bob's in
    #dev, ten times a log of 5; ana (the operator, in #dev) and eve, connected."""
    bob = server.user("bob")
    bob.send("/join #dev")
    bob.expect("joined", room="#dev")
    bob.send("/topic the build is green")
    bob.expect("topic", text="the build is green")
    ana = server.user("ana")
    ana.send("/join #dev")
    ana.expect("joined", room="#dev")
    ana.send(f"/oper {password}")
    ana.expect("info", code="operator")
    ana.send("/locktopic #dev")
    ana.expect("topic", locked=True)
    eve = server.line_user("eve")  # no resume: gone with her connection, not held
    ana.expect("join", name="eve")
    ana.send("/mute eve 1h")
    ana.expect("mute", name="eve")
    for n in range(50):
        bob.send(f"line {n}")
    ana.expect("message", text="line 49")
    return ana, eve


def knows_what_was_said(server: ServerProcess) -> LineClient:
    """``server`` knows the topic of #dev, its lock and eve's mute (who has to be gone); eve,
    connected to it again."""
    carol = server.user("carol")
    carol.send("/join #dev")
    assert carol.expect("joined", room="#dev")["topic"] == "the build is green"
    carol.send("/topic mine")
    carol.expect("error", code="topic_locked")
    eve = server.user("eve")
    eve.send("hello?")
    eve.expect("error", code="muted")
    return eve


def test_a_restart_reading_a_small_log_keeps_topics_locks_and_mutes(
    start_server: StartServer, tmp_path: Path
) -> None:
    secret = tmp_path / "oper-password"
    secret.write_text(PASSWORD + "\n")
    store = ("--store", str(tmp_path / "chat.db"), "--log-size", "5")
    options = (*store, *FAST, "--oper-password-file", str(secret))
    server = start_server(*options)
    said_for_good(server, PASSWORD)
    server.signal(signal.SIGTERM)
    assert server.wait() == 0

    knows_what_was_said(start_server(*options))
