"""A real HAProxy in front of papo, as in a deployment of several servers behind one address:
its PROXY headers (``send-proxy`` and ``send-proxy-v2``) make each client count as itself.

Clients connect from loopback addresses of their own (127.0.0.2, 127.0.0.3: all of 127/8 is
this machine), so the server can tell them apart only through the headers. HAProxy is started
on free loopback ports, in the foreground, and stopped by its PID.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import StartServer
from tests.support import HOST, ROOT, LineClient, ServerProcess, free_port

HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
pytestmark = pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed")

TWO_DOORS = """\
global
    maxconn 200
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend version_1
    bind {host}:{v1}
    default_backend papo_v1
frontend version_2
    bind {host}:{v2}
    default_backend papo_v2
backend papo_v1
    server papo {host}:{papo} send-proxy check inter 300ms
backend papo_v2
    server papo {host}:{papo} send-proxy-v2 check inter 300ms
"""


class Balancer:
    """HAProxy run with ``config``, once it listens on each of ``ports``."""

    def __init__(self, config: str, ports: list[int], tmp: Path) -> None:
        assert HAPROXY is not None
        path = tmp / "haproxy.cfg"
        path.write_text(config)
        self.log = tmp / "haproxy.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([HAPROXY, "-db", "-f", str(path)], stderr=log)
        for port in ports:
            self._wait_listening(port)

    def _wait_listening(self, port: int) -> None:
        deadline = time.monotonic() + 10
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, f"haproxy not on {port}"
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def balancers(tmp_path: Path) -> Iterator[list[Balancer]]:
    started: list[Balancer] = []
    yield started
    for balancer in started:
        balancer.stop()


def client_from(server: ServerProcess, port: int, source: str) -> LineClient:
    client = LineClient(port, source=source)
    server.clients.append(client)
    return client


def test_each_client_behind_haproxy_counts_as_itself(
    start_server: StartServer, balancers: list[Balancer], tmp_path: Path
) -> None:
    server = start_server("--proxy-from", HOST, "--max-per-ip", "1")
    v1, v2 = free_port(), free_port()
    config = TWO_DOORS.format(host=HOST, v1=v1, v2=v2, papo=server.port)
    balancers.append(Balancer(config, [v1, v2], tmp_path))
    ana = client_from(server, v1, "127.0.0.2")
    ana.send("ana")
    assert ana.text_until(lambda line: line.startswith("Hello, ana!"))
    server.wait_for_log(" as 'ana' from 127.0.0.2:")
    bob = client_from(server, v2, "127.0.0.3")
    bob.send("bob")
    assert bob.text_until(lambda line: line.startswith("Hello, bob!"))
    server.wait_for_log(" as 'bob' from 127.0.0.3:")
    # ana's address has its one connection (--max-per-ip 1), through either door.
    again = client_from(server, v2, "127.0.0.2")
    assert again.text_until(lambda line: "Too many connections" in line)
    assert again.closed_by_server()
    ana.send("hello via haproxy")
    assert bob.text_until(lambda line: "hello via haproxy" in line)[-1] == (
        "<ana> hello via haproxy"
    )
    bob.send("/private ana and back")
    assert ana.text_until(lambda line: "and back" in line)
    # HAProxy's health checks (a connection opened and closed, every 300 ms) came all along:
    # none was counted, greeted or logged.
    log = server.log()
    assert "a --proxy-from address" not in log
    assert "from 127.0.0.1:" not in log


def readme_config(readme: str) -> str:
    """The haproxy.cfg a README shows, without its comments."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    found = re.search(r"```\n(# haproxy\.cfg.*?)```", text, flags=re.DOTALL)
    assert found is not None, f"no haproxy.cfg in {readme}"
    lines = (line.split("#", 1)[0].rstrip() for line in found.group(1).splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def test_the_readmes_haproxy_configuration_works_as_written(
    start_server: StartServer, balancers: list[Balancer], tmp_path: Path
) -> None:
    """Both languages show the same configuration; run with loopback addresses for its own
    (both of its servers are one papo here), it carries a chat."""
    config = readme_config("README.md")
    assert readme_config("README.pt-BR.md") == config
    server = start_server("--proxy-from", HOST)
    front = free_port()
    config = config.replace("bind :12345", f"bind {HOST}:{front}")
    config = re.sub(r"10\.0\.0\.1[12]:12345", f"{HOST}:{server.port}", config)
    balancers.append(Balancer(config, [front], tmp_path))
    ana = client_from(server, front, "127.0.0.2")
    ana.send("ana")
    assert ana.text_until(lambda line: line.startswith("Hello, ana!"))
    server.wait_for_log(" as 'ana' from 127.0.0.2:")
