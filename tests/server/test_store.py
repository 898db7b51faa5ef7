"""--store: a real server writes its log to a real SQLite file and reads it back when restarted."""

from __future__ import annotations

import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import StartServer
from tests.store_files import fill_store, messages_in
from tests.support import ROOT, ServerProcess


def test_history_and_ids_survive_a_restart(start_server: StartServer, tmp_path: Path) -> None:
    store = tmp_path / "chat.db"
    server = start_server("--store", str(store))
    ana = server.user("ana")
    said = []
    for text in ("first", "second", "third"):
        ana.send(text)
        said.append(ana.expect("message", text=text)["id"])
    server.signal(signal.SIGTERM)
    assert server.wait() == 0
    again = start_server("--store", str(store))
    bob = again.client(json_mode=True)
    assert bob.register("bob")["type"] == "welcome"
    history = [bob.expect("message") for _ in range(3)]
    assert [(e["text"], e["id"], e["history"]) for e in history] == [
        ("first", said[0], True), ("second", said[1], True), ("third", said[2], True)
    ]  # fmt: skip
    bob.send("after the restart")
    assert bob.expect("message", text="after the restart")["id"] > said[-1]


def test_after_kill_9_what_was_written_is_there_and_no_id_comes_back(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    server = start_server("--store", str(store))
    ana = server.user("ana")
    ana.send("written")
    first = ana.expect("message", text="written")["id"]
    time.sleep(1)  # past the store's batch time: this one is on disk
    ana.send("maybe lost")
    last = ana.expect("message", text="maybe lost")["id"]
    server.signal(signal.SIGKILL)
    server.wait()
    again = start_server("--store", str(store))
    bob = again.client(json_mode=True)
    assert bob.register("bob")["type"] == "welcome"
    assert bob.expect("message")["id"] == first  # at most the last batch is lost
    bob.send("new")
    assert bob.expect("message", text="new")["id"] > last


def test_a_store_that_cannot_be_used_stops_the_server_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db"
    bad.write_text("hello\n" * 1000)
    result = subprocess.run(
        [sys.executable, "servidor.py", "--port", "0", "--store", str(bad)],
        cwd=ROOT, capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert result.returncode == 1
    assert "--store" in result.stderr and "not-a-db" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_server_on_one_store_is_refused(start_server: StartServer, tmp_path: Path) -> None:
    store = str(tmp_path / "chat.db")
    first = start_server("--store", store)
    second = subprocess.run(
        [sys.executable, "servidor.py", "--host", "127.0.0.1", "--port", "0", "--store", store],
        cwd=ROOT, capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert second.returncode == 1 and not second.stdout
    assert f"in use by another papo server (pid {first.process.pid})" in second.stderr
    portuguese = subprocess.run(
        [sys.executable, "servidor.py", "--port", "0", "--store", store, "--lang", "pt_BR"],
        cwd=ROOT, capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert portuguese.stderr.startswith(
        f"papo-server: --store {store}: em uso por outro servidor papo (pid {first.process.pid})"
    )
    first.stop()
    again = start_server("--store", store)  # free once the first has stopped
    assert again.user("ana").welcome is not None


def test_a_start_that_cannot_listen_leaves_the_held_users_to_the_next(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = str(tmp_path / "chat.db")
    server = start_server("--store", store)
    ana = server.user("ana")
    assert ana.welcome is not None
    server.stop()
    with socket.create_server(("127.0.0.1", 0)) as taken:  # another program has the port
        failed = subprocess.run(
            [sys.executable, "servidor.py", "--host", "127.0.0.1",
             "--port", str(taken.getsockname()[1]), "--store", store],
            cwd=ROOT, capture_output=True, text=True, timeout=20,
        )  # fmt: skip
    assert failed.returncode == 1 and "in use" in failed.stderr
    again = start_server("--store", store)
    back = again.client(json_mode=True)
    back.send(f"/resume {ana.welcome['resume']} 0")
    assert back.expect("welcome")["resumed"] is True


def test_rooms_keep_their_history_and_topic_across_a_restart(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    server = start_server("--store", str(store))
    ana = server.user("ana")
    ana.send("/join #dev")
    ana.expect("joined")
    ana.send("/topic the build is green")
    ana.expect("topic")
    ana.send("said in dev")
    ana.expect("message", text="said in dev")
    ana.send("/msg #lobby said in the lobby")
    ana.expect("message", text="said in the lobby")
    server.signal(signal.SIGTERM)
    assert server.wait() == 0
    again = start_server("--store", str(store))
    bob = again.client(json_mode=True)
    assert bob.register("bob")["type"] == "welcome"
    lobby = bob.expect("message")
    assert (lobby["text"], lobby["room"], lobby["history"]) == ("said in the lobby", "#lobby", True)
    bob.send("/join #DEV")
    joined = bob.expect("joined")
    assert (joined["room"], joined["topic"]) == ("#dev", "the build is green")
    replay = bob.expect("message")
    assert (replay["text"], replay["room"], replay["history"]) == ("said in dev", "#dev", True)


def _server_on_a_full_disk(start_server: StartServer, directory: Path) -> ServerProcess:
    """A server with ``--store directory/chat.db`` that may not make its files any longer than
    they are once it has started: writes fail as on a full disk (its log goes through a pipe,
    which no such limit touches; Python ignores SIGXFSZ)."""
    server = start_server("--store", str(directory / "chat.db"), log_through_pipe=True)
    longest = max(path.stat().st_size for path in directory.glob("chat.db*"))
    limits = (longest, resource.RLIM_INFINITY)
    resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, limits)
    return server


def _room_on_the_disk_again(server: ServerProcess) -> None:
    limits = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, limits)


def test_a_full_disk_loses_nothing_once_it_has_room_again(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    server = _server_on_a_full_disk(start_server, tmp_path)
    ana = server.user("ana")
    handed: list[int] = []
    for number in range(5):
        ana.send(f"while full {number}")  # the chat goes on meanwhile
        handed.append(ana.expect("message", text=f"while full {number}")["id"])
    server.wait_for_log(f"cannot write to {store}")
    with sqlite3.connect(store) as reader:
        assert reader.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
    _room_on_the_disk_again(server)
    server.wait_for_log(f"{store} is written again")
    server.signal(signal.SIGKILL)  # no graceful stop to write anything more
    server.wait()
    with sqlite3.connect(store) as reader:
        written = {row[0] for row in reader.execute("SELECT id FROM events")}
        (reserved,) = reader.execute("SELECT value FROM meta WHERE key = 'reserved'").fetchone()
    assert set(handed) <= written
    assert reserved >= max(written)  # the ids reserved while it was full were written too
    again = start_server("--store", str(store))
    bob = again.client(json_mode=True)
    assert bob.register("bob")["type"] == "welcome"
    history = [bob.expect("message")["text"] for _ in range(5)]
    assert history == [f"while full {number}" for number in range(5)]


def test_a_stop_while_the_disk_is_full_says_what_never_reached_the_file(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    server = _server_on_a_full_disk(start_server, tmp_path)
    ana = server.user("ana")
    ana.send("never on disk")
    ana.expect("message", text="never on disk")
    server.wait_for_log(f"cannot write to {store}")
    server.signal(signal.SIGTERM)
    assert server.wait() == 0  # no hang waiting for room that will not come
    assert f"stopping with 2 events never written to {store}" in server.log()


def test_history_days_keeps_older_messages_from_newcomers_and_the_file(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = tmp_path / "chat.db"
    fill_store(store, {"a week ago": 7, "three days ago": 3, "yesterday": 1})
    server = start_server("--store", str(store), "--history-days", "2")
    bob = server.client(json_mode=True)
    assert bob.register("bob")["type"] == "welcome"
    assert [e["text"] for e in bob.quiet(0.5) if e["type"] == "message"] == ["yesterday"]
    deadline = time.monotonic() + 10
    while len(messages_in(store)) > 1:  # and gone from the file, within a moment of the start
        assert time.monotonic() < deadline, messages_in(store)
        time.sleep(0.05)
    assert messages_in(store) == ["yesterday"]
