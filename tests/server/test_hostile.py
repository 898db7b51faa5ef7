"""Attacks from hostile clients, each against a real server over real sockets.

Every test here reproduces an attack that worked against an earlier server, and checks that the
attacker harms nobody else.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from pathlib import Path

import pytest

from tests.conftest import StartServer
from tests.support import HOST, ServerProcess, issue_certificate

ATTACKER_ADDRESS = "127.0.0.3"


def connect_from(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((address, 0))
    sock.settimeout(5)
    sock.connect((HOST, port))
    return sock


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_tls_client_that_never_reads_is_dropped_as_too_slow(
    start_server: StartServer, tmp_path: Path, loop: str
) -> None:
    """What waits for a TLS client is partly in each event loop's TLS layer, which counts it
    its own way: one that never reads is put out all the same, before it costs the server."""
    certificate = issue_certificate(tmp_path)
    server = start_server(
        *certificate.server_args, "--loop", loop, "--rate", "0", "--ip-rate", "0",
        "--sendq", "65536",
    )  # fmt: skip
    context = certificate.trusting()
    talker = server.tls_client(context, json_mode=True)
    talker.register("talker")
    sleepy = server.tls_client(context, rcvbuf=4096)
    sleepy.send("sleepy")  # registers, then never reads again
    talker.expect("join", name="sleepy")
    event = talker.talk_until_left("z" * 2000)
    assert event == {**event, "type": "leave", "name": "sleepy", "reason": "too_slow"}
    sleepy.sock.close()


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_tls_flood_is_slowed_and_every_line_arrives_in_order(
    start_server: StartServer, tmp_path: Path, loop: str
) -> None:
    """A TLS client's backlog waits in the event loop's TLS layer, which reads only a little
    ahead of a slowed client (``TLS_READ_AHEAD``) and reads on once it is taken: stopped and
    started again many times over, no line is lost or out of its place."""
    certificate = issue_certificate(tmp_path)
    server = start_server(
        *certificate.server_args, "--loop", loop, "--rate", "200", "--burst", "20",
        "--ip-rate", "0",
    )  # fmt: skip
    context = certificate.trusting()
    flooder, watcher = (server.tls_client(context, json_mode=True) for _ in range(2))
    flooder.register("flooder")
    watcher.register("watcher")
    lines = [f"{number} " + "x" * 1500 for number in range(400)]  # 600 KB, 3 s of tokens
    flooder.sock.sendall("".join(line + "\n" for line in lines).encode())
    texts = [watcher.expect("message", timeout=SLOW_SECONDS)["text"] for _ in lines]
    assert texts == lines


@pytest.mark.parametrize(("loop", "most_kib"), [("asyncio", 150), ("uvloop", 650)])
def test_a_slowed_tls_flooder_costs_the_server_little_memory(
    start_server: StartServer, tmp_path: Path, loop: str, most_kib: int
) -> None:
    """The event loops' TLS read 256 KiB ahead of a client that is not being read, and hand
    over all they decrypted at once: 20 TLS flooders sending 900 KB each cost the server 448
    KiB each on the standard library's loop, 975 on uvloop's (whose own read buffer, 256 KiB,
    is filled too), where a plain flooder's backlog waits in the kernel. Reading only
    ``TLS_READ_AHEAD`` ahead: about 60 and 440."""
    certificate = issue_certificate(tmp_path)
    server = start_server(
        *certificate.server_args, "--loop", loop, "--max-per-ip", "0", "--ip-rate", "0",
    )  # fmt: skip
    context = certificate.trusting()
    flooders = [server.tls_client(context) for _ in range(FLOODERS)]
    for number, flooder in enumerate(flooders):
        flooder.send(f"flooder{number}")
    time.sleep(0.5)
    before = server.rss_bytes()
    backlog = b"a line of a flood\n" * 50_000  # 900 KB each: more than any buffer holds
    for flooder in flooders:
        flooder.sock.setblocking(False)
        with contextlib.suppress(BlockingIOError, ssl.SSLWantWriteError):
            flooder.sock.send(backlog)
    time.sleep(2)  # the server reads what it will, then waits for its tokens
    grown = (server.rss_bytes() - before) / FLOODERS
    assert grown < most_kib * 1024, f"{grown / 1024:.0f} KiB per slowed TLS flooder"


FLOODERS = 20
SLOW_SECONDS = 30.0


def test_flooders_that_send_a_backlog_and_hang_up_harm_nobody(
    start_server: StartServer,
) -> None:
    server = start_server("--ip-rate", "0")  # each connection limited on its own, as before
    watcher = server.user("watcher")
    before = server.rss_bytes()
    attackers = [connect_from(ATTACKER_ADDRESS, server.port) for _ in range(100)]
    for number, sock in enumerate(attackers):
        sock.sendall(f"flooder{number}\n".encode() + b"spam\n" * 10)
    for sock in attackers:
        sock.sendall(b"\n" * 128 * 1024)  # paused by the flood limit while this arrives

    started = time.monotonic()
    watcher.send("/online")
    online = watcher.expect("online", timeout=10)
    waited = time.monotonic() - started
    assert waited < 1.0, f"/online took {waited:.1f} s while the flood was held"
    assert online["count"] >= 2
    grown = server.rss_bytes() - before
    assert grown < 100 << 20, f"the server grew by {grown >> 20} MiB"

    # Half of them hang up politely (FIN), half vanish (RST): either way they leave now, not
    # once their hours of held lines have been taken at the flood rate.
    for number, sock in enumerate(attackers):
        if number % 2:
            sock.shutdown(socket.SHUT_WR)
        else:
            sock.close()
    left: set[str] = set()
    deadline = time.monotonic() + 5
    while len(left) < 100 and time.monotonic() < deadline:
        event = watcher.event(deadline - time.monotonic())
        if event is not None and event["type"] == "leave":
            left.add(event["name"])
    assert len(left) == 100, f"only {len(left)} of the 100 flooders left within 5 s"
    for sock in attackers:
        sock.close()
    assert "were not handled" in server.log()


def test_nobody_can_take_a_name_that_looks_like_another(server: ServerProcess) -> None:
    for real in ("joe", "ana", "greg", "alan"):
        server.user(real)
    twin = server.client(json_mode=True)
    for look_alike, real in (("јое", "joe"), ("ΑΝΑ", "ana"), ("ɡreg", "greg")):
        refused = twin.register(look_alike)
        assert refused == {**refused, "type": "error", "code": "name_taken", "like": real}
    twin.close()
    line = server.client()
    line.send("ɑlɑn")
    said = line.text_until(lambda text: "alan" in text)[-1]
    assert "looks too much like 'alan', who is online" in said


def test_invisible_and_smeared_names_are_refused(server: ServerProcess) -> None:
    server.user("ana")
    twin = server.client(json_mode=True)
    for name in ("ana\u034f", "bob\ufe0f", "carol\U000e0100", "server\u034f", "\u3164"):
        refused = twin.register(name)
        assert refused == {**refused, "code": "name_invalid", "rule": "invisible"}, name
    twin = server.client(json_mode=True)
    refused = twin.register("a" + "\u0336" * 19)
    assert refused == {**refused, "code": "name_invalid", "rule": "marks"}
    assert twin.register("joão")["type"] == "welcome"


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])  # each has a TLS of its own
def test_tls_handshakes_count_against_the_limits_and_have_a_deadline(
    start_server: StartServer, tmp_path: Path, loop: str
) -> None:
    certificate = issue_certificate(tmp_path)
    server = start_server(
        *certificate.server_args, "--loop", loop, "--max-per-ip", "5",
        "--registration-timeout", "2",
    )  # fmt: skip
    context = certificate.trusting()

    def tls_client(source: str) -> ssl.SSLSocket:
        return context.wrap_socket(connect_from(source, server.port), server_hostname=HOST)

    stalled = [connect_from(ATTACKER_ADDRESS, server.port) for _ in range(5)]  # never handshake
    time.sleep(0.3)
    with pytest.raises((ssl.SSLError, OSError)):
        tls_client(ATTACKER_ADDRESS).recv(100)  # the sixth from that address: refused
    elsewhere = tls_client("127.0.0.1")
    assert b"Welcome" in elsewhere.recv(1000)
    # The stalled handshakes end at the deadline, which frees their address.
    for sock in stalled:
        sock.settimeout(5)
        assert sock.recv(100) == b""
    time.sleep(0.5)  # the server counts them gone a turn of its loop after it closes them
    assert b"Welcome" in tls_client(ATTACKER_ADDRESS).recv(1000)
    with contextlib.suppress(ssl.SSLError, OSError):
        elsewhere.unwrap()  # a clean TLS close (close_notify), which asyncio used to warn about
    elsewhere.close()
    time.sleep(0.3)
    log = server.log()
    assert "TLS handshake with 127.0.0.3" in log and "failed" in log
    assert "refused 127.0.0.3" in log
    assert "eof_received" not in log


def test_messages_cannot_fake_lines_or_hide(server: ServerProcess) -> None:
    mallory, bob = server.user("mallory"), server.user("bob")
    line_reader = server.client()
    line_reader.send("reader")
    line_reader.text_until(lambda line: "reader" in line)
    mallory.send("ok\u2028<bob> I agree, send the key".encode())
    assert bob.expect("message")["text"] == "ok <bob> I agree, send the key"
    mallory.send(("ok" + " " * 68 + "<bob> I agree").encode())
    assert bob.expect("message")["text"] == "ok   <bob> I agree"
    seen = line_reader.text_until(lambda line: "ok   <bob> I agree" in line)
    assert all(" " * 4 not in line for line in seen)
    mallory.send("\ufeff".encode())  # blank once cleaned: not relayed at all
    mallory.send("a\u200bd\u200bm\u200bi\u200bn".encode())
    assert bob.expect("message")["text"] == "admin"
