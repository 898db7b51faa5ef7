"""The open-file limit: a server started under a small one still refuses politely, never spins."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from papo.server.fdlimit import MAX_RESERVE, plan
from tests.conftest import StartServer

LIMITED = (
    "import resource, runpy, sys;"
    "resource.setrlimit(resource.RLIMIT_NOFILE, (80, 80));"
    "sys.argv[0] = 'papo-server';"
    "runpy.run_module('papo.server', run_name='__main__')"
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def test_plan_raises_the_soft_limit_and_keeps_a_reserve() -> None:
    assert plan(10_000, 1024, 1 << 20).soft_limit == 1 << 20
    assert plan(10_000, 1024, 1 << 20).max_clients == 10_000
    assert plan(10_000, 1024, 4096).max_clients == 4096 - MAX_RESERVE
    assert plan(0, 512, 512).max_clients == 512 - MAX_RESERVE  # "no limit" means what fits
    assert plan(1000, 80, 80).max_clients == 60
    assert plan(5, 80, 80).max_clients == 5


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_at_the_file_limit_newcomers_hear_server_full(start_server: StartServer, loop: str) -> None:
    server = start_server(
        "--max-clients", "1000", "--loop", loop, command=[sys.executable, "-c", LIMITED]
    )
    assert "max clients set to 60" in server.log()
    held = [server.client() for _ in range(60)]
    for client in held[:3]:
        assert client.readline() is not None
    before = cpu_seconds(server.process.pid)
    for _ in range(30):
        refused = server.client()
        assert "full" in refused.text_until(lambda line: "full" in line)[0]
        assert refused.closed_by_server()
        refused.close()
    time.sleep(1)
    assert cpu_seconds(server.process.pid) - before < 1.0
    assert len(server.log()) < 20_000
    held[0].close()
    time.sleep(0.3)
    assert server.client(json_mode=True).register("room")["type"] == "welcome"
