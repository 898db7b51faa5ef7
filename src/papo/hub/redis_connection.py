"""Connections to Redis that fail the way the hub expects, whatever the event loop.

Under uvloop, writing to a connection reset since it was made (a link cut between a server and
Redis, the next try let through) raises ``RuntimeError`` ("the handler is closed") where
asyncio raises ``OSError``. redis-py turns the ``OSError`` into its ``ConnectionError`` and
passes anything else on as it is: the hub, which takes a ``RedisError`` for Redis unreachable,
lost the task trying Redis again, and the server never came back. Here that error is a lost
connection too, for every kind of connection (TCP, TLS, unix socket) the URL asks for.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError


def failing_as_lost(pool: ConnectionPool) -> None:
    """The connections ``pool`` makes from now on raise ``ConnectionError`` when a command
    cannot be sent."""
    base = pool.connection_class
    if not issubclass(base, _SendingSafely):
        made = _MADE.get(base)
        if made is None:
            made = _MADE[base] = type(f"SendingSafely{base.__name__}", (_SendingSafely, base), {})
        pool.connection_class = made


class _SendingSafely(AbstractConnection):
    """Put before the pool's own kind of connection (TCP, TLS, unix socket)."""

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        try:
            await super().send_packed_command(command, check_health)
        except RuntimeError as error:  # redis-py closed it already
            raise RedisConnectionError(f"Error while writing to socket: {error}") from error


_MADE: dict[type[AbstractConnection], type[AbstractConnection]] = {}  # one for each kind
