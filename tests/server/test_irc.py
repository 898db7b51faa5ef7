"""The IRC front door over real sockets: IRC users and papo users in one conversation."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.conftest import StartServer
from tests.support import TIMEOUT, LineClient, ServerProcess, fits_irc, issue_certificate

IRC = ("--irc-port", "0", "--irc-server-name", "irc.test")


class IrcClient:
    """What irssi would be, by hand: raw lines (read as a line client reads them), waits
    bounded in time."""

    def __init__(
        self, port: int, source: str | None = None, conn: LineClient | None = None
    ) -> None:
        self.conn = conn or LineClient(port, source=source)
        self.seen: list[str] = []

    def send(self, *lines: str | bytes) -> None:
        self.conn.sock.sendall(b"".join(
            (each if isinstance(each, bytes) else each.encode()) + b"\r\n" for each in lines
        ))  # fmt: skip

    def line(self, timeout: float = TIMEOUT) -> str | None:
        raw = self.conn.readline(timeout)
        if raw is None:
            return None
        text = raw.decode().removesuffix("\r")
        self.seen.append(text)
        return text

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            text = self.line(left)
            if text is None:
                break
            found = re.search(pattern, text)
            if found:
                return found
        raise AssertionError(f"no line like {pattern!r}; saw {self.seen[-8:]}")

    def quiet_lines(self, wait: float = 0.3) -> list[str]:
        lines = []
        while (text := self.line(wait)) is not None:
            lines.append(text)
        return lines

    def register(self, nick: str, *caps: str) -> None:
        if caps:
            self.send("CAP LS 302", f"NICK {nick}", f"USER {nick} 0 * :{nick}")
            self.send(f"CAP REQ :{' '.join(caps)}", "CAP END")
        else:
            self.send(f"NICK {nick}", f"USER {nick} 0 * :{nick}")
        self.expect(r" 366 ")  # the end of the lobby's names: in


@pytest.fixture
def irc_server(start_server: StartServer) -> ServerProcess:
    return start_server(*IRC)


def ana_in_dev_and_irc_bob(irc_server: ServerProcess) -> tuple[LineClient, IrcClient]:
    """ana (papo) in #dev, and bob registered through the IRC door (not in #dev)."""
    ana = irc_server.user("ana")
    ana.send("/join #dev")
    ana.expect("joined")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    return ana, bob


def test_registration_gives_the_welcome_numerics_and_the_lobby(irc_server: ServerProcess) -> None:
    assert irc_server.listening[-1] == f"papo listening on irc://127.0.0.1:{irc_server.irc_port}"
    irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.send("NICK bob", "USER bob 0 * :Bob")
    for numeric in ("001", "002", "003", "004", "005", "251", "422"):
        bob.expect(rf"^:irc\.test {numeric} bob ")
    assert "CHANTYPES=#" in bob.seen[4] and "UTF8ONLY" in bob.seen[4]
    bob.expect(r"^:bob!bob@papo JOIN #lobby$")
    assert bob.expect(r" 353 bob = #lobby :(.*)$")[1] == "ana bob"
    bob.expect(r" 366 bob #lobby ")
    bob.send("JOIN #Lobby", "PING :after")  # a client's autojoin of where it is already
    assert bob.quiet_lines() == [":irc.test PONG irc.test :after"]


def test_irc_and_papo_users_talk_both_ways(irc_server: ServerProcess) -> None:
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    assert ana.expect("join", name="bob")["arrived"] is True
    bob.send("PRIVMSG #lobby :hello from irssi")
    assert ana.expect("message")["text"] == "hello from irssi"
    ana.send("hello from papo")
    bob.expect(r"^:ana!ana@papo PRIVMSG #lobby :hello from papo$")
    bob.send("PRIVMSG ana :psst")
    assert ana.expect("private")["text"] == "psst"
    ana.send("/msg bob back at you")
    bob.expect(r"^:ana!ana@papo PRIVMSG bob :back at you$")
    ana.send("/me waves")
    bob.expect("^:ana!ana@papo PRIVMSG #lobby :\x01ACTION waves\x01$")
    bob.send("PRIVMSG #lobby :\x01ACTION nods\x01")
    ana.expect("action", text="waves")  # her own, echoed
    action = ana.expect("action", text="nods")
    assert action["from"] == "bob"
    mine = [line for line in bob.quiet_lines() if "hello from irssi" in line or "nods" in line]
    assert mine == []  # no echo: an IRC client shows what it sends, actions too


def test_an_action_for_one_person_stays_an_action_at_every_door(irc_server: ServerProcess) -> None:
    ana, bob = ana_in_dev_and_irc_bob(irc_server)
    wee = IrcClient(irc_server.irc_port)
    wee.register("wee")
    bob.send("PRIVMSG wee :\x01ACTION waves\x01")  # /me in IRC's private window
    wee.expect("^:bob!bob@papo PRIVMSG wee :\x01ACTION waves\x01$")
    bob.send("PRIVMSG ana :\x01ACTION nods\x01")
    private = ana.expect("private", text="nods")
    assert (private["from"], private["action"]) == ("bob", True)
    ana.send("/action bob smiles")
    bob.expect("^:ana!ana@papo PRIVMSG bob :\x01ACTION smiles\x01$")
    assert ana.expect("private", text="smiles")["action"] is True  # her confirmation
    assert bob.quiet_lines() == []  # an IRC client shows its own, unless it took echo-message


def test_a_notice_stays_a_notice_so_no_program_answers_it(irc_server: ServerProcess) -> None:
    """Two away scripts answering every PRIVMSG with a NOTICE never answer each other, as
    long as a NOTICE arrives as one: papo used to pass it on as a PRIVMSG."""
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    wee = IrcClient(irc_server.irc_port)
    wee.register("wee")
    bob.expect("^:wee!wee@papo JOIN #lobby$")
    ana.send("/away lunch")
    ana.expect("info", code="now_away")
    bob.send("NOTICE wee :I am away", "NOTICE #lobby :build passed", "NOTICE ana :ping")
    wee.expect("^:bob!bob@papo NOTICE wee :I am away$")
    wee.expect("^:bob!bob@papo NOTICE #lobby :build passed$")
    said = ana.expect("message", text="build passed")
    assert (said["from"], said["notice"]) == ("bob", True)
    assert ana.expect("private", text="ping")["notice"] is True
    bob.send("PING :after")  # no 301 for ana's away: nobody reads what a notice wakes
    assert bob.quiet_lines() == [":irc.test PONG irc.test :after"]
    ana.send("/notice wee from papo")
    wee.expect("^:ana!ana@papo NOTICE wee :from papo$")


def test_an_irc_action_in_a_channel_one_is_not_in_is_refused(irc_server: ServerProcess) -> None:
    ana, bob = ana_in_dev_and_irc_bob(irc_server)
    bob.send("JOIN #dev")
    bob.expect(r" 366 bob #dev ")
    bob.send("PRIVMSG #ops :\x01ACTION waves\x01")
    bob.expect(r"^:irc\.test 404 bob #ops :")
    bob.send("PRIVMSG #dev :\x01ACTION nods\x01")
    action = ana.expect("action")  # the first, and in #dev: the one to #ops went nowhere
    assert (action["text"], action["room"]) == ("nods", "#dev")


def test_rooms_are_channels(irc_server: ServerProcess) -> None:
    ana, bob = ana_in_dev_and_irc_bob(irc_server)
    bob.send("JOIN #dev")
    bob.expect(r"^:bob!bob@papo JOIN #dev$")
    assert bob.expect(r" 353 bob = #dev :(.*)$")[1] == "ana bob"
    assert ana.expect("join", room="#dev")["name"] == "bob"
    ana.send("/topic plans for today")
    bob.expect(r"^:ana!ana@papo TOPIC #dev :plans for today$")
    bob.send("TOPIC #dev")
    bob.expect(r" 332 bob #dev :plans for today$")
    set_at = int(bob.expect(r" 333 bob #dev ana :?(\d+)$")[1])  # who set it, and when
    assert abs(set_at - time.time()) < 60
    bob.send("TOPIC #dev :")  # cleared, as IRC clients do it
    bob.expect(r"^:bob!bob@papo TOPIC #dev :$")
    assert ana.expect("topic", by="bob")["text"] == ""
    bob.send("TOPIC #dev")
    bob.expect(r" 331 bob #dev :No topic is set$")
    bob.send("PRIVMSG #dev :in dev")
    message = ana.expect("message", text="in dev")
    assert message["room"] == "#dev"
    bob.send("LIST")
    bob.expect(r" 322 bob #dev 2 :$")
    bob.send("PART #dev :later")
    leave = ana.expect("leave", room="#dev")
    assert (leave["name"], leave["text"]) == ("bob", "later")
    ana.send("/nick anna")
    bob.expect(r"^:ana!ana@papo NICK anna$")
    bob.send("QUIT :off to lunch")
    leave = ana.expect("leave", name="bob")
    assert (leave["reason"], leave.get("text")) == ("quit", "off to lunch")


def test_a_question_about_a_channel_that_does_not_exist_leaves_the_next_answered_right(
    irc_server: ServerProcess,
) -> None:
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    start = len(bob.seen)
    bob.send("NAMES #nope,#lobby", "WHO #gone", "WHO #lobby")
    bob.expect(r" 315 bob #lobby ")
    expected = [
        ":irc.test 366 bob #nope :End of /NAMES list",
        ":irc.test 353 bob = #lobby :bob",
        ":irc.test 366 bob #lobby :End of /NAMES list",
        ":irc.test 315 bob #gone :End of /WHO list",
        ":irc.test 352 bob #lobby bob papo irc.test bob H :0 bob",
        ":irc.test 315 bob #lobby :End of /WHO list",
    ]
    assert bob.seen[start:] == expected


def test_names_that_are_not_nicks_map_one_to_one(irc_server: ServerProcess) -> None:
    dotted = irc_server.user("ana.b")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    bob.send("NAMES #lobby")
    assert bob.expect(r" 353 bob = #lobby :(.*)$")[1] == "ana|b bob"
    bob.send("PRIVMSG ana|b :hi")
    assert dotted.expect("private")["to"] == "ana.b"
    taken = IrcClient(irc_server.irc_port)
    taken.send("NICK ana|b", "USER x 0 * :x")
    taken.expect(r" 433 ana\|b ana\|b :")
    taken.send("NICK [bot]")
    taken.expect(r" 432 .* \[bot\] :Erroneous nickname")
    taken.send("NICK zoe")
    taken.expect(r" 001 zoe ")


def test_errors_are_the_numerics_irc_clients_know(irc_server: ServerProcess) -> None:
    early = IrcClient(irc_server.irc_port)
    early.send("JOIN #dev")
    early.expect(r" 451 \* :You have not registered")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    bob.send("PRIVMSG nobody :hi")
    bob.expect(r" 401 bob nobody :")
    bob.send("PART #nowhere")
    bob.expect(r" 442 bob #nowhere :")
    bob.send("FROB")
    bob.expect(r" 421 bob FROB :")
    bob.send("JOIN")
    bob.expect(r" 461 bob JOIN :")
    bob.send("PING :abc")
    bob.expect(r"^:irc\.test PONG irc\.test :abc$")
    bob.send("NICK robert")
    bob.expect(r"^:bob!bob@papo NICK robert$")
    bob.send("FROB")
    bob.expect(r" 421 robert FROB :")  # its own replies follow the new nick


def test_long_papo_messages_are_split_for_irc_never_cut(irc_server: ServerProcess) -> None:
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    words = " ".join(f"word{n}" for n in range(300))[:1900]
    ana.send(words)
    pieces: list[str] = []
    while len(" ".join(pieces)) < len(words):
        text = bob.expect(r"^:ana!ana@papo PRIVMSG #lobby :(.*)$")
        assert fits_irc(bob.seen[-1])
        pieces.append(text[1])
    assert " ".join(pieces) == words


def test_nothing_a_papo_user_sends_can_start_an_irc_line(irc_server: ServerProcess) -> None:
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    ana.send(b"look\rQUIT :owned\r\n")
    line = bob.expect(r"PRIVMSG #lobby :(.*)$")
    assert "\r" not in line[0] and line[1].startswith("look")
    assert [each for each in bob.quiet_lines() if "QUIT" in each.split(" ")[:2]] == []


def test_echo_message_and_server_time_when_asked(irc_server: ServerProcess) -> None:
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob", "echo-message", "server-time")
    bob.send("PRIVMSG #lobby :mine")
    found = bob.expect(r"^@time=(\S+) :bob!bob@papo PRIVMSG #lobby :mine$")
    assert found[1].endswith("Z")


def test_a_client_that_took_message_tags_gets_each_events_id_as_msgid(
    irc_server: ServerProcess,
) -> None:
    """The id papo's programs see is IRC's msgid: live, and in the history shown on arrival,
    so that a client can tell the two apart and page back from it (CHATHISTORY)."""
    ana = irc_server.user("ana")
    ana.send("before you came")
    before = ana.expect("message", text="before you came")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob", "message-tags")
    found = bob.expect(r"^@time=(\S+);msgid=(\d+) :ana!ana@papo PRIVMSG #lobby :before you came$")
    assert (found[1], int(found[2])) == (before["ts"], before["id"])
    ana.send("now")
    now = ana.expect("message", text="now")
    found = bob.expect(r"^@time=\S+;msgid=(\d+) :ana!ana@papo PRIVMSG #lobby :now$")
    assert int(found[1]) == now["id"] > before["id"]


def test_chathistory_pages_back_through_a_channel_in_batches(irc_server: ServerProcess) -> None:
    """What a modern IRC client (gamja, Goguma, Halloy, senpai) asks on joining and as its
    user scrolls up: the last messages of a channel, then those before the oldest it has,
    each answer one batch; a channel one is not in fails as IRCv3 says."""
    ana = irc_server.user("ana")
    ids = []
    for n in range(6):
        ana.send(f"line {n}")
        ids.append(ana.expect("message", text=f"line {n}")["id"])
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob", "batch", "draft/chathistory", "message-tags", "server-time")
    assert "CHATHISTORY=200" in " ".join(bob.seen) and "MSGREFTYPES=msgid,timestamp" in " ".join(
        bob.seen
    )
    bob.quiet_lines()  # the history every newcomer is shown
    bob.send("CHATHISTORY LATEST #lobby * 3")
    assert page(bob) == [(ids[n], f"line {n}") for n in (3, 4, 5)]
    bob.send(f"CHATHISTORY BEFORE #lobby msgid={ids[3]} 50")
    assert page(bob) == [(ids[n], f"line {n}") for n in (0, 1, 2)]
    bob.send(f"CHATHISTORY BEFORE #lobby msgid={ids[0]} 50")
    assert page(bob) == []  # the start of the channel's past
    bob.send("CHATHISTORY LATEST #dev * 3")
    bob.expect(r"^@time=\S+ :irc\.test FAIL CHATHISTORY INVALID_TARGET LATEST #dev :")


def test_chathistory_of_a_nick_is_ones_own_privates_with_them(irc_server: ServerProcess) -> None:
    """What a client asks on opening a query window: the conversation so far, both ways, in
    a batch; what others said to each other in private is nobody else's."""
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob", "batch", "draft/chathistory", "message-tags", "server-time")
    ana.send("/private bob hi bob")
    ana.expect("private", text="hi bob")
    bob.send("PRIVMSG ana :hi ana")
    ana.expect("private", text="hi ana")
    irc_server.user("eve").send("/private ana not bob's")
    ana.expect("private", text="not bob's")
    bob.quiet_lines()
    bob.send("CHATHISTORY LATEST ana * 10")
    ref = bob.expect(r"^@\S+ :irc\.test BATCH \+(\S+) chathistory ana$")[1]
    said = [bob.line() or "" for _ in range(3)]
    assert re.match(rf"^@batch={ref};\S+ :ana!ana@papo PRIVMSG bob :hi bob$", said[0]), said
    assert re.match(rf"^@batch={ref};\S+ :bob!bob@papo PRIVMSG ana :hi ana$", said[1]), said
    assert said[2].endswith(f"BATCH -{ref}"), said


def page(client: IrcClient) -> list[tuple[int, str]]:
    """One CHATHISTORY batch: each message's msgid and text, checked to be in the batch."""
    ref = client.expect(r"^@\S+ :irc\.test BATCH \+(\S+) chathistory #lobby$")[1]
    found = []
    while not (text := client.line() or "").endswith(f"BATCH -{ref}"):
        tagged = re.match(
            rf"^@batch={ref};time=\S+;msgid=(\d+) :ana!ana@papo PRIVMSG #lobby :(.*)$", text
        )
        assert tagged is not None, text
        found.append((int(tagged[1]), tagged[2]))
    return found


def test_a_silent_irc_client_is_pinged_then_leaves_with_reason_timeout(
    start_server: StartServer,
) -> None:
    server = start_server(*IRC, "--irc-ping", "1")
    ana = server.user("ana")
    bob, quiet = IrcClient(server.irc_port), IrcClient(server.irc_port)
    bob.register("bob")
    quiet.register("quiet")
    token = bob.expect(r"^PING :(\S+)$", timeout=5)[1]
    bob.send(f"PONG :{token}")
    leave = ana.expect("leave", name="quiet", timeout=8)
    assert leave["reason"] == "timeout"
    bob.send("PRIVMSG #lobby :still here")
    assert ana.expect("message", text="still here")["from"] == "bob"


def test_an_irc_client_on_the_papo_port_is_served_as_on_the_irc_port(
    start_server: StartServer,
) -> None:
    server = start_server("--irc-server-name", "irc.test", "--irc-ping", "1")  # no --irc-port
    ana = server.user("ana")
    bob = IrcClient(server.port)
    assert bob.line() == "Welcome to papo! Type your name and press Enter:"  # before it spoke
    bob.register("bob", "server-time")
    assert ana.expect("join", name="bob")["arrived"] is True
    bob.send("PRIVMSG #lobby :hello from IRC")
    assert ana.expect("message", text="hello from IRC")["from"] == "bob"
    ana.send("hello from papo")
    bob.expect(r"^@time=\S+ :ana!ana@papo PRIVMSG #lobby :hello from papo$")
    tex = server.line_user("tex")  # people's line clients are untouched
    tex.send("NICK is what I would type")
    assert ana.expect("message", text="NICK is what I would type")["from"] == "tex"
    bob.expect(r"^PING :\S+$", timeout=5)  # and kept alive as on the IRC port
    assert ana.expect("leave", name="bob", timeout=8)["reason"] == "timeout"  # no PONG


def test_the_message_of_the_day_and_tls(start_server: StartServer, tmp_path: Path) -> None:
    certificate = issue_certificate(tmp_path)
    motd = tmp_path / "motd.txt"
    motd.write_text("Be kind.\n", encoding="utf-8")
    server = start_server(
        "--irc-tls-port", "0", "--irc-server-name", "irc.test", "--motd", str(motd),
        *certificate.server_args,
    )  # fmt: skip
    assert server.listening[-1] == f"papo listening on ircs://127.0.0.1:{server.irc_port}"
    context = certificate.trusting()
    bob = IrcClient(server.irc_port)
    bob.conn.sock = context.wrap_socket(bob.conn.sock, server_hostname="127.0.0.1")
    bob.send("NICK bob", "USER bob 0 * :Bob")
    bob.expect(r" 375 bob :")
    bob.expect(r" 372 bob :- Be kind\.$")
    bob.expect(r" 376 bob :")
    bob.expect(r" 366 bob #lobby ")


def test_history_comes_as_channel_lines_with_their_time_under_server_time(
    irc_server: ServerProcess,
) -> None:
    ana = irc_server.user("ana")
    ana.send("said before you came")
    said = ana.expect("message", text="said before you came")
    time.sleep(0.05)
    plain, timed = IrcClient(irc_server.irc_port), IrcClient(irc_server.irc_port)
    plain.register("bob")
    plain.expect(r"^:ana!ana@papo PRIVMSG #lobby :said before you came$")
    timed.register("cid", "server-time")
    found = timed.expect(r"^@time=(\S+) :ana!ana@papo PRIVMSG #lobby :said before you came$")
    assert found[1] == said["ts"]  # when it was said, not when it was replayed


def test_who_ison_userhost_away_and_notice(irc_server: ServerProcess) -> None:
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    bob.send("ISON ana nobody bob")
    assert bob.expect(r" 303 bob :(.*)$")[1] == "ana bob"
    ana.send("/away lunch")
    ana.expect("info", code="now_away")
    bob.send("USERHOST ana bob")
    assert bob.expect(r" 302 bob :(.*)$")[1] == "ana=-ana@papo bob=+bob@papo"
    bob.send("WHO #lobby")
    assert bob.expect(r" 352 bob #lobby ana papo irc\.test ana (\S) :0 ana$")[1] == "G"
    bob.expect(r" 315 bob #lobby :")
    bob.send("WHO ANA")  # a nick, in any case: the end names what was asked
    assert bob.expect(r" 352 bob \* ana papo irc\.test ana (\S) :0 ana$")[1] == "G"
    bob.expect(r" 315 bob ANA :")
    bob.send("PRIVMSG ana :are you there?")
    bob.expect(r" 301 bob ana :lunch$")  # as IRC does: told at once
    bob.send("AWAY :meeting")
    bob.expect(r" 306 bob :")
    bob.send("AWAY")
    bob.expect(r" 305 bob :")
    bob.send("NOTICE #lobby :a notice")
    assert ana.expect("message", text="a notice")["from"] == "bob"
    bob.send("NOTICE nobody :hello?", "PING :after")
    assert bob.expect(r" PONG irc\.test :after$") and not any(" 401 " in s for s in bob.seen[-3:])


def test_nick_to_ones_own_nick_is_taken_in_silence(irc_server: ServerProcess) -> None:
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    bob.send("NICK bob", "PING :after")
    bob.expect(r" PONG irc\.test :after$")
    ana.send("/nick ana\n/online")
    first, second = ana.next_event(), ana.next_event()
    while first["type"] == "join":  # bob's arrival
        first, second = second, ana.next_event()
    assert (first["type"], first["code"], first["names"]) == ("info", "same_name", ["ana"])
    assert second["type"] == "online"
    bob.send("PING :later")
    bob.expect(r" PONG irc\.test :later$")
    assert not any(" NICK " in line or " NOTICE " in line for line in bob.seen[-4:])


def test_invite_both_ways_at_the_irc_door(irc_server: ServerProcess) -> None:
    ana, bob = irc_server.user("ana"), irc_server.user("bob")
    ana.send("/join #dev")
    ivo = IrcClient(irc_server.irc_port)
    ivo.register("ivo")
    ana.send("/invite ivo")
    ivo.expect(r"^:ana!ana@papo INVITE ivo #dev$")
    ivo.send("JOIN #dev", "INVITE ana #dev", "INVITE bob #dev", "INVITE bob #elsewhere")
    ivo.expect(r" 443 ivo ana #dev :is already on channel$")
    ivo.expect(r" 341 ivo bob :?#dev$")  # RPL_INVITING
    ivo.expect(r" 442 ivo #elsewhere :")
    invite = bob.expect("invite")
    assert (invite["from"], invite["to"], invite["room"]) == ("ivo", "bob", "#dev")
    ivo.send("INVITE", "PING :after")
    ivo.expect(r" 337 ivo :End of INVITE list$")  # papo keeps no invitations to list


def test_rooms_one_is_not_in_or_that_do_not_exist(irc_server: ServerProcess) -> None:
    _, bob = ana_in_dev_and_irc_bob(irc_server)
    bob.send("PRIVMSG #dev :let me in")
    bob.expect(r" 404 bob #dev :")
    bob.send("TOPIC #nowhere")
    bob.expect(r" 403 bob #nowhere :")
    bob.send("JOIN #аbc")  # a Cyrillic a among Latin letters
    bob.expect(" 479 bob #аbc :")


def test_irc_formatting_is_taken_out_whole(irc_server: ServerProcess) -> None:
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    bob.send("PRIVMSG #lobby :\x0304,01red\x03 and \x02bold\x02 \x1dslanted\x0f")
    assert ana.expect("message")["text"] == "red and bold slanted"


def test_an_irc_flooder_is_read_more_slowly_nothing_dropped(start_server: StartServer) -> None:
    server = start_server(*IRC, "--rate", "20", "--burst", "5", "--ip-rate", "0")
    ana = server.user("ana")
    bob = IrcClient(server.irc_port)
    bob.register("bob")
    started = time.monotonic()
    bob.send(*(f"PRIVMSG #lobby :line {n}" for n in range(25)))
    texts = [ana.expect("message", text=f"line {n}")["text"] for n in range(25)]
    assert texts == [f"line {n}" for n in range(25)]
    assert time.monotonic() - started >= 0.8  # 20 past the burst of 5, at 20 a second


def test_server_queries_and_papos_own_commands_at_the_irc_door(irc_server: ServerProcess) -> None:
    """What irssi's /motd, /lusers, /version, /time send is answered; papo's commands sent raw
    (irssi's "/quote private ana hi") reach the chat, and HELP is papo's."""
    ana = irc_server.user("ana")
    bob = IrcClient(irc_server.irc_port)
    bob.register("bob")
    bob.send("motd", "LUSERS", "version", "TIME")
    bob.expect(r" 422 bob :MOTD File is missing$")
    bob.expect(r" 251 bob :There are 2 users ")
    bob.expect(r" 351 bob papo-")
    year = time.strftime("%Y", time.gmtime())
    bob.expect(rf" 391 bob irc\.test :\w+ \d\d \w+ {year}, \d\d:\d\d:\d\d UTC$")
    bob.send("private ana :hi from irssi")
    assert ana.expect("private", text="hi from irssi")["from"] == "bob"
    bob.send("online")
    bob.expect(r" NOTICE bob :2 users online: ana, bob$")
    bob.send("HELP private")
    bob.expect(r" NOTICE bob :.*/private NAME")
    bob.send("HELP")
    bob.expect(r" NOTICE bob :Type a line")
    listed = [bob.expect(r" NOTICE bob :(.*)$")[1]]
    while not listed[-1].startswith("Rooms: "):  # the commands, then a word on rooms
        listed.append(bob.expect(r" NOTICE bob :(.*)$")[1])
    assert any("/whois NAME" in row for row in listed)
    assert not any("/format" in row or "/resume" in row for row in listed)  # not IRC's
    bob.send("rooms", "WHOWAS carol")
    bob.expect(r" 322 bob #lobby 2 :")
    bob.expect(r" 406 bob carol :")
    bob.send("@+typing=active TAGMSG #lobby", "format json", "PING :still irc")
    bob.expect(r" 421 bob FORMAT :")
    bob.expect(r" PONG irc\.test :still irc$")
    assert not any("TAGMSG" in line for line in bob.seen)  # a typing notice: no error


def test_every_line_fits_irc_even_for_the_longest_topic_reason_and_list(
    start_server: StartServer,
) -> None:
    """IRC's lines are 512 bytes: a list takes several (here bob's WHOIS of ana, in 20 rooms
    of 32 letters), what IRC has one line for (a topic of 300 letters of three bytes each, a
    long /quit) comes shortened, with an ellipsis; papo's own clients read them whole."""
    server = start_server(*IRC, "--rate", "0")
    ana = server.user("ana")
    rooms = [f"#{'r' * 30}{n:02d}" for n in range(19)]  # and the lobby: --max-rooms' 20
    for room in rooms:
        ana.send(f"/join {room}")
        ana.expect("joined", room=room)
    topic = "話" * 300
    ana.send(f"/topic {rooms[0]} {topic}")
    assert ana.expect("topic", room=rooms[0])["text"] == topic
    bob = IrcClient(server.irc_port)
    bob.register("bob")
    bob.send(f"JOIN {rooms[0]}", "WHOIS ana")
    shown = bob.expect(rf" 332 bob {rooms[0]} :(.*)$")[1]
    assert shown.endswith("…") and topic.startswith(shown.removesuffix("…"))
    bob.expect(r" 318 bob ana :")
    listed = [each.split(" :", 1)[1] for each in bob.seen if " 319 bob ana :" in each]
    assert len(listed) > 1 and set(rooms) < set(" ".join(listed).split())
    reason = "see you all tomorrow " * 90  # 1 890 bytes
    ana.send(f"/quit {reason}")
    said = bob.expect(r"^:ana!ana@papo QUIT :(.*)$")[1]
    words = said.removeprefix("quit: ").removesuffix("…")
    assert said.endswith("…") and reason.startswith(words) and len(words) > 400
    assert all(fits_irc(each) for each in bob.seen)
