"""Chat through failures: servers killed, stopped and restarted, Redis paused, restarted and
flushed, while JSON clients talk, send privates and resume; then check what every client read.

Not a test (it takes minutes and its failures are rare by nature) and not a benchmark: a run
to make before trusting a change to the hub, the holds or resume. Its first runs found three
bugs that no single fault test had (a shared Redis outage made the first server back take
the others for dead; a resume landing while its dead server was being taken over stranded the
user; writing an away user back to an emptied Redis wedged the writer). Everything runs on
loopback, every process it starts is stopped by its PID, and it ends by itself.

    python tools/chaos.py --mode cluster --seconds 120   # 3 servers on one Redis
    python tools/chaos.py --mode workers                 # --workers 3 on one port
    python tools/chaos.py --mode store                   # one server with --store

What is checked, for each client: ids strictly increasing, no message or private twice, the
same public messages as every other client over the span all were there, every private its
sender saw echoed reached its recipient, no resume refused, no lines refused for long. A
Redis restarted empty (or flushed) loses what the servers had not read yet: clients told
``missed`` are not counted as losing it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CLIENTS = 14
# Seconds a client's lines may be refused in a row: the longest fault (3 s), Redis's 2 s to
# count as unreachable, the servers' tries 2 s apart at most, a resume, and a margin.
REFUSED_AT_MOST = 15.0
STARTED = time.monotonic()  # actions and problems are told in seconds from here


def elapsed() -> str:
    return f"{time.monotonic() - STARTED:6.1f} s"


LIFTED = ("--rate", "0", "--ip-rate", "0", "--max-per-ip", "0", "--ip-connect-rate", "0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class Cast:
    """The processes of one run: Redis (unless ``store``) and the papo servers, by port."""

    def __init__(self, mode: str, workdir: Path) -> None:
        self.mode, self.workdir = mode, workdir
        self.redis: subprocess.Popen[bytes] | None = None
        self.redis_port = free_port()
        self.servers: dict[int, subprocess.Popen[bytes]] = {}
        count = 3 if mode == "cluster" else 1
        self.ports = [free_port() for _ in range(count)]
        if mode != "store":
            self.start_redis()
        for port in self.ports:
            self.start(port)

    def start_redis(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("chaos: redis-server is not installed (make test installs it)")
        self.redis = subprocess.Popen(
            [binary, "--port", str(self.redis_port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)

    def start(self, port: int) -> None:
        options = ["--port", str(port), "--host", HOST, "--resume-grace", "60", *LIFTED]
        if self.mode == "store":
            options += ["--store", str(self.workdir / "chat.db")]
        else:
            options += ["--redis", f"redis://{HOST}:{self.redis_port}/0", "--lease", "2"]
        if self.mode == "workers":
            options += ["--workers", "3"]
        log = (self.workdir / f"server-{port}.log").open("ab")
        self.servers[port] = subprocess.Popen(
            [sys.executable, "servidor.py", *options], cwd=ROOT, stdout=log, stderr=log
        )

    def actions(self) -> list[Callable[[], str]]:
        """What may happen next, each returning what it did."""
        if self.mode == "workers":
            done: list[Callable[[], str]] = [self.kill_worker, self.stop_worker]
        else:
            done = [self.kill_server, self.stop_server]
        if self.redis is not None:
            done += [self.pause_redis, self.restart_redis, self.flush_redis]
        return done

    def kill_server(self) -> str:
        port = random.choice(self.ports)
        self.servers[port].kill()
        self.servers[port].wait()
        time.sleep(random.uniform(0, 3))
        self.start(port)
        return f"kill -9 server {port}"

    def stop_server(self) -> str:
        port = random.choice(self.ports)
        self.servers[port].terminate()
        self.servers[port].wait(15)
        self.start(port)
        return f"SIGTERM server {port}"

    def _worker(self) -> int | None:
        parent = self.servers[self.ports[0]].pid
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        return int(random.choice(children)) if children else None

    def kill_worker(self) -> str:
        worker = self._worker()
        if worker is not None:
            os.kill(worker, signal.SIGKILL)
        return f"kill -9 worker {worker}"

    def stop_worker(self) -> str:
        worker = self._worker()
        if worker is not None:
            os.kill(worker, signal.SIGTERM)
        return f"SIGTERM worker {worker}"

    def pause_redis(self) -> str:
        assert self.redis is not None
        pause = random.uniform(0.5, 3)
        self.redis.send_signal(signal.SIGSTOP)
        time.sleep(pause)
        self.redis.send_signal(signal.SIGCONT)
        return f"Redis paused {pause:.1f} s"

    def restart_redis(self) -> str:
        assert self.redis is not None
        self.redis.kill()
        self.redis.wait()
        time.sleep(random.uniform(0.2, 2))
        self.start_redis()
        return "Redis restarted empty"

    def flush_redis(self) -> str:
        """Emptied under the chat, its connections left open (an operator's FLUSHALL)."""
        with socket.create_connection((HOST, self.redis_port), timeout=5) as link:
            link.sendall(b"FLUSHALL\r\n")
            link.recv(64)
        return "Redis flushed"

    def stop(self) -> None:
        for process in self.servers.values():
            process.terminate()
        for process in self.servers.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait()


class Client(threading.Thread):
    """A program that talks, sends privates, now and then joins or leaves a room, and
    resumes wherever it can get in whenever its connection ends."""

    def __init__(self, number: int, ports: list[int], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.me, self.ports, self.stop = f"c{number}", ports, stop
        self.token: str | None = None
        self.last = 0
        self.sent = 0
        self.ids: list[int] = []
        self.publics: dict[tuple[str, str], int] = {}
        self.privates: set[tuple[str, str, str]] = set()
        self.problems: list[str] = []
        self.missed = 0
        self.resumed = 0
        self.refused_since: float | None = None  # lines refused (`unavailable`) since then
        self.welcomed = False  # on this connection: until then, lines are not the chat's
        self.longest_refusal = 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            link = self._connect()
            if link is not None:
                self._talk(link)
                link.close()

    def _connect(self) -> socket.socket | None:
        try:
            link = socket.create_connection((HOST, random.choice(self.ports)), timeout=2)
            link.settimeout(5)
            link.sendall(b"/format json\n")
            first = f"/resume {self.token} {self.last}" if self.token else self.me
            link.sendall(first.encode() + b"\n")
            self.welcomed = False
            return link
        except OSError:
            time.sleep(0.2)
            return None

    def _line(self) -> str:
        self.sent += 1
        roll = random.random()
        if roll < 0.15:
            return f"/msg c{random.randrange(CLIENTS)} {self.me} p{self.sent}"
        if roll < 0.18:
            return random.choice(["/join #side", "/part #side", "/away busy", "/away", "/rooms"])
        return f"{self.me} m{self.sent}"

    def _talk(self, link: socket.socket) -> None:
        link.settimeout(0.05)
        pending, due = b"", time.monotonic()
        while not self.stop.is_set():
            try:
                if self.welcomed and time.monotonic() >= due:
                    due = time.monotonic() + random.uniform(0.05, 0.3)
                    link.sendall(self._line().encode() + b"\n")
                data = link.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                if line.startswith(b"{") and not self._read(json.loads(line), link):
                    return

    def _read(self, event: dict[str, Any], link: socket.socket) -> bool:
        """Take one event; False once the connection is over."""
        kind = event["type"]
        if kind == "welcome":
            self.welcomed = True
            self.token = event.get("resume")
            self.resumed += bool(event.get("resumed"))
        elif kind == "error" and event["code"] == "resume_failed":
            self.problems.append(f"{elapsed()} {self.me}: resume refused after id {self.last}")
            self.token = None
            link.sendall(self.me.encode() + b"\n")
        elif kind == "error" and event["code"] == "name_taken":
            return False  # held still, elsewhere: try again
        elif kind == "error" and event["code"] == "unavailable":
            self.refused_since = self.refused_since or time.monotonic()
            if not self.welcomed:  # its name or resume was refused for now: ask again
                time.sleep(0.2)
                return False
        elif kind == "info" and event.get("code") == "missed":
            self.missed += 1
        elif kind == "bye":
            return False
        if "id" in event and not event.get("history"):
            self._numbered(event)
        return True

    def _numbered(self, event: dict[str, Any]) -> None:
        number: int = event["id"]
        if self.ids and number <= self.ids[-1]:
            self.problems.append(f"{elapsed()} {self.me}: id {number} after {self.ids[-1]}")
        self.ids.append(number)
        self.last = number
        if event["type"] == "private":
            private = (event["from"], event["to"], event["text"])
            if private in self.privates:
                self.problems.append(f"{elapsed()} {self.me}: private {private} twice")
            self.privates.add(private)
        elif event["type"] == "message" and event["from"] == self.me:
            self.taken_again()  # in whichever room it talks now
        if event["type"] == "message" and event.get("room") == "#lobby":
            said = (event["from"], event["text"])
            if said in self.publics:
                self.problems.append(f"{elapsed()} {self.me}: message {said} twice")
            self.publics[said] = number

    def taken_again(self) -> None:
        """A line of its own came back: a spell of refused lines, if any, is over."""
        if self.refused_since is not None:
            spell = time.monotonic() - self.refused_since
            self.longest_refusal = max(self.longest_refusal, spell)
            self.refused_since = None


def verdict(clients: list[Client]) -> list[str]:
    """What went wrong across clients: messages some lack, privates that never arrived."""
    problems = [problem for client in clients for problem in client.problems]
    for client in clients:
        client.taken_again()
        if client.longest_refusal > REFUSED_AT_MOST:
            problems.append(f"{client.me}: lines refused for {client.longest_refusal:.0f} s")
    if not all(client.publics for client in clients):
        return [*problems, "some client read no message at all"]
    low = max(min(client.publics.values()) for client in clients)
    high = min(max(client.publics.values()) for client in clients)
    every = {n for client in clients for n in client.publics.values() if low <= n <= high}
    for client in clients:
        lacking = every - set(client.publics.values())
        if lacking and not client.missed:
            problems.append(f"{client.me}: lacks {len(lacking)} messages, {sorted(lacking)[:5]}")
    by_name = {client.me: client for client in clients}
    for client in clients:
        for private in client.privates:
            sender, recipient, _ = private
            to = by_name.get(recipient)
            if sender != client.me or to is None or to is client or to.missed:
                continue
            if private not in to.privates:
                problems.append(f"private {private} echoed to its sender never arrived")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["cluster", "workers", "store"], default="cluster")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    random.seed(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="papo-chaos-"))  # the servers' logs
    cast = Cast(args.mode, folder)
    stop = threading.Event()
    clients = [Client(n, cast.ports, stop) for n in range(CLIENTS)]
    try:
        time.sleep(2)
        for client in clients:
            client.start()
            time.sleep(0.05)
        ending = time.monotonic() + args.seconds
        while time.monotonic() < ending:
            time.sleep(random.uniform(3, 7))
            did = random.choice(cast.actions())()
            print(f"{elapsed()}  {did}", flush=True)
        time.sleep(5)  # the last resumes
    finally:
        stop.set()
        for client in clients:
            client.join(3)
        cast.stop()
    problems = verdict(clients)
    told = sum(client.missed for client in clients)
    print(f"{len(clients)} clients sent {sum(c.sent for c in clients)} lines, resumed "
          f"{sum(c.resumed for c in clients)} times, were told `missed` {told} times")  # fmt: skip
    for problem in problems[:40]:
        print("  " + problem)
    print(f"{len(problems)} problems")
    if problems:
        print(f"the servers' logs are kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
