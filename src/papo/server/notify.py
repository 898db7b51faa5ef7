"""Telling a service manager how the server is doing: systemd's ``Type=notify``.

A manager that starts papo as a service wants to know when it is ready (it listens: units
ordered after it may start, ``systemctl start`` returns), when it reads its files again and when
it is stopping. The protocol is one datagram of ``NAME=value`` lines to the Unix socket named by
``$NOTIFY_SOCKET`` (``@`` at its start: an abstract socket), so no library is needed; without
the variable, nothing is sent. Only the process the manager started may speak (systemd's
default ``NotifyAccess=main``), so ``--workers``' parent speaks for its workers, which are
started without the variable.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

log = logging.getLogger("papo.server")

VARIABLE = "NOTIFY_SOCKET"


def notify(*fields: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Send ``fields`` (``READY=1``, ``STATUS=...``) as one message; False if nobody listens
    (no variable) or it could not be sent, which is logged and harms nothing else."""
    where = environ.get(VARIABLE)
    family = getattr(socket, "AF_UNIX", None)  # not on Windows, where no such manager runs
    if not where or family is None:
        return False
    address = "\0" + where[1:] if where.startswith("@") else where
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.sendto("\n".join(fields).encode(), address)
    except OSError as error:
        log.warning("cannot tell the service manager (%s=%s): %s", VARIABLE, where, error)
        return False
    return True


class ServiceManager:
    """What the manager is told, in order: ready once the server listens, a reload only after
    that (before, it would read as ready), stopping at the end."""

    def __init__(self) -> None:
        self.status: str | None = None  # once ready: what the server is doing

    def ready(self, status: str) -> None:
        self.status = status
        notify("READY=1", f"STATUS={status}")

    @contextmanager
    def reloading(self) -> Iterator[None]:
        """Around reading the files again. The time lets a manager that waits for the reload
        (systemd's ``Type=notify-reload``) match the answer to its request."""
        if self.status is None:
            yield
            return
        microseconds = time.monotonic_ns() // 1000  # CLOCK_MONOTONIC, as the manager's
        notify("RELOADING=1", f"MONOTONIC_USEC={microseconds}", "STATUS=reading its files")
        try:
            yield
        finally:
            notify("READY=1", f"STATUS={self.status}")

    def stopping(self, status: str) -> None:
        notify("STOPPING=1", f"STATUS={status}")


def without_variable(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for a child process that must not speak to the manager itself."""
    return {name: value for name, value in environ.items() if name != VARIABLE}
