"""Several servers when things fail: a server killed, Redis restarted, Redis slow, a server
left behind by the log. Real processes, real redis-server, all on loopback."""

from __future__ import annotations

import re
import signal
import threading
import time
from pathlib import Path

from papo.hub.redis_hub import BURIED_MARK_SECONDS, HAND_OVER_SECONDS
from tests.cluster.setups import LEASE, OPER_PASSWORD, cast, operators
from tests.conftest import StartServer
from tests.proxy import FaultyProxy
from tests.redis_server import RedisServer
from tests.server.test_metrics import metrics_port, scrape
from tests.support import HOST, TIMEOUT, Event, LineClient, ServerProcess


def test_a_killed_servers_users_leave_once_within_the_lease_and_free_their_names(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    lease = ("--redis", redis_server.url, "--lease", "2", "--resume-grace", "1")
    one, two, three = (start_server(*lease) for _ in range(3))
    ana, carol = one.user("ana"), three.user("carol")
    bob = two.line_user("bob")  # a line client: it cannot resume
    dave = two.user("dave")  # a program: held for its resume grace, then gone
    for user in (ana, carol):
        user.expect("join", name="dave")
    two.process.kill()  # SIGKILL: no goodbye, its lease is left to run out
    killed = time.monotonic()
    for user in (ana, carol):
        leave = user.expect("leave", timeout=2 + TIMEOUT, name="bob")
        assert leave["reason"] == "disconnect"
    assert time.monotonic() - killed < 2 + 2  # within the lease and one look
    for user in (ana, carol):
        held_over = user.expect("leave", timeout=TIMEOUT, name="dave")
        assert held_over["reason"] == "timeout"  # its hold ran out: nobody resumed it
    for user in (ana, carol):  # once: the other survivor does not announce them again
        assert not [e for e in user.quiet(1.0) if e["type"] == "leave"]
        user.send("/online")
        assert user.expect("online")["users"] == ["ana", "carol"]
    bob.close()
    dave.close()
    again = one.client(json_mode=True).register("bob")
    assert again["type"] == "welcome"  # the name is free again
    # The dead server's marks expire (in days): its number is never used again.
    number = re.search(r"server (\d+) of the chat", two.log())
    assert number is not None
    for mark in ("buried", "seq"):
        ttl = int(redis_server.command("TTL", f"papo:{mark}:{number[1]}")[1:])
        assert 24 * 3600 < ttl <= BURIED_MARK_SECONDS, (mark, ttl)


def test_a_killed_servers_user_can_still_be_banned_on_every_survivor(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Only bob's server knew his address; the survivor that announces his leave learns it
    from Redis with its own release, the other as it reads that release."""
    options = ("--redis", redis_server.url, "--lease", "2", *operators(tmp_path))
    one, two, three = (start_server(*options) for _ in range(3))
    ana, carol = one.user("ana"), three.user("carol")
    for user in (ana, carol):
        user.send(f"/oper {OPER_PASSWORD}")
        user.expect("info", code="operator")
    bob = two.line_user("bob", source="127.0.0.2")
    for user in (ana, carol):
        user.expect("join", name="bob")
    two.process.kill()
    for user in (ana, carol):
        assert user.expect("leave", timeout=2 + TIMEOUT, name="bob")["reason"] == "disconnect"
    bob.close()
    for user, length in ((ana, "30m"), (carol, "2h")):  # one of them buried bob
        user.send(f"/ban bob {length}")
        assert user.expect("info", code="banned_gone")["names"] == ["bob"]
    refused = one.client(source="127.0.0.2").readline() or b""
    assert refused.startswith(b"Error: your address is banned from this chat")


def two_servers(
    start_server: StartServer, redis_server: RedisServer
) -> tuple[ServerProcess, ServerProcess, LineClient, LineClient]:
    """Two servers of one chat, ana on the first, bob on the second, each seen by the other."""
    one, two = (start_server("--redis", redis_server.url) for _ in range(2))
    ana, bob = one.user("ana"), two.user("bob")
    ana.expect("join", name="bob")
    return one, two, ana, bob


def once_taken(client: LineClient, line: str, within: float = 15.0) -> Event:
    """The answer to ``line``, sent again while it is refused ``unavailable`` (a server tries
    Redis again up to 2 s apart, then writes the chat back): the last answer after
    ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        client.send(line)
        answer = client.next_event()
        if answer.get("code") != "unavailable" or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_a_user_kicked_while_their_server_dies_is_neither_held_nor_announced_twice(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Their server never reads the kick. The survivors take its members over when its lease
    runs out: holding the one kicked would let its token undo the kick."""
    options = ("--redis", redis_server.url, "--lease", "2", *operators(tmp_path))
    one, two = start_server(*options), start_server(*options)
    ana = one.user("ana")
    dave = two.user("dave")  # a program: the survivors would hold it for its resume
    ana.expect("join", name="dave")
    assert dave.welcome is not None
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    number = re.search(r"server (\d+) of the chat", two.log())
    assert number is not None
    two.process.kill()
    ana.send("/kick dave spam")
    ana.expect("leave", name="dave", reason="kicked", by="ana")
    one.wait_for_log(f"server {number[1]} is gone", timeout=2 + TIMEOUT)
    assert not [e for e in ana.quiet(1.0) if e["type"] == "leave"]  # said once, by the kick
    again = one.client(json_mode=True)
    again.send(f"/resume {dave.welcome['resume']} 0")
    again.expect("error", code="resume_failed")
    assert one.client(json_mode=True).register("dave")["type"] == "welcome"  # free again
    dave.close()


def test_lines_while_redis_is_down_are_refused_and_nothing_accepted_is_lost(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, two, ana, bob = two_servers(start_server, redis_server)
    assert ana.welcome is not None
    ana.send("/ignore bob")
    ana.expect("info", code="ignored")
    ana.send("/away lunch")
    ana.expect("info", code="now_away")
    redis_server.stop()
    # The server notices at its next request to Redis (the reader's, within a second);
    # from then on a line gets a clear error, never silence.
    time.sleep(1.5)
    ana.send("anyone?")
    assert ana.expect("error")["code"] == "unavailable"
    bob.send("/online")  # bob's server notices too
    assert bob.expect("error")["code"] == "unavailable"
    late = two.client(json_mode=True)  # a program that comes now is greeted, and told
    assert late.register("zoe")["code"] == "unavailable"
    redis_server.start()  # empty: the servers write their users back and go on
    assert once_taken(ana, "back?")["type"] == "message"  # her server is back
    assert bob.expect("message", text="back?", timeout=TIMEOUT)
    newcomer = two.client(json_mode=True).register("ana")  # still ana's, on every server
    assert newcomer["code"] == "name_taken"
    bob.send("/online")
    assert bob.expect("online")["users"] == ["ana", "bob"]
    assert "Redis is back" in one.log() and "Redis lost the chat's state" in one.log()
    ana.reset()  # what Redis lost was written back: ana can resume anywhere, as she was
    back = two.client(json_mode=True)
    back.send(f"/resume {ana.welcome['resume']} 0")
    assert back.expect("welcome")["resumed"] is True
    back.send("/ignore")
    assert back.expect("info", code="ignoring")["names"] == ["bob"]
    bob.send("/whois ana")  # her away text was written back with the rest
    assert bob.expect("whois")["away"] == "lunch"


def test_a_server_stopped_while_redis_is_down_hands_its_users_over_once_redis_is_back(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """Redis restarted empty: until a server writes its users back, it holds the only copy
    of them. One stopped before its next try at Redis (they are up to 2 s apart) left them
    nowhere, and their resumes on the other servers were refused. It now tries Redis until
    it has them, and only then tells them to come back."""
    one, two, ana, bob = two_servers(start_server, redis_server)
    assert ana.welcome is not None
    redis_server.stop()
    time.sleep(1.5)
    ana.send("anyone?")
    assert ana.expect("error")["code"] == "unavailable"  # her server knows Redis is gone
    one.signal(signal.SIGTERM)
    time.sleep(0.5)
    assert ana.quiet(0.1) == []  # not told to go yet: nobody else could take her
    redis_server.start()  # empty, while server one stops
    assert ana.expect("bye")["reason"] == "restart"
    back = two.client(json_mode=True)  # server two comes back at its own next try
    answer = once_taken(back, f"/resume {ana.welcome['resume']} 0")
    assert answer["type"] == "welcome" and answer["resumed"] is True, answer
    assert one.wait(TIMEOUT) == 0
    assert "handed over to Redis" in one.log()
    bob.send("/online")
    assert bob.expect("online")["users"] == ["ana", "bob"]
    back.send("/msg bob I never left")
    assert bob.expect("private", text="I never left")["from"] == "ana"


def test_a_server_stopped_while_redis_stays_down_stops_in_time_and_says_what_is_lost(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, _, ana, _ = two_servers(start_server, redis_server)
    redis_server.stop()
    time.sleep(1.5)
    ana.send("anyone?")
    assert ana.expect("error")["code"] == "unavailable"
    one.signal(signal.SIGTERM)
    asked = time.monotonic()
    assert one.wait(HAND_OVER_SECONDS + TIMEOUT) == 0  # before a supervisor would kill it
    assert time.monotonic() - asked >= HAND_OVER_SECONDS - 0.5  # it did wait for Redis
    assert "users may not resume elsewhere" in one.log()


def test_a_slow_redis_times_out_and_what_was_accepted_comes_once(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, _, ana, bob = two_servers(start_server, redis_server)
    sleeper = threading.Thread(target=redis_server.command, args=("DEBUG", "SLEEP", "5"))
    sleeper.start()
    time.sleep(0.2)
    ana.send("said while Redis sleeps")  # taken: it waits in order for Redis
    time.sleep(3.5)  # past the command timeout: the servers count Redis as unreachable
    ana.send("said later")
    assert ana.expect("error", timeout=TIMEOUT)["code"] == "unavailable"
    sleeper.join()
    said = bob.expect("message", text="said while Redis sleeps", timeout=15)
    assert said["from"] == "ana"
    assert not [e for e in bob.quiet(1.5) if e.get("text") == "said while Redis sleeps"]
    assert "Redis lost the chat's state" not in one.log()  # it kept it: nothing written back


def test_a_redis_silent_longer_than_the_lease_makes_nobody_dead(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """Every lease runs out while Redis is paused, the living servers' alike. Each server
    hears Redis again when its next try comes (they are spaced out up to 2 s apart): the
    first back must not take the others for dead (they would all stop, and every user move
    to it), but give them a lease to renew theirs. Server two is paused a second longer,
    as a server whose next try comes a second after Redis is back."""
    c = cast(start_server, redis_server)
    redis_server.process.send_signal(signal.SIGSTOP)
    c.two.signal(signal.SIGSTOP)
    try:
        time.sleep(LEASE + 1.5)
        redis_server.process.send_signal(signal.SIGCONT)
        time.sleep(1)
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
        c.two.signal(signal.SIGCONT)
    for user in (c.ana, c.bob):
        assert not [e for e in user.quiet(LEASE * 2 + 1) if e["type"] in ("leave", "bye")]
    c.ana.send("still one chat")
    assert c.bob.expect("message", text="still one chat", timeout=TIMEOUT)["from"] == "ana"
    for server in (c.one, c.two):
        assert server.process.poll() is None
        assert "took this one for dead" not in server.log()
    c.close()


def test_a_server_left_behind_by_the_trimmed_log_says_what_was_missed(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    args = ("--redis", redis_server.url, "--log-size", "50", "--lease", "60")
    fast = ("--rate", "0", "--ip-rate", "0")
    one, two = start_server(*args, *fast), start_server(*args, *fast, "--metrics", "0")
    metrics = metrics_port(two)
    talker, reader = one.user("talker"), two.user("reader")
    talker.expect("join", name="reader")
    two.signal(signal.SIGSTOP)  # left behind: it reads nothing while the log moves on
    try:
        for n in range(1500):
            talker.send(f"m{n}")
            if n == 100:  # after what a read blocked in Redis may have brought it already
                talker.send("/topic set while two slept")
        talker.expect("message", text="m1499", timeout=30)
    finally:
        two.signal(signal.SIGCONT)
    missed = reader.expect("info", code="missed", timeout=TIMEOUT)
    assert missed["count"] > 0
    assert "missed" in two.log()
    assert scrape(metrics)["papo_missed_events_total"] >= missed["count"]  # one gap or more
    assert reader.expect("message", text="m1499", timeout=TIMEOUT)
    # What the events missed set for good is read from where it outlives the log.
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        reader.send("/topic")
        if reader.expect("topic")["text"] == "set while two slept":
            break
    else:
        raise AssertionError("the topic set in the gap never reached the server left behind")


def test_a_server_paused_past_its_lease_finds_itself_buried_and_stops(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    c = cast(start_server, redis_server)
    one, ana, bob = c.one, c.ana, c.bob
    one.signal(signal.SIGSTOP)  # frozen: no lease renewed, no line read
    try:
        leave = bob.expect("leave", name="carl", timeout=LEASE + TIMEOUT)
        assert leave["reason"] == "disconnect"
    finally:
        one.signal(signal.SIGCONT)
    # Awake, it learns it was buried: it stops, telling its program to come back elsewhere,
    # and announces nothing more (carl's leave was said once, ana never left).
    assert ana.expect("bye")["reason"] == "restart"
    assert one.wait(TIMEOUT + 5) != 0
    assert "took this one for dead" in one.log()
    back = c.two.client(json_mode=True)
    back.send(f"/resume {c.token} {c.seen}")
    assert back.expect("welcome")["resumed"] is True
    assert [e for e in bob.quiet(1.0) if e["type"] == "leave"] == []
    c.close()


def test_a_redis_out_of_memory_refuses_lines_says_why_once_and_loses_nothing(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    one, _, ana, bob = two_servers(start_server, redis_server)
    redis_server.command("CONFIG", "SET", "maxmemory-policy", "noeviction")
    redis_server.command("CONFIG", "SET", "maxmemory", "1")  # full: it takes no write
    try:
        ana.send("said while Redis is full")  # taken: it waits in order for Redis
        time.sleep(1.0)
        ana.send("said later")
        assert ana.expect("error", timeout=TIMEOUT)["code"] == "unavailable"
        time.sleep(3.0)  # several tries, each refused
    finally:
        redis_server.command("CONFIG", "SET", "maxmemory", "0")
    said = bob.expect("message", text="said while Redis is full", timeout=TIMEOUT)
    assert said["from"] == "ana"
    assert not [e for e in bob.quiet(1.0) if e.get("text") == "said while Redis is full"]
    ana.send("taken again")
    assert bob.expect("message", text="taken again")["from"] == "ana"
    log = one.log()
    assert log.count("Redis refuses the chat's writes (") == 1
    assert "maxmemory" in log and "unreachable" not in log


def test_a_server_slower_to_reach_a_redis_restarted_empty_is_not_taken_for_dead(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """Redis restarted empty lost every lease with the rest: a server back first found the
    others' leases gone and took them for dead (their users announced gone, then back),
    when they were only waiting for their next try. A new epoch now gives them a lease, and
    at least the longest pause between tries (2 s) and a try (2 s) where the lease is
    shorter: a lease of 1 s, as here, let a chaos run bury a server back 70 ms too late."""
    lease = ("--redis", redis_server.url, "--lease", "1")  # looked at every third of it
    one, two = start_server(*lease), start_server(*lease)
    ana, bob = one.user("ana"), two.user("bob")
    ana.expect("join", name="bob")
    time.sleep(1.5)  # both have held their leases a whole lease: they look for the dead
    bob.quiet(0.1)
    redis_server.stop()
    one.signal(signal.SIGSTOP)  # its next try comes late: 2.5 s after server two's
    try:
        redis_server.start()  # empty
        two.wait_for_log("Redis is back")
        time.sleep(2.5)
    finally:
        one.signal(signal.SIGCONT)
    one.wait_for_log("Redis is back")
    assert [e for e in bob.quiet(3) if e["type"] in ("leave", "join")] == []
    ana.send("/online")
    assert ana.expect("online", timeout=TIMEOUT)["users"] == ["ana", "bob"]
    assert "gone" not in two.log() and "took this one for dead" not in one.log()


def test_a_redis_flushed_under_a_running_chat_gets_the_chat_written_back(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """FLUSHALL (or another, empty Redis at the same address) leaves every connection open:
    the servers wrote on into the empty state, ids from 1 again, behind where they all read,
    and nobody got a line any more. Every change is now carried out only on the state the
    server read: the first refused makes it write the chat back, as after a restart."""
    one, two, ana, bob = two_servers(start_server, redis_server)
    assert ana.welcome is not None
    ana.send("before")
    before = bob.expect("message", text="before")["id"]
    ana.expect("message", text="before")
    assert redis_server.command("FLUSHALL").startswith(b"+OK")
    answer = once_taken(ana, "after")  # refused while her server writes the chat back
    assert answer["type"] == "message" and answer["id"] > before, answer
    assert bob.expect("message", text="after")["id"] == answer["id"]
    bob.send("/online")
    assert bob.expect("online")["users"] == ["ana", "bob"]
    for server in (one, two):  # each at its first change refused (its lease, at the latest)
        server.wait_for_log("Redis no longer has the chat's state")
    ana.reset()  # written back: she can resume on the other server
    back = two.client(json_mode=True)  # refused while bob's server writes the chat back too
    resumed = once_taken(back, f"/resume {ana.welcome['resume']} {answer['id']}")
    assert resumed["type"] == "welcome" and resumed["resumed"] is True, resumed
    for server in (one, two):
        assert "gone" not in server.log() and "took this one for dead" not in server.log()


def test_a_ban_is_written_back_to_a_redis_that_lost_the_chat(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Bans are part of the chat's state: each server writes back those it knows, so a
    server started after the loss still keeps the address out."""
    options = ("--redis", redis_server.url, *operators(tmp_path))
    one = start_server(*options)
    ana = one.user("ana")
    one.user("bob", source="127.0.0.2")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.send("/ban bob 10m")
    ana.expect("leave", name="bob", reason="kicked")
    deadline = time.monotonic() + TIMEOUT
    while redis_server.command("HLEN", "papo:bans") != b":1\r\n":  # in Redis before the loss
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert redis_server.command("FLUSHALL").startswith(b"+OK")
    assert once_taken(ana, "after")["type"] == "message"  # refused until written back
    one.wait_for_log("Redis no longer has the chat's state")
    later = start_server(*options)
    first = LineClient(later.port, source="127.0.0.2").readline()
    assert first is not None and first.startswith(b"Error: your address is banned"), first


def test_a_server_whose_own_link_to_redis_keeps_failing_is_back_within_its_lease(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """Redis answers the others; the link of one server alone fails, again and again (a flaky
    network between them). Each failure soon after the last is a relapse, tried further
    apart: up to 2 s, a whole --lease of 2 s, and a make chaos run saw two servers taken for
    dead as they came back. The pauses are capped at a quarter of --lease."""
    proxy = FaultyProxy(redis_server.port)
    try:
        lease = ("--lease", "2")
        one = start_server("--redis", f"redis://{HOST}:{proxy.port}/0", *lease)
        two = start_server("--redis", redis_server.url, *lease)
        ana, bob = one.user("ana"), two.user("bob")
        ana.expect("join", name="bob")
        time.sleep(2.5)  # both have held their leases a whole lease: they look for the dead
        for _ in range(5):
            proxy.refuse()
            proxy.reset()  # every connection of server one to Redis, and its new ones
            time.sleep(0.5)
            proxy.admit()
            assert once_taken(ana, "/online")["type"] == "online"  # back at its next try
        ana.send("still here")
        assert bob.expect("message", text="still here")["from"] == "ana"
        assert not [e for e in bob.quiet(0.5) if e["type"] == "leave"]
        assert "gone" not in two.log() and "took this one for dead" not in one.log()
    finally:
        proxy.close()


def test_a_resume_while_the_chat_is_written_back_to_an_empty_redis_waits_for_it(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """Redis restarted empty: ana's server writes her back at its next try, later than bob's.
    Her resume on bob's server meanwhile is `unavailable` (try again), not `resume_failed`
    (which ends it: what she missed, lost)."""
    one, two, ana, _ = two_servers(start_server, redis_server)
    assert ana.welcome is not None
    redis_server.stop()
    one.signal(signal.SIGSTOP)  # its next try comes late
    try:
        redis_server.start()  # empty
        two.wait_for_log("Redis is back")
        early = two.client(json_mode=True)
        early.send(f"/resume {ana.welcome['resume']} 0")
        assert early.expect("error")["code"] == "unavailable"
    finally:
        one.signal(signal.SIGCONT)
    one.wait_for_log("Redis is back")
    early.send(f"/resume {ana.welcome['resume']} 0")
    assert early.expect("welcome")["resumed"] is True
    assert ana.expect("bye")["reason"] == "replaced"


def test_after_redis_lost_the_chat_ids_go_on_above_any_seen_and_nothing_is_skipped(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """Redis restarted empty, and the first server back (bob's) had read less of the lost log
    than ana's: it numbered bob's line from where it had read, an id ana had seen for another
    message, and ana's server, back later, read on from Redis's newest entry, past bob's line."""
    one, two, ana, bob = two_servers(start_server, redis_server)
    # Bob's server has read the log up to here (its welcome to bob may come before it reads
    # bob's own join back: stopped then, that join is one more event its clients missed).
    bob.send("ready")
    bob.expect("message", text="ready")
    two.signal(signal.SIGSTOP)  # bob's server reads no more of what ana says now
    try:
        seen = []
        for n in range(3):
            ana.send(f"before {n}")
            seen.append(ana.expect("message", text=f"before {n}")["id"])
        redis_server.stop()
        one.wait_for_log("Redis unreachable")
        one.signal(signal.SIGSTOP)  # ana's server is back last
        redis_server.start()  # empty
    finally:
        two.signal(signal.SIGCONT)
    try:
        two.wait_for_log("Redis is back")
        # The answer to the read it was blocked in when paused, if Redis had sent it already.
        got = [e["id"] for e in bob.quiet(0.3) if e.get("text", "").startswith("before")]
        assert got == seen[: len(got)]
        bob.send("said first")
        first = bob.expect("message", text="said first")["id"]
    finally:
        one.signal(signal.SIGCONT)
    one.wait_for_log("Redis is back")
    assert ana.expect("message", text="said first")["id"] == first > seen[-1]
    ana.send("said next")
    after = ana.expect("message", text="said next")["id"]
    assert after > first
    # What ana's server had read and bob's had not is lost: bob is told how much, once, and
    # ana nothing (the jump in ids is no loss).
    heard = bob.quiet(1.0)
    assert [e["count"] for e in heard if e.get("code") == "missed"] == [3 - len(got)]
    assert [e["id"] for e in heard if e.get("text") == "said next"] == [after]
    assert not [e for e in ana.quiet(0.1) if e.get("code") == "missed"]
    assert "not passed on" not in one.log() + two.log()


def test_an_irc_question_refused_while_redis_is_down_leaves_the_next_answered_right(
    start_server: StartServer, redis_server: RedisServer
) -> None:
    """An IRC question (WHO, NAMES) waits on the answer to the ``/online`` it became; one
    refused ``unavailable`` must use it up, or every later answer is taken for the one
    before (NAMES answered as a WHO list, for as long as the connection lasts)."""
    one = start_server("--redis", redis_server.url, "--irc-port", "0")
    irc = LineClient(one.irc_port)
    one.clients.append(irc)
    irc.send("NICK wee\r\nUSER wee 0 * :Wee\r\n")
    irc.text_until(lambda line: " 366 " in line)
    redis_server.stop()
    time.sleep(1.5)  # the server notices at its next request to Redis
    irc.send("WHO #lobby\r\n")
    refused = irc.text_until(lambda line: " NOTICE wee " in line or " 315 " in line)
    assert " NOTICE wee " in refused[-1], refused
    redis_server.start()
    deadline = time.monotonic() + 15
    while True:  # asked again while the server writes the chat back to Redis
        irc.send("NAMES #lobby\r\n")
        answer = irc.text_until(lambda line: " NOTICE wee " in line or " 366 " in line)
        if " 366 " in answer[-1] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    listed = [line.split(" ", 1)[1].rstrip() for line in answer if " 35" in line]
    assert listed == ["353 wee = #lobby :wee"]  # NAMES' own list, not a WHO's (352)


def test_a_user_taken_over_from_a_dead_server_can_still_be_banned(
    start_server: StartServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Only a member's own server saw its address; Redis keeps it with the member, so the
    survivor that holds it after its server died bans the address it came from."""
    options = ("--redis", redis_server.url, "--lease", "2", *operators(tmp_path))
    one, two = start_server(*options), start_server(*options)
    ana = one.user("ana")
    dave = two.user("dave", source="127.0.0.2")  # a program: held by the survivor
    ana.expect("join", name="dave")
    ana.send(f"/oper {OPER_PASSWORD}")
    ana.expect("info", code="operator")
    number = re.search(r"server (\d+) of the chat", two.log())
    assert number is not None
    two.process.kill()
    one.wait_for_log(f"server {number[1]} is gone", timeout=2 + TIMEOUT)
    one.wait_for_log("0 users leave, 1 held for a resume")  # dave: held here
    ana.send("/ban dave 1h spam")
    assert ana.expect("leave", name="dave", reason="kicked", by="ana")["ban"] == 3600
    one.wait_for_log("127.0.0.2 banned until")
    refused = LineClient(one.port, source="127.0.0.2")
    assert (refused.readline() or b"").startswith(b"Error: your address is banned")
    refused.close()
    dave.close()
