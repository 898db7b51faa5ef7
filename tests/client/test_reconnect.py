"""The rules of coming back: whether, when, and into which rooms."""

from __future__ import annotations

import pytest

from papo.client.reconnect import (
    RECONNECT_DELAYS,
    reconnect_pause,
    rejoin_lines,
    should_reconnect,
)
from papo.protocol.events import ByeReason


def test_pauses_grow_to_a_ceiling_and_are_spread_so_clients_do_not_come_back_together() -> None:
    for attempt in range(20):
        step = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
        assert step / 2 <= reconnect_pause(attempt) <= step
    assert len({reconnect_pause(5) for _ in range(20)}) > 1


@pytest.mark.parametrize(
    ("bye", "interactive", "always", "expected"),
    [
        (None, False, False, True),  # the connection was lost
        (ByeReason.RESTART, False, False, True),
        (ByeReason.SHUTDOWN, True, False, True),  # a person at a terminal waits
        (ByeReason.SHUTDOWN, False, False, False),  # a script does not wait for ever
        (ByeReason.SHUTDOWN, False, True, True),  # unless told to (--reconnect)
        (ByeReason.QUIT, True, True, False),
        (ByeReason.REPLACED, True, True, False),  # our own resume, elsewhere
        (ByeReason.KICKED, True, True, False),
    ],
)
def test_when_to_come_back(
    bye: ByeReason | None, interactive: bool, always: bool, expected: bool
) -> None:
    assert should_reconnect(bye, allowed=True, always=always, interactive=interactive) is expected


def test_never_with_no_reconnect() -> None:
    assert not should_reconnect(None, allowed=False, always=True, interactive=True)


def test_back_in_every_room_with_the_current_one_last() -> None:
    lines = rejoin_lines(["#lobby", "#dev", "#ops"], "#dev", landed="#lobby")
    assert lines == ["/join #lobby", "/join #ops", "/join #dev"]


def test_out_of_the_default_room_again_if_it_had_been_left() -> None:
    assert rejoin_lines(["#dev"], "#dev", landed="#lobby") == ["/join #dev", "/part #lobby"]


def test_nothing_to_do_when_the_default_room_was_the_only_one() -> None:
    assert rejoin_lines(["#lobby"], "#lobby", landed="#lobby") == []
