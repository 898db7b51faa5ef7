"""The client with standard input not a terminal, its errors, TLS, and a hostile server."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest

from papo.client.link import FOREIGN_GREETING
from papo.protocol.events import ByeReason, Greeting
from papo.protocol.render import Renderer
from tests.client.test_terminal import spawn_client
from tests.conftest import StartServer
from tests.server.test_chat_password import chat_password_file
from tests.server.test_operators import PASSWORD as OPERATOR_PASSWORD
from tests.server.test_operators import operators_server
from tests.support import ROOT, LineClient, ServerProcess, issue_certificate, run_client


def test_piped_first_line_is_the_name_then_quit_at_eof(server: ServerProcess) -> None:
    watcher = server.user("watcher")
    result = run_client("--port", str(server.port), stdin="pipey\nhello from a pipe\n/online\n")
    assert result.returncode == 0, result.stderr
    assert "<pipey> hello from a pipe" in result.stdout
    assert "2 users online: pipey, watcher" in result.stdout
    assert "\x1b" not in result.stdout
    assert watcher.expect("message")["text"] == "hello from a pipe"
    assert watcher.expect("leave", name="pipey")["reason"] == "quit"


def test_piped_empty_lines_before_the_name_are_skipped(server: ServerProcess) -> None:
    result = run_client("--port", str(server.port), stdin="\n  \npipey\nhi\n", timeout=10)
    assert result.returncode == 0, result.stderr
    assert "<pipey> hi" in result.stdout
    empty = run_client("--port", str(server.port), stdin="\n\n", timeout=10)
    assert empty.returncode == 1 and "no name: the input was empty" in empty.stderr


def test_piped_long_lines_are_cut_to_fit(server: ServerProcess) -> None:
    watcher = server.user("watcher")
    long = "y" * 5000  # no space: cut between characters
    result = run_client("--port", str(server.port), "--name", "bot", stdin=long + "\n")
    assert result.returncode == 0, result.stderr
    said = [watcher.expect("message")["text"] for _ in range(3)]
    assert "".join(said) == long and all(len(text) <= 2048 for text in said)


def test_piped_with_name_option_sends_every_line(server: ServerProcess) -> None:
    watcher = server.user("watcher")
    result = run_client("--port", str(server.port), "--name", "bot", stdin="one\ntwo\n")
    assert result.returncode == 0
    assert [watcher.expect("message")["text"] for _ in range(2)] == ["one", "two"]


def test_piped_query_sends_plain_lines_in_private_until_query_alone(
    server: ServerProcess,
) -> None:
    ana = server.user("ana")
    lines = "/query ana\nbuild 1234 passed\n/query\nfor everyone\n"
    result = run_client("--port", str(server.port), "--name", "bot", stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "Talking to ana alone" in result.stdout and "Talking in #lobby again" in result.stdout
    private = ana.expect("private")
    assert (private["from"], private["text"]) == ("bot", "build 1234 passed")
    assert ana.expect("message")["text"] == "for everyone"


def chat_with_a_password(
    start_server: StartServer, tmp_path: Path
) -> tuple[Path, ServerProcess, LineClient]:
    """A server asking for "open sesame" (in the file returned), and a watcher let in."""
    secret = chat_password_file(tmp_path, "open sesame")
    server = start_server("--password-file", str(secret))
    watcher = server.client(json_mode=True)
    watcher.send("/pass open sesame")
    watcher.expect("info", code="password_accepted")
    watcher.register("watcher")
    return secret, server, watcher


def test_piped_a_chat_with_a_password_takes_it_from_a_file_or_the_environment(
    start_server: StartServer, tmp_path: Path
) -> None:
    secret, server, watcher = chat_with_a_password(start_server, tmp_path)
    port = str(server.port)
    by_file = run_client("--port", port, "--password-file", str(secret), stdin="bot\nhi\n")
    assert by_file.returncode == 0, by_file.stderr
    assert watcher.expect("message", text="hi")["from"] == "bot"
    by_env = run_client("--port", port, "--name", "env", stdin="hey\n", env={
        "PAPO_PASSWORD": "open sesame"
    })  # fmt: skip
    assert by_env.returncode == 0, by_env.stderr
    assert watcher.expect("message", text="hey")["from"] == "env"
    none = run_client("--port", port, stdin="bot\nhi\n")
    assert none.returncode == 1
    assert "this chat asks for a password: give it with --password-file FILE" in none.stderr
    wrong = run_client("--port", port, "--name", "x", env={"PAPO_PASSWORD": "open says me"})
    assert wrong.returncode == 1 and "wrong password." in wrong.stderr
    assert "open se" not in wrong.stderr + wrong.stdout + server.log()


def test_piped_a_password_changed_while_reconnecting_ends_the_client_and_says_so(
    start_server: StartServer, tmp_path: Path
) -> None:
    """Nobody can type the new one: trying the old one again for ever helps nobody."""
    secret, server, watcher = chat_with_a_password(start_server, tmp_path)
    port = server.port
    env = {**os.environ, "PYTHONPATH": "", "PAPO_PASSWORD": "open sesame"}
    process = subprocess.Popen(  # stdin stays open: only the password can end it
        [sys.executable, "client.py", "--port", str(port), "--name", "bot", "--reconnect"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        watcher.expect("join", name="bot")
        server.stop()
        secret.write_text("a new secret\n")
        renewed = start_server("--port", str(port), "--password-file", str(secret))
        status = process.wait(30)
    finally:
        process.kill()
    assert process.stderr is not None
    said = process.stderr.read()
    assert status == 1
    assert "the chat's password was refused" in said and "PAPO_PASSWORD" in said
    assert "closed the connection" not in said  # it did not: the client gave up
    assert renewed.log().count("wrong chat password") == 1


def test_piped_name_refused_exits_non_zero(server: ServerProcess) -> None:
    result = run_client("--port", str(server.port), stdin="root\nhello\n")
    assert result.returncode == 1
    assert "reserved" in result.stderr and "reserved" not in result.stdout  # errors apart


def test_connection_refused_is_one_clear_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    result = run_client("--port", str(port), "--name", "x")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and "connection refused" in lines[0] and not result.stdout


@pytest.fixture
def tls_server(start_server: StartServer, tmp_path: Path) -> Iterator[tuple[ServerProcess, Path]]:
    certificate, ca_file = issue_certificate(tmp_path), tmp_path / "ca.pem"
    certificate.authority.cert_pem.write_to_path(str(ca_file))
    yield start_server(*certificate.server_args), ca_file


def test_a_mistaken_option_is_one_line_and_a_pointer() -> None:
    result = run_client("--port", "0")
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.splitlines() == [
        "papo: error: argument --port: must be 1 to 65535: 0",
        "papo --help lists the options.",
    ]


def test_tls_to_a_server_without_tls_says_so(start_server: StartServer) -> None:
    server = start_server()
    wrong = run_client("--port", str(server.port), "--tls", "--name", "a", stdin="hi\n")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr
    assert "(Not a TLS server? Try without --tls.)" in wrong.stderr


def test_tls_verified_unverified_and_insecure(tls_server: tuple[ServerProcess, Path]) -> None:
    server, ca_file = tls_server
    port = str(server.port)
    verified = run_client("--port", port, "--tls-ca", str(ca_file), "--name", "a", stdin="hi\n")
    assert verified.returncode == 0 and "<a> hi" in verified.stdout
    unknown = run_client("--port", port, "--tls", "--name", "b", stdin="hi\n")
    assert unknown.returncode == 2 and "TLS" in unknown.stderr and "certificate" in unknown.stderr
    hint = (
        "(--tls-ca FILE trusts its certificate; --tls-fingerprint, with the fingerprint the "
        "server says at start, takes that one certificate; --insecure skips the check.)"
    )
    assert hint in unknown.stderr
    plain = run_client("--port", port, "--name", "d", stdin="hi\n")
    assert (
        plain.returncode == 2 and "does not speak papo. (A TLS server? Try --tls.)" in plain.stderr
    )
    insecure = run_client("--port", port, "--insecure", "--name", "c", stdin="hi\n")
    assert insecure.returncode == 0 and "<c> hi" in insecure.stdout


def test_tls_pinned_by_the_fingerprint_the_server_says_and_no_other(
    tls_server: tuple[ServerProcess, Path],
) -> None:
    server, _ = tls_server  # a certificate of a CA nobody here trusts, as a chat's own is
    said = [line for line in server.printed_after_start() if "SHA-256" in line]
    assert len(said) == 1 and said[0].startswith("TLS certificate (SHA-256): ")
    printed = said[0].split(": ", 1)[1]
    port = str(server.port)
    pinned = run_client("--port", port, "--tls-fingerprint", printed, "--name", "a", stdin="hi\n")
    assert pinned.returncode == 0 and "<a> hi" in pinned.stdout, pinned.stderr
    # As openssl prints it, or without colons in lower case: the same fingerprint.
    pasted = "sha256 Fingerprint=" + printed.replace(":", "").lower()
    again = run_client("--port", port, "--tls-fingerprint", pasted, "--name", "b", stdin="hey\n")
    assert again.returncode == 0 and "<b> hey" in again.stdout, again.stderr
    other = ":".join(["00"] * 32)
    refused = run_client("--port", port, "--tls-fingerprint", other, "--name", "c", stdin="hi\n")
    assert refused.returncode == 2 and not refused.stdout
    assert "its certificate is not the one trusted for it (in --tls-fingerprint)" in refused.stderr
    assert printed in refused.stderr  # what it is, to compare with what the operator says
    assert "'c'" not in server.log()  # nothing was sent: not even the name
    typo = run_client("--port", port, "--tls-fingerprint", "AB:CD", "--name", "d")
    assert typo.returncode == 2 and "not a SHA-256 fingerprint" in typo.stderr


HOSTILE_EVENTS = [
    {
        "type": "hello",
        "server": "evil",
        "version": "6.6.6",
        "protocol": 1,
        "name": None,
        "limits": {},
        "ts": "2026-01-01T00:00:00.000Z",
    },
    {
        "type": "welcome",
        "name": "victim",
        "count": 1,
        "users": ["victim\x1b[8m"],
        "ts": "2026-01-01T00:00:00.000Z",
    },
    {
        "type": "message",
        "id": 1,
        "from": "\x1b]0;owned\x07eve\x1b[2J",
        "text": "look\x1b[1A\x1b[2K\x9b31m\x07 here",
        "ts": "2026-01-01T00:00:00.000Z",
    },
    {"type": "sparkle", "glitter": True, "ts": "2026-01-01T00:00:00.000Z"},
    {"type": "message", "id": "not a number", "from": 1, "ts": "yesterday"},
    {"type": "info", "code": "help", "text": "\x1b[31mred", "ts": "2026-01-01T00:00:00.000Z"},
]


@pytest.fixture
def hostile_server() -> Iterator[int]:
    """A fake papo server that sends escape sequences, junk and unknown events, then hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        for _ in range(2):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as reader, contextlib.suppress(OSError):
                conn.sendall(b"\x1b[2J\x1b]0;greeting\x07 hi\n")
                reader.readline()  # /format json
                conn.sendall(json.dumps(HOSTILE_EVENTS[0]).encode() + b"\n")
                reader.readline()  # the name
                body = b"".join(json.dumps(e).encode() + b"\n" for e in HOSTILE_EVENTS[1:])
                conn.sendall(body + b"not json at all \x1b[5m\n" + b"{" * 5000 + b"\n")
                conn.shutdown(socket.SHUT_RDWR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()
    thread.join(10)


SAFE_SEQUENCES = re.compile(r"\x1b\[(?:[0-9;]*m|2K|[0-9]*A|J)")  # the client's own


def test_hostile_server_cannot_reach_the_terminal(hostile_server: int) -> None:
    process = subprocess.Popen(  # stdin stays open: the server, not end of input, ends it
        [
            sys.executable,
            "client.py",
            "--port",
            str(hostile_server),
            "--name",
            "victim",
            "--no-reconnect",
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.wait(20) == 1  # the server hung up on us
    finally:
        process.kill()
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = process.stdout.read(), process.stderr.read()
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert "<eve> look here" in stdout
    assert "Traceback" not in stderr
    child = spawn_client(hostile_server, "--name", "victim", "--no-reconnect")
    try:
        child.expect(pexpect.EOF)
    finally:
        child.close()
    screen = child.before
    assert "look" in screen and "owned" not in screen
    assert SAFE_SEQUENCES.sub("", screen).count("\x1b") == 0
    assert child.exitstatus == 1


MEASURED_CLIENT = (
    "import atexit, resource, runpy, sys;"
    "atexit.register(lambda: print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " file=sys.stderr));"
    "sys.argv[0] = 'client.py';"
    "runpy.run_path('client.py', run_name='__main__')"
)


@contextlib.contextmanager
def scripted_server(after_name: Callable[[socket.socket], None]) -> Iterator[int]:
    """A fake server for one client: hello, then ``after_name`` once the name came, then it
    hangs up. Yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as reader, contextlib.suppress(OSError):
            reader.readline()  # /format json
            conn.sendall(json.dumps(HOSTILE_EVENTS[0]).encode() + b"\n")
            reader.readline()  # the name
            after_name(conn)
            conn.shutdown(socket.SHUT_RDWR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(10)


def run_until_the_server_leaves(command: list[str]) -> tuple[str, str, float]:
    """Standard output, standard error and seconds of a client whose input stays open, so the
    server, not the end of input, ends it."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        process.wait(60)
    finally:
        process.kill()
    took = time.monotonic() - started
    assert process.stdout is not None and process.stderr is not None
    return process.stdout.read(), process.stderr.read(), took


def run_against_a_server_sending_junk(junk_mib: int) -> tuple[str, int, float]:
    """The client's output, its peak memory (KiB) and its time, against a server that sends
    ``junk_mib`` MiB without a newline between the welcome and a message."""

    def send_junk(conn: socket.socket) -> None:
        conn.sendall(json.dumps(HOSTILE_EVENTS[1]).encode() + b"\n")
        chunk = b"x" * (1 << 20)
        for _ in range(junk_mib):
            conn.sendall(chunk)
        after = {"type": "message", "id": 1, "from": "eve", "text": "still here",
                 "ts": "2026-01-01T00:00:00.000Z"}  # fmt: skip
        conn.sendall(b"\n" + json.dumps(after).encode() + b"\n")

    with scripted_server(send_junk) as port:
        command = [sys.executable, "-c", MEASURED_CLIENT, "--port", str(port), "--name", "victim",
                   "--no-reconnect"]  # fmt: skip
        stdout, stderr, took = run_until_the_server_leaves(command)
    return stdout, int(stderr.rsplit("maxrss", 1)[1].split()[0]), took


def test_a_server_line_without_end_costs_the_client_little() -> None:
    _, baseline_kib, _ = run_against_a_server_sending_junk(0)
    stdout, peak_kib, took = run_against_a_server_sending_junk(32)
    assert "<eve> still here" in stdout
    grown = (peak_kib - baseline_kib) >> 10
    assert grown < 16, f"32 MiB without a newline grew the client by {grown} MiB"
    assert took < 8, f"32 MiB without a newline held the client {took:.1f} s"


def test_a_full_server_says_so_and_the_client_repeats_it(start_server: StartServer) -> None:
    server = start_server("--max-clients", "1")
    server.user("only")
    result = run_client("--port", str(server.port), "--name", "late", stdin="hi\n")
    assert result.returncode == 2
    assert "refused the connection: The server is full. Try again later." in result.stderr
    assert "does not speak papo" not in result.stderr


def test_papos_irc_port_is_named_as_an_irc_server(start_server: StartServer) -> None:
    server = start_server("--irc-port", "0")
    result = run_client("--port", str(server.irc_port), "--name", "ana", stdin="hi\n")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"127.0.0.1:{server.irc_port} does not speak papo; it answered: :" in result.stderr
    assert "(An IRC server: use an IRC client, or papo's own port.)" in result.stderr


def test_a_web_server_is_named_as_not_papo() -> None:
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        result = run_client("--port", str(web.server_address[1]), "--name", "ana", stdin="hi\n")
    finally:
        web.shutdown()
        web.server_close()
    assert result.returncode == 2
    assert "does not speak papo; it answered: " in result.stderr
    assert "refused" not in result.stderr and "IRC" not in result.stderr


def test_what_papo_says_in_text_is_never_taken_for_another_server() -> None:
    for language in ("en", "pt_BR"):
        renderer = Renderer(language)
        said = [renderer.bye_text(reason) for reason in ByeReason]
        said.append(renderer.greeting_text(Greeting(ts=0.0)))
        assert not [line for line in said if FOREIGN_GREETING.match(line)]


def test_the_message_of_the_day_is_shown(start_server: StartServer, tmp_path: Path) -> None:
    motd = tmp_path / "motd.txt"
    motd.write_text("Be kind.\nMeetings on Friday.\n", encoding="utf-8")
    server = start_server("--motd", str(motd))
    result = run_client("--port", str(server.port), "--name", "newcomer", stdin="")
    assert result.returncode == 0, result.stderr
    assert "Be kind.\nMeetings on Friday." in result.stdout


def test_an_output_that_is_not_utf8_shows_what_it_can_and_goes_on(
    start_server: StartServer, tmp_path: Path
) -> None:
    # An ASCII (or Latin-1, or a Windows pipe's) output cannot take an emoji: it once killed
    # the thread that shows the chat, and the client showed nothing more, silently.
    motd = tmp_path / "motd.txt"
    motd.write_text("Bem-vindo 🙂 ao papo, olá!\n", encoding="utf-8")
    server = start_server("--motd", str(motd))
    result = run_client(
        "--port", str(server.port), stdin="pipey\nsaid after it\n",
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Bem-vindo ? ao papo, ol?!" in result.stdout
    assert "<pipey> said after it" in result.stdout
    assert "Traceback" not in result.stderr


def test_empty_piped_input_says_why_it_cannot_join(server: ServerProcess) -> None:
    result = run_client("--port", str(server.port), stdin="")
    assert result.returncode == 1
    assert "no name" in result.stderr and not result.stdout


def test_output_into_a_closed_pipe_ends_quietly(start_server: StartServer) -> None:
    # The client dies of SIGPIPE without a /quit: held for a resume, then gone (a short grace).
    server = start_server("--resume-grace", "1")
    talker = server.user("talker")
    command = (
        f"{shlex.quote(sys.executable)} client.py --port {server.port} --name reader | head -1"
    )
    process = subprocess.Popen(
        command, shell=True, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        talker.expect("join", name="reader")
        for number in range(20):
            talker.send(f"line {number}")
            time.sleep(0.05)
        talker.expect("leave", name="reader", reason="timeout", timeout=10)  # ended with the pipe
        assert process.stdin is not None
        process.stdin.close()
        process.wait(10)
    finally:
        process.kill()
    assert process.stdout is not None and process.stderr is not None
    assert len(process.stdout.read().splitlines()) == 1
    stderr = process.stderr.read()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_a_welcome_without_its_count_still_lets_the_client_in() -> None:
    def welcome_without_count(conn: socket.socket) -> None:
        ts = "2026-01-01T00:00:00.000Z"
        welcome = {"type": "welcome", "name": "victim", "ts": ts}  # no count, no users
        message = {"type": "message", "id": 1, "from": "eve", "text": "you are in", "ts": ts}
        conn.sendall(b"".join(json.dumps(e).encode() + b"\n" for e in (welcome, message)))

    with scripted_server(welcome_without_count) as port:
        command = [sys.executable, "client.py", "--port", str(port), "--name", "victim"]
        stdout, _, _ = run_until_the_server_leaves([*command, "--no-reconnect"])
    assert "<eve> you are in" in stdout


def test_the_history_a_newcomer_gets_has_a_heading(server: ServerProcess) -> None:
    ana = server.user("ana")
    for text in ("older", "newer"):
        ana.send(text)
        ana.expect("message", text=text)
    result = run_client("--port", str(server.port), "--name", "late", stdin="")
    lines = result.stdout.splitlines()
    heading = lines.index("Recent messages:")
    assert "Hello, late" in lines[heading - 1]
    assert lines[heading + 1].endswith("<ana> older") and lines[heading + 2].endswith("<ana> newer")


def test_the_client_help_speaks_portuguese_too() -> None:
    result = run_client("--lang", "pt_BR", "--help")
    assert result.returncode == 0 and "cliente de chat papo" in result.stdout


def test_a_banned_address_is_told_for_how_long_and_the_client_repeats_it(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = operators_server(start_server, tmp_path)
    ana = server.line_user("ana")
    server.user("bob")  # from the same address as the client below
    ana.send(f"/oper {OPERATOR_PASSWORD}")
    ana.send("/ban bob 10m")
    ana.text_until(lambda line: line.endswith("*** bob was banned by ana for 10 minutes"))
    # ana comes from that address too: she is told, while she can still lift it.
    ana.text_until(lambda line: "You come from the address you banned for bob" in line)
    server.wait_for_log("127.0.0.1 banned until")
    result = run_client("--port", str(server.port), "--name", "late", stdin="hi\n")
    assert result.returncode == 2
    refused = "refused the connection: Error: your address is banned from this chat for another"
    assert f"{refused} 10 minutes." in result.stderr
