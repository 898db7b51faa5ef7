"""The examples the docs give work as written: the minimal bot of docs/protocol.md, run as is
(only its port changed), answers a private, and comes back after its connection drops; the
systemd unit of docs/papo-server.service starts a server as its options say, and systemd
finds nothing to say against it."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from papo.server.config import parse_config
from tests.conftest import StartServer
from tests.support import ROOT, LineClient


def minimal_bot(port: int) -> str:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = text.split("## A minimal bot in Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert found is not None
    code = found.group(1)
    assert '("127.0.0.1", 12345)' in code
    return code.replace('("127.0.0.1", 12345)', f'("127.0.0.1", {port})')


def reply_from_bot(user: LineClient) -> str:
    """The text of the bot's private to ``user`` (the copy of its own comes first)."""
    event = user.expect("private")
    while event["from"] != "echobot":
        event = user.expect("private")
    return str(event["text"])


def test_the_minimal_bot_answers_and_resumes(start_server: StartServer, tmp_path: Path) -> None:
    store = str(tmp_path / "chat.db")
    server = start_server("--store", store)
    script = tmp_path / "bot.py"
    script.write_text(minimal_bot(server.port), encoding="utf-8")
    bot = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path)
    try:
        ana = server.user("ana")
        ana.expect("join", name="echobot")
        ana.send("/private echobot hello bot")
        assert reply_from_bot(ana) == "you said: hello bot"
        server.signal(signal.SIGTERM)  # a restart: the bot is held, and resumes
        assert server.wait() == 0
        again = start_server("--store", store, "--port", str(server.port))
        bia = again.user("bia")
        bia.send("/online #bots")
        assert bia.expect("online")["users"] == ["echobot"]  # held, then back
        bia.send("/private echobot still there?")
        assert reply_from_bot(bia) == "you said: still there?"
    finally:
        bot.kill()
        bot.wait(5)


UNIT = ROOT / "docs" / "papo-server.service"


def unit_setting(name: str) -> str:
    lines = UNIT.read_text(encoding="utf-8").splitlines()
    values = [line.split("=", 1)[1] for line in lines if line.startswith(f"{name}=")]
    assert len(values) == 1, name
    return values[0]


def test_the_systemd_unit_runs_the_server_with_options_it_has(tmp_path: Path) -> None:
    program, *options = shlex.split(unit_setting("ExecStart"))
    assert program.endswith("/papo-server")
    config = parse_config(options, {})
    assert config.store is not None
    assert str(config.store.parent) == "/var/lib/" + unit_setting("StateDirectory")
    assert unit_setting("Type") == "notify"  # papo-server tells systemd when it listens
    assert unit_setting("ExecReload") == "/bin/kill -USR1 $MAINPID"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path: Path) -> None:
    """``systemd-analyze verify`` warns of an unknown or misspelt setting and fails on a missing
    program: the unit is checked with papo-server where this checkout has it."""
    here = Path(sys.executable).parent / "papo-server"
    unit = tmp_path / "papo-server.service"
    text = UNIT.read_text(encoding="utf-8")
    unit.write_text(text.replace("/opt/papo/bin/papo-server", str(here)), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
