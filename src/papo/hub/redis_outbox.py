"""The changes a server has made and Redis has not taken yet, in the order they were made, and
how they are cut into calls of the scripts (``redis_scripts``).

Apart from the hub's connections and tasks: what goes in one call, and in which order, decides
what every other server reads whole, and is tested here with no Redis.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

STEP_VALUES = 5  # of a step of the batch script, after its number and kind
WRITE_BATCH = 500  # steps sent per round trip
OUTBOX_LIMIT = 100_000  # steps waiting for Redis before new lines are refused

Value = str | int | float
Claim = tuple[list[str], list[Value]]  # the claim script's keys and arguments (names)


@dataclass(slots=True)
class Step:
    """A change for Redis: a step of the batch script (seven values), or claims of names."""

    values: list[Value]
    claim: Claim | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One call of a script: the batch script with ``steps`` (after the batch's head), or the
    claim script with ``claim``."""

    steps: list[Value]
    claim: Claim | None = None


class Outbox:
    """Steps numbered in the order made (Redis carries out each number once: a batch resent
    after a lost reply is not done twice), waiting for the writer."""

    def __init__(self) -> None:
        self.seq = 0  # the number of the newest step
        self._steps: deque[Step] = deque()

    def __len__(self) -> int:
        return len(self._steps)

    def full(self) -> bool:
        """So many wait that new lines are refused rather than kept."""
        return len(self._steps) >= OUTBOX_LIMIT

    def step(self, kind: str, *values: Value) -> int:
        """Queue one step (three arguments, then up to two keys it changes); its number.
        Each step is exactly seven values: the script reads them by position, and one short
        step would shift every step after it in the batch (refused, and resent for ever)."""
        if len(values) > STEP_VALUES:
            raise ValueError(f"a {kind} step has {len(values)} values")
        self.seq += 1
        padded = [*values, *[""] * (STEP_VALUES - len(values))]
        self._steps.append(Step([self.seq, kind, *padded]))
        return self.seq

    def claim(self, claim: Claim) -> None:
        """Queue claims of names, in order with the steps (writing members back)."""
        self._steps.append(Step([], claim=claim))

    def next_batch(self, most: int = WRITE_BATCH) -> list[Step]:
        """The next steps to send in one round trip: up to ``most``, ending with the last
        event among them when more wait, so that a change (an arrival in a room, a departure)
        and the event that announces it go in one call, which every server reads whole."""
        steps = self._steps
        count = min(most, len(steps))
        if count < len(steps):
            for index in range(count - 1, -1, -1):
                step = steps[index]
                if step.claim is None and step.values[1] == "event":
                    count = index + 1
                    break
        return [steps[i] for i in range(count)]

    def sent(self, count: int) -> None:
        """Redis took the first ``count`` steps."""
        for _ in range(count):
            self._steps.popleft()


def calls(batch: Sequence[Step]) -> list[Call]:
    """A batch as the calls that carry it out in order: the steps between two claims in one
    call of the batch script, each claim in a call of its own (one call for the usual batch:
    no pipeline, whose SCRIPT EXISTS would cost Redis a command per batch)."""
    made: list[Call] = []
    values: list[Value] = []
    for step in batch:
        if step.claim is None:
            values += step.values
            continue
        if values:
            made.append(Call(values))
            values = []
        made.append(Call([], step.claim))
    if values:
        made.append(Call(values))
    return made
