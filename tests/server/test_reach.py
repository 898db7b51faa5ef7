"""The line that tells the others how to join: which address it gives, how it reads, and that
a real server prints it after its "listening on" lines, and only where others can reach it."""

from __future__ import annotations

import socket
import sys

import pytest

from papo.server.reach import (
    client_command,
    join_hint,
    outward_address,
    reachable_at,
    shareable,
)
from tests.conftest import StartServer


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", False),
        ("127.0.1.1", False),  # Debian's name for the machine itself
        ("::1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("localhost", False),
        ("192.168.0.10", True),
        ("10.1.2.3", True),
        ("2001:db8::5", True),
        ("chat.example", True),
    ],
)
def test_only_addresses_another_machine_can_reach_are_given(host: str, expected: bool) -> None:
    assert shareable(host) is expected


def test_a_server_on_one_address_gives_that_one_and_ipv4_comes_first() -> None:
    assert reachable_at(["127.0.0.1"]) is None
    assert reachable_at(["::1"]) is None
    assert reachable_at(["192.168.7.7"]) == "192.168.7.7"
    assert reachable_at(["2001:db8::5", "10.0.0.5"]) == "10.0.0.5"
    assert reachable_at(["2001:db8::5"]) == "2001:db8::5"


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6])
def test_the_outward_address_is_one_of_this_machines(family: socket.AddressFamily) -> None:
    address = outward_address(family)
    if address is None:
        pytest.skip("no route out of this machine for this family")
    assert shareable(address)
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.bind((address, 0))  # only an address of this machine can be bound


def test_the_hint_reads_as_a_command_to_type() -> None:
    def hint(port: int, tls: bool = False, language: str = "en") -> str | None:
        lines = join_hint(["192.168.0.10"], port, tls=tls, language=language, client="papo")
        assert len(lines) == 1
        return lines[0]

    assert hint(12345) == (
        "On this network, others join with: papo --host 192.168.0.10 (or: nc 192.168.0.10 12345)"
    )
    assert hint(2000) == (
        "On this network, others join with: papo --host 192.168.0.10 --port 2000"
        " (or: nc 192.168.0.10 2000)"
    )
    tls = "On this network, others join with: papo --host 192.168.0.10 --tls"
    assert hint(12345, tls=True) == tls
    pinned = join_hint(
        ["192.168.0.10"], 12345, tls=True, language="en", client="papo", fingerprint="AB:CD"
    )  # the certificate a client then takes, whoever issued it
    assert pinned == ["On this network, others join with: papo --host 192.168.0.10 "
                      "--tls-fingerprint AB:CD"]  # fmt: skip
    assert hint(12345, language="pt_BR") == (
        "Nesta rede, os outros entram com: papo --host 192.168.0.10 (ou: nc 192.168.0.10 12345)"
    )
    only_here = join_hint(["127.0.0.1"], 12345, tls=False, language="en", client="papo")
    assert only_here == []


def test_with_the_irc_door_open_the_hint_names_its_ports_too() -> None:
    def irc_line(irc: int | None, irc_tls: int | None, language: str = "en") -> str:
        lines = join_hint(
            ["192.168.0.10"], 12345, tls=False, language=language, client="papo",
            irc=irc, irc_tls=irc_tls,
        )  # fmt: skip
        assert len(lines) == 2 and "192.168.0.10 (o" in lines[0]  # the papo line first
        return lines[1]

    assert irc_line(6667, None) == "IRC clients connect to 192.168.0.10, port 6667"
    assert irc_line(None, 6697) == "IRC clients connect to 192.168.0.10, port 6697, with TLS"
    assert irc_line(6667, 6697) == (
        "IRC clients connect to 192.168.0.10, port 6667 (with TLS: 6697)"
    )
    assert irc_line(6667, None, "pt_BR") == "Clientes IRC se conectam a 192.168.0.10, porta 6667"


@pytest.mark.parametrize(
    ("started_as", "expected"),
    [
        ("/home/ana/papo/servidor.py", "python3 client.py"),
        ("/usr/lib/python3/site-packages/papo/server/__main__.py", "python3 -m papo.client"),
        ("/home/ana/.local/bin/papo-server", "papo"),
    ],
)
def test_the_client_is_named_as_the_server_was_started(
    monkeypatch: pytest.MonkeyPatch, started_as: str, expected: str
) -> None:
    monkeypatch.setattr(sys, "argv", [started_as, "--port", "0"])
    assert client_command() == expected


def test_a_server_on_every_interface_says_how_others_join(start_server: StartServer) -> None:
    server = start_server(host=None)
    lines = server.printed_after_start()
    address = outward_address(socket.AF_INET) or outward_address(socket.AF_INET6)
    if address is None:  # a machine with no route out: nobody else could join
        assert lines == []
        return
    assert lines == [
        "On this network, others join with: python3 -m papo.client"
        f" --host {address} --port {server.port}"
        f" (or: nc {address} {server.port})"
    ]


def test_the_irc_door_is_named_with_its_real_port(start_server: StartServer) -> None:
    server = start_server("--irc-port", "0", host=None)
    address = outward_address(socket.AF_INET) or outward_address(socket.AF_INET6)
    lines = server.printed_after_start()
    if address is None:
        assert lines == []
        return
    assert lines[1:] == [f"IRC clients connect to {address}, port {server.irc_port}"]


def test_a_server_on_loopback_says_nothing_more(start_server: StartServer) -> None:
    server = start_server()  # 127.0.0.1
    assert server.printed_after_start(timeout=1.0) == []
    user = server.user("ana")  # it is up, and has printed all it will at start
    user.send("/online")
    assert user.expect("online")["users"] == ["ana"]
    assert server.printed_after_start(timeout=0.3) == []
