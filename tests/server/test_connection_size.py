"""What every connection holds, whatever it does: kept small, since an idle chat of ten
thousand is ten thousand of them (``make bench``'s idle_10k: KiB per connection). Past 30
attributes an instance with a ``__dict__`` gets a table of keys of its own (1.3 KiB more each,
found when telnet's state was the 31st): the connection and its line buffer are slotted."""

from __future__ import annotations

import asyncio
from pathlib import Path

from papo.server.app import ChatServer
from tests.conftest import StartServer
from tests.server.inprocess import join, with_server
from tests.support import LineClient, issue_certificate


def test_a_connection_and_its_line_buffer_have_no_dict_of_attributes() -> None:
    async def check(server: ChatServer, port: int) -> None:
        user = await join(port, "ana")
        (connection,) = server.fanout.outlets.values()
        assert connection.session.name == "ana"  # the one that registered, in use
        for part in (connection, connection.framer):
            assert not hasattr(part, "__dict__"), type(part).__name__
        user.writer.close()

    with asyncio.Runner() as runner:
        runner.run(with_server(check))


def test_an_idle_tls_connection_holds_no_read_buffer_of_256_kib(
    start_server: StartServer, tmp_path: Path
) -> None:
    """asyncio (3.11 and later) gives every TLS connection a 256 KiB buffer to read into,
    zeroed as it is made: 282 KiB of memory per idle TLS connection on the standard library
    alone, where one without TLS costs 4. Held here to a quarter of that, a bound no noise
    reaches either way (about 30 KiB now); the figures are ``python -m bench.tls_memory``'s."""
    certificate = issue_certificate(tmp_path)
    server = start_server(
        *certificate.server_args, "--loop", "asyncio", "--max-per-ip", "0",
        "--ip-connect-rate", "0",
    )  # fmt: skip
    context = certificate.trusting()
    _greeted(server.tls_client(context))  # what a first connection loads, loaded
    before = server.rss_bytes()
    for _ in range(CONNECTIONS):
        _greeted(server.tls_client(context))  # then left idle
    grown = (server.rss_bytes() - before) / CONNECTIONS
    assert grown < 64 * 1024, f"{grown / 1024:.0f} KiB per idle TLS connection"


CONNECTIONS = 100


def _greeted(client: LineClient) -> None:
    """Once the server has greeted ``client``, its side of the connection is made."""
    line = client.readline()
    assert line is not None and line.startswith(b"Welcome")
