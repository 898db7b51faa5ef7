"""Claims gathered into calls, without Redis: what goes in which call, and what each asker is
told when a call fails. ``send`` here is the script's stand-in, answering in order as the script
does (the first claim of a name gets it); the hub's tests run the real script."""

from __future__ import annotations

import asyncio

import pytest

from papo.hub.backplane import Unavailable
from papo.hub.redis_claims import CLAIMS_PER_CALL, ClaimGatherer, NameClaim


class Script:
    """Takes each batch in turn, when the test lets it, and answers as the claim script."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.held: dict[str, int] = {}
        self.go = asyncio.Event()
        self.go.set()
        self.failing: BaseException | None = None
        self.unreachable = False

    async def send(self, claims: list[NameClaim]) -> list[str] | None:
        self.calls.append([claim.name for claim in claims])
        await self.go.wait()
        if self.failing is not None:
            raise self.failing
        if self.unreachable:
            return None
        answers = []
        for claim in claims:
            holder = self.held.setdefault(claim.name, claim.holder)
            answers.append("" if holder == claim.holder else claim.name)
        return answers


def claim(holder: int, name: str) -> NameClaim:
    return NameClaim(holder, name, 0.0)


async def one_on_its_way(
    script: Script, most: int = CLAIMS_PER_CALL
) -> tuple[ClaimGatherer, asyncio.Future[str]]:
    """A gatherer whose first call, ana's claim, is on its way: held there until ``script.go``."""
    script.go.clear()
    gatherer = ClaimGatherer(script.send, most)
    first = asyncio.ensure_future(gatherer.claim(claim(1, "ana")))
    await asyncio.sleep(0)
    return gatherer, first


def test_a_claim_alone_is_sent_at_once_in_a_call_of_its_own() -> None:
    async def run() -> None:
        script = Script()
        gatherer = ClaimGatherer(script.send)
        assert await gatherer.claim(claim(1, "ana")) == ""
        assert await gatherer.claim(claim(2, "bob")) == ""
        assert script.calls == [["ana"], ["bob"]]

    asyncio.run(run())


def test_claims_asked_while_a_call_is_on_its_way_go_together_in_order() -> None:
    async def run() -> None:
        script = Script()
        gatherer, first = await one_on_its_way(script, most=3)
        wanted = [claim(2, "bob"), claim(3, "ana"), claim(4, "carol"), claim(5, "bob")]
        rest = [asyncio.ensure_future(gatherer.claim(each)) for each in wanted]
        await asyncio.sleep(0)
        script.go.set()
        assert await first == ""
        assert await asyncio.gather(*rest) == ["", "ana", "", "bob"]
        # One call on its way, the next three together, the last: at most three a call.
        assert script.calls == [["ana"], ["bob", "ana", "carol"], ["bob"]]

    asyncio.run(run())


def test_redis_out_of_reach_refuses_each_claim_of_the_call_and_the_next_ones_go_on() -> None:
    async def run() -> None:
        script = Script()
        gatherer, first = await one_on_its_way(script)
        script.unreachable = True
        script.go.set()
        with pytest.raises(Unavailable):
            await first
        script.unreachable = False
        assert await gatherer.claim(claim(1, "ana")) == ""

    asyncio.run(run())


def test_a_call_that_fails_tells_every_asker_and_the_gatherer_is_not_left_stuck() -> None:
    async def run() -> None:
        script = Script()
        gatherer, first = await one_on_its_way(script)
        waiting = asyncio.ensure_future(gatherer.claim(claim(2, "bob")))
        await asyncio.sleep(0)
        script.failing = RuntimeError("a bug")
        script.go.set()
        results = await asyncio.gather(first, waiting, return_exceptions=True)
        assert [type(result) for result in results] == [Unavailable, Unavailable]
        script.failing = None
        assert await gatherer.claim(claim(2, "bob")) == ""

    asyncio.run(run())


def test_an_asker_gone_meanwhile_leaves_the_others_their_answers() -> None:
    async def run() -> None:
        script = Script()
        gatherer, first = await one_on_its_way(script)
        gone = asyncio.ensure_future(gatherer.claim(claim(2, "bob")))
        staying = asyncio.ensure_future(gatherer.claim(claim(3, "carol")))
        await asyncio.sleep(0)
        gone.cancel()
        script.go.set()
        assert await first == "" and await staying == ""
        assert gone.cancelled()

    asyncio.run(run())
