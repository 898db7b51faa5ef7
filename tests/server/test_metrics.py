"""``--metrics``: Prometheus's text format, byte for byte; the small HTTP server that serves it,
asked as a scraper (and as worse) asks; and what a real server counts as people come, talk and
are refused. Real processes, real sockets, a real redis-server for ``--workers``."""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from papo import __version__
from papo.server.metrics import Census, Counters, Metric, chat_metrics, render
from papo.server.metrics_http import HEAD_LIMIT, answer_to
from tests.conftest import StartServer
from tests.redis_server import RedisServer
from tests.support import HOST, TIMEOUT, ServerProcess

Samples = dict[str, float]


def test_the_text_format_byte_for_byte() -> None:
    metrics = [
        Metric.one("papo_connections", "gauge", "Connections open", 3),
        Metric.by("papo_refused_total", "counter", "Refused, by reason", "reason",
                  Counter({"too_many_connections": 2, "banned": 1})),
        Metric("papo_info", "gauge", 'A "help"\nwith \\ in it',
               (({"version": 'a"b\\c\nd'}, 1.0),)),
        Metric.one("process_cpu_seconds_total", "counter", "CPU", 0.25),
    ]  # fmt: skip
    assert render(metrics) == (
        "# HELP papo_connections Connections open\n"
        "# TYPE papo_connections gauge\n"
        "papo_connections 3\n"
        "# HELP papo_refused_total Refused, by reason\n"
        "# TYPE papo_refused_total counter\n"
        'papo_refused_total{reason="banned"} 1\n'
        'papo_refused_total{reason="too_many_connections"} 2\n'
        '# HELP papo_info A "help"\\nwith \\\\ in it\n'
        "# TYPE papo_info gauge\n"
        'papo_info{version="a\\"b\\\\c\\nd"} 1\n'
        "# HELP process_cpu_seconds_total CPU\n"
        "# TYPE process_cpu_seconds_total counter\n"
        "process_cpu_seconds_total 0.25\n"
    )


def test_a_counter_with_nothing_counted_yet_has_no_samples() -> None:
    text = render(chat_metrics(Counters(), Census(0, 0, 0, 0, 0)))
    assert "# TYPE papo_connections_refused_total counter\n# HELP" in text
    assert "papo_connections 0\n" in text


def metrics_now() -> str:
    return "papo_connections 1\n"


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200),
        (b"GET /metrics?name[]=papo_connections HTTP/1.0\r\n\r\n", 200),
        (b"GET / HTTP/1.1\r\n\r\n", 404),
        (b"GET /metrics/ HTTP/1.1\r\n\r\n", 404),
        (b"POST /metrics HTTP/1.1\r\n\r\n", 405),
        (b"GET /metrics\r\n\r\n", 400),
        (b"\x16\x03\x01\x02\x00\r\n\r\n", 400),
    ],
)
def test_what_is_answered(head: bytes, status: int) -> None:
    answer = answer_to(head, metrics_now)
    assert answer.status == status
    wire = answer.encode()
    assert wire.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"\r\nConnection: close\r\n" in wire
    if status == 200:
        assert b"Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n" in wire
        assert wire.endswith(b"\r\n\r\npapo_connections 1\n")
    if status == 405:
        assert b"\r\nAllow: GET, HEAD\r\n" in wire


def test_head_is_told_the_length_without_the_body() -> None:
    wire = answer_to(b"HEAD /metrics HTTP/1.1\r\n\r\n", metrics_now).encode()
    assert wire.endswith(b"\r\nContent-Length: 19\r\nConnection: close\r\n\r\n")


def scrape(port: int, path: str = "/metrics") -> Samples:
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=TIMEOUT) as answer:
        assert answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = answer.read().decode()
    samples: Samples = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def metrics_port(server: ServerProcess) -> int:
    """The port of the "listening on http://" line, printed after the chat's own."""
    return server._read_port("http://")


def test_a_server_counts_who_comes_talks_and_is_refused(start_server: StartServer) -> None:
    server = start_server("--metrics", f"{HOST}:0", "--max-per-ip", "2")
    port = metrics_port(server)
    before = scrape(port)
    assert before["papo_connections"] == 0 and before["papo_users_online"] == 0
    info = [name for name in before if name.startswith(f'papo_info{{version="{__version__}",')]
    assert len(info) == 1 and before[info[0]] == 1
    assert before["process_resident_memory_bytes"] > 1_000_000
    ana, bob = server.line_user("ana"), server.line_user("bob")
    refused = server.client()
    assert refused.closed_by_server()
    bob.send("/join #dev")
    for n in range(3):
        ana.send(f"hello {n}")
    assert bob.text_until(lambda line: "hello 2" in line)
    for _ in range(2):
        bob.send("/private nobody hi")
        assert bob.text_until(lambda line: "'nobody' is not online" in line)
    after = scrape(port)
    assert after["papo_connections"] == 2
    assert after["papo_users_here"] == after["papo_users_online"] == 2
    assert after["papo_rooms"] == 2
    assert after["papo_connections_total"] == 2
    assert after['papo_connections_refused_total{reason="too_many_connections"}'] == 1
    assert after["papo_registrations_total"] == 2
    assert after["papo_lines_total"] == 8  # two names, a /join, three messages, two privates
    assert after['papo_errors_total{code="no_such_user"}'] == 2
    assert "papo_hub_available" not in after  # one server alone: no hub to watch
    assert after["papo_broadcasts_total"] >= 5  # bob's arrival, his join, the messages
    assert after["papo_broadcast_writes_total"] >= after["papo_broadcasts_total"]
    assert after["process_cpu_seconds_total"] > before["process_cpu_seconds_total"]
    with pytest.raises(urllib.error.HTTPError, match="404"):
        scrape(port, "/")


def test_the_metrics_port_survives_what_is_not_a_scrape(start_server: StartServer) -> None:
    server = start_server("--metrics", f"{HOST}:0")
    port = metrics_port(server)
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as huge:
        huge.sendall(b"GET /metrics HTTP/1.1\r\n" + b"X: " + b"y" * HEAD_LIMIT + b"\r\n\r\n")
        assert huge.recv(100).startswith(b"HTTP/1.1 431 ")
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as half:
        half.sendall(b"GET /metr")  # and nothing more, then gone
    silent = socket.create_connection((HOST, port), timeout=15)
    started = time.monotonic()
    assert silent.recv(100) == b""  # closed, unanswered, after a few seconds
    assert 4 < time.monotonic() - started < 10
    silent.close()
    assert scrape(port)["papo_connections"] == 0
    assert "Traceback" not in server.log()


def test_each_worker_has_its_own_metrics_port(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server("--redis", redis_server.url, "--workers", "2", "--metrics", f"{HOST}:0")
    deadline = time.monotonic() + TIMEOUT
    while (
        len(ports := re.findall(r"\(worker \d\): metrics at http://[\d.]+:(\d+)/", server.log()))
        < 2
    ):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    users = [server.line_user(f"user{n}") for n in range(8)]  # spread by the kernel
    for user in users[:-1]:  # each one's server knows of the last, so of them all
        assert user.text_until(lambda line: "user7 joined" in line)
    samples = [scrape(int(port)) for port in ports]
    assert sum(each["papo_users_here"] for each in samples) == 8
    assert [each["papo_users_online"] for each in samples] == [8, 8]


def test_a_server_on_redis_says_when_redis_refuses_lines(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    server = start_server("--redis", redis_server.url, "--metrics", f"{HOST}:0")
    port = metrics_port(server)
    ana = server.user("ana")
    assert scrape(port)["papo_hub_available"] == 1
    redis_server.stop()
    deadline = time.monotonic() + TIMEOUT
    while scrape(port)["papo_hub_available"] != 0:  # noticed at its next request to Redis
        assert time.monotonic() < deadline
        time.sleep(0.1)
    ana.send("anyone?")
    assert ana.expect("error")["code"] == "unavailable"
    samples = scrape(port)
    assert samples['papo_errors_total{code="unavailable"}'] == 1
    assert samples["papo_missed_events_total"] == 0
    redis_server.start()
