"""Limits and fairness: floods, slow readers, connection caps, large rooms, options."""

from __future__ import annotations

import time

from tests.conftest import StartServer
from tests.support import ServerProcess

# How long a test that pushes megabytes through the server waits on it: seconds alone, more
# beside a whole `make test` on two cores.
SLOW_SERVER_SECONDS = 30.0


def test_flood_is_slowed_not_dropped_and_others_are_not_slowed(start_server: StartServer) -> None:
    server = start_server("--rate", "20", "--burst", "5")
    flooder, other, watcher = server.user("flooder"), server.user("other"), server.user("watcher")
    started = time.monotonic()
    flooder.sock.sendall(b"".join(f"line {n}\n".encode() for n in range(25)))
    time.sleep(0.1)
    other.send("not slowed")
    texts: list[str] = []
    while len(texts) < 26:
        event = watcher.expect("message", timeout=10)
        texts.append(event["text"])
    elapsed = time.monotonic() - started
    flood = [t for t in texts if t.startswith("line ")]
    assert flood == [f"line {n}" for n in range(25)]  # every line, in order
    # 25 lines at 5 at once then 20/s cannot take less than a second.
    assert elapsed >= 0.9
    assert texts.index("not slowed") < texts.index("line 24")


def test_a_paste_of_long_lines_arrives_line_by_line_as_sent(start_server: StartServer) -> None:
    # Hundreds of KiB waiting to be taken as lines: each comes out whole, none mixed with
    # another (the buffer's compaction once returned a line from the wrong place).
    server = start_server("--rate", "0", "--ip-rate", "0")
    paster, watcher = server.user("paster"), server.user("watcher")
    lines = [f"{number} " + "x" * 1500 for number in range(400)]
    paster.sock.sendall("".join(line + "\n" for line in lines).encode())
    texts = [watcher.expect("message", timeout=10)["text"] for _ in lines]
    assert texts == lines


def test_a_client_that_never_reads_is_dropped_as_too_slow(start_server: StartServer) -> None:
    server = start_server("--rate", "0", "--ip-rate", "0", "--sendq", "65536")
    server.line_user("sleepy", rcvbuf=4096)  # registers, then never reads again
    talker = server.user("talker")
    event = talker.talk_until_left("z" * 2000)
    assert event == {**event, "type": "leave", "name": "sleepy", "reason": "too_slow"}
    talker.send("still here")
    assert talker.expect("message", text="still here")["from"] == "talker"


def test_101st_connection_from_one_address_is_refused(server: ServerProcess) -> None:
    clients = [server.client() for _ in range(100)]
    for client in clients[:3]:
        assert client.readline() is not None
    refused = server.client()
    lines = refused.text_until(lambda line: "ry again" in line)
    assert lines == ["Too many connections from your address. Try again later."]  # said once
    assert refused.closed_by_server()
    from_elsewhere = server.client(source="127.0.0.2", json_mode=True)
    assert from_elsewhere.register("elsewhere")["type"] == "welcome"
    clients[0].close()
    time.sleep(0.2)
    assert server.client(json_mode=True).register("again")["type"] == "welcome"


def test_server_full(start_server: StartServer) -> None:
    server = start_server("--max-clients", "2")
    server.user("one"), server.user("two")
    refused = server.client()
    assert any("full" in line for line in refused.text_until(lambda line: "later" in line))
    assert refused.closed_by_server()


def test_quiet_above_hides_joins_and_users(start_server: StartServer) -> None:
    server = start_server("--quiet-above", "2")
    alice = server.user("alice")
    bob = server.user("bob")
    alice.expect("join", name="bob")
    carol = server.client(json_mode=True)
    welcome = carol.register("carol")
    assert welcome["count"] == 3 and "users" not in welcome
    carol.send("/online")
    assert carol.expect("online")["users"] == ["alice", "bob", "carol"]
    carol.send("/quit")
    bob.send("hello")
    events = [alice.next_event()]
    assert [e["type"] for e in events] == ["message"]


def test_history_zero_replays_nothing(start_server: StartServer) -> None:
    server = start_server("--history", "0")
    alice = server.user("alice")
    alice.send("before")
    alice.expect("message")
    late = server.user("late")
    assert late.quiet() == []


def test_motd_in_greeting_and_hello(start_server: StartServer, tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    motd = tmp_path / "motd.txt"
    motd.write_text("Be kind.\n", encoding="utf-8")
    server = start_server("--motd", str(motd))
    client = server.client()
    assert client.readline() == b"Be kind."
    client.send("/format json")
    assert client.wait_hello()["motd"] == "Be kind."


def test_options_from_environment(start_server: StartServer) -> None:
    server = start_server(env={"PAPO_MAX_PER_IP": "1"})
    server.client().readline()
    refused = server.client()
    assert any("address" in line for line in refused.text_until(lambda line: "later" in line))


def test_portuguese_from_option_and_from_locale(start_server: StartServer) -> None:
    for server in (start_server("--lang", "pt_BR"), start_server(env={"LANG": "pt_BR.UTF-8"})):
        client = server.client()
        assert "Bem-vindo" in (client.readline() or b"").decode()
        client.send("/format json")
        client.wait_hello()
        client.send("/online")
        assert "nome" in client.expect("error")["text"]


def test_zero_means_no_limit(start_server: StartServer) -> None:
    server = start_server("--sendq", "0", "--registration-timeout", "0", "--quiet-above", "0")
    ana = server.user("ana")
    idle = server.client()  # no name yet, and no deadline to pick one
    assert idle.readline() is not None
    bob = server.user("bob")
    assert ana.expect("join")["name"] == "bob"  # 0 users is not a threshold to go quiet at
    bob.send("hello")
    assert ana.expect("message")["text"] == "hello"
    time.sleep(1.5)
    idle.send("late")
    assert "late" in idle.text_until(lambda line: "late" in line)[-1]


def test_a_telnet_echoed_to_that_types_and_never_reads_is_dropped_as_too_slow(
    start_server: StartServer,
) -> None:
    """The echo of a telnet in character mode is written at once, not with the turn's output:
    it counts against --sendq all the same, or a client that only types would grow the
    server's buffer for it without end (nothing else is ever written to it)."""
    server = start_server("--rate", "0", "--ip-rate", "0", "--sendq", "65536")
    watcher = server.user("watcher")
    typer = server.line_user("typer", rcvbuf=4096)  # registers, then never reads again
    typer.sock.sendall(b"/join #alone\r\n\xff\xfd\x01")  # IAC DO ECHO: echo what I type
    line = b"x" * 1500 + b"\r\n"
    # The server echoes a character at a time: on a loaded machine it reads megabytes slower
    # than they are sent, which is no reason to give up sending or waiting.
    typer.sock.settimeout(SLOW_SERVER_SECONDS)
    try:
        for _ in range(8000):  # 12 MB of echo, past what the kernels' buffers hold
            typer.sock.sendall(line)
    except OSError:
        pass  # put out meanwhile
    leave = watcher.expect("leave", name="typer", timeout=SLOW_SERVER_SECONDS)
    assert leave["reason"] == "too_slow"


def test_a_client_that_asks_for_history_again_and_again_and_never_reads_is_dropped(
    start_server: StartServer,
) -> None:
    """A replay is let through on top of --sendq (waiting for it is no sign of slowness),
    but only what one turn owes: asked for again while the last is unread, it counts. The
    server grew by each answer before, without end, for a client that only asked."""
    server = start_server("--rate", "0", "--ip-rate", "0", "--sendq", "65536")
    talker = server.user("talker")
    for number in range(100):  # 190 KB of history, three times the cap
        talker.send(f"{number} " + "h" * 1900)
    talker.expect("message", text="99 " + "h" * 1900)
    reader = server.user("reader")
    reader.send("/history 200")  # asked once, and read: owed, never too slow
    assert reader.expect("info", code="history")["count"] == 100
    for number in range(100):
        assert reader.expect("message", history=True)["text"].startswith(f"{number} ")
    hoarder = server.line_user("hoarder", rcvbuf=4096)  # registers, then never reads again
    try:
        for _ in range(150):  # 28 MB of answers, past what the kernels' buffers hold
            hoarder.sock.sendall(b"/history 200\n")
            time.sleep(0.02)  # each its own turn
    except OSError:
        pass  # put out meanwhile
    leave = talker.expect("leave", name="hoarder", timeout=SLOW_SERVER_SECONDS)
    assert leave["reason"] == "too_slow"
    reader.send("/history 1")  # the one who read is still here
    assert reader.expect("info", code="history")["count"] == 1
