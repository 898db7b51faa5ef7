"""Typed lines and a connection that comes and goes, over real loopback sockets."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from papo.client.link import Address, Link, LinkError
from papo.client.outbox import Outbox


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)
        yield server


@contextlib.contextmanager
def connected(listener: socket.socket) -> Iterator[tuple[Link, socket.socket]]:
    """A client link, and the server's end of it; both closed at the end (if not before)."""
    link = Link(Address(host="127.0.0.1", port=listener.getsockname()[1]), "en")
    far, _ = listener.accept()
    try:
        far.settimeout(10)
        yield link, far
    finally:
        link.close()
        far.close()


def received(far: socket.socket, count: int) -> list[str]:
    data = b""
    while data.count(b"\n") < count:
        chunk = far.recv(4096)
        assert chunk, "closed before every line came"
        data += chunk
    return data.decode().splitlines()


def test_lines_typed_while_disconnected_go_first_and_in_order(listener: socket.socket) -> None:
    outbox = Outbox()
    assert not outbox.send("one", keep=True)
    assert not outbox.send("two", keep=True)
    assert not outbox.send("never", keep=False)  # a script after the server left: not kept
    with connected(listener) as (link, far):
        assert outbox.attach(link) == 2
        assert outbox.send("three", keep=True)
        assert received(far, 3) == ["one", "two", "three"]
        assert outbox.state() == (link, 0)


def test_lines_kept_survive_a_connection_lost_while_sending_them(
    listener: socket.socket,
) -> None:
    outbox = Outbox()
    outbox.send("one", keep=True)
    with connected(listener) as (dead, far):
        dead.close()
        far.close()
        with pytest.raises(LinkError):
            outbox.attach(dead)
    assert outbox.state() == (None, 1)
    with connected(listener) as (link, far):
        assert outbox.attach(link) == 1
        assert received(far, 1) == ["one"]


def test_a_lost_connection_keeps_what_is_typed_next(listener: socket.socket) -> None:
    outbox = Outbox()
    with connected(listener) as (link, far):
        far.close()
        outbox.attach(link)
        assert outbox.detach() is link
    assert not outbox.send("later", keep=True)
    assert outbox.state() == (None, 1)


def test_a_line_sent_as_the_connection_dies_is_kept_for_the_next(
    listener: socket.socket,
) -> None:
    outbox = Outbox()
    with connected(listener) as (link, far):
        outbox.attach(link)
        link.close()  # as the reader finds it lost, before it detaches
        far.close()
        assert not outbox.send("typed just then", keep=True)
        assert outbox.state() == (link, 1)


def test_lines_typed_while_the_connection_comes_back_arrive_all_and_in_order(
    listener: socket.socket,
) -> None:
    """The reader attaches while the main thread types: whatever the interleaving, the far end
    reads every line once, in the order typed (kept ones never overtaken by newer ones)."""
    outbox = Outbox()
    typed = [f"line {number}" for number in range(2000)]
    halfway = threading.Event()

    def type_all() -> None:
        for number, line in enumerate(typed):
            outbox.send(line, keep=True)
            if number == 500:
                halfway.set()
            if number >= 500:
                time.sleep(0.0001)  # typing on while the kept ones are being sent

    typist = threading.Thread(target=type_all)
    typist.start()
    with connected(listener) as (link, far):
        halfway.wait(10)
        outbox.attach(link)
        typist.join(10)
        assert received(far, len(typed)) == typed
