"""Real IRC clients in papo's rooms: irssi in a pty, WeeChat headless (read through its logs,
driven through its FIFO), beside the papo client and nc. ``make test`` installs them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.client.test_terminal import chatting
from tests.conftest import StartServer
from tests.server.test_chat_password import chat_password_file
from tests.server.test_shell import read_lines_until
from tests.support import ServerProcess

IRC = ("--irc-port", "0", "--irc-server-name", "irc.test", "--rate", "0", "--ip-rate", "0")


def needs(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (make test installs it)")
    return path


def spawn_irssi(irssi: str, home: Path, port: int, nick: str, *args: str) -> pexpect.spawn:
    """irssi in a pty, connecting at once to ``port`` as ``nick``."""
    return pexpect.spawn(
        irssi,
        ["--home", str(home), "-c", "127.0.0.1", "-p", str(port), "-n", nick, *args],
        env={**os.environ, "TERM": "xterm", "LANG": "C.UTF-8"},
        encoding="utf-8",
        dimensions=(40, 120),
        timeout=10,
    )


@pytest.fixture
def irc_server(start_server: StartServer) -> ServerProcess:
    return start_server(*IRC)


@pytest.mark.parametrize("door", ["irc-port", "papo-port"])
def test_irssi_joins_talks_and_leaves(
    irc_server: ServerProcess, tmp_path: Path, clients: list[pexpect.spawn], door: str
) -> None:
    """On the IRC port, and on the papo port (told apart by its first line)."""
    irssi = needs("irssi")
    ana = irc_server.user("ana")
    port = irc_server.irc_port if door == "irc-port" else irc_server.port
    child = spawn_irssi(irssi, tmp_path, port, "carol")
    clients.append(child)
    assert ana.expect("join", name="carol", timeout=10)["arrived"] is True
    child.send("/window goto #lobby\r")
    time.sleep(0.5)
    ana.send("hello from papo")
    child.expect("hello from papo")
    child.send("hi from irssi\r")
    assert ana.expect("message", text="hi from irssi")["from"] == "carol"
    ana.send("/join #dev")
    ana.expect("joined")
    ana.send("/invite carol")
    time.sleep(0.5)
    child.send("/window 1\r")  # irssi shows an invitation in its status window
    child.expect("invites you to .*#dev")
    child.send("/join #dev\r")  # irssi paces its commands (2.2 s apart after a burst)
    assert ana.expect("join", room="#dev", timeout=15)["name"] == "carol"
    child.send("/quit see you\r")
    leave = ana.expect("leave", name="carol", timeout=15)
    assert (leave["reason"], leave["text"]) == ("quit", "see you")


class WeeChat:
    """WeeChat headless, connected to papo as ``nick``: what it shows is in its log files
    (written at once), what it says goes through its FIFO."""

    def __init__(
        self, home: Path, port: int, nick: str, channel: str, password: str | None = None
    ) -> None:
        self.home = home
        server_password = f" -password={password}" if password else ""
        commands = ";".join([
            "/set logger.file.flush_delay 0",
            f"/server add papo 127.0.0.1/{port} -notls -nicks={nick} -username={nick}"
            f" -realname={nick} -autojoin={channel}{server_password}",
            "/connect papo",
        ])  # fmt: skip
        self.process = subprocess.Popen(
            [needs("weechat-headless"), "--dir", str(home), "--run-command", commands],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def say(self, buffer: str, text: str) -> None:
        fifos = glob.glob(str(self.home / "weechat_fifo_*"))
        assert fifos, "WeeChat has no FIFO"
        with open(fifos[0], "w", encoding="utf-8") as fifo:
            fifo.write(f"irc.papo.{buffer} *{text}\n")

    def log(self, buffer: str) -> str:
        path = self.home / "logs" / f"irc.papo.{buffer}.weechatlog"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def wait_for(self, buffer: str, text: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log(buffer)
            if text in log:
                return log
            time.sleep(0.1)
        raise AssertionError(f"WeeChat never showed {text!r} in {buffer}: {self.log(buffer)!r}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def weechat(irc_server: ServerProcess, tmp_path: Path) -> Iterator[WeeChat]:
    client = WeeChat(tmp_path / "weechat", irc_server.irc_port, "wee", "#dev")
    yield client
    client.stop()


def test_a_papo_client_a_weechat_user_and_an_nc_user_see_every_line(
    irc_server: ServerProcess, weechat: WeeChat, clients: list[pexpect.spawn]
) -> None:
    nc_path = needs("nc")
    watcher = irc_server.user("watcher")
    watcher.send("/join #dev")
    watcher.expect("joined")
    watcher.expect("join", name="wee", room="#dev", timeout=15)
    papo = chatting(irc_server.port, clients, "pat", env={"NO_COLOR": "1"})
    papo.sendline("/join #dev")
    papo.expect("#dev> ")
    nc = subprocess.Popen([nc_path, "127.0.0.1", str(irc_server.port)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)  # fmt: skip
    try:
        assert nc.stdin is not None and nc.stdout is not None
        nc.stdin.write(b"nico\n/join #dev\n")
        watcher.expect("join", name="nico", room="#dev")
        papo.sendline("one from papo")
        nc.stdin.write(b"two from nc\n")
        watcher.expect("message", text="two from nc")
        weechat.say("#dev", "three from weechat")
        watcher.expect("message", text="three from weechat")
        log = weechat.wait_for("#dev", "two from nc")
        assert "pat\tone from papo" in log and "nico\ttwo from nc" in log
        papo.expect("<nico> two from nc")
        papo.expect("<wee> three from weechat")
        lines = read_lines_until(nc.stdout.fileno(), "three from weechat")
        assert "[#dev] <pat> one from papo" in lines or "<pat> one from papo" in lines
        assert lines[-1].endswith("<wee> three from weechat")
        weechat.say("#dev", "/me waves from weechat")
        watcher.expect("action", text="waves from weechat")
        watcher.send("after the wave")  # on WeeChat's screen after any copy of the wave
        log = weechat.wait_for("#dev", "after the wave")
        assert log.count("wee waves from weechat") == 1  # WeeChat shows its own, once
        watcher.send("/action wee waves back")  # WeeChat opens a private window for it
        log = weechat.wait_for("watcher", "waves back")
        assert "\t *\twatcher waves back" in log  # shown as an action, not as words said
        weechat.say("watcher", "/me nods in private")
        assert watcher.expect("private", text="nods in private")["action"] is True
    finally:
        nc.kill()
        nc.wait(5)


def test_a_weechat_operator_kills_with_its_own_commands(
    start_server: StartServer, tmp_path: Path
) -> None:
    """WeeChat's /oper and /kill, as its user types them, are papo's /oper and /kick."""
    secret = tmp_path / "oper"
    secret.write_text("operators-secret-2026\n")  # one IRC parameter: no spaces
    server = start_server(*IRC, "--oper-password-file", str(secret))
    watcher = server.user("watcher")
    wee = WeeChat(tmp_path / "weechat", server.irc_port, "wee", "#dev")
    try:
        wee.wait_for("#dev", "has joined #dev", timeout=15)  # its buffer, for the FIFO
        wee.say("#dev", "/oper wee operators-secret-2026")
        wee.say("#dev", "/kill watcher enough now")
        leave = watcher.expect("leave", name="watcher", reason="kicked")
        assert (leave["by"], leave["text"]) == ("wee", "enough now")
        assert watcher.next_event()["reason"] == "kicked" and watcher.closed_by_server()
        server.wait_for_log("'wee' is an operator now")
    finally:
        wee.stop()


def test_irssi_and_weechat_give_a_chats_password_as_their_server_password(
    start_server: StartServer, tmp_path: Path, clients: list[pexpect.spawn]
) -> None:
    """On a chat started with --password-file: IRC's PASS, as each sends it."""
    secret = chat_password_file(tmp_path, "open-sesame-2026")  # one IRC parameter: no spaces
    server = start_server(*IRC, "--password-file", str(secret))
    ana = server.client(json_mode=True)
    ana.send("/pass open-sesame-2026")
    ana.expect("info", code="password_accepted")
    assert ana.register("ana")["type"] == "welcome"
    irssi = spawn_irssi(
        needs("irssi"), tmp_path / "irssi", server.irc_port, "carol", "-w", "open-sesame-2026"
    )
    clients.append(irssi)
    assert ana.expect("join", name="carol", timeout=10)["arrived"] is True
    wee = WeeChat(tmp_path / "weechat", server.irc_port, "wee", "#dev", "open-sesame-2026")
    try:
        assert ana.expect("join", name="wee", timeout=15)["arrived"] is True
    finally:
        wee.stop()
    intruder = spawn_irssi(needs("irssi"), tmp_path / "intruder", server.irc_port, "mallory")
    clients.append(intruder)
    intruder.expect("asks for a password first")  # 464, shown by irssi
    assert not [e for e in ana.quiet(1.0) if e.get("name") == "mallory"]
