"""A real redis-server for the tests: started on a free loopback port with no persistence,
stopped by its own PID. ``make test`` installs the Debian package when it is missing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support import HOST, free_port


class RedisServer:
    def __init__(
        self, workdir: Path, password: str | None = None, options: tuple[str, ...] = ()
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server")
        self.binary, self.workdir, self.password = binary, workdir, password
        self.options = options  # more of redis-server's own, as its command line takes them
        self.port = free_port()
        self.start()

    def start(self) -> None:
        """Start (again, after ``stop``: on the same port, empty)."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--daemonize", "no",
             "--enable-debug-command", "local",
             *(["--requirepass", self.password] if self.password else []), *self.options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as probe:
                    probe.sendall(self._auth() + b"PING\r\n")
                    if probe.recv(16).startswith(b"+OK" if self.password else b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def _auth(self) -> bytes:
        return f"AUTH {self.password}\r\n".encode() if self.password else b""

    @property
    def url(self) -> str:
        secret = f":{self.password}@" if self.password else ""
        return f"redis://{secret}{HOST}:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def command(self, *words: str) -> bytes:
        """One command in Redis's inline protocol (a test's own, beside the servers')."""
        with socket.create_connection((HOST, self.port), timeout=10) as connection:
            connection.sendall(" ".join(words).encode() + b"\r\n")
            return connection.recv(65536)
