"""What one ``/history`` costs the server's CPU, with the log full.

    python -m bench.history_cost [--log-size N] [--calls N]

The chat's own rules, run in this process over the in-process hub (no sockets: the cost of
sending what it returns is the fan-out's, measured by ``make bench``). A client may ask
``/history`` as fast as its address's line rate lets it (20 a second by default), so its cost
is what one address can make the server spend.
"""

from __future__ import annotations

import argparse
import time

from papo.core.chat import Chat
from papo.core.outputs import Output, Send
from papo.core.session import Session
from papo.hub.memory import MemoryHub
from papo.protocol.events import Message, Notice, Private

NOW = 1_764_763_200.0
# Rooms (or a person: one's privates with them) asked about: (room, messages of the log said
# there, count asked).
CASES = (
    ("#quiet", 0, 200),  # nothing said there: the whole log was read to find that
    ("#busy", -1, 200),  # every message of the log (the room's last 200)
    ("#rare", 100, 50),  # one message in a hundred
    ("talker", 50, 50),  # one in fifty a private from talker to the asker
)


def history_seconds(log_size: int, calls: int) -> dict[str, float]:
    """Seconds of CPU per ``/history`` in each room of ``CASES``, the log full of
    ``log_size`` events; each answer checked for the count the room has."""
    chat = Chat(MemoryHub(log_size))
    asker, talker = Session(1), Session(2)
    _say(chat, asker, "/format json")
    _say(chat, asker, "asker")
    _say(chat, talker, "talker")
    for room, _, _ in CASES:
        if room.startswith("#"):
            _say(chat, asker, f"/join {room}")
            _say(chat, talker, f"/join {room}")
    every = {room: share for room, share, _ in CASES if share > 0}
    for n in range(log_size):
        room = next((room for room, share in every.items() if n % share == 0), "#busy")
        to = room if room.startswith("#") else "asker"
        _say(chat, talker, f"/msg {to} line {n} of the log")
    log = [event for event, _ in chat.shared.read_after(0)]
    spent: dict[str, float] = {}
    for room, _, count in CASES:
        said = sum(
            (isinstance(event, Message) and event.room == room)
            or (isinstance(event, Private) and event.sender == room)
            for event in log
        )
        expected = min(count, said)
        start = time.process_time()
        for _ in range(calls):
            outputs = _say(chat, asker, f"/history {room} {count}")
        spent[room] = (time.process_time() - start) / calls
        told = outputs[0]
        if not isinstance(told, Send) or not isinstance(told.event, Notice):
            raise RuntimeError(f"/history {room}: {told!r}")
        if told.event.count != expected:
            raise RuntimeError(f"/history {room}: {told.event.count} of {expected} messages")
    return spent


def _say(chat: Chat, session: Session, line: str) -> list[Output]:
    return chat.handle_line(session, line, NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--log-size", type=int, default=10_000, help="events kept (10 000)")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    for (room, share, count), spent in zip(
        CASES, history_seconds(args.log_size, args.calls).values(), strict=True
    ):
        said = "none" if share == 0 else "all" if share < 0 else f"1 in {share}"
        print(
            f"/history {room} {count} (messages of the log said there: {said}):"
            f" {spent * 1e3:.3f} ms of CPU; 20 a second: {20 * spent * 100:.2f} % of a core"
        )


if __name__ == "__main__":
    main()
