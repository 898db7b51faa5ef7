"""The client's options as people write them: --host with brackets and a port after a colon, --port
winning, a certificate file that is not there."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from papo.cli import host_and_port
from tests.support import ServerProcess, run_client


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("chat.example", None, ("chat.example", 12345)),
        ("chat.example:2000", None, ("chat.example", 2000)),
        ("192.168.0.10:2000", 7000, ("192.168.0.10", 7000)),  # --port given wins
        ("::1", None, ("::1", 12345)),  # several colons: an IPv6 address, no port
        ("[::1]", None, ("::1", 12345)),
        ("[2001:db8::5]:2000", None, ("2001:db8::5", 2000)),
    ],
)
def test_host_and_port_as_written(host: str, port: int | None, expected: tuple[str, int]) -> None:
    assert host_and_port(host, port, 12345) == expected


@pytest.mark.parametrize("host", ["chat.example:abc", "chat.example:0", "[::1]:70000"])
def test_a_port_after_the_colon_that_is_none_is_refused(host: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        host_and_port(host, None, 12345)


def test_the_client_connects_to_host_colon_port(server: ServerProcess) -> None:
    watcher = server.user("watcher")
    result = run_client("--host", f"127.0.0.1:{server.port}", "--name", "c", stdin="hi\n")
    assert result.returncode == 0, result.stderr
    assert watcher.expect("message")["text"] == "hi"
    refused = run_client("--host", "127.0.0.1:abc", stdin="hi\n")
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[0] == (
        "papo: error: argument --host: not a port after the colon: 127.0.0.1:abc"
    )
    portuguese = run_client("--host", "127.0.0.1:abc", "--lang", "pt_BR", stdin="hi\n")
    assert portuguese.stderr.splitlines() == [
        "papo: erro: argumento --host: não é uma porta depois dos dois-pontos: 127.0.0.1:abc",
        "papo --help lista as opções.",
    ]


def test_a_certificate_file_that_is_not_there_is_said_at_once(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"
    result = run_client("--tls-ca", str(missing), "--name", "ana", stdin="hi\n")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"papo: error: argument --tls-ca: {missing}: No such file or directory",
        "papo --help lists the options.",
    ]
