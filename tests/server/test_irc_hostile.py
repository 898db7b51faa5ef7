"""Random IRC at the IRC door, over real sockets: whatever a client sends, in any order, the
server answers in lines IRC clients can read (UTF-8, within 512 bytes, tags apart, no control
character a terminal would act on), stays up for everybody, and the connection goes on."""

from __future__ import annotations

import itertools
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papo.irc.message import parse
from tests.conftest import StartServer
from tests.server.test_irc import IRC, IrcClient
from tests.support import TIMEOUT, fits_irc

COMMANDS = (
    "NICK", "USER", "JOIN", "PART", "PRIVMSG", "NOTICE", "TOPIC", "NAMES", "WHO", "WHOIS",
    "WHOWAS", "ISON", "USERHOST", "MODE", "AWAY", "INVITE", "LIST", "CAP", "PING", "PONG",
    "MOTD", "LUSERS", "VERSION", "TIME", "TAGMSG", "KICK", "OPER", "HELP", "ONLINE", "ROOMS",
    "PRIVATE", "R", "FORMAT", "RESUME", "IGNORE", "ME", "NOSUCHTHING", "CHATHISTORY",
    "HISTORY",
)  # fmt: skip
WORDS = (
    "#dev", "#lobby", "#", "#" + "x" * 40, "#房間", "#a,#b", "watcher", "nobody", "*", "0",
    "+b", "-o", "LS", "REQ", "END", "302", ",", "`x", "a|b", "\x01ACTION waves\x01",
    "\x1b[31m", "\x7f", "\x9b2J", "\x07", "\u200b", "LATEST", "BEFORE", "BETWEEN", "msgid=1",
    "timestamp=2026-12-06T10:00:00Z", "200",
)  # fmt: skip
TEXTS = st.sampled_from(("", "hi", "話" * 300, "bye " * 150, "\x0304red\x0f", ":-)")) | st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=80
)

CONTROLS = re.compile("[\x00\x02-\x1f\x7f-\x9f]")  # all but CTCP's \x01, around an action


@st.composite
def irc_lines(draw: st.DrawFn) -> str:
    command = draw(st.sampled_from(COMMANDS))
    if draw(st.booleans()):
        command = command.lower()
    params = draw(st.lists(st.sampled_from(WORDS), max_size=4))
    tags = draw(st.sampled_from(("", "@+typing=active ", "@time=x;y ")))
    text = draw(st.none() | TEXTS)
    trailing = "" if text is None else " :" + text
    return f"{tags}{command} {' '.join(params)}{trailing}".rstrip(" ")


def test_whatever_an_irc_client_sends_every_answer_fits_and_the_chat_goes_on(
    start_server: StartServer,
) -> None:
    server = start_server(*IRC, "--rate", "0", "--ip-rate", "0", "--ip-connect-rate", "0")
    watcher = server.user("watcher")
    count = itertools.count()

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(irc_lines(), min_size=1, max_size=12))
    def one_client(lines: list[str]) -> None:
        number = next(count)
        client = IrcClient(server.irc_port)
        try:
            client.register(f"fz{number}")
            client.send(*lines, f"PING :end{number}")
            client.expect(rf" PONG \S+ :end{number}$")  # still served, every line answered
            for each in client.seen:
                assert fits_irc(each), each
                assert parse(each) is not None, each
                assert not CONTROLS.search(each), each  # none reaches the client's terminal
        finally:
            client.send("QUIT")
            client.conn.close()

    one_client()
    deadline = time.monotonic() + TIMEOUT
    while True:  # every client has quit: nobody is left behind
        watcher.send("/online")
        users = watcher.expect("online")["users"]
        if users == ["watcher"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert users == ["watcher"]


def test_an_irc_line_of_many_targets_is_as_many_lines_to_the_flood_limit(
    start_server: StartServer,
) -> None:
    """A PRIVMSG to seventy targets was seventy messages for the price of one line: the
    flood limit, bypassed seventy times over. Each papo line an IRC line makes takes a token
    now: the rest waits for the bucket, slowed, never dropped."""
    server = start_server(*IRC, "--rate", "20", "--burst", "5", "--ip-rate", "0")
    watcher = server.user("watcher")
    spammer = IrcClient(server.irc_port)
    spammer.register("spammer")
    started = time.monotonic()
    spammer.send("PRIVMSG " + ",".join(["#lobby"] * 60) + " :spam", "PING :after")
    spammer.expect(" PONG ")  # the line after it waited for all sixty
    took = time.monotonic() - started
    assert took >= (60 - 5 - 1) / 20 * 0.9  # the burst at once, the rest at 20 a second
    for _ in range(60):
        watcher.expect("message", text="spam", timeout=TIMEOUT)
