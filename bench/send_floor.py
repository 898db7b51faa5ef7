"""What one ``send()`` of a chat line to a loopback TCP client costs this machine's CPU.

    python -m bench.send_floor [--clients N ...] [--rounds R] [--rate MSG_PER_S]

A message that reaches C clients one at a time (a fixed, slow rate: nothing to batch) costs C
of these, whichever server or how many processes make them. This is the floor under the
fixed-rate scenarios: at 200 msg/s to 2 000 clients, 400 000 of them a second.
"""

from __future__ import annotations

import argparse
import socket
import time
from contextlib import ExitStack

from bench.runtime import raise_file_limit

LINE = (
    b'{"type":"message","id":123456,"ts":1764763200.123,"from":"user1234",'
    b'"text":"a line of about the size people type in a chat","room":"#lobby"}\n'
)
DRAIN_EVERY = 10  # rounds between emptying the clients' buffers (not counted)
DRAIN_SECONDS = 5.0  # for the last of the lines to arrive


def cpu_per_send(clients: int, rounds: int) -> float:
    """Seconds of this process's CPU per ``send()`` of ``LINE``, over ``clients`` loopback
    connections whose reader is not waiting (as the generator's counted clients)."""
    with ExitStack() as stack:
        listener = stack.enter_context(socket.create_server(("127.0.0.1", 0), backlog=clients))
        readers, writers = [], []
        for _ in range(clients):
            reader = stack.enter_context(socket.create_connection(listener.getsockname()))
            reader.setblocking(False)
            readers.append(reader)
            writer, _ = listener.accept()
            stack.enter_context(writer)
            writers.append(writer)
        spent, received = 0.0, 0
        for done in range(1, rounds + 1):
            start = time.process_time()
            for writer in writers:
                writer.send(LINE)
            spent += time.process_time() - start
            if done % DRAIN_EVERY == 0:
                received += _drain(readers)
        expected = clients * rounds * len(LINE)
        deadline = time.monotonic() + DRAIN_SECONDS
        while received < expected and time.monotonic() < deadline:
            received += _drain(readers)
        if received != expected:  # a send() that wrote part of the line costs less
            raise RuntimeError(f"{received} bytes arrived of {expected} sent")
        return spent / (clients * rounds)


def _drain(readers: list[socket.socket]) -> int:
    """Bytes read from every client until each has nothing more for now."""
    got = 0
    for reader in readers:
        try:
            while chunk := reader.recv(1 << 16):
                got += len(chunk)
        except BlockingIOError:
            pass
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[500, 2000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=200, help="messages a second (200)")
    args = parser.parse_args()
    raise_file_limit()  # two descriptors per client
    for clients in args.clients:
        each = cpu_per_send(clients, args.rounds)
        share = args.rate * clients * each
        print(
            f"{clients} loopback clients: send() of a {len(LINE)}-byte line {each * 1e6:.2f} µs"
            f" of CPU; {args.rate} msg/s, one send() each: {share:.2f} of a core"
        )


if __name__ == "__main__":
    main()
