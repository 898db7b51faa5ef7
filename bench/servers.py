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
    """Keep a process on one core so runs compare (no-op on a one-core machine)."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > cpu:
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


@dataclass
class Running:
    kind: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    irc_port: int | None = None  # papo's IRC door, for the kinds that use it

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.workdir, ignore_errors=True)


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


def start(kind: str, loop: str = "auto") -> Running:
    """Start one server of ``kind`` on a free loopback port."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"papo-bench-{kind}-"))
    devnull = subprocess.DEVNULL
    irc_port = free_port() if kind in ("papo-irc", "papo-mixed") else None
    if kind.startswith("papo"):
        command = [sys.executable, str(ROOT / "servidor.py"), "--host", "127.0.0.1",
                   "--port", str(port), "--loop", loop, *PAPO_BENCH_OPTIONS]  # fmt: skip
        if irc_port is not None:
            command += ["--irc-port", str(irc_port), "--irc-server-name", "bench.papo.test"]
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
        preexec_fn=lambda: pin_to(SERVER_CPU),
    )
    _wait_for_port(port, process)
    if irc_port is not None:
        _wait_for_port(irc_port, process)
    return Running(kind, port, process, workdir, irc_port)


def available(kind: str) -> bool:
    return kind.startswith("papo") or shutil.which(kind) is not None
