"""What an idle connection costs the server's memory, with TLS and without, on each event loop.

    python -m bench.tls_memory [--clients N]

asyncio (3.11 and later) made every TLS connection a 256 KiB read buffer, zeroed at once; papo
now has its connections read at most ``TLS_READ_BYTES`` at a time. uvloop's TLS is its own.
Each row: a server started on its own, ``--clients`` connections made and greeted (TLS
handshakes done), then the server's growth per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

import trustme

from bench.runtime import raise_file_limit
from bench.servers import ROOT, free_port, rss_of, wait_for_listeners

SETTLE_SECONDS = 1.0  # after the last connection, before measuring


async def connect_all(port: int, count: int, context: ssl.SSLContext | None) -> list[object]:
    """``count`` connections, each greeted by the server, a hundred being made at a time."""

    async def one() -> object:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=context, server_hostname="127.0.0.1" if context else None
        )
        await reader.readline()
        return writer

    held: list[object] = []
    for start in range(0, count, 100):
        held += await asyncio.gather(*(one() for _ in range(min(100, count - start))))
    return held


def kib_per_connection(loop: str, tls: bool, count: int, folder: Path) -> float:
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    cert, key = folder / "cert.pem", folder / "key.pem"
    issued.private_key_and_cert_chain_pem.write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    context = ssl.create_default_context() if tls else None
    if context is not None:
        authority.configure_trust(context)
    port = free_port()
    options = ["--tls-cert", str(cert), "--tls-key", str(key)] if tls else []
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "servidor.py"), "--host", "127.0.0.1", "--port", str(port),
         "--loop", loop, "--max-per-ip", "0", "--ip-connect-rate", "0", "--max-clients", "0",
         "--log-level", "error", *options],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_listeners(port, 1, server)

        async def measure() -> int:
            await connect_all(port, 1, context)  # what a first connection loads, loaded
            before = rss_of(server.pid)
            held = await connect_all(port, count, context)
            await asyncio.sleep(SETTLE_SECONDS)
            grown = rss_of(server.pid) - before
            del held
            return grown

        return asyncio.run(measure()) / count / 1024
    finally:
        server.terminate()
        server.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=2000)
    args = parser.parse_args()
    raise_file_limit()
    loops = ["asyncio"] + (["uvloop"] if importlib.util.find_spec("uvloop") else [])
    print(f"{'loop':8} {'plain':>8} {'TLS':>8}   KiB per idle connection, {args.clients} of them")
    with tempfile.TemporaryDirectory() as folder:
        for loop in loops:
            plain, tls = (
                kib_per_connection(loop, t, args.clients, Path(folder)) for t in (False, True)
            )
            print(f"{loop:8} {plain:8.1f} {tls:8.1f}")


if __name__ == "__main__":
    main()
