"""What Python 3.11's asyncio does that papo does itself on 3.10, the oldest it runs on.

Ubuntu 22.04 LTS ships 3.10, and the manual asks for Python 3 and nothing else: the two
differences papo meets are kept here, each behind a version check, so that the rest of the
code reads as 3.11 and the day 3.10 is dropped this module goes with it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def run(main: Coroutine[Any, Any, None], loop_factory: LoopFactory | None) -> None:
    """``main`` in a new loop made by ``loop_factory`` (the standard loop when None), closed
    after it as ``asyncio.run`` closes its own. 3.10's ``asyncio.run`` takes no factory: the
    loop comes from a policy there."""
    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(main)
        return
    if loop_factory is not None:
        asyncio.set_event_loop_policy(_policy_of(loop_factory))
    asyncio.run(main)


def _policy_of(loop_factory: LoopFactory) -> asyncio.AbstractEventLoopPolicy:
    """A policy whose loops ``loop_factory`` makes. Its class is made here, when 3.10 runs:
    the policies are deprecated from 3.14 on, which warns when the module is imported if the
    class is made there."""

    class LoopsFrom(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return loop_factory()

    return LoopsFrom()


def being_cancelled(task: asyncio.Task[Any] | None) -> bool:
    """Whether ``task`` was asked to stop (3.11's ``Task.cancelling``). 3.10 cannot tell: it
    says no, and the caller's own flag of a stop under way is what counts there."""
    if task is None or sys.version_info < (3, 11):
        return False
    return task.cancelling() > 0
