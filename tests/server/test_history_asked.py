"""``/history`` on a real server: from a log kept in a real SQLite file across a restart, in
JSON, in text and at the IRC door."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import StartServer
from tests.server.test_irc import IrcClient


def test_history_reaches_back_past_a_restart_in_json_text_and_irc(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    server = start_server("--store", str(store), "--history", "2", "--irc-port", "0")
    ana = server.user("ana")
    ana.send("/join #dev")
    ids = []
    for n in range(30):
        ana.send(f"dev line {n}")
        ids.append(ana.expect("message", text=f"dev line {n}")["id"])
    server.signal(signal.SIGTERM)
    assert server.wait() == 0

    again = start_server("--store", str(store), "--history", "2", "--irc-port", "0")
    bob = again.user("bob")
    bob.send("/join #dev")
    shown = [bob.expect("message")["text"] for _ in range(2)]  # a newcomer's two
    assert shown == ["dev line 28", "dev line 29"]
    bob.send("/history 25")
    told = bob.expect("info", code="history")
    assert (told["room"], told["count"]) == ("#dev", 25)
    history = [bob.expect("message") for _ in range(25)]
    assert [(e["text"], e["id"], e["room"], e["history"]) for e in history] == [
        (f"dev line {n}", ids[n], "#dev", True) for n in range(5, 30)
    ]
    bob.send("/history #lobby")
    nothing = bob.expect("info", code="history")
    assert (nothing["room"], nothing["count"]) == ("#lobby", 0)

    carol = again.line_user("carol")
    carol.send("/join #dev")
    carol.send("/history 3")
    carol.text_until(lambda line: "The last 3 messages of #dev:" in line)
    shown = [(carol.readline() or b"").decode() for _ in range(3)]
    assert [line.split("> ", 1)[-1] for line in shown] == [
        "dev line 27", "dev line 28", "dev line 29"
    ]  # fmt: skip

    dave = IrcClient(again.irc_port)
    dave.register("dave")
    dave.send("JOIN #dev")
    dave.expect(r" 366 dave #dev ")
    dave.send("HISTORY #dev 2")  # irssi's /history, sent as typed
    dave.expect(r"^:\S+ NOTICE dave :The last 2 messages of #dev:$")
    dave.expect(r"^:ana!ana@papo PRIVMSG #dev :dev line 28$")
    dave.expect(r"^:ana!ana@papo PRIVMSG #dev :dev line 29$")
