"""The chat's log in a Redis Stream, shared by every server of one chat (``papo[redis]``).

One Lua script numbers an event and appends it atomically (``INCR`` then ``XADD`` with the
number as the entry's id), so every server reads one order and no number is handed out twice;
the stream is capped near ``--log-size`` entries (``MAXLEN ~``). An entry holds the event's
wire JSON and its route, as the SQLite store keeps them. Reading after an id is ``XRANGE``
from the next id on; the oldest id kept says whether a reader asking from further back
missed events (the stream was trimmed under it).

This module is imported only with ``--redis``: without it papo needs nothing but the
standard library.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from redis.asyncio import Redis

from papo.core.shared import Logged, Numbered, Route
from papo.hub.logged import event_from_json, event_json, route_from_json, route_json

APPEND = """
local id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id .. '-1', 'e', ARGV[2], 'r', ARGV[3])
return id
"""


class RedisLog:
    """The numbered log of one chat, in Redis under ``prefix``."""

    def __init__(self, redis: Redis, log_size: int, prefix: str = "papo") -> None:
        self.redis = redis
        self.log_size = log_size
        self._counter = f"{prefix}:last_id"
        self._stream = f"{prefix}:log"
        self._append = redis.register_script(APPEND)

    async def append(self, draft: Numbered, route: Route) -> Numbered:
        """Number ``draft`` with the chat's next id and log it with its route."""
        keys = [self._counter, self._stream]
        args: list[str | int] = [self.log_size, event_json(draft), route_json(route)]
        number = int(await self._append(keys=keys, args=args))
        return replace(draft, id=number)

    async def read_after(self, last_id: int, count: int | None = None) -> list[Logged]:
        """The events above ``last_id``, in order, as far back as the stream keeps them."""
        entries = await self.redis.xrange(self._stream, min=f"{last_id + 1}-0", count=count)
        return [logged for entry in entries or () if (logged := _logged(entry)) is not None]

    async def last_id(self) -> int:
        value = await self.redis.get(self._counter)
        return int(value) if value is not None else 0

    async def oldest_id(self) -> int:
        """The id of the oldest event kept (0: none): a reader behind it missed events."""
        entries = await self.redis.xrange(self._stream, count=1)
        return _number(entries[0][0]) if entries else 0


def _number(entry_id: Any) -> int:
    text = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    return int(text.split("-", 1)[0])


def _logged(entry: Any) -> Logged | None:
    entry_id, fields = entry
    event = event_from_json(_text(fields[b"e"] if b"e" in fields else fields["e"]))
    if event is None:
        return None
    route = route_from_json(_text(fields[b"r"] if b"r" in fields else fields["r"]))
    return replace(event, id=_number(entry_id)), route


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
