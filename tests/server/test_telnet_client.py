"""A real telnet (inetutils', installed by ``make test``) on a pty, in both its modes.

In line mode (what telnet starts in, on a port that negotiates nothing) the terminal edits and
telnet sends whole lines. In character mode (``mode character`` at its prompt, and Windows'
telnet always) every key goes as it is typed and Return as CR NUL: the server ends the line
there and edits it as the terminal would have (``line_editing``).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pexpect
import pyte
import pytest

from tests.conftest import StartServer
from tests.support import LineClient


@contextmanager
def alice_and_a_telnet(start_server: StartServer) -> Iterator[tuple[LineClient, pexpect.spawn]]:
    """A server, alice on it (JSON), and a telnet connected to it, closed after."""
    server = start_server()
    alice = server.user("alice")
    telnet = telnet_to(server.port)
    try:
        yield alice, telnet
    finally:
        telnet.close(force=True)


@contextmanager
def carol_key_by_key(start_server: StartServer) -> Iterator[tuple[LineClient, pexpect.spawn]]:
    """Alice, and carol on a telnet in character mode, in the chat."""
    with alice_and_a_telnet(start_server) as (alice, telnet):
        switch(telnet, "character")
        telnet.send("carol\r")
        alice.expect("join", name="carol")
        yield alice, telnet


def telnet_to(port: int, columns: int = 80) -> pexpect.spawn:
    """A telnet on a terminal ``columns`` wide, all it shows kept in ``logfile_read``."""
    telnet = shutil.which("telnet")
    if telnet is None:
        pytest.skip("telnet is not installed (make test installs inetutils-telnet)")
    child = pexpect.spawn(
        telnet, ["127.0.0.1", str(port)], encoding="utf-8", timeout=10, dimensions=(24, columns)
    )
    child.logfile_read = io.StringIO()
    child.expect("name")  # the greeting asks for it
    return child


def switch(telnet: pexpect.spawn, mode: str) -> None:
    """As its user would: Ctrl-] for telnet's prompt, then ``mode character`` or ``mode line``."""
    telnet.sendcontrol("]")
    telnet.expect("telnet>")
    telnet.sendline(f"mode {mode}")


def test_telnet_in_line_mode_chats(start_server: StartServer) -> None:
    with alice_and_a_telnet(start_server) as (alice, telnet):
        telnet.sendline("carol")
        assert alice.expect("join")["name"] == "carol"
        telnet.sendline("hello from telnet")
        assert alice.expect("message")["text"] == "hello from telnet"
        alice.send("hi carol")
        telnet.expect("<alice> hi carol")
        telnet.sendline("/quit")
        assert alice.expect("leave")["name"] == "carol"


def test_telnet_in_character_mode_chats_and_its_corrections_count(
    start_server: StartServer,
) -> None:
    with alice_and_a_telnet(start_server) as (alice, telnet):
        switch(telnet, "character")
        for key in ("c", "a", "r", "i", "\x7f", "o", "l", "\r"):  # DEL takes the i back
            telnet.send(key)
        # telnet asked papo to echo (it shows nothing itself now): the i rubbed out.
        telnet.expect_exact("cari\b \bol\r\n")
        assert alice.expect("join")["name"] == "carol"
        # Backspace (^H), then a word taken back with ^W.
        telnet.send("helo\x08lo there\x17all\r")
        telnet.expect_exact("helo\b \blo there" + "\b" * 5 + " " * 5 + "\b" * 5 + "all")
        assert alice.expect("message")["text"] == "hello all"
        telnet.send("日本\x7f!\r")  # a wide character takes two columns, rubbed out as two
        telnet.expect_exact("日本\b\b  \b\b!")
        assert alice.expect("message")["text"] == "日!"
        telnet.send("not this\x15but this\r")  # ^U: the line so far
        assert alice.expect("message")["text"] == "but this"
        # Its terminal is raw: the chat's lines end in CR LF, and one that comes while carol
        # types goes above her half-typed line, which is drawn again below it.
        alice.send("hi carol")
        telnet.expect_exact("<alice> hi carol\r\n")
        telnet.send("half")
        telnet.expect_exact("half")
        alice.send("meanwhile")
        telnet.expect_exact("\r\x1b[J<alice> meanwhile\r\nhalf")  # its rows cleared
        telnet.send(" done\r")
        alice.expect("message", text="half done")
        # Back to line mode, telnet says DONT ECHO: its terminal echoes again, papo stops.
        switch(telnet, "line")
        telnet.sendline("in line mode again")
        alice.expect("message", text="in line mode again")
        alice.send("seen")
        telnet.expect_exact("<alice> seen")
        assert telnet.before.count("in line mode again") == 1
        telnet.sendline("/quit")
        assert alice.expect("leave")["name"] == "carol"


def test_ctrl_c_leaves_from_a_telnet_in_character_mode_too(start_server: StartServer) -> None:
    """There Ctrl-C is a key sent as typed, a byte 3, not telnet's IP: it leaves all the same,
    and what was half typed is not said."""
    with carol_key_by_key(start_server) as (alice, telnet):
        telnet.send("half typed")
        telnet.sendcontrol("c")
        assert alice.expect("leave")["name"] == "carol"
        assert not [e for e in alice.quiet(0.3) if e["type"] == "message"]


def test_ctrl_d_on_an_empty_line_leaves_as_in_a_terminal(start_server: StartServer) -> None:
    """In character mode Ctrl-D is a key sent as typed (a byte 4): on an empty line it ends
    the input, as in a shell; after something typed it is nothing."""
    with carol_key_by_key(start_server) as (alice, telnet):
        telnet.send("half")
        telnet.sendcontrol("d")
        telnet.send(" done\r")
        alice.expect("message", text="half done")
        telnet.sendcontrol("d")
        assert alice.expect("leave")["name"] == "carol"


def test_from_a_client_papo_does_not_echo_to_bytes_3_and_4_are_only_cleaned_out(
    start_server: StartServer,
) -> None:
    """Ctrl-C and Ctrl-D as bytes mean leaving only from a telnet in character mode; from nc
    they are data (a file piped in), and the connection goes on."""
    server = start_server()
    alice = server.user("alice")
    piped = server.line_user("piped")
    piped.send(b"x\x03y\x04z")
    assert alice.expect("message")["text"] == "xyz"
    piped.send("still here")
    assert alice.expect("message")["text"] == "still here"


def test_a_line_typed_past_the_terminals_width_is_redrawn_whole(
    start_server: StartServer,
) -> None:
    """Telnet says how wide its window is (NAWS): a line that wraps onto a second row is cleared
    whole when a chat line comes, and taking a character back across the wrap leaves nothing
    of it. What the telnet showed, replayed on a terminal's model (pyte) 20 columns wide."""
    server = start_server()
    alice = server.user("alice")
    telnet = telnet_to(server.port, columns=20)
    try:
        switch(telnet, "character")
        telnet.send("carol\r")
        alice.expect("join", name="carol")
        telnet.send("abcdefghijklmnopqrstuvwxyz0123")  # 30: a row and a half
        telnet.expect_exact("0123")
        alice.send("meanwhile")
        telnet.expect_exact("<alice> meanwhile\r\n")
        telnet.expect_exact("0123")
        assert rows_shown(telnet)[-3:] == [
            "<alice> meanwhile",
            "abcdefghijklmnopqrst",
            "uvwxyz0123",
        ]
        telnet.send("\x7f" * 11)  # back across the wrap, to 19 characters
        telnet.expect_exact("abcdefghijklmnopqrs")
        assert rows_shown(telnet)[-2:] == ["<alice> meanwhile", "abcdefghijklmnopqrs"]
        telnet.send("!\r")
        alice.expect("message", text="abcdefghijklmnopqrs!")
    finally:
        telnet.close(force=True)


def rows_shown(telnet: pexpect.spawn) -> list[str]:
    """The rows a terminal as wide as the telnet's shows of all it was sent, up to the last
    one written."""
    screen = pyte.Screen(telnet.getwinsize()[1], 200)
    pyte.Stream(screen).feed(telnet.logfile_read.getvalue())
    rows = [row.rstrip() for row in screen.display]
    while rows and not rows[-1]:
        rows.pop()
    return rows
