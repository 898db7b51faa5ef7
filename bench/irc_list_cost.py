"""What one IRC ``WHO #room`` or ``NAMES #room`` costs the server's CPU, in a big room.

    python -m bench.irc_list_cost [--users N] [--calls N]

Only the rendering for one IRC reader, in this process (the chat's own ``/online`` under it
is measured with the other commands, and sending is the fan-out's). An IRC client may ask as
fast as its address's line rate lets it (20 a second by default), and WHO answers a row a
user: its cost is what one address can make the server spend.
"""

from __future__ import annotations

import argparse
import time

from papo.irc.door import Door
from papo.irc.render import IrcRenderer
from papo.protocol.events import Online
from papo.protocol.render import Renderer

ROOM = "#lobby"
ASKED = ("WHO", "NAMES")


def list_seconds(users: int, calls: int) -> dict[str, float]:
    """Seconds of CPU per answer to each of ``ASKED`` about a room of ``users``, each
    answer checked for a line a user (WHO) or every name (NAMES)."""
    renderer = IrcRenderer("irc.example", Renderer("en"))
    door = Door("irc.example", nick="asker", registered=True)
    names = tuple(f"user{number}" for number in range(users))
    online = Online(ts=1.0, users=names, room=ROOM, away={names[0]: "lunch"})
    spent: dict[str, float] = {}
    for command in ASKED:
        start = time.process_time()
        for _ in range(calls):
            door.receive(f"{command} {ROOM}")
            answer = renderer.to(online, door, "asker")
        spent[command] = (time.process_time() - start) / calls
        rows = answer.count(b" 352 ") if command == "WHO" else answer.count(b"user")
        if rows != users:
            raise AssertionError(f"{command}: {rows} users in the answer, not {users}")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=5_000, help="in the room (5 000)")
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    for command, spent in list_seconds(args.users, args.calls).items():
        print(
            f"{command} {ROOM} of {args.users} users: {spent * 1e3:.3f} ms of CPU;"
            f" 20 a second: {20 * spent * 100:.2f} % of a core"
        )


if __name__ == "__main__":
    main()
