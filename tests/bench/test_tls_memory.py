"""The TLS memory bench: its servers start, take every connection, and are measured."""

from __future__ import annotations

from pathlib import Path

from bench.tls_memory import kib_per_connection


def test_idle_tls_connections_are_measured_without_the_256_kib_buffer(tmp_path: Path) -> None:
    each = kib_per_connection("asyncio", True, 40, tmp_path)  # raises if one is not greeted
    assert each < 128  # KiB: 281 when each TLS connection had asyncio's 256 KiB buffer
