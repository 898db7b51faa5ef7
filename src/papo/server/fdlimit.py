"""The open-file limit: raised where allowed, and never promised to more clients than it holds.

Each client is one descriptor. At the process's limit, ``accept()`` fails with EMFILE: the
newcomer is never told the server is full, and asyncio's accept loop logs a traceback each time
it tries again. So the soft limit is raised to the hard one at start, and ``--max-clients`` is
kept under what it allows, with a reserve: past the cap a newcomer is still accepted, long
enough to be told ``server_full``, and the listeners, the log and the loop have room too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

try:
    import resource
except ImportError:  # not on Windows: the limit is then the platform's business
    resource = None  # type: ignore[assignment]

log = logging.getLogger("papo.server")

# Descriptors kept for listeners, the event loop, logs, stdio and polite refusals.
MAX_RESERVE = 64


@dataclass(frozen=True, slots=True)
class FilePlan:
    soft_limit: int  # what to set the soft limit to
    max_clients: int  # the client cap that limit allows (never 0: 0 would mean no cap)


def plan(max_clients: int, soft: int, hard: int) -> FilePlan:
    """The soft limit to ask for and the client cap it allows (``max_clients`` 0: no cap asked)."""
    unlimited = resource is not None and hard == resource.RLIM_INFINITY
    wanted = soft if unlimited else max(soft, hard)
    reserve = min(MAX_RESERVE, wanted // 4)
    allowed = max(1, wanted - reserve)
    cap = allowed if max_clients == 0 else min(max_clients, allowed)
    return FilePlan(soft_limit=wanted, max_clients=cap)


def fit_client_limit(max_clients: int) -> int:
    """Raise the soft limit as far as allowed; return the client cap it leaves room for."""
    if resource is None:
        return max_clients
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    chosen = plan(max_clients, soft, hard)
    if chosen.soft_limit != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (chosen.soft_limit, hard))
        except (ValueError, OSError) as error:
            log.warning("cannot raise the open-file limit from %d: %s", soft, error)
            chosen = plan(max_clients, soft, soft)
    if chosen.max_clients != max_clients:
        log.warning(
            "max clients set to %d (asked: %s): the open-file limit is %d",
            chosen.max_clients,
            max_clients or "no limit",
            chosen.soft_limit,
        )
    return chosen.max_clients
