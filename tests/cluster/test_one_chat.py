"""Several servers, one chat: real papo servers sharing a real redis-server, clients on each."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cluster.setups import OPER_PASSWORD, ignoring_bob_until_unignored, operators
from tests.conftest import StartServer
from tests.proxy import FaultyProxy
from tests.redis_server import RedisServer
from tests.server.test_lasting import FAST, knows_what_was_said, said_for_good
from tests.support import HOST, TIMEOUT, Event, LineClient, ServerProcess, free_port


def servers(start: StartServer, redis: RedisServer, count: int, *args: str) -> list[ServerProcess]:
    return [start("--redis", redis.url, *args) for _ in range(count)]


def asked_until(user: LineClient, line: str, kind: str, done: Callable[[Event], bool]) -> Event:
    """Ask until the answer says ``done``: a change made on another server reaches this one
    through Redis a moment later (what is not an event of the log has no order to wait for)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        user.send(line)
        answer = user.expect(kind)
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_names_are_unique_and_everybody_is_seen_across_servers(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two = servers(start_server, redis_server, 2)
    ana = one.user("ana")
    bob = two.user("bob")
    ana.expect("join", name="bob")
    taken = two.client(json_mode=True).register("ANA")  # another spelling of a name held there
    assert taken["type"] == "error" and taken["code"] == "name_taken"
    lookalike = one.client(json_mode=True).register("b0b")  # not bob, but looks like it
    assert lookalike["code"] == "name_taken" and lookalike.get("like") == "bob"
    online = asked_until(bob, "/online", "online", lambda o: len(o["users"]) == 2)
    assert online["users"] == ["ana", "bob"]
    bob.send("hello ana")
    said = ana.expect("message", text="hello ana")
    assert said["from"] == "bob"
    assert bob.expect("message", text="hello ana")["id"] == said["id"]  # one numbering
    ana.send("/private bob psst")
    assert bob.expect("private", text="psst")["from"] == "ana"
    bob.send("/r back at you")
    assert ana.expect("private", text="back at you")["from"] == "bob"
    ana.send("/join #dev\n/invite bob")  # bob is another server's, and not in #dev
    invite = bob.expect("invite")
    assert (invite["from"], invite["room"]) == ("ana", "#dev")
    assert ana.expect("invite")["id"] == invite["id"]
    bob.send("/join #dev\n/invite ana #dev")
    assert bob.expect("error", code="already_in_room")["name"] == "ana"
    ana.send("/part #dev\n/join #lobby")
    ana.send("/msg nobody hi")
    assert ana.expect("error", code="no_such_user")
    ana.send("/away lunch")
    ana.expect("info", code="now_away")
    whois = asked_until(bob, "/whois ana", "whois", lambda w: w["away"] is not None)
    assert whois["rooms"] == ["#lobby"] and whois["away"] == "lunch"
    bob.send("/msg ana are you there")
    assert bob.expect("info", code="away")["away"] == "lunch"


def test_rooms_their_members_topics_and_history_are_the_same_everywhere(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two = servers(start_server, redis_server, 2)
    ana, bob = one.user("ana"), two.user("bob")
    ana.send("/join #dev")
    ana.expect("joined", room="#dev")
    ana.send("/topic releases")
    ana.expect("topic", text="releases")
    ana.send("first in dev")
    ana.expect("message", text="first in dev")
    listed = asked_until(bob, "/rooms", "rooms", lambda r: len(r["rooms"]) == 2)
    rooms = {room["room"]: room for room in listed["rooms"]}
    assert rooms["#dev"]["count"] == 1 and rooms["#dev"]["topic"] == "releases"
    bob.send("/join #DEV")  # the room's name is its maker's, whatever the case typed
    joined = bob.expect("joined", room="#dev")
    assert joined["users"] == ["ana", "bob"] and joined["topic"] == "releases"
    # As history, or live if bob's server had not read it yet when he joined: once, either way.
    bob.expect("message", text="first in dev")
    ana.expect("join", name="bob", room="#dev")
    bob.send("/online #dev")
    before = []
    while (online := bob.next_event())["type"] != "online":
        before.append(online)
    assert online["users"] == ["ana", "bob"]
    assert not [e for e in before if e.get("text") == "first in dev"]  # no second copy
    # A server started later reads the chat as it stands.
    three = start_server("--redis", redis_server.url)
    carol = three.user("carol")
    assert carol.welcome is not None and carol.welcome["users"] == ["ana", "bob", "carol"]
    carol.send("/join #dev")
    assert carol.expect("message", text="first in dev")["history"] is True
    bob.send("/part")
    ana.expect("leave", name="bob", room="#dev")
    assert bob.expect("info", code="current")["room"] == "#lobby"
    # /history reads the one log, whichever server said what.
    ana.send("second in dev")
    carol.expect("message", text="second in dev")
    carol.send("third in dev")
    carol.expect("message", text="third in dev")
    carol.send("/history #dev")
    assert carol.expect("info", code="history")["count"] == 3
    history = [carol.expect("message") for _ in range(3)]
    assert [(e["text"], e["from"]) for e in history] == [
        ("first in dev", "ana"), ("second in dev", "ana"), ("third in dev", "carol")
    ]  # fmt: skip


def test_every_client_on_every_server_reads_one_order(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    fast = ("--rate", "0", "--ip-rate", "0")
    trio = servers(start_server, redis_server, 3, *fast)
    users = [server.user(f"u{n}{i}") for n, server in enumerate(trio) for i in range(2)]
    for user in users:  # everybody has seen everybody arrive: the joins are behind us
        asked_until(user, "/online", "online", lambda o: len(o["users"]) == len(users))
    per_user = 50

    def talk(user: LineClient, n: int) -> None:
        for i in range(per_user):
            user.send(f"m{n}-{i}")

    threads = [threading.Thread(target=talk, args=(u, n)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    orders = []
    total = per_user * len(users)
    for user in users:
        seen: list[tuple[int, str]] = []
        while len(seen) < total:
            event = user.expect("message")
            seen.append((event["id"], event["text"]))
        orders.append(seen)
    first = orders[0]
    assert [i for i, _ in first] == sorted(i for i, _ in first)  # ascending ids
    assert len({i for i, _ in first}) == total and len({t for _, t in first}) == total
    assert [i for i, _ in first] == list(range(first[0][0], first[0][0] + total))  # no gap
    for order in orders[1:]:
        assert order == first  # the same sequence, on every server


@pytest.mark.parametrize("flag", [("--workers", "2"), ("--lease", "5")])
def test_options_of_several_servers_need_redis(
    start_server: StartServer, flag: tuple[str, str]
) -> None:
    if flag[0] == "--lease":
        start_server(*flag)  # harmless alone: one process has no lease to keep
        return
    with pytest.raises(RuntimeError, match="--workers needs --redis"):
        start_server(*flag)


@pytest.mark.parametrize("workers", [(), ("--workers", "3")])
def test_a_redis_out_of_reach_at_start_is_one_clear_line_without_its_password(
    start_server: StartServer, workers: tuple[str, ...]
) -> None:
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"  # nothing listens there
    with pytest.raises(RuntimeError) as refused:
        start_server("--redis", url, *workers)
    said = str(refused.value)
    assert "papo-server: --redis redis://:***@127.0.0.1:" in said and "refused" in said
    assert "no Redis answers there; is redis-server running, on that host and port?" in said
    assert "Traceback" not in said and "s3cret" not in said
    assert said.count("papo-server: --redis") == 1  # said by the first worker, the only one


def test_a_redis_with_a_password_takes_it_from_the_url_and_says_so_when_it_is_missing(
    start_server: StartServer, tmp_path: Path
) -> None:
    guarded = RedisServer(tmp_path, password="s3cret")
    try:
        one, two = (start_server("--redis", guarded.url) for _ in range(2))
        ana, bob = one.user("ana"), two.user("bob")
        ana.expect("join", name="bob")
        bob.send("through a guarded Redis")
        ana.expect("message", text="through a guarded Redis")
        for url in (guarded.url.replace("s3cret", "wrong"), guarded.url.replace(":s3cret@", "")):
            with pytest.raises(RuntimeError) as refused:
                start_server("--redis", url)
            said = str(refused.value)
            assert "Redis asks for a password, or refused this one" in said
            assert "redis://:PASSWORD@HOST:6379/0" in said and "Traceback" not in said
        one.stop()  # before their Redis: else each waits to hand its users over
        two.stop()
    finally:
        guarded.stop()


def test_the_servers_of_one_chat_share_its_chat_wide_options_or_the_newcomer_will_not_start(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    first = start_server("--redis", redis_server.url)
    with pytest.raises(RuntimeError) as refused:
        start_server("--redis", redis_server.url, "--default-room", "#geral", "--log-size", "500")
    said = str(refused.value)
    assert "the servers of this chat run with --default-room #lobby, --log-size 10000;" in said
    assert "this one has --default-room #geral, --log-size 500" in said
    assert "Traceback" not in said
    with pytest.raises(RuntimeError, match="this one has --default-room #LOBBY:"):
        start_server("--redis", redis_server.url, "--default-room", "#LOBBY")  # shown so
    second = start_server("--redis", redis_server.url, "--history", "20", "--lease", "3")
    ana, bob = first.user("ana"), second.user("bob")
    ana.expect("join", name="bob")
    bob.send("one lobby")
    assert ana.expect("message", text="one lobby")["room"] == "#lobby"
    for server in (first, second):
        server.stop()  # nobody left running: the next server's options are the chat's
    third = start_server("--redis", redis_server.url, "--default-room", "#geral")
    welcome = third.user("carol").welcome
    assert welcome is not None and welcome["room"] == "#geral"
    start_server("--redis", redis_server.url, "--default-room", "#geral")


def test_ignoring_a_user_of_another_server_hides_them_here(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two = servers(start_server, redis_server, 2)
    ana, bob, carol = one.user("ana"), two.user("bob"), two.user("carol")
    ana.expect("join", name="carol")
    ana.send("/ignore bob")  # bob is the other server's
    assert ana.expect("info", code="ignored")["names"] == ["bob"]
    bob.send("hidden from ana")
    bob.send("/me waves")
    bob.send("/msg ana psst")
    bob.send("/join #dev\n/invite ana\n/part #dev")
    carol.send("seen by ana")
    said = ana.expect("message", text="seen by ana")
    assert said["from"] == "carol"
    assert bob.expect("private", text="psst")  # bob is not told he is ignored
    assert bob.expect("invite")["to"] == "ana"  # nor of his invitation
    assert [e for e in ana.quiet(0.5) if e.get("from") == "bob"] == []
    ignoring_bob_until_unignored(ana, bob)


def test_an_irc_user_on_one_server_talks_with_a_papo_user_on_another(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one = start_server("--redis", redis_server.url, "--irc-port", "0")
    two = start_server("--redis", redis_server.url)
    irc = LineClient(one.irc_port)
    one.clients.append(irc)
    irc.send("NICK ircana\r\nUSER ircana 0 * :Ana\r\n")
    irc.text_until(lambda line: " 366 " in line)  # the lobby's names: in the chat
    bob = two.user("bob")
    irc.text_until(lambda line: "JOIN" in line and "bob" in line)
    bob.send("hello irc")
    irc.text_until(lambda line: "PRIVMSG #lobby :hello irc" in line)
    irc.send("PRIVMSG #lobby :hello papo\r\n")
    assert bob.expect("message", text="hello papo")["from"] == "ircana"


def test_an_operator_on_one_server_kicks_users_of_another_connected_or_held(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """The kick goes through the log: the server holding the user says goodbye and closes, or
    lets a held user go; the name is free everywhere."""
    one, two = servers(start_server, redis_server, 2, *operators(tmp_path))
    ana = one.user("ana")
    bob, dave, carl = two.user("bob"), two.user("dave"), two.line_user("carl")
    ana.expect("join", name="dave")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    ana.send("/kick bob spam")
    kick = ana.expect("leave", name="bob", reason="kicked", by="ana", text="spam")
    assert bob.expect("leave", reason="kicked")["id"] == kick["id"]
    assert bob.next_event()["type"] == "bye" and bob.closed_by_server()
    carl.text_until(lambda line: line.endswith("*** bob was kicked out by ana: spam"))
    two.wait_for_log("'bob' kicked out by 'ana': spam")
    dave.reset()  # a program gone without a word: held for a resume
    two.wait_for_log("'dave' held for")
    ana.send("/kick dave")
    ana.expect("leave", name="dave", reason="kicked", by="ana")
    two.wait_for_log("'dave' kicked out by 'ana'")
    for name in ("bob", "dave"):  # free on every server
        assert one.client(json_mode=True).register(name)["type"] == "welcome"


def refused_from(server: ServerProcess, source: str) -> bool:
    """Whether a new connection from ``source`` is turned away as banned (its first line)."""
    client = LineClient(server.port, source=source)
    try:
        first = client.readline()
    finally:
        client.close()
    return first is not None and first.startswith(b"Error: your address is banned")


def until_refused(server: ServerProcess, source: str, refused: bool) -> None:
    """A ban made (or lifted) on another server reaches this one through Redis a moment later."""
    deadline = time.monotonic() + TIMEOUT
    while refused_from(server, source) != refused:
        assert time.monotonic() < deadline, f"refused from {source}: still {not refused}"
        time.sleep(0.05)


def test_a_ban_keeps_the_address_out_of_every_server_and_of_one_started_later(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Only bob's server knows his address: it makes the ban when it puts him out, and every
    server reads it from Redis; /unban on any server lifts it on all."""
    options = operators(tmp_path)
    one, two = servers(start_server, redis_server, 2, *options)
    ana = one.user("ana")
    two.user("bob", source="127.0.0.2")
    ana.expect("join", name="bob")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.send("/ban bob 1h spam")
    assert ana.expect("leave", name="bob", reason="kicked", by="ana")["ban"] == 3600
    two.wait_for_log("127.0.0.2 banned until")
    assert refused_from(two, "127.0.0.2")
    until_refused(one, "127.0.0.2", True)
    assert not refused_from(one, "127.0.0.1")
    three = start_server("--redis", redis_server.url, *options)
    assert refused_from(three, "127.0.0.2")
    carol = three.user("carol")
    carol.send(f"/oper {OPER_PASSWORD}")
    carol.expect("info", code="operator")
    carol.send("/bans")
    assert carol.expect("info", code="bans")["names"] == ["bob"]
    carol.send("/unban bob")
    assert carol.expect("info", code="unbanned")["names"] == ["bob"]
    assert not refused_from(three, "127.0.0.2")
    until_refused(one, "127.0.0.2", False)
    until_refused(two, "127.0.0.2", False)


def test_a_ban_puts_out_the_others_from_the_address_on_every_server(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """bob's server makes the ban; the others read it from Redis and put out their own
    connections from that address (a flooder's workers' worth of clones), in the name of
    the operator who made it."""
    one, two = servers(start_server, redis_server, 2, *operators(tmp_path))
    ana = one.user("ana")
    clone = one.user("bob2", source="127.0.0.2")
    nameless = one.client(source="127.0.0.2")
    assert (nameless.readline() or b"").startswith(b"Welcome to papo!")
    two.user("bob", source="127.0.0.2")
    ana.expect("join", name="bob")
    carol = two.user("carol")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.send("/ban bob 1h spam")
    assert ana.expect("leave", name="bob", reason="kicked", by="ana")["ban"] == 3600
    leave = ana.expect("leave", name="bob2", reason="kicked", by="ana")
    assert 3590 <= leave["ban"] <= 3600
    assert carol.expect("leave", name="bob2", reason="kicked", by="ana") == leave
    assert clone.expect("bye")["reason"] == "kicked"
    assert clone.closed_by_server()
    assert nameless.text_until(lambda said: said.startswith("An operator banned"))
    assert nameless.closed_by_server()
    one.wait_for_log("put out: its address is banned now")
    ana.send("/bans")
    assert ana.expect("info", code="bans")["names"] == ["bob"]


def test_a_user_who_left_another_server_can_still_be_banned_from_this_one(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """bob's server alone knew his address; it goes with his leave through Redis, so that an
    operator on another server can still ban it, and bob's server puts out the rest there."""
    one, two = servers(start_server, redis_server, 2, *operators(tmp_path))
    ana = one.user("ana")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    bob = two.user("bob", source="127.0.0.2")
    clone = two.user("bob2", source="127.0.0.2")
    nameless = two.client(source="127.0.0.2")
    assert (nameless.readline() or b"").startswith(b"Welcome to papo!")
    bob.send("/quit")
    ana.expect("leave", name="bob", reason="quit")
    ana.send("/ban bob 1h spam")
    told = ana.expect("info", code="banned_gone")
    assert told["names"] == ["bob"] and len(told["until"]) == 1
    leave = ana.expect("leave", name="bob2", reason="kicked", by="ana")
    assert 3590 <= leave["ban"] <= 3600
    assert clone.expect("leave", name="bob2", by="ana") == leave
    assert clone.closed_by_server()
    assert nameless.text_until(lambda said: said.startswith("An operator banned"))
    assert nameless.closed_by_server()
    one.wait_for_log("by 'ana' (made for 'bob', who had left): spam")
    assert refused_from(one, "127.0.0.2")
    until_refused(two, "127.0.0.2", True)


def test_a_ban_decided_before_its_server_read_the_user_leave_bans_where_they_left_from(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """ana's server is cut off from Redis a moment: bob quits meanwhile, and ana bans him as
    her server still sees him. The log has bob's leave first, then the ban: nobody is left to
    kick, so her server bans the address bob left from (which his leave brought)."""
    proxy = FaultyProxy(redis_server.port)
    try:
        options = operators(tmp_path)
        one = start_server("--redis", f"redis://{HOST}:{proxy.port}/0", *options)
        two = start_server("--redis", redis_server.url, *options)
        ana = one.user("ana")
        ana.send(f"/oper {OPER_PASSWORD}")
        ana.expect("info", code="operator")
        bob = two.user("bob", source="127.0.0.2")
        clone = two.user("bob2", source="127.0.0.2")
        ana.expect("join", name="bob2")
        proxy.stall()
        bob.send("/quit")
        two.wait_for_log("'bob' left (quit)")
        ana.send("/ban bob 1h spam")
        time.sleep(0.3)  # decided, and waiting for Redis
        proxy.flow()
        assert ana.expect("leave", name="bob")["reason"] == "quit"
        ban = ana.expect("leave", name="bob", reason="kicked", by="ana")
        assert ban["ban"] == 3600
        seen = [clone.next_event()]
        while not (seen[-1]["type"] == "leave" and seen[-1]["name"] == "bob2"):
            seen.append(clone.next_event())
        assert [(e["name"], e["reason"]) for e in seen if e["type"] == "leave"] == [
            ("bob", "quit"),  # and not again as kicked: he had left
            ("bob2", "kicked"),
        ]
        assert seen[-1]["by"] == "ana" and seen[-1]["ban"] > 3500
        assert clone.closed_by_server()
        one.wait_for_log("by 'ana' (made for 'bob', who had left): spam")
        until_refused(two, "127.0.0.2", True)
        assert refused_from(one, "127.0.0.2")
    finally:
        proxy.close()


def test_whois_on_every_server_says_who_is_an_operator(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Being an operator is streamed to every server, and goes with the member."""
    one, two = servers(start_server, redis_server, 2, *operators(tmp_path))
    ana, bob = one.user("ana"), two.user("bob")
    bob.send("/whois ana")
    assert "operator" not in bob.expect("whois")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    seen = asked_until(bob, "/whois ana", "whois", lambda answer: answer.get("operator") is True)
    assert seen["operator"] is True
    late = start_server("--redis", redis_server.url, *operators(tmp_path))
    carol = late.user("carol")
    carol.send("/whois ana")
    assert carol.expect("whois")["operator"] is True  # read from Redis at start
    ana.send("/quit")
    bob.expect("leave", name="ana")
    ana2 = one.user("ana")  # the name again, not the rights
    assert ana2.welcome is not None
    bob.expect("join", name="ana")  # else bob's server may not know the new ana yet
    seen = asked_until(bob, "/whois ana", "whois", lambda answer: "operator" not in answer)
    assert "operator" not in seen


def test_a_topic_locked_on_one_server_is_locked_on_every_server(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """The lock is in the log: every server reads it, and so does one started later."""
    options = operators(tmp_path)
    one, two = servers(start_server, redis_server, 2, *options)
    ana, bob = one.user("ana"), two.user("bob")
    bob.send("/join #dev")
    bob.expect("joined", room="#dev")
    asked_until(ana, "/rooms", "rooms", lambda r: "#dev" in [i["room"] for i in r["rooms"]])
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    ana.send("/locktopic #dev")
    assert ana.expect("topic", room="#dev")["locked"] is True
    assert bob.expect("topic", room="#dev", by="ana")["locked"] is True
    bob.send("/topic mine")
    bob.expect("error", code="topic_locked")
    three = start_server("--redis", redis_server.url, *options)
    carol = three.user("carol")
    carol.send("/join #dev")
    carol.expect("joined", room="#dev")
    carol.send("/topic mine")
    carol.expect("error", code="topic_locked")
    carol.send(f"/oper {OPER_PASSWORD}")
    carol.expect("info", code="operator")
    carol.send("/unlocktopic")
    assert bob.expect("topic", by="carol")["locked"] is False
    bob.send("/topic mine")
    bob.expect("topic", by="bob", text="mine")


def test_a_mute_made_on_one_server_silences_its_user_on_any_server(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """The mute is in the log: bob's server refuses his words, and so does a server started
    later that he comes back through under the same name."""
    options = operators(tmp_path)
    one, two = servers(start_server, redis_server, 2, *options)
    ana, bob = one.user("ana"), two.user("bob")
    ana.expect("join", name="bob")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    ana.send("/mute bob 1h")
    muted = bob.expect("mute", name="bob", by="ana")
    assert muted["seconds"] == 3600 and ana.expect("mute", name="bob")["id"] == muted["id"]
    bob.send("hello?")
    bob.expect("error", code="muted")
    bob.send("/msg ana why?")
    ana.expect("private", text="why?")
    bob.send("/quit")
    bob.expect("bye")
    three = start_server("--redis", redis_server.url, *options)
    again = three.user("bob")
    again.send("hello?")
    again.expect("error", code="muted")
    ana.send("/unmute bob")
    assert again.expect("mute", name="bob")["seconds"] == 0
    again.send("hello again")
    ana.expect("message", text="hello again")


def test_a_server_started_after_the_log_moved_on_knows_topics_locks_and_mutes(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """The stream keeps a few times --log-size entries: what set a topic, its lock and a
    mute is kept beside it, for a server started later."""
    options = ("--log-size", "5", *FAST, *operators(tmp_path))
    one, _ = servers(start_server, redis_server, 2, *options)
    ana, eve = said_for_good(one, OPER_PASSWORD)
    eve.send("/quit")
    ana.expect("leave", name="eve")
    again = knows_what_was_said(start_server("--redis", redis_server.url, *options))
    ana.expect("join", name="eve")  # her server has her: the unmute finds her there
    ana.send("/unmute eve")
    assert again.expect("mute", name="eve")["seconds"] == 0
