"""The rules of coming back after a lost connection: whether to, when, and into which rooms.

Decisions only; the client's reader thread carries them out.
"""

from __future__ import annotations

import random

from papo.protocol.events import ByeReason

# The pauses before each try to reconnect, each taken at 50-100 %: clients dropped together
# (a server restart, a Wi-Fi access point) then do not all come back in the same instant.
RECONNECT_DELAYS = (0.25, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


def reconnect_pause(attempt: int) -> float:
    step = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
    return step * random.uniform(0.5, 1.0)


def should_reconnect(
    bye: ByeReason | None, *, allowed: bool, always: bool, interactive: bool
) -> bool:
    """After a lost connection, or a server that restarts: yes. After the server said it
    shuts down: in a terminal, or with --reconnect (``always``: a script should not wait for
    ever). After a goodbye to us (quit, replaced by our own resume elsewhere), or with
    --no-reconnect (not ``allowed``): no."""
    if not allowed:
        return False
    if bye is None or bye is ByeReason.RESTART:
        return True
    if bye is ByeReason.SHUTDOWN:
        return interactive or always
    return False


def rejoin_lines(rooms: list[str], current: str | None, landed: str | None) -> list[str]:
    """The commands that put a newcomer who landed in ``landed`` (the default room) back in
    the ``rooms`` it was in, ``current`` last so that it is current again, and out of
    ``landed`` if it had left it."""
    order = [room for room in rooms if room != current]
    if current is not None:
        order.append(current)
    if order == [landed]:
        return []
    lines = [f"/join {room}" for room in order]
    if landed is not None and landed not in rooms:
        lines.append(f"/part {landed}")
    return lines
