"""What every load-generator process sets up: its file limit and its event loop."""

from __future__ import annotations

import asyncio
import resource

WANTED_FILES = 1 << 17  # 20 000 idle clients and their servers' ends, with room to spare


def raise_file_limit() -> int:
    """Thousands of clients need thousands of descriptors: the soft limit goes up to the hard,
    and (as root) the hard one up to ``WANTED_FILES``; the servers started inherit it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < WANTED_FILES:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (WANTED_FILES, WANTED_FILES))
            hard = WANTED_FILES
        except (ValueError, OSError):
            pass  # not allowed: what the hard limit gives
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def event_loop_runner() -> asyncio.Runner:
    """uvloop when installed: the generator must not be slower than the servers it drives."""
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)
