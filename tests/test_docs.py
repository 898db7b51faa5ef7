"""The examples the docs give work as written: the minimal bot of docs/protocol.md, run as is
(only its port changed), answers a private, and comes back after its connection drops."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

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
