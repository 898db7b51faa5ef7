"""``--workers N``: N server processes on one port, one chat through Redis, one per core.

Each worker is a whole papo server (``--reuse-port``: the kernel spreads new connections among
their listening sockets, SO_REUSEPORT); Redis makes them one chat. This process only starts
them, restarts one that dies (and says so in the log), stops them all on SIGTERM, SIGHUP or
SIGINT, and passes SIGUSR1 (read the files again) on to each. It holds the ports it hands them
(bound, never listening: it takes no connection), so a port 0 becomes one free port that every
worker shares.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import papo
from papo.cli import read_again_signal, stop_signals
from papo.hub.redis_url import shown_url
from papo.server import notify
from papo.server.config import ServerConfig
from papo.server.listen import cannot_listen, listen_hosts, open_listeners
from papo.server.reach import say_how_to_join

log = logging.getLogger("papo.server.workers")

READY_LINE = "papo worker ready"  # a worker's last line on stdout once it listens
READY_SECONDS = 30.0  # a worker that has not listened by then is stopped
SUPERVISE_EVERY = 0.2  # seconds between looks at the workers
RESTART_PAUSE = 1.0  # before restarting a worker that died, so a broken one cannot spin
STOP_EXTRA_SECONDS = 5.0  # past --shutdown-grace, a worker still running is killed


class Worker:
    def __init__(self, number: int, args: list[str], config: ServerConfig) -> None:
        self.number = number
        self.process = subprocess.Popen(
            [sys.executable, "-m", "papo.server", *args, *metrics_args(config, number)],
            stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered: a line select() saw is not hidden in a buffer
            env={
                **notify.without_variable(os.environ),  # the parent speaks for them
                "PAPO_WORKER": str(number),
                "PYTHONPATH": _this_papo_first(),
            },
            preexec_fn=_die_with_parent,
        )
        self.started = time.monotonic()
        self.ready = False  # it listens, and takes SIGUSR1 (before, the signal would end it)

    def wait_ready(self) -> list[str]:
        """Its "listening on" lines, once it listens; [] if it stopped or took too long."""
        assert self.process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + READY_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            line = self.process.stdout.readline().decode() if ready else ""
            if not line:
                break
            if line.strip() == READY_LINE:
                self.ready = True
                return lines
            lines.append(line.rstrip("\n"))
        return []


def _this_papo_first() -> str:
    """The import path of a worker: the papo this process runs first. Started from a clone
    (``python servidor.py``), papo is not installed at all, and where an older papo is
    installed a worker would import that one."""
    here = str(Path(papo.__file__).resolve().parent.parent)
    return os.pathsep.join([here, *filter(None, [os.environ.get("PYTHONPATH")])])


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In a worker about to start: SIGTERM when its parent dies (Linux), so that no worker
    outlives a parent killed outright (it would keep its users in a chat nobody supervises)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: stopped by hand then
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _reserve(host: str | None, port: int) -> tuple[int, list[socket.socket]]:
    """The port every worker will share (port 0: a free one), held by this process."""
    held: list[socket.socket] = []
    for each in listen_hosts(host):
        try:
            held += open_listeners(each, port, reuse_port=True, listen=False)
        except OSError:
            if host is None and each == "::" and held:
                continue  # no IPv6 here: the workers will say so and listen on IPv4
            raise
        port = held[0].getsockname()[1]
    return port, held


def worker_args(argv: Sequence[str], ports: dict[str, int]) -> list[str]:
    """The parent's options, then what makes a worker (the last of each option wins)."""
    args = [*argv, "--workers", "1", "--reuse-port"]
    for option, port in ports.items():
        args += [option, str(port)]
    return args


def metrics_args(config: ServerConfig, number: int) -> list[str]:
    """Each worker's own --metrics port (PORT+N-1): a scrape of one shared port would reach
    one worker or another, each counting only its own connections."""
    if config.metrics is None:
        return []
    host, port = config.metrics
    port = port + number - 1 if port else 0
    return ["--metrics", f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]


def run_workers(config: ServerConfig, argv: Sequence[str]) -> int:
    held: list[socket.socket] = []
    ports: dict[str, int] = {}
    try:
        for option, port in config.doors().items():
            if port is not None:
                ports[option], sockets = _reserve(config.host, port)
                held += sockets
    except OSError as error:
        print(cannot_listen(error, config.language), file=sys.stderr)
        return 1
    args = worker_args(argv, ports)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, *stop_signals()):
        signal.signal(signum, stop)
    workers: list[Worker] = []
    manager = notify.ServiceManager()

    def read_again(signum: int, frame: FrameType | None) -> None:
        with manager.reloading():
            for worker in workers:
                if worker.ready and worker.process.poll() is None:
                    worker.process.send_signal(signum)

    reload_signal = read_again_signal()
    if reload_signal is not None:
        signal.signal(reload_signal, read_again)
    # The first alone: a setting every worker would trip on (Redis unreachable, a chat that
    # runs with other options) is then said once, not once per worker.
    workers = [Worker(1, args, config)]
    listening = [workers[0].wait_ready()]
    if listening[0]:
        workers += [Worker(n, args, config) for n in range(2, config.workers + 1)]
        listening += [worker.wait_ready() for worker in workers[1:]]
    if not all(listening):
        log.error("a worker did not start: stopping them all")
        _stop_all(workers, config)
        return 1
    for line in listening[0]:
        print(line, flush=True)
    say_how_to_join(
        config, listen_hosts(config.host), ports["--port"],
        ports.get("--irc-port"), ports.get("--irc-tls-port"),
    )  # fmt: skip
    log.info("%d workers on one port, sharing %s", len(workers), shown_url(config.redis or ""))
    manager.ready(f"{len(workers)} workers listening on port {ports['--port']}")
    while not stopping:
        time.sleep(SUPERVISE_EVERY)
        for index, worker in enumerate(workers):
            code = worker.process.poll()
            if code is None or stopping:
                continue
            log.warning("worker %d (pid %d) ended with %s: restarting it", worker.number,
                        worker.process.pid, code)  # fmt: skip
            time.sleep(RESTART_PAUSE)
            workers[index] = replacement = Worker(worker.number, args, config)
            if replacement.wait_ready():
                log.info("worker %d is back (pid %d)", worker.number, replacement.process.pid)
    manager.stopping("stopping its workers")
    _stop_all(workers, config)
    for sock in held:
        sock.close()
    return 0


def _stop_all(workers: list[Worker], config: ServerConfig) -> None:
    """SIGTERM to each: they tell their users and leave the chat; the slow ones are killed."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + config.shutdown_grace + STOP_EXTRA_SECONDS
    for worker in workers:
        try:
            worker.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("worker %d did not stop in time: killed", worker.number)
            worker.process.kill()
            worker.process.wait()
