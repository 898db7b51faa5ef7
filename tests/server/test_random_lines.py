"""Random lines at the papo door, over real sockets: commands with any words, broken UTF-8,
control characters, escape sequences, telnet's bytes (but its interrupt), lines too long.
Whatever a client sends, what anybody reads is UTF-8, a JSON reader gets JSON objects only, a
text reader no control character, the connection goes on, and a reader of everything sees ids
only grow."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import StartServer
from tests.support import TIMEOUT, LineClient

# Commands and words of every kind; no /quit nor /format: the client stays, in its format.
WORDS = (
    "/join", "/part", "/msg", "/private", "/w", "/topic", "/nick", "/me", "/away", "/whois",
    "/invite", "/ignore", "/unignore", "/r", "/resume", "/help", "//", "/online", "/rooms",
    "/list", "/who", "/nosuchthing", "#dev", "#", "#" + "y" * 40, "watcher", "nobody", "0",
    "-1", "99999999999999999999", "\x1b[31m", "\x1b]0;title\x07", "\t", "\x7f", "\x9b2J",
    "\u200b", "\u202e", "話" * 50, "a" * 3000, "/history", "before", "after", "between", "3",
    "2026-12-06T10:00:00Z", "0001-01-01T00:00:00+01:00",
)  # fmt: skip
# A message. Not telnet's interrupt (IAC IP, what Ctrl-C sends), which means the user leaves:
# the connection would not go on, as it does for everything else.
RAW = st.binary(max_size=60).map(
    lambda raw: b"x" + raw.replace(b"\n", b" ").replace(b"\xff\xf4", b"\xff\xf1")
)
CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@st.composite
def papo_lines(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 3)) == 0:
        body = draw(RAW)
    else:
        body = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))).encode()
    return body + draw(st.sampled_from((b"\n", b"\r\n")))


def read_until(client: LineClient, marker: str) -> list[str]:
    """Every line up to the one that holds ``marker``, decoded (UTF-8, or the test fails)."""
    lines: list[str] = []
    while True:
        raw = client.readline(TIMEOUT)
        assert raw is not None, f"no {marker!r}; saw {lines[-5:]}"
        lines.append(raw.decode().removesuffix("\r"))
        if marker in lines[-1]:
            return lines


def test_whatever_a_client_sends_every_reader_gets_clean_lines(start_server: StartServer) -> None:
    server = start_server("--rate", "0", "--ip-rate", "0", "--ip-connect-rate", "0")
    watcher = server.user("watcher")
    count = itertools.count()
    ids: list[int] = []

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(json_mode=st.booleans(), lines=st.lists(papo_lines(), min_size=1, max_size=10))
    def one_client(json_mode: bool, lines: list[bytes]) -> None:
        number = next(count)
        client = server.user(f"r{number}") if json_mode else server.line_user(f"r{number}")
        try:
            client.sock.sendall(b"".join(lines) + f"\n/private watcher end{number}\n".encode())
            for each in read_until(client, f"end{number}"):  # its own private: still served
                if json_mode:
                    event: dict[str, Any] = json.loads(each)
                    assert isinstance(event["type"], str) and isinstance(event["ts"], str)
                else:
                    assert not CONTROLS.search(each), each
        finally:
            client.close()
        for event in watcher.quiet(0.02):  # read as it comes: a reader, never too slow
            if "id" in event and not event.get("history"):
                ids.append(event["id"])

    one_client()
    assert ids and ids == sorted(set(ids))  # ids only grow, none twice
