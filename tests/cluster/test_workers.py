"""``--workers N``: N processes on one port, one chat; the parent restarts a worker that dies
and stops them all on SIGTERM. Real processes, a real redis-server, loopback only."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

from bench.servers import children_of

from papo import __version__
from papo.server.reach import join_hint
from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import ROOT, TIMEOUT, LineClient, ServerProcess


def children(parent: ServerProcess) -> list[int]:
    """The PIDs of the processes the server started (its workers)."""
    return sorted(children_of(parent.process.pid))


def test_workers_share_one_port_and_are_one_chat(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server("--redis", redis_server.url, "--workers", "2")
    assert len(children(server)) == 2
    users = [server.user(f"user{n}") for n in range(12)]  # spread by the kernel
    numbers = {line.split("server ", 1)[1].split()[0] for line in server.log().splitlines()
               if "of the chat on" in line}  # fmt: skip
    assert len(numbers) == 2  # two servers of one chat
    for worker in (1, 2):  # in the one log they share, each says which it is
        assert f"papo.server (worker {worker}): papo {__version__} ready" in server.log()
    users[0].send("hello workers")
    for user in users:
        assert user.expect("message", text="hello workers")["from"] == "user0"
    users[-1].send("/online")
    assert len(users[-1].expect("online")["users"]) == 12
    taken = server.client(json_mode=True).register("USER3")
    assert taken["code"] == "name_taken"


def test_workers_share_the_irc_port_too(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server("--redis", redis_server.url, "--workers", "2", "--irc-port", "0")
    assert server.irc_port
    ircs = []
    for n in range(6):  # spread over the workers by the kernel, as the papo clients are
        irc = LineClient(server.irc_port)
        server.clients.append(irc)
        irc.send(f"NICK irc{n}\r\nUSER irc{n} 0 * :IRC {n}\r\n")
        irc.text_until(lambda line: " 366 " in line)  # in the lobby
        ircs.append(irc)
    ana = server.user("ana")
    ana.send("hello irc")
    for irc in ircs:
        irc.text_until(lambda line: "PRIVMSG #lobby :hello irc" in line)
    ircs[0].send("PRIVMSG #lobby :hello ana\r\n")
    assert ana.expect("message", text="hello ana")["from"] == "irc0"


def test_a_worker_that_dies_is_restarted_and_sigterm_stops_them_all(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server("--redis", redis_server.url, "--workers", "2", "--lease", "2")
    first = children(server)
    os.kill(first[0], signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "is back" not in server.log():
        time.sleep(0.1)
    assert "ended with -9: restarting it" in server.log() and "is back" in server.log()
    now = children(server)
    assert len(now) == 2 and first[1] in now and first[0] not in now
    ana = server.user("ana")  # the chat goes on
    ana.send("still here")
    ana.expect("message", text="still here")
    server.signal(signal.SIGTERM)
    assert server.wait(TIMEOUT + 5) == 0
    for pid in now:  # the workers are gone too
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_the_parent_says_once_how_others_join(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server(
        "--redis", redis_server.url, "--workers", "2", "--irc-port", "0", host=None
    )
    # Each worker would say it too, were it not for the parent; the wording: test_reach.
    hint = join_hint(["0.0.0.0", "::"], server.port, tls=False, language="en",
                     client="python3 -m papo.client", irc=server.irc_port)  # fmt: skip
    assert server.printed_after_start() == hint


def test_workers_run_the_papo_their_parent_runs(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """From a clone papo is not installed; a worker must not need it to be, nor import an
    installed one (here the one the tests' PYTHONPATH names) in place of the clone's."""
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "src", clone / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "servidor.py", clone)
    version = clone / "src" / "papo" / "__init__.py"
    version.write_text(version.read_text().replace(__version__, f"{__version__}+clone"))
    server = start_server(
        "--redis", redis_server.url, "--workers", "2",
        command=[sys.executable, str(clone / "servidor.py")],
    )  # fmt: skip
    for _ in range(6):  # over both workers, spread by the kernel
        hello = server.client(json_mode=True).hello
        assert hello is not None and hello["version"] == f"{__version__}+clone"


def test_sigusr1_to_the_parent_has_every_worker_read_its_files_again(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    motd = tmp_path / "motd.txt"
    motd.write_text("before\n")
    server = start_server("--redis", redis_server.url, "--workers", "2", "--motd", str(motd))
    motd.write_text("after\n")
    server.signal(signal.SIGUSR1)
    deadline = time.monotonic() + TIMEOUT
    while server.log().count("read again: --motd") < 2:  # once by each worker
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    for _ in range(8):  # spread over both workers by the kernel
        assert (server.client(json_mode=True).hello or {})["motd"] == "after"
    assert len(children(server)) == 2  # none ended by the signal
    assert "restarting it" not in server.log()
