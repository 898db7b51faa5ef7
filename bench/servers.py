"""Start and stop the servers under test, and read their CPU time and memory from /proc."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Flood limits lifted (per client and per address, lines and new connections); the per-address
# connection cap stays (clients come from many 127.x addresses) and so does a total cap.
PAPO_BENCH_OPTIONS = ("--rate", "0", "--ip-rate", "0", "--ip-connect-rate", "0",
                      "--max-clients", "20000", "--log-level", "warning")  # fmt: skip
SERVER_CPU = 0  # the server runs on this core, the load generator on all the others


def pin_to(cpu: int) -> None:
    """Keep a process on one core so runs compare (no-op on a one-core machine); -1: on
    every core (not the generator's share it inherits)."""
    if not hasattr(os, "sched_setaffinity"):
        return
    if cpu < 0:
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    elif (os.cpu_count() or 1) > cpu:
        os.sched_setaffinity(0, {cpu})


def pin_generator() -> int:
    """Keep this process, and the workers it starts, off the server's core; returns how many
    cores that leaves (the whole machine on a one-core one)."""
    if not hasattr(os, "sched_setaffinity"):
        return 1
    others = os.sched_getaffinity(0) - {SERVER_CPU}
    if others:
        os.sched_setaffinity(0, others)
    return len(os.sched_getaffinity(0))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The processes ``pid`` started (a papo with --workers: its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone meanwhile
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_of(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Running:
    """A server under test: its process, the workers it started, and the Redis it uses
    (CPU and memory count all of them: what running this server costs)."""

    kind: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    irc_port: int | None = None  # papo's IRC door, for the kinds that use it
    redis: subprocess.Popen[bytes] | None = None  # the kinds of several servers

    @property
    def pid(self) -> int:
        return self.process.pid

    def pids(self) -> list[int]:
        helpers = [self.redis.pid] if self.redis is not None else []
        return [self.pid, *children_of(self.pid), *helpers]

    def cpu_seconds(self) -> float:
        return sum(_cpu_of(pid) for pid in self.pids())

    redis_port: int = 0

    def redis_cpu_seconds(self) -> float:
        """Redis's own count (INFO CPU, to the microsecond: /proc's ticks are 10 ms, more
        than a few hundred messages cost it)."""
        if self.redis is None:
            return 0.0
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=5) as redis:
            redis.sendall(b"INFO CPU\r\n")
            answer = b""
            while b"used_cpu_user:" not in answer or not answer.endswith(b"\r\n"):
                answer += redis.recv(65536)
        fields = dict(line.split(":", 1) for line in answer.decode().splitlines() if ":" in line)
        return float(fields["used_cpu_sys"]) + float(fields["used_cpu_user"])

    def rss_bytes(self) -> int:
        return sum(rss_of(pid) for pid in self.pids())

    def stop(self) -> None:
        for process in (self.process, self.redis):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        shutil.rmtree(self.workdir, ignore_errors=True)


def listeners_on(port: int) -> int:
    """How many sockets listen on ``port`` over IPv4 (one per worker sharing it with
    SO_REUSEPORT), as the kernel lists them."""
    count = 0
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
            count += 1
    return count


def wait_for_listeners(
    port: int, count: int, process: subprocess.Popen[bytes], timeout: float = 30
) -> None:
    """Until ``count`` workers listen on ``port``. The port answers once the first does, and
    the supervisor starts the others only then: measured from there, the memory of a worker
    still starting up was counted as the idle connections' (1-1.7 KiB each of 20 000)."""
    deadline = time.monotonic() + timeout
    while listeners_on(port) < count:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{listeners_on(port)} of {count} workers listen on {port}")
        time.sleep(0.05)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


NGIRCD_CONF = """[Global]
Name = bench.papo.test
Info = papo benchmark
Listen = 127.0.0.1
Ports = {port}
PidFile = {workdir}/ngircd.pid
MotdPhrase = bench
ServerUID = {uid}
ServerGID = {gid}
[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30
MaxPenaltyTime = 0
PingTimeout = 3600
PongTimeout = 3600
[Options]
DNS = no
Ident = no
PAM = no
"""


# papo on Redis: one server (what Redis costs it), and two workers on one port (one per core).
CLUSTER_KINDS = {"papo-redis": 1, "papo-2w": 2}
# papo on the standard library's event loop: what a fresh clone runs, without uvloop.
STDLIB_KIND = "papo-stdlib"


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: pin_to(-1),
    )  # fmt: skip
    _wait_for_port(port, process)
    return process, port


def start(kind: str, loop: str = "auto") -> Running:
    """Start one server of ``kind`` on a free loopback port."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"papo-bench-{kind}-"))
    devnull = subprocess.DEVNULL
    irc_port = free_port() if kind in ("papo-irc", "papo-mixed") else None
    redis, redis_port, pin = None, 0, SERVER_CPU
    if kind == STDLIB_KIND:
        loop = "asyncio"
    if kind.startswith("papo"):
        command = [sys.executable, str(ROOT / "servidor.py"), "--host", "127.0.0.1",
                   "--port", str(port), "--loop", loop, *PAPO_BENCH_OPTIONS]  # fmt: skip
        if irc_port is not None:
            command += ["--irc-port", str(irc_port), "--irc-server-name", "bench.papo.test"]
        if kind in CLUSTER_KINDS:
            redis, redis_port = start_redis(workdir)
            url = f"redis://127.0.0.1:{redis_port}/0"
            command += ["--redis", url, "--workers", str(CLUSTER_KINDS[kind])]
            if CLUSTER_KINDS[kind] > 1:
                pin = -1  # the workers spread over every core
    elif kind == "ncat":
        command = ["ncat", "--chat", "--listen", "127.0.0.1", str(port),
                   "--max-conns", "1000"]  # fmt: skip
    elif kind == "ngircd":
        conf = workdir / "ngircd.conf"
        conf.write_text(
            NGIRCD_CONF.format(port=port, workdir=workdir, uid=os.getuid(), gid=os.getgid())
        )
        command = ["ngircd", "--nodaemon", "--config", str(conf)]
    else:
        raise ValueError(kind)
    process = subprocess.Popen(
        command,
        stdout=devnull,
        stderr=devnull,
        cwd=workdir,
        preexec_fn=lambda: pin_to(pin),
    )
    _wait_for_port(port, process)
    if kind in CLUSTER_KINDS:
        wait_for_listeners(port, CLUSTER_KINDS[kind], process)
    if irc_port is not None:
        _wait_for_port(irc_port, process)
    return Running(kind, port, process, workdir, irc_port, redis, redis_port)


def available(kind: str) -> bool:
    if kind in CLUSTER_KINDS:
        return shutil.which("redis-server") is not None
    return kind.startswith("papo") or shutil.which(kind) is not None
