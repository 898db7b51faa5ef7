"""Real servers and real sockets for the integration tests.

``ServerProcess`` starts ``python -m papo.server`` on a free loopback port (port 0, read back from
the "listening" line it prints) and stops it by its own PID. ``LineClient`` is a raw line client,
what ``nc`` would be, with helpers to wait for JSON events; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme

from papo.irc.message import MAX_LINE_BYTES

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TIMEOUT = 5.0


@dataclass(frozen=True)
class IssuedCertificate:
    """A server's certificate and key in PEM files, from an authority of the test's own."""

    authority: trustme.CA
    cert: Path
    key: Path

    @property
    def server_args(self) -> tuple[str, ...]:
        return ("--tls-cert", str(self.cert), "--tls-key", str(self.key))

    def trusting(self) -> ssl.SSLContext:
        """A client's context that trusts the certificate (and nothing else)."""
        context = ssl.create_default_context()
        self.authority.configure_trust(context)
        return context


def issue_certificate(folder: Path, *hosts: str) -> IssuedCertificate:
    """A certificate for ``hosts`` (127.0.0.1 unless told), as ``cert.pem`` and ``key.pem``
    in ``folder``."""
    authority = trustme.CA()
    issued = authority.issue_cert(*(hosts or (HOST,)))
    cert, key = folder / "cert.pem", folder / "key.pem"
    issued.private_key_and_cert_chain_pem.write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    return IssuedCertificate(authority, cert, key)


Event = dict[str, Any]


def fits_irc(line: str) -> bool:
    """Whether an IRC line (without its CR LF) is within IRC's 512 bytes, tags apart (IRCv3)."""
    untagged = line.split(" ", 1)[1] if line.startswith("@") else line
    return len(untagged.encode()) + 2 <= MAX_LINE_BYTES


def free_port() -> int:
    """A loopback port nothing listens on (free when asked)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    def __init__(
        self,
        *args: str,
        host: str | None = HOST,
        env: dict[str, str] | None = None,
        command: Sequence[str] | None = None,
        tmp: Path | None = None,
        log_through_pipe: bool = False,
    ) -> None:
        """``log_through_pipe``: the server's log is read from a pipe instead of a file, for a
        test that limits the size of the files the server may write."""
        full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LC_ALL": "", "LANG": ""}
        full_env.update(env or {})
        base = command or [sys.executable, "-m", "papo.server"]
        self.stderr_path = (tmp or Path("/tmp")) / f"papo-server-{os.getpid()}-{time.time_ns()}.log"
        self._stderr = self.stderr_path.open("wb")
        self.process = subprocess.Popen(
            [*base, *(["--host", host] if host else []), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if log_through_pipe else self._stderr,
            env=full_env,
            cwd=ROOT,
            bufsize=0,  # unbuffered: each "listening on" line is there for select() to see
        )
        self._log_copier: threading.Thread | None = None
        if log_through_pipe:  # copied to the file by this process, whose files are not limited
            self._log_copier = threading.Thread(target=self._copy_log, daemon=True)
            self._log_copier.start()
        self.host = host or HOST
        self.args = args
        self.clients: list[LineClient] = []  # kept open until stop(), used or not
        self.listening: list[str] = []  # the "listening on" lines read, as printed
        self.port = self._read_port()
        irc = "--irc-port" in args or "--irc-tls-port" in args
        self.irc_port = self._read_port("irc") if irc else 0  # irc:// or, over TLS, ircs://

    def _read_port(self, scheme: str = "") -> int:
        """The port of the next "listening on" line (of ``scheme``, skipping others)."""
        assert self.process.stdout is not None
        while True:
            ready, _, _ = select.select([self.process.stdout], [], [], 10.0)
            line = self.process.stdout.readline().decode() if ready else ""
            if "listening on" not in line:
                log = self.log()
                self.stop()
                raise RuntimeError(f"server did not start: {line!r} {log}")
            self.listening.append(line.rstrip("\n"))
            if scheme in line:
                return int(line.rsplit(":", 1)[1].split("/", 1)[0])  # http://H:P/metrics

    def _copy_log(self) -> None:
        assert self.process.stderr is not None
        pipe = self.process.stderr.fileno()
        for chunk in iter(lambda: os.read(pipe, 65536), b""):
            self._stderr.write(chunk)
            self._stderr.flush()

    def rss_bytes(self) -> int:
        """The server process's resident memory now."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no VmRSS for {self.process.pid}")

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 15.0) -> None:
        """Until ``text`` is in the log (a failed test shows the log)."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            assert time.monotonic() < deadline, f"not in the log: {text!r}\n{self.log()}"
            time.sleep(0.05)

    def printed_after_start(self, timeout: float = 2.0) -> list[str]:
        """The lines printed after the "listening on" ones read at start, within ``timeout``
        (what follows the first comes at once or not at all)."""
        assert self.process.stdout is not None
        lines: list[str] = []
        while select.select([self.process.stdout], [], [], timeout)[0]:
            line = self.process.stdout.readline().decode()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            timeout = 0.3
        return [line for line in lines if "listening on" not in line]

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 10.0) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self._log_copier is not None:
            self._log_copier.join(5)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self._stderr.close()
        self.stderr_path.unlink(missing_ok=True)

    def client(self, **kwargs: Any) -> LineClient:
        client = LineClient(self.port, host=self.host, **kwargs)
        self.clients.append(client)
        return client

    def tls_client(
        self, context: ssl.SSLContext, *, rcvbuf: int | None = None, json_mode: bool = False
    ) -> LineClient:
        """A client over TLS (``context``: one that trusts the server), its handshake done;
        ``rcvbuf``: a small receive buffer. Closed at ``stop``, as ``client``'s are."""
        raw = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(TIMEOUT)
        raw.connect((self.host, self.port))
        tls = context.wrap_socket(raw, server_hostname=self.host)
        client = LineClient(self.port, sock=tls, json_mode=json_mode)
        self.clients.append(client)
        return client

    def user(self, name: str, **kwargs: Any) -> LineClient:
        return _registered(self.client(json_mode=True, **kwargs), name)

    def tls_user(self, context: ssl.SSLContext, name: str) -> LineClient:
        return _registered(self.tls_client(context, json_mode=True), name)

    def line_user(self, name: str, **kwargs: Any) -> LineClient:
        """A user of a line client (``nc``): text, no resume, gone when its connection is."""
        client = self.client(**kwargs)
        client.send(name)
        client.text_until(lambda line: line.startswith(f"Hello, {name}!"))
        return client


def _registered(client: LineClient, name: str) -> LineClient:
    """``client`` (JSON), welcomed under ``name``."""
    welcome = client.register(name)
    assert welcome["type"] == "welcome", welcome
    client.welcome = welcome
    return client


class LineClient:
    def __init__(
        self,
        port: int,
        *,
        host: str = HOST,
        json_mode: bool = False,
        source: str | None = None,
        rcvbuf: int | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        if sock is None:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            if rcvbuf:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            if source:
                sock.bind((source, 0))
            sock.settimeout(TIMEOUT)
            sock.connect((host, port))
        self.sock = sock
        self.buffer = b""
        self.hello: Event | None = None
        self.welcome: Event | None = None
        if json_mode:
            self.send("/format json")
            self.hello = self.wait_hello()

    # -- raw lines ---------------------------------------------------------------------------

    def send(self, line: str | bytes) -> None:
        data = line if isinstance(line, bytes) else line.encode()
        self.sock.sendall(data if data.endswith(b"\n") else data + b"\n")

    def readline(self, timeout: float = TIMEOUT) -> bytes | None:
        """One line without its LF; None on timeout; EOFError when the server closed."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                chunk = self._recv_within(left)
            except TimeoutError:
                return None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise EOFError("server closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _recv_within(self, seconds: float) -> bytes:
        """One ``recv`` that waits at most ``seconds``; the socket's own timeout is put back
        after it, else a ``sendall`` after a read inherits what was left of the read's wait
        (a fraction of a second, on a loaded machine) and gives up on a server still reading."""
        self.sock.settimeout(seconds)
        try:
            return self.sock.recv(65536)
        finally:
            self.sock.settimeout(TIMEOUT)

    def text_until(self, predicate: Callable[[str], bool], timeout: float = TIMEOUT) -> list[str]:
        """Text lines up to and including the first that matches."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while (left := deadline - time.monotonic()) > 0:
            line = self.readline(left)
            if line is None:
                break
            seen.append(line.decode())
            if predicate(seen[-1]):
                return seen
        raise AssertionError(f"no matching line; saw {seen[-8:]}")

    def closed_by_server(self, timeout: float = TIMEOUT) -> bool:
        """True once the server has closed; every line still in flight is read on the way."""
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                self.readline(left)
        except EOFError:
            return True
        return False

    # -- JSON events -------------------------------------------------------------------------

    def wait_hello(self) -> Event:
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            line = self.readline(left)
            if line is None:
                break
            if line.startswith(b"{"):
                event: Event = json.loads(line)
                assert event["type"] == "hello", event
                return event
        raise AssertionError("no hello")

    def event(self, timeout: float = TIMEOUT) -> Event | None:
        line = self.readline(timeout)
        if line is None:
            return None
        event: Event = json.loads(line)
        return event

    def expect(self, kind: str, timeout: float = TIMEOUT, **fields: Any) -> Event:
        """Skip events until one of type ``kind`` with ``fields`` arrives."""
        deadline = time.monotonic() + timeout
        seen: list[Event] = []
        while (left := deadline - time.monotonic()) > 0:
            event = self.event(left)
            if event is None:
                break
            seen.append(event)
            if event["type"] == kind and all(event.get(k) == v for k, v in fields.items()):
                return event
        raise AssertionError(f"expected {kind} {fields}; saw {seen[-8:]}")

    def next_event(self, timeout: float = TIMEOUT) -> Event:
        event = self.event(timeout)
        assert event is not None, "no event"
        return event

    def talk_until_left(self, line: str, most: int = 5000) -> Event:
        """Say ``line`` again and again, reading what comes after each, until somebody leaves
        (a reader that cannot keep up, put out); that ``leave``."""
        for _ in range(most):
            self.send(line)
            event = self.next_event()
            if event["type"] == "leave":
                return event
        raise AssertionError(f"nobody left after {most} lines")

    def quiet(self, wait: float = 0.3) -> list[Event]:
        """Every event that arrives within ``wait`` seconds (expected: none)."""
        events: list[Event] = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            event = self.event(left)
            if event is None:
                break
            events.append(event)
        return events

    def register(self, name: str) -> Event:
        self.send(name)
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            event = self.event(left)
            if event is not None and event["type"] in ("welcome", "error"):
                return event
        raise AssertionError(f"no answer to name {name!r}")

    def reset(self) -> None:
        """Vanish: close with RST instead of FIN, as a crashed peer or a pulled cable would."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self) -> None:
        self.sock.close()


def run_client(
    *args: str, stdin: str = "", timeout: float = 20, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python client.py ARGS`` from the clone as a user runs it (nothing on PYTHONPATH, no
    locale, and ``env`` if given), piped: ``stdin`` in, status and both outputs back."""
    return subprocess.run(
        [sys.executable, "client.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": "", "LC_ALL": "", "LANG": "", **(env or {})},
    )
