"""Claims of names gathered into calls of the claim script (``redis_scripts.CLAIMS``).

Each user that registers, or renames, asks Redis for its name before the chat answers. Sent one
call each, a crowd arriving at once (a server restarted, its users reconnecting) costs Redis a
script call per name and this server a round trip per name, queued on a few connections. Here
the claims asked while a call is on its way wait for it and then go together in the next one:
at a trickle each claim is sent at once, as before, and at a burst hundreds share a call
(group commit). The script carries a batch out in the order asked, so two users wanting one
name in one batch get what they would have got one call each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from papo.hub.backplane import Unavailable

CLAIMS_PER_CALL = 500  # claims in one call of the script, at most


@dataclass(frozen=True, slots=True)
class NameClaim:
    """``holder`` wants ``name``; ``since`` is when it arrived (kept with a new member)."""

    holder: int
    name: str
    since: float


# Carries a batch out: per claim, '' when taken or the name of whoever holds it (or a
# look-alike); None when Redis could not be reached (every claim of the batch refused).
SendClaims = Callable[[list[NameClaim]], Awaitable[list[str] | None]]


class ClaimGatherer:
    """One call of the claim script on its way at a time; the claims asked meanwhile wait."""

    def __init__(self, send: SendClaims, most: int = CLAIMS_PER_CALL) -> None:
        self._send = send
        self._most = most
        self._waiting: list[tuple[NameClaim, asyncio.Future[str]]] = []
        self._sending: asyncio.Task[None] | None = None

    async def claim(self, claim: NameClaim) -> str:
        """'' when ``claim.name`` is now its holder's, or the name that stands in its way.
        Raises ``Unavailable`` when Redis could not be reached."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()
        self._waiting.append((claim, answer))
        if self._sending is None:
            self._sending = loop.create_task(self._send_waiting())
        return await answer

    async def _send_waiting(self) -> None:
        """Send what waits, a batch at a time, until nothing does."""
        try:
            while self._waiting:
                batch = self._waiting[: self._most]
                del self._waiting[: self._most]
                try:
                    answers = await self._send([claim for claim, _ in batch])
                except BaseException:
                    _refuse(batch)
                    raise
                if answers is None:
                    _refuse(batch)
                    continue
                for (_, future), answer in zip(batch, answers, strict=True):
                    if not future.done():  # its asker may have been cancelled
                        future.set_result(answer)
        finally:
            self._sending = None
            _refuse(self._waiting)  # only if this task was cancelled or failed
            self._waiting = []


def _refuse(batch: list[tuple[NameClaim, asyncio.Future[str]]]) -> None:
    """Each asker is told ``Unavailable`` (an exception of its own)."""
    for _, future in batch:
        if not future.done():
            future.set_exception(Unavailable())
